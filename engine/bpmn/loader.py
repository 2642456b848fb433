"""Validate a deployment bundle (BPMN, DMN, form JSON) and build SpiffWorkflow specs from it.

Every problem comes back as ``file:line: element_id: message``; no input produces a traceback. Steps per
file: XML safety (xml_safety), OMG schema (xsd_check), SpiffWorkflow's parser (spiff_check), Onestop's
rules (lint, lint_expressions, lint_dmn, forms_check); then duplicates are dropped and problems sorted.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from functools import partial
from typing import Any

from engine.bpmn.bundle import (
    SEVERITY_ERROR,
    DecisionInfo,
    ProcessInfo,
    SourceFile,
    ValidationReport,
)
from engine.bpmn.document import Element, ParsedDocument, bpmn, spiff, text_of
from engine.bpmn.forms_check import check_form_file
from engine.bpmn.lint import BPMN_RULES, FORM_PROPERTY, UI_FORM_PROPERTY
from engine.bpmn.lint_base import HUMAN_TASKS, LintContext, extension_properties
from engine.bpmn.lint_dmn import DMN_RULES, decisions
from engine.bpmn.spiff_check import check_processes, load_bundle, spec_pair
from engine.bpmn.spiff_messages import FILE_LEVEL_TOPICS, SpiffFinding, translate
from engine.bpmn.xml_safety import DEFAULT_MAX_BYTES, read_xml
from engine.bpmn.xsd_check import check_schema
from engine.errors import Problem, ProcessDefinitionError

__all__ = [
    "DecisionInfo",
    "ProcessInfo",
    "SourceFile",
    "ValidationReport",
    "build_specs",
    "form_references",
    "validate_files",
]

XML_SUFFIXES = (".bpmn", ".bpmn20.xml", ".xml", ".dmn")
FORM_SUFFIXES = (".json",)


def _guard(problems: list[Problem], file: str, stage: str, action: Callable[[], list[Problem]]) -> None:
    """Run one checking step; a bug in it becomes a problem, never a traceback."""
    try:
        problems.extend(action())
    except Exception as exc:  # last line of defence: report, do not crash the request
        problems.append(
            Problem(
                file,
                1,
                "",
                f"internal error while {stage} ({type(exc).__name__}: {exc}); "
                "please report this file to the Onestop maintainers",
            )
        )


def _read_all(
    files: Sequence[SourceFile], max_bytes: int
) -> tuple[list[ParsedDocument], list[SourceFile], list[Problem]]:
    docs: list[ParsedDocument] = []
    forms: list[SourceFile] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for source in files:
        lower = source.name.lower()
        if source.name in seen:
            problems.append(Problem(source.name, 1, "", "the same file name appears twice in this deployment"))
            continue
        seen.add(source.name)
        if lower.endswith(FORM_SUFFIXES):
            forms.append(source)
        elif lower.endswith(XML_SUFFIXES):
            doc, found = read_xml(source, max_bytes)
            problems.extend(found)
            if doc is not None:
                docs.append(doc)
        else:
            problems.append(
                Problem(
                    source.name,
                    1,
                    "",
                    "unsupported file type: upload .bpmn, .bpmn20.xml, .dmn or .json (form) files",
                )
            )
    return docs, forms, problems


def _processes_in_scope(docs: Sequence[ParsedDocument]) -> dict[str, list[Element]]:
    """file -> processes Onestop may run: executable ones plus whatever they call, transitively."""
    by_id: dict[str, tuple[str, Element]] = {}
    for doc in docs:
        if doc.kind == "bpmn":
            for process in doc.iter(bpmn("process")):
                by_id.setdefault(process.get("id") or "", (doc.name, process))
    todo = [pid for pid, (_, p) in by_id.items() if p.get("isExecutable", "true") == "true"]
    reached: set[str] = set()
    while todo:
        pid = todo.pop()
        if pid in reached or pid not in by_id:
            continue
        reached.add(pid)
        todo.extend(c.get("calledElement") or "" for c in by_id[pid][1].iter(bpmn("callActivity")))
    scope: dict[str, list[Element]] = {}
    for pid in reached:
        name, process = by_id[pid]
        scope.setdefault(name, []).append(process)
    return scope


def _lint(
    docs: Sequence[ParsedDocument], form_names: Collection[str] | None, keys: set[tuple[str, str, str]]
) -> list[Problem]:
    problems: list[Problem] = []
    scope = _processes_in_scope(docs)
    for doc in docs:
        if doc.kind == "bpmn":
            ctx = LintContext(doc, scope.get(doc.name, []), form_names)
            for topic, rule in BPMN_RULES:
                found: list[Problem] = []
                _guard(found, doc.name, f"checking {topic}", partial(rule, ctx))
                keys.update((doc.name, topic, p.element_id) for p in found)
                keys.update((doc.name, topic, "*") for p in found)
                problems.extend(found)
        else:
            for topic, dmn_rule in DMN_RULES:
                found = []
                _guard(found, doc.name, f"checking {topic}", partial(dmn_rule, doc))
                keys.update((doc.name, topic, "*") for p in found)
                problems.extend(found)
    bpmn_docs = [d for d in docs if d.kind == "bpmn"]
    if bpmn_docs and not scope:
        first = bpmn_docs[0]
        process = next(first.iter(bpmn("process")), None)
        problems.append(
            first.problem(
                process if process is not None else first.root,
                'no executable process in this deployment: set isExecutable="true" on the process to run',
            )
        )
    return problems


def _keep(finding: SpiffFinding, keys: set[tuple[str, str, str]]) -> bool:
    if finding.topic is None:
        return True
    p = finding.problem
    if finding.topic in FILE_LEVEL_TOPICS:
        return (p.file, finding.topic, "*") not in keys
    return (p.file, finding.topic, p.element_id) not in keys


def _spiff(docs: Sequence[ParsedDocument], keys: set[tuple[str, str, str]]) -> list[Problem]:
    bundle = load_bundle(docs)
    findings = bundle.findings + check_processes(bundle)
    return [f.problem for f in findings if _keep(f, keys)]


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _process_info(doc: ParsedDocument, process: Element) -> ProcessInfo:
    forms: list[str] = []
    for task in process.iter(*(bpmn(t) for t in HUMAN_TASKS)):
        props = extension_properties(task)
        forms += [props.get(FORM_PROPERTY, "").strip(), props.get(UI_FORM_PROPERTY, "").strip()]
    decision_refs = [
        text_of(ref)
        for task in process.iter(bpmn("businessRuleTask"))
        for ext in task.iterchildren(bpmn("extensionElements"))
        for ref in ext.iterchildren(spiff("calledDecisionId"))
    ]
    return ProcessInfo(
        process_id=process.get("id") or "",
        name=(process.get("name") or process.get("id") or "").strip(),
        file=doc.name,
        is_executable=process.get("isExecutable", "true") == "true",
        lanes=_unique([(lane.get("name") or "").strip() for lane in process.iter(bpmn("lane"))]),
        form_refs=_unique(forms),
        called_elements=_unique([(c.get("calledElement") or "").strip() for c in process.iter(bpmn("callActivity"))]),
        decision_refs=_unique(decision_refs),
    )


def _dedupe(problems: list[Problem]) -> list[Problem]:
    best: dict[Problem, Problem] = {}
    for problem in problems:
        kept = best.get(problem)
        if kept is None or (problem.severity == SEVERITY_ERROR and kept.severity != SEVERITY_ERROR):
            best[problem] = problem
    return sorted(best.values(), key=lambda p: (p.file, p.line, p.element_id, p.message))


def validate_files(
    files: Sequence[SourceFile],
    *,
    form_names: Collection[str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ValidationReport:
    """Validate ``files`` together as one deployment bundle.

    ``form_names``: the form files a user task may name (already deployed ones); the bundle's own .json
    files are added to it. None skips the form-reference check.
    """
    docs, forms, problems = _read_all(files, max_bytes)
    for doc in docs:
        _guard(problems, doc.name, "checking the schema", partial(check_schema, doc))
    for form in forms:
        _guard(problems, form.name, "checking the form", partial(check_form_file, form, max_bytes))
    names = None if form_names is None else {*form_names, *(f.name.rsplit("/", 1)[-1] for f in forms)}
    keys: set[tuple[str, str, str]] = set()
    problems.extend(_lint(docs, names, keys))
    if docs:
        _guard(problems, docs[0].name, "loading with SpiffWorkflow", partial(_spiff, docs, keys))
    report = ValidationReport(problems=_dedupe(problems))
    for doc in docs:
        if doc.kind == "bpmn":
            report.processes.extend(_process_info(doc, p) for p in doc.iter(bpmn("process")))
        else:
            report.decisions.extend(
                DecisionInfo(d.get("id") or "", (d.get("name") or d.get("id") or "").strip(), doc.name)
                for d in decisions(doc)
            )
    return report


def build_specs(files: Sequence[SourceFile], process_id: str) -> tuple[Any, dict[str, Any]]:
    """``(spec, subprocess_specs)`` of ``process_id`` from a bundle that passed validation.

    Raises ProcessDefinitionError (with located problems) if the bundle cannot be loaded anyway.
    """
    docs, _, problems = _read_all(files, DEFAULT_MAX_BYTES)
    errors = [p for p in problems if p.severity == SEVERITY_ERROR]
    if errors:
        raise ProcessDefinitionError(errors)
    if not docs:
        raise ProcessDefinitionError(
            [Problem(files[0].name if files else "", 1, process_id, "no BPMN file in this bundle")]
        )
    try:
        bundle = load_bundle(docs)
    except Exception as exc:
        raise ProcessDefinitionError([translate(exc, docs, docs[0], process_id).problem]) from exc
    if bundle.findings:
        raise ProcessDefinitionError([f.problem for f in bundle.findings])
    if process_id not in bundle.parser.process_parsers:
        known = ", ".join(sorted(bundle.process_ids)) or "none"
        first = next((d for d in docs if d.kind == "bpmn"), docs[0])
        raise ProcessDefinitionError(
            [
                first.problem(
                    first.root,
                    f"process {process_id!r} is not defined in these files (executable processes: {known})",
                    element_id=process_id,
                )
            ]
        )
    home = bundle.doc_named(bundle.parser.process_parsers[process_id].filename)
    try:
        return spec_pair(bundle, process_id)
    except Exception as exc:
        raise ProcessDefinitionError([translate(exc, docs, home, process_id).problem]) from exc


def form_references(task_spec: Any) -> tuple[str | None, str | None]:
    """``(formJsonSchemaFilename, formUiSchemaFilename)`` of a SpiffWorkflow task spec, None when absent."""
    extensions = getattr(task_spec, "extensions", None)
    properties = extensions.get("properties") if isinstance(extensions, dict) else None
    if not isinstance(properties, dict):
        return None, None
    json_form = properties.get(FORM_PROPERTY)
    ui_form = properties.get(UI_FORM_PROPERTY)
    return (
        json_form.strip() or None if isinstance(json_form, str) else None,
        ui_form.strip() or None if isinstance(ui_form, str) else None,
    )
