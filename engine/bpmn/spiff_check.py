"""Load a bundle with SpiffWorkflow's SpiffBpmnParser and report, located, whatever it cannot load."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.bpmn.document import ParsedDocument
from engine.bpmn.spiff_messages import SpiffFinding, translate


@contextmanager
def _quiet() -> Iterator[None]:
    """SpiffWorkflow emits DeprecationWarnings for old extension layouts; they must not become errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


@dataclass
class LoadedBundle:
    """A SpiffBpmnParser holding every file that loaded; ``findings`` say why the others did not."""

    parser: Any
    docs: Sequence[ParsedDocument]
    findings: list[SpiffFinding] = field(default_factory=list)
    failed_files: set[str] = field(default_factory=set)
    process_ids: list[str] = field(default_factory=list)

    def doc_named(self, name: str | None) -> ParsedDocument:
        for doc in self.docs:
            if doc.name == name:
                return doc
        return self.docs[0]


def load_bundle(docs: Sequence[ParsedDocument]) -> LoadedBundle:
    """Add every BPMN and DMN document to one parser (no XSD validator: the loader did that already)."""
    bundle = LoadedBundle(SpiffBpmnParser(), docs)
    parser = bundle.parser
    for doc in docs:
        if doc.kind != "bpmn":
            continue
        try:
            with _quiet():
                parser.add_bpmn_xml(doc.tree, filename=doc.name)
        except Exception as exc:  # SpiffWorkflow raises many kinds; each becomes a Problem
            bundle.findings.append(translate(exc, docs, doc))
            bundle.failed_files.add(doc.name)
    bundle.process_ids = [
        pid for pid in parser.get_process_ids() if parser.process_parsers[pid].filename not in bundle.failed_files
    ]
    for doc in docs:
        if doc.kind != "dmn":
            continue
        try:
            with _quiet():
                parser.add_dmn_xml(doc.root, filename=doc.name)
                for dmn_parser in list(parser.dmn_parsers.values()):
                    if dmn_parser.filename == doc.name and dmn_parser.decision is None:
                        dmn_parser.parse()
        except Exception as exc:
            bundle.findings.append(translate(exc, docs, doc))
            bundle.failed_files.add(doc.name)
    return bundle


def spec_pair(bundle: LoadedBundle, process_id: str) -> tuple[Any, dict[str, Any]]:
    """``(spec, subprocess_specs)`` of one process; raises what SpiffWorkflow raises."""
    with _quiet():
        spec = bundle.parser.get_spec(process_id)
        return spec, bundle.parser.get_subprocess_specs(process_id)


def check_processes(bundle: LoadedBundle) -> list[SpiffFinding]:
    """Build every executable process with its called processes; one finding per process that fails."""
    findings = []
    for process_id in bundle.process_ids:
        home = bundle.doc_named(bundle.parser.process_parsers[process_id].filename)
        try:
            spec_pair(bundle, process_id)
        except Exception as exc:
            findings.append(translate(exc, bundle.docs, home, process_id))
    return findings
