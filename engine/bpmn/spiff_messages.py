"""Turn any exception SpiffWorkflow raises while parsing into a located, human Problem."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from engine.bpmn.document import Element, ParsedDocument, bpmn, local_name
from engine.bpmn.lint_base import describe
from engine.errors import Problem

# Topics whose SpiffWorkflow report carries no usable element: a lint finding anywhere in the file covers it.
FILE_LEVEL_TOPICS = {
    "data_store",
    "definition_name",
    "dmn_decisions",
    "dmn_unsupported",
    "dmn_prefix",
    "dmn_entry_text",
}


@dataclass(frozen=True)
class SpiffFinding:
    topic: str | None
    problem: Problem


@dataclass
class _Where:
    doc: ParsedDocument
    element: Element | None
    element_id: str
    process_id: str | None
    docs: Sequence[ParsedDocument]

    def label(self) -> str:
        return describe(self.element) if self.element is not None else (self.element_id or "this element")

    def find(self, attribute: str, value: str | None, *tags: str) -> tuple[ParsedDocument, Element] | None:
        """The first element (this document first) whose ``attribute`` equals ``value``."""
        for doc in sorted(self.docs, key=lambda d: d is not self.doc):
            for element in doc.iter(*tags):
                if isinstance(element.tag, str) and element.get(attribute) == value:
                    return doc, element
        return None

    def move_to(self, found: tuple[ParsedDocument, Element] | None) -> None:
        if found is not None:
            self.doc, self.element = found
            self.element_id = found[1].get("id") or ""


Handler = Callable[[re.Match[str], _Where], tuple[str | None, str]]


def _reference_problem(where: _Where) -> tuple[str | None, str]:
    """SpiffWorkflow 3.2.0 raises TypeError when an event's message/signal/error/escalation ref resolves
    to nothing (or, for messages and signals, to a definition without a name)."""
    event = where.element
    if event is None:
        return (
            "definition_name",
            "an event refers to a message, signal, error or escalation that is missing or unnamed",
        )
    for definition in event.iter():
        kind = local_name(definition).removesuffix("EventDefinition")
        if kind not in ("message", "signal", "error", "escalation"):
            continue
        ref = definition.get(f"{kind}Ref") or event.get("messageRef")
        if not ref:
            continue
        target = where.find("id", ref, bpmn(kind))
        if target is None:
            return "reference", (
                f"{where.label()} refers to {kind} {ref!r}, which is not defined: add "
                f'<{kind} id="{ref}" name="…"> to the definitions'
            )
        if not (target[1].get("name") or "").strip():
            return "definition_name", (
                f'{kind} has no name: give <{kind} id="{ref}"> a name attribute (used by {where.label()})'
            )
    return None, f"{where.label()} refers to an event definition that cannot be resolved"


def _process_not_found(m: re.Match[str], where: _Where) -> tuple[str | None, str]:
    missing = m.group(1)
    where.move_to(where.find("calledElement", missing, bpmn("callActivity")))
    defined = where.find("id", missing, bpmn("process"))
    if defined is not None:
        return "call", (
            f"{where.label()} calls process {missing!r} from {defined[0].name}, which could not be "
            "loaded: fix that file first"
        )
    known = sorted({p.get("id") or "" for d in where.docs for p in d.iter(bpmn("process"))} - {""})
    return "call", (
        f"{where.label()} calls process {missing!r}, which is not in this deployment: add the file "
        f"that defines it (processes here: {', '.join(known) or 'none'})"
    )


def _decision_not_found(m: re.Match[str], where: _Where) -> tuple[str | None, str]:
    missing = m.group(1)
    if missing in ("None", ""):
        camunda = where.element is not None and any("decisionRef" in k for k in where.element.attrib)
        hint = " (camunda:decisionRef is not read)" if camunda else ""
        return "decision", (
            f"{where.label()} has no spiffworkflow:calledDecisionId{hint}: set it to the id of "
            "a decision in a DMN file of this deployment"
        )
    available = m.group(2).strip() or "none"
    return "decision", (
        f"{where.label()} calls decision {missing!r}, which is not in this deployment: add the "
        f"DMN file that defines it (decisions here: {available})"
    )


def _data_store(m: re.Match[str], where: _Where) -> tuple[str | None, str]:
    name = (m.group(1) or "").strip()
    where.move_to(where.find("name", name, bpmn("dataStore")))
    return "data_store", (
        f"data store {name!r} is not supported (no data store implementation is registered): "
        "keep case data in task data or a data object"
    )


def _multiple_decisions(_: re.Match[str], where: _Where) -> tuple[str | None, str]:
    ns = where.doc.namespace
    found = list(where.doc.root.iterchildren(f"{{{ns}}}decision"))
    if len(found) > 1:
        ids = ", ".join(d.get("id") or "?" for d in found)
        return "dmn_decisions", (
            f"DMN file has {len(found)} decisions ({ids}); Onestop supports one decision "
            "table per file: put each decision in its own .dmn file"
        )
    if not found:
        return "dmn_decisions", "DMN file has no decision: add one decision with a decision table"
    return "dmn_unsupported", "the decision cannot be read by the engine: use one plain decision table"


def _too_deep(_: re.Match[str], where: _Where) -> tuple[str | None, str]:
    stuck_at = where.element_id
    if where.process_id:
        where.move_to(where.find("id", where.process_id, bpmn("process")))
    near = f" (gave up near {stuck_at})" if stuck_at and stuck_at != where.element_id else ""
    return "too_deep", (
        f"process {where.process_id or where.element_id} is too long for the engine to load{near}: "
        "a chain of more than a few hundred elements; split it into called processes"
    )


def _not_a_coordinate(m: re.Match[str], where: _Where) -> tuple[str | None, str]:
    """SpiffWorkflow reads the diagram's shape positions (dc:Bounds x, y) as floats while parsing."""
    value = m[1] if len(m[1]) <= 40 else m[1][:40] + "…"
    return "diagram_number", (
        f"a diagram shape has a position (x or y of dc:Bounds) that is not a number ({value!r}): "
        "fix it or re-save the file with a BPMN modeler"
    )


