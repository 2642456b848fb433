"""Validate BPMN/DMN documents against the OMG schemas that SpiffWorkflow bundles (compiled once)."""

from __future__ import annotations

import functools
import os
import threading

import SpiffWorkflow
from lxml import etree

from engine.bpmn.document import DMN_VERSIONS, ParsedDocument, bpmn, shorten_names
from engine.errors import Problem

_PACKAGE = os.path.dirname(SpiffWorkflow.__file__)
BPMN_XSD = os.path.join(_PACKAGE, "bpmn", "parser", "schema", "BPMN20.xsd")
_DMN_DIR = os.path.join(_PACKAGE, "dmn", "parser", "schema")
DMN_XSD = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": os.path.join(_DMN_DIR, "DMN.xsd"),
    # SpiffWorkflow 3.2.0 ships a DMNDI12.xsd that is really the DI schema, so this one does not compile
    # (corpus finding 4); schema_for() then returns None and DMN 1.2 files are only parsed.
    "http://www.omg.org/spec/DMN/20180521/MODEL/": os.path.join(_DMN_DIR, "DMN12.xsd"),
    "https://www.omg.org/spec/DMN/20191111/MODEL/": os.path.join(_DMN_DIR, "DMN13.xsd"),
}
assert set(DMN_XSD) == set(DMN_VERSIONS)

_MAX_MESSAGE = 400
# XMLSchema.validate() keeps its error log on the schema object: one validation at a time per schema.
_LOCK = threading.Lock()


@functools.cache
def compiled_schema(path: str) -> etree.XMLSchema | None:
    """The compiled schema at ``path``, or None when it does not compile (cached either way)."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    try:
        return etree.XMLSchema(etree.parse(path, parser))
    except (OSError, etree.LxmlError):
        return None


def schema_for(doc: ParsedDocument) -> etree.XMLSchema | None:
    if doc.kind == "bpmn":
        return compiled_schema(BPMN_XSD)
    path = DMN_XSD.get(doc.namespace)
    return compiled_schema(path) if path else None


def _bpmn_js_fixups(doc: ParsedDocument) -> list[etree._Element]:
    """Do what SpiffWorkflow's BpmnValidator.preprocess does: bpmn-js writes <formalExpression> inside
    <correlationPropertyRetrievalExpression> where the schema wants <messagePath>. Returns the renamed
    elements so the caller can put them back (SpiffWorkflow reads either)."""
    renamed = []
    for holder in doc.iter(bpmn("correlationPropertyRetrievalExpression")):
        for expression in holder.iterchildren(bpmn("formalExpression")):
            expression.tag = bpmn("messagePath")
            renamed.append(expression)
    return renamed


def check_schema(doc: ParsedDocument) -> list[Problem]:
    """One problem per schema error, each with its own line; nothing when no usable schema exists."""
    schema = schema_for(doc)
    if schema is None:
        return []
    renamed = _bpmn_js_fixups(doc) if doc.kind == "bpmn" else []
    try:
        with _LOCK:
            valid = schema.validate(doc.tree)
            errors = [] if valid else list(schema.error_log)
    finally:
        for element in renamed:
            element.tag = bpmn("formalExpression")
    kind = "BPMN 2.0" if doc.kind == "bpmn" else f"DMN {DMN_VERSIONS.get(doc.namespace, '')}".strip()
    problems = []
    for error in errors:
        text = shorten_names(error.message.strip())
        if doc.kind == "bpmn" and "targetNamespace" in text and "definitions" in text:
            continue  # xml_safety already says how to fix that one
        if len(text) > _MAX_MESSAGE:
            text = text[: _MAX_MESSAGE - 1].rstrip() + "…"
        line = max(1, int(error.line or 1))
        problems.append(Problem(doc.name, line, doc.id_at_line(line), f"not valid {kind} (schema): {text}"))
    return problems
