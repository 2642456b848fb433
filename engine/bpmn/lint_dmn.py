"""Onestop's DMN rules: one decision table per file, DMN constructs SpiffWorkflow reads, Python cells."""

from __future__ import annotations

from collections.abc import Callable

from engine.bpmn.document import Element, ParsedDocument, local_name, text_of
from engine.bpmn.expression_check import check_python, el_finding, sandbox_findings, syntax_finding
from engine.errors import Problem

DmnRule = Callable[[ParsedDocument], list[Problem]]
_UNSUPPORTED = {
    "decisionService": "decision services",
    "businessKnowledgeModel": "business knowledge models",
    "invocation": "invocations",
    "context": "boxed contexts",
    "relation": "relations",
    "functionDefinition": "function definitions",
}


def _dmn(doc: ParsedDocument, local: str) -> list[Element]:
    ns = doc.namespace
    return list(doc.iter(f"{{{ns}}}{local}"))


def decisions(doc: ParsedDocument) -> list[Element]:
    """The top-level <decision> elements of a DMN document."""
    ns = doc.namespace
    return list(doc.root.iterchildren(f"{{{ns}}}decision"))


def rule_decision_count(doc: ParsedDocument) -> list[Problem]:
    found = decisions(doc)
    if not found:
        return [doc.problem(doc.root, "DMN file has no decision: add one decision with a decision table")]
    if len(found) > 1:
        ids = ", ".join(d.get("id") or "?" for d in found)
        return [
            doc.problem(
                found[1],
                f"DMN file has {len(found)} decisions ({ids}); Onestop supports one decision table per "
                "file: put each decision in its own .dmn file",
                element_id=found[1].get("id") or "",
            )
        ]
    return []


def rule_supported_constructs(doc: ParsedDocument) -> list[Problem]:
    problems = []
    for decision in decisions(doc):
        tables = [c for c in decision if local_name(c) == "decisionTable"]
        if not tables:
            kinds = sorted({local_name(c) for c in decision if local_name(c) in ("literalExpression", *_UNSUPPORTED)})
            what = f" (it uses {', '.join(kinds)})" if kinds else ""
            problems.append(
                doc.problem(
                    decision,
                    f"decision {decision.get('id')} has no decision table{what}; Onestop evaluates "
                    "decision tables only: model it as a decision table",
                )
            )
    for local, label in _UNSUPPORTED.items():
        found = _dmn(doc, local)
        if found:
            count = f" ({len(found)} in this file)" if len(found) > 1 else ""
            problems.append(
                doc.problem(
                    found[0],
                    f"{label} are not supported by the engine{count}: use a single decision table per file",
                )
            )
    return problems


def rule_namespace_prefix(doc: ParsedDocument) -> list[Problem]:
    """SpiffWorkflow finds DMN elements through the default namespace or the prefix 'dmn' only."""
    ns = doc.namespace
    prefixes = [p for p, uri in doc.root.nsmap.items() if uri == ns]
    if None in prefixes or "dmn" in prefixes:
        return []
    used = prefixes[0] if prefixes else "?"
    return [
        doc.problem(
            doc.root,
            f"DMN elements use the namespace prefix '{used}:'; the engine only reads DMN written in the "
            "default namespace or with the prefix 'dmn:': rename the prefix (or re-export the file)",
        )
    ]


def rule_cell_expressions(doc: ParsedDocument) -> list[Problem]:
    """Input expressions and output cells are Python evaluated in the sandbox."""
    problems = []
    for holder in _dmn(doc, "inputExpression"):
        for text_el in holder.iterchildren(f"{{{doc.namespace}}}text"):
            text = text_of(text_el)
            if text:
                for f in check_python(text, "eval", f"input expression {' '.join(text.split())[:60]!r}"):
                    problems.append(doc.problem(text_el, f.message, line=doc.line(text_el) + f.line - 1))
    for entry in _dmn(doc, "outputEntry"):
        for text_el in entry.iterchildren(f"{{{doc.namespace}}}text"):
            text = text_of(text_el)
            if not text:
                continue
            what = f"output entry {' '.join(text.split())[:60]!r}"
            el = el_finding(text, what)
            if el is not None:
                problems.append(doc.problem(text_el, el.message))
            elif syntax_finding(text, "eval", what) is None:  # SpiffWorkflow reports syntax errors itself
                problems.extend(doc.problem(text_el, f.message) for f in sandbox_findings(text, "eval", what))
    return problems


def rule_entries_have_text(doc: ParsedDocument) -> list[Problem]:
    """SpiffWorkflow reads each rule cell's <text>; a cell without one stops it loading the table."""
    problems = []
    for local in ("inputEntry", "outputEntry"):
        for entry in _dmn(doc, local):
            if next(entry.iterchildren(f"{{{doc.namespace}}}text"), None) is None:
                problems.append(
                    doc.problem(
                        entry,
                        f"{local} {entry.get('id') or ''} of a decision rule has no <text>: add one "
                        "(write - for an input that matches anything)",
                    )
                )
    return problems


DMN_RULES: tuple[tuple[str, DmnRule], ...] = (
    ("dmn_decisions", rule_decision_count),
    ("dmn_unsupported", rule_supported_constructs),
    ("dmn_prefix", rule_namespace_prefix),
    ("dmn_expression", rule_cell_expressions),
    ("dmn_entry_text", rule_entries_have_text),
)