def _missing_attribute(m: re.Match[str], where: _Where) -> tuple[str | None, str]:
    return "attribute", f"{where.label()} lacks the required attribute {m[1] or m[2]!r}: add it"


def _static(topic: str | None, text: str) -> Handler:
    def handler(m: re.Match[str], where: _Where) -> tuple[str | None, str]:
        return topic, text.format(label=where.label(), m=m, process=where.process_id or "")

    return handler


def _reference(_: re.Match[str], where: _Where) -> tuple[str | None, str]:
    return _reference_problem(where)


# (pattern on SpiffWorkflow's message, topic, message template); first match wins.
# fmt: off
_TEMPLATES: tuple[tuple[str, str, str], ...] = (
    (r"Non-default exclusive outgoing sequence flow without condition", "gateway_condition",
     "{label} leaves a gateway without a condition and is not its default flow: add a condition or make it "
     "the gateway's default flow"),
    (r"Multiple outgoing flows are not supported", "outgoing",
     "{label} has several outgoing sequence flows; the engine does not split implicitly: add a parallel "
     "gateway (take all paths) or an exclusive gateway (take one) after it"),
    (r"Time Specification Error", "timer",
     "{label} has a timer without timeDate, timeDuration or timeCycle: add one, e.g. a timeDuration of "
     "\"P7D\" or workdays_after(5)"),
    (r"No start event found", "start_event", "{label} has no start event: add a start event"),
    (r"There is no support implemented for this task type", "unsupported_element",
     "{label}: this element type is not supported by the engine: replace it with a supported task, event or "
     "gateway"),
    (r"Exactly one start event is required in a SubWorkflow Task; found (\d+)", "subprocess",
     "{label} has {m[1]} start events; an embedded subprocess needs exactly one start event"),
    (r"A SubWorkflow Must contain an End event", "subprocess",
     "{label} has no end event: add an end event to the subprocess"),
    (r"Cannot resolve data(Input|Output)Association", "data_association",
     "{label} has a data association to something that is not a data object of this process (data stores and "
     "undeclared items are not supported): connect it to a data object or remove it"),
    (r'No "calledElement" attribute for Call Activity', "call",
     "{label} has no calledElement: set it to the id of the process to call"),
    (r"must specify a cardinality or a loop input data reference", "multi_instance",
     "{label} is multi-instance without loopCardinality or loopDataInputRef: set one of them"),
    (r"must specify exactly one of cardinality or loop input", "multi_instance",
     "{label} has both loopCardinality and loopDataInputRef: keep only one"),
    (r"A loopMaximum or loopCondition must be specified", "loop",
     "{label} is a loop without loopMaximum or loopCondition: set one so the loop can end"),
    (r"No Script Provided", "script", "{label} has no script: write the Python script in the task"),
    (r"When looking for a task spec, we found two items.*?\((.*?)\)", "flow_target",
     "a sequence flow from {label} points to {m[1]!r}, which is not an element of this process (missing or "
     "duplicate id): fix the flow's targetRef"),
    (r"Cancel Events may only be used with transactions", "cancel",
     "{label} has a cancel boundary event; cancel events need a transaction, which Onestop does not support: "
     "remove it"),
    (r"A Service Task must have an operator", "service_task",
     "{label}: service tasks are not supported (no service operator is registered): use a script task or a "
     "user task"),
    (r"Unsupported Catch Event", "boundary",
     "{label} has no event definition: make it a timer, message, signal, error or escalation event"),
    (r"Duplicate process ID: (.*)", "duplicate",
     "process id {m[1]!r} is defined twice in this deployment: give each process a unique id"),
    (r"Process (.*?) is not executable", "call",
     "process {m[1]!r} is called but marked isExecutable=\"false\": set isExecutable=\"true\""),
    (r"Conditional event definition with missing condition", "condition",
     "{label} is a conditional event without a condition: add one"),
    (r"Malformed Output Expression '(.*?)'\. (.*)", "dmn_expression",
     "output entry {m[1]!r} is not valid Python ({m[2]}): quote text values, e.g. \"approved\""),
    (r"XPathEvalError.*Undefined namespace prefix", "dmn_prefix",
     "DMN elements use a namespace prefix the engine cannot read: write them in the default namespace or "
     "with the prefix 'dmn:'"),
    (r"'(?:Input|Output)Entry' object has no attribute 'text'", "dmn_entry_text",
     "a decision rule has an input or output entry without <text>: add one (write - for any value)"),
    (r"^IndexError", "dmn_unsupported",
     "the engine cannot read this decision (decision services, business knowledge models and literal "
     "expressions are not supported): use one plain decision table per file"),
)
_HANDLERS: tuple[tuple[str, Handler], ...] = (
    (r"Data Store with name (.*?) has no implementation", _data_store),
    (r"Data Store (?:name|identifier) is missing()", _data_store),
    (r"The process '(.*?)' was not found", _process_not_found),
    (r'No DMN Diagram available with id "(.*?)", Available DMN ids are:(.*)', _decision_not_found),
    (r"unexpected keyword argument 'node'", _reference),
    (r"Expected an? (Message|Signal|Error|Escalation) node", _reference),
    (r"RecursionError|maximum recursion depth", _too_deep),
    (r"'list' object has no attribute 'tag'|No decisions found|Multiple decision", _multiple_decisions),
    (r"KeyError\('(.*?)'\)|^KeyError: '(.*?)'", _missing_attribute),
    (r"could not convert string to float: '(.*)'", _not_a_coordinate),
)
# fmt: on
RULES: list[tuple[re.Pattern[str], Handler]] = [
    *((re.compile(pattern, re.DOTALL), handler) for pattern, handler in _HANDLERS),
    *((re.compile(pattern, re.DOTALL), _static(topic, text)) for pattern, topic, text in _TEMPLATES),
]


