"""Draw the flow nodes of a BPMN diagram: activities (tasks, subprocesses, call activities) with their
icons and markers, events with their definitions, and gateways; each with its label."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from engine.bpmn.diagram_icons import (
    INK,
    PAPER,
    TASK_ICONS,
    activity_markers,
    event_marker,
    gateway_marker,
    task_icon,
)
from engine.bpmn.diagram_model import Box, DiShape
from engine.bpmn.diagram_text import TextBlock, add_lines, el, fitted_label, fmt, svg, wrap
from engine.bpmn.document import BPMN_NS, Element, local_name

TASKS = {
    "task",
    "userTask",
    "serviceTask",
    "scriptTask",
    "sendTask",
    "receiveTask",
    "manualTask",
    "businessRuleTask",
    "callActivity",
}
SUBPROCESSES = {"subProcess", "transaction", "adHocSubProcess"}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
THROWING = {"endEvent", "intermediateThrowEvent"}
LABEL_SIZE = 11.0
TASK_SIZE = 12.0
_TOKEN = re.compile(r"[^A-Za-z0-9_-]")


@dataclass
class Scene:
    """What drawing one shape may need to know about the rest of the diagram."""

    index: dict[str, Element]
    shown: set[str]  # element ids that have a shape on the plane
    states: dict[str, str] = field(default_factory=dict)


def css_token(value: str) -> str:
    """A safe class name fragment (callers' states and element kinds become class names)."""
    return _TOKEN.sub("", value)[:40]


def name_of(element: Element | None) -> str:
    if element is None:
        return ""
    return " ".join((element.get("name") or "").split("\u00a0")).strip()


def children(element: Element, local: str) -> list[Element]:
    return [c for c in element if isinstance(c.tag, str) and c.tag == f"{{{BPMN_NS}}}{local}"]


def element_group(parent: Element, shape_kind: str, element_id: str, state: str | None, name: str) -> Element:
    classes = ["element", css_token(shape_kind) or "unknown"]
    if state:
        classes.append(f"state-{css_token(state)}")
    group = etree.SubElement(parent, svg("g"), {"class": " ".join(classes), "data-element-id": element_id})
    title = etree.SubElement(group, svg("title"))
    title.text = name or element_id
    return group


def external_label(group: Element, shape: DiShape, text: str) -> None:
    """A label outside the shape (events, gateways, data): at its BPMNLabel bounds, else centred below."""
    if not text:
        return
    box = shape.label
    if box is not None and box.width > 1:
        lines = wrap(text, box.width * 1.1 + 6, LABEL_SIZE)
        add_lines(group, lines, TextBlock(box.cx, box.y, LABEL_SIZE), "label external")
        return
    lines = wrap(text, max(shape.box.width * 2.5, 90.0), LABEL_SIZE)
    add_lines(group, lines, TextBlock(shape.box.cx, shape.box.bottom + 4, LABEL_SIZE), "label external")


# -- activities -----------------------------------------------------------------------------------------------
def _loop_marker(element: Element) -> list[str]:
    for child in element:
        if not isinstance(child.tag, str):
            continue
        kind = local_name(child)
        if kind == "standardLoopCharacteristics":
            return ["loop"]
        if kind == "multiInstanceLoopCharacteristics":
            return ["sequential" if (child.get("isSequential") or "").lower() == "true" else "parallel"]
    return []


def is_expanded(shape: DiShape, scene: Scene) -> bool:
    """An explicit ``isExpanded`` wins; otherwise a subprocess whose children are drawn is expanded."""
    if shape.kind not in SUBPROCESSES and shape.kind != "callActivity":
        return False
    if shape.expanded is not None:
        return shape.expanded
    if shape.semantic is None:
        return False
    content = shape.semantic
    if shape.kind == "callActivity":  # expanded when the called process is drawn inside it
        called = scene.index.get(shape.semantic.get("calledElement") or "")
        if called is None or local_name(called) != "process":
            return False
        content = called
    return any(c.get("id") in scene.shown for c in content if isinstance(c.tag, str))


def _calls_process(shape: DiShape, scene: Scene) -> bool:
    """A collapsed call activity shows the + marker unless it calls a global task."""
    if shape.kind != "callActivity" or shape.semantic is None:
        return False
    called = scene.index.get(shape.semantic.get("calledElement") or "")
    return called is None or not local_name(called).startswith("global")


def _rounded(group: Element, box: Box, css: str, **style: float | str) -> Element:
    return el(group, "rect", css, x=box.x, y=box.y, width=box.width, height=box.height, rx=10, ry=10, **style)


def draw_activity(group: Element, shape: DiShape, scene: Scene) -> None:
    box, element, kind = shape.box, shape.semantic, shape.kind
    assert element is not None
    expanded = is_expanded(shape, scene)
    event_sub = (element.get("triggeredByEvent") or "").lower() == "true"
    style: dict[str, float | str] = {"fill": PAPER if not expanded else "none", "stroke": INK, "stroke_width": 1.5}
    if kind == "callActivity":
        style["stroke_width"] = 4
    if event_sub:
        style["stroke_dasharray"] = "2 3"
    if expanded:
        el(group, "rect", "hit", x=box.x, y=box.y, width=box.width, height=box.height, rx=10, fill=PAPER, opacity=0)
    _rounded(group, box, "body", **style)
    if kind == "transaction":
        inner = Box(box.x + 3, box.y + 3, max(box.width - 6, 0), max(box.height - 6, 0))
        el(group, "rect", "", x=inner.x, y=inner.y, width=inner.width, height=inner.height, rx=7, fill="none")
        group[-1].set("stroke", INK)
    markers = _loop_marker(element)
    if not expanded and (kind in SUBPROCESSES or _calls_process(shape, scene)):
        markers.append("collapsed")
    if kind == "adHocSubProcess":
        markers.append("adhoc")
    if (element.get("isForCompensation") or "").lower() == "true":
        markers.append("compensation")
    if markers:
        activity_markers(group, markers, box.cx, box.bottom)
    task_icon(group, kind, box.x, box.y)
    name = name_of(element)
    if expanded:
        lines = wrap(name, max(box.width - 20, 20), TASK_SIZE)
        add_lines(group, lines, TextBlock(box.x + 10, box.y + 6, TASK_SIZE, "start"))
        return
    bottom = 17 if markers else 3
    label = Box(box.x + 2, box.y + 3, box.width - 4, box.height - 3 - bottom)
    fitted_label(group, name, label, TASK_SIZE, clear_top=20 if kind in TASK_ICONS else 0)


# -- events ---------------------------------------------------------------------------------------------------
DEFINITION_KINDS = {
    "messageEventDefinition": "message",
    "timerEventDefinition": "timer",
    "errorEventDefinition": "error",
    "signalEventDefinition": "signal",
    "escalationEventDefinition": "escalation",
    "conditionalEventDefinition": "conditional",
    "linkEventDefinition": "link",
    "terminateEventDefinition": "terminate",
    "compensateEventDefinition": "compensate",
    "cancelEventDefinition": "cancel",
}


def event_kind(element: Element, index: dict[str, Element]) -> str:
    """The marker of an event: one definition's kind, 'multiple' / 'parallelMultiple', or '' (none)."""
    found = []
    for child in element:
        if not isinstance(child.tag, str):
            continue
        local = local_name(child)
        if local == "eventDefinitionRef":
            referenced = index.get((child.text or "").strip())
            local = local_name(referenced) if referenced is not None else ""
        if local in DEFINITION_KINDS:
            found.append(DEFINITION_KINDS[local])
    if len(found) > 1:
        return "parallelMultiple" if (element.get("parallelMultiple") or "").lower() == "true" else "multiple"
    return found[0] if found else ""


def draw_event(group: Element, shape: DiShape, scene: Scene) -> None:
    box, element, kind = shape.box, shape.semantic, shape.kind
    assert element is not None
    cx, cy, r = box.cx, box.cy, max(min(box.width, box.height) / 2, 1)
    style: dict[str, float | str] = {"fill": PAPER, "stroke": INK, "stroke_width": 1.5}
    if kind == "startEvent":
        style["stroke_width"] = 2
        if (element.get("isInterrupting") or "true").lower() == "false":
            style["stroke_dasharray"] = "5 3"
    elif kind == "endEvent":
        style["stroke_width"] = 4
    elif kind == "boundaryEvent" and (element.get("cancelActivity") or "true").lower() == "false":
        style["stroke_dasharray"] = "5 3"
    el(group, "circle", "body", cx=cx, cy=cy, r=r, **style)
    if kind in {"intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}:
        inner = {k: v for k, v in style.items() if k != "fill"}
        el(group, "circle", "body inner", cx=cx, cy=cy, r=max(r - 3, 1), fill="none", **inner)
    marker = event_kind(element, scene.index)
    if marker:
        event_marker(group, marker, cx, cy, r, kind in THROWING)
    external_label(group, shape, name_of(element))


# -- gateways -------------------------------------------------------------------------------------------------
def draw_gateway(group: Element, shape: DiShape, scene: Scene) -> None:
    box, element, kind = shape.box, shape.semantic, shape.kind
    assert element is not None
    points = [(box.cx, box.y), (box.right, box.cy), (box.cx, box.bottom), (box.x, box.cy)]
    el(
        group,
        "polygon",
        "body",
        points=" ".join(f"{fmt(x)},{fmt(y)}" for x, y in points),
        fill=PAPER,
        stroke=INK,
        stroke_width=1.5,
        stroke_linejoin="round",
    )
    size = min(box.width, box.height)
    # BPMN DI: isMarkerVisible defaults to false; modelers that want the X (bpmn.io, ours) write "true"
    if kind != "exclusiveGateway" or shape.marker_visible is True:
        detail = ""
        if kind == "eventBasedGateway":
            if (element.get("eventGatewayType") or "").lower() == "parallel":
                detail = "parallel"
            elif (element.get("instantiate") or "").lower() == "true":
                detail = "instantiate"
        gateway_marker(group, kind, box.cx, box.cy, size, detail)
    external_label(group, shape, name_of(element))


FLOW_NODE_DRAWERS: dict[str, Callable[[Element, DiShape, Scene], None]] = {
    **{k: draw_activity for k in TASKS | SUBPROCESSES},
    **{k: draw_event for k in EVENTS},
    **{k: draw_gateway for k in GATEWAYS},
}
