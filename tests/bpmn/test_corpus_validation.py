"""Every real-world file of the shared corpus goes through validate_files without a traceback or a hang.

Files are validated one by one (a call to a process in a sibling file is then reported as missing, which
is fine). The oracle is SpiffWorkflow itself: a file it cannot load must never come back ``ok``, and a file
it loads, that is schema-valid and that no Onestop rule objects to, must come back ``ok``.
"""

from __future__ import annotations

import re
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.bpmn.loader import SourceFile, ValidationReport, validate_files
from engine.bpmn.loader import _lint as lint_bundle
from engine.bpmn.xml_safety import read_xml
from engine.bpmn.xsd_check import check_schema

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
SUFFIXES = (".bpmn", ".dmn", ".xml")
TIME_BUDGET_S = 10.0  # a hang guard, not a benchmark
PYTHON_ERRORS = re.compile(r"\b(Type|Attribute|Key|Index|XPathEval|Recursion|Name|Value)Error\b")

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus folder {CORPUS} is absent")


@dataclass
class Outcome:
    name: str
    report: ValidationReport
    seconds: float
    spiff_ok: bool | None  # None: nothing executable to load


def corpus_files() -> list[Path]:
    skip = {"xsd", "licenses"}
    return sorted(
        p
        for p in CORPUS.rglob("*")
        if p.is_file() and p.name.lower().endswith(SUFFIXES) and not skip & set(p.relative_to(CORPUS).parts)
    )


def spiff_loads(path: Path) -> bool | None:
    """What SpiffWorkflow alone says: True/False, or None when the file has nothing executable."""
    parser = SpiffBpmnParser()
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
        if path.suffix == ".dmn":
            parser.add_dmn_xml(root, filename=path.name)
            for dmn_parser in parser.dmn_parsers.values():
                dmn_parser.parse()
            return True
        parser.add_bpmn_xml(root, filename=path.name)
        ids = parser.get_process_ids()
        for process_id in ids:
            parser.get_spec(process_id)
            parser.get_subprocess_specs(process_id)
        return True if ids else None
    except Exception:
        return False


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    results = []
    for path in corpus_files():
        name = path.relative_to(CORPUS).as_posix()
        started = time.perf_counter()
        report = validate_files([SourceFile(name, path.read_bytes())])
        seconds = time.perf_counter() - started
        with warnings.catch_warnings():  # SpiffWorkflow's own DeprecationWarnings in the oracle parse
            warnings.simplefilter("ignore", DeprecationWarning)
            spiff_ok = spiff_loads(path)
        results.append(Outcome(name, report, seconds, spiff_ok))
    return results


def test_corpus_has_the_expected_files(outcomes: list[Outcome]) -> None:
    assert len(outcomes) > 300
    ok = [o for o in outcomes if o.report.ok]
    slowest = max(outcomes, key=lambda o: o.seconds)
    problems = sum(len(o.report.problems) for o in outcomes)
    print(
        f"\ncorpus: {len(outcomes)} files, {len(ok)} ok, {len(outcomes) - len(ok)} with errors, "
        f"{problems} problems; slowest {slowest.name} {slowest.seconds * 1000:.0f} ms; "
        f"total {sum(o.seconds for o in outcomes):.1f} s"
    )


def test_every_problem_is_located_and_readable(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        for problem in outcome.report.problems:
            assert problem.file == outcome.name, problem
            assert isinstance(problem.line, int) and problem.line >= 1, problem
            assert problem.message.strip() and problem.severity in ("error", "warning"), problem
            assert "internal error" not in problem.message, problem
            assert not problem.message.startswith("the engine cannot load"), problem  # unexplained Spiff error
            assert not PYTHON_ERRORS.search(problem.message), problem


def test_each_file_is_validated_within_the_time_budget(outcomes: list[Outcome]) -> None:
    slow = [(o.name, round(o.seconds, 2)) for o in outcomes if o.seconds >= TIME_BUDGET_S]
    assert slow == []


def test_a_file_spiffworkflow_cannot_load_is_never_ok(outcomes: list[Outcome]) -> None:
    false_passes = [o.name for o in outcomes if o.spiff_ok is False and o.report.ok]
    assert false_passes == []


def test_a_clean_file_is_ok(outcomes: list[Outcome]) -> None:
    """Spiff loads it, the schema accepts it and no Onestop rule reports an error: then nothing else may."""
    checked = 0
    for outcome in outcomes:
        if not outcome.spiff_ok:
            continue
        doc, safety = read_xml(SourceFile(outcome.name, (CORPUS / outcome.name).read_bytes()))
        assert doc is not None
        own = [*safety, *check_schema(doc), *lint_bundle([doc], None, set())]
        if any(p.severity == "error" for p in own):
            continue
        checked += 1
        assert outcome.report.ok, [str(p) for p in outcome.report.problems]
    assert checked > 10


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "camunda/bpm-examples/dmn-engine-dmn-engine-drg__dinnerDecisions.dmn",
            "2 decisions (beverages, dish)",
        ),
        ("camunda/modeler/broken/test__broken.bpmn", "not well-formed XML: Opening and ending tag mismatch"),
        ("camunda/modeler/broken/lib-file-context-broken-files__empty.bpmn", "file is empty"),
        ("camunda/modeler/broken/lib-file-context-broken-files__empty.dmn", "file is empty"),
        ("camunda/modeler/broken/test__illegal-whitespace.bpmn", "no targetNamespace"),
        ("camunda/modeler/resources-diagram__complex.bpmn", "data stores are not supported"),
        ("camunda/bpm-examples/clients-java-order-handling__order-handling.bpmn", "cron expression"),
        (
            "camunda/bpm-examples/spring-boot-starter-example-twitter__TwitterDemoProcess.bpmn",
            "write not approved",
        ),
        ("spiff/dmn/dmn_version_test/v1_3_unsupported/loan-info.dmn", "prefix 'semantic:'"),
        ("miwg/Reference/C.2.0.bpmn", "message has no name"),
        ("miwg/Reference/C.9.1.bpmn", 'write the literal quoted: "P7D"'),
        ("camunda/modeler/resources-diagram__xss.bpmn", "is not a valid value of the atomic type 'xs:ID'"),
        ("spiff/spiff/waiting_event.bpmn", None),  # bpmn-js correlation formalExpression: schema-valid for us
    ],
)
def test_known_traps_get_clear_messages(outcomes: list[Outcome], name: str, expected: str | None) -> None:
    [outcome] = [o for o in outcomes if o.name == name]
    messages = [p.message for p in outcome.report.problems]
    if expected is None:
        assert not any("schema" in m for m in messages), messages
    else:
        assert any(expected in m for m in messages), messages
        assert not outcome.report.ok