def raw_message(exc: BaseException) -> str:
    if isinstance(exc, ValidationException):
        return str(exc.args[0]) if exc.args else ""
    return f"{type(exc).__name__}: {exc}"


def translate(
    exc: BaseException, docs: Sequence[ParsedDocument], default: ParsedDocument, process_id: str | None = None
) -> SpiffFinding:
    """A located Problem for ``exc``; the topic lets the loader drop what a lint rule already said."""
    raw = raw_message(exc)
    by_name = {d.name: d for d in docs}
    doc = by_name.get(str(getattr(exc, "file_name", "") or ""), default)
    element_id = str(getattr(exc, "id", "") or "")
    where = _Where(doc, doc.element(element_id), element_id, process_id, docs)
    if where.element is None and element_id:
        where.move_to(where.find("id", element_id))
    if where.element is None and process_id:
        where.move_to(where.find("id", process_id, bpmn("process")))
    topic: str | None = None
    message = ""
    for pattern, handler in RULES:
        match = pattern.search(raw)
        if match:
            topic, message = handler(match, where)
            break
    else:
        tag = str(getattr(exc, "tag", "") or "")
        subject = where.label() if where.element is not None else (tag or "the definition")
        message = f"the engine cannot load {subject}: {raw.rstrip('. ')}"
    line = getattr(exc, "line_number", None)
    return SpiffFinding(
        topic,
        where.doc.problem(
            where.element,
            message,
            element_id=where.element_id,
            line=line if isinstance(line, int) and line >= 1 and where.element is None else None,
        ),
    )
