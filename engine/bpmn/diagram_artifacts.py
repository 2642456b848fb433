"""Draw the non-flow shapes of a BPMN diagram: pools (participants) and lanes with their rotated titles, data
objects, data inputs/outputs, data stores, text annotations, groups, and anything we do not know."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from engine.bpmn.diagram_icons import INK, PAPER, activity_markers, polygon
from engine.bpmn.diagram_model import Box, DiShape
from engine.bpmn.diagram_shapes import LABEL_SIZE, Scene, children, external_label, name_of
from engine.bpmn.diagram_text import LINE_HEIGHT, TextBlock, add_lines, el, fmt, svg, wrap
from engine.bpmn.document import Element, local_name, text_of

HEADER = 30.0  # the title band of a pool or lane
TITLE_SIZE = 12.0


def _rect(group: Element, box: Box, css: str = "body", **style: float | str) -> Element:
    return el(group, "rect", css, x=box.x, y=box.y, width=box.width, height=box.height, **style)


def rotated_title(group: Element, text: str, cx: float, cy: float, length: float) -> None:
    """A title written bottom-to-top, centred on (cx, cy), wrapped to ``length``."""
    lines = wrap(text, max(length - 10, TITLE_SIZE), TITLE_SIZE, max_lines=2)
    holder = etree.SubElement(group, svg("g"), {"transform": f"translate({fmt(cx)} {fmt(cy)}) rotate(-90)"})
    top = -len(lines) * TITLE_SIZE * LINE_HEIGHT / 2
    add_lines(holder, lines, TextBlock(0, top, TITLE_SIZE), "label title")


def _horizontal(shape: DiShape) -> bool:
    # BPMN DI: isHorizontal absent means horizontal for pools and lanes in practice (every modeler writes true)
    return shape.horizontal is not False


def draw_participant(group: Element, shape: DiShape, scene: Scene) -> None:
    box, element = shape.box, shape.semantic
    assert element is not None
    name = name_of(element)
    process = scene.index.get(element.get("processRef") or "")
    has_content = process is not None and any(e.get("id") in scene.shown for e in process.iter())
    _rect(group, box, fill=PAPER, stroke=INK, stroke_width=1.5)
    if not has_content:  # a black-box pool: its name in the middle
        lines = wrap(name, max(box.width - 20, 20), TITLE_SIZE, max_lines=3)
        top = box.cy - len(lines) * TITLE_SIZE * LINE_HEIGHT / 2
        add_lines(group, lines, TextBlock(box.cx, top, TITLE_SIZE), "label title")
        _multiplicity(group, element, box)
        return
    if _horizontal(shape):
        el(group, "line", "", x1=box.x + HEADER, y1=box.y, x2=box.x + HEADER, y2=box.bottom, stroke=INK)
        rotated_title(group, name, box.x + HEADER / 2, box.cy, box.height)
    else:
        el(group, "line", "", x1=box.x, y1=box.y + HEADER, x2=box.right, y2=box.y + HEADER, stroke=INK)
        lines = wrap(name, max(box.width - 10, 20), TITLE_SIZE, max_lines=2)
        top = box.y + (HEADER - len(lines) * TITLE_SIZE * LINE_HEIGHT) / 2
        add_lines(group, lines, TextBlock(box.cx, top, TITLE_SIZE), "label title")
    _multiplicity(group, element, box)


def _multiplicity(group: Element, element: Element, box: Box) -> None:
    found = children(element, "participantMultiplicity")
    if found and int(found[0].get("maximum") or 2) > 1:
        activity_markers(group, ["parallel"], box.cx, box.bottom)


def draw_lane(group: Element, shape: DiShape, scene: Scene) -> None:
    box, element = shape.box, shape.semantic
    assert element is not None
    _rect(group, box, fill="none", stroke=INK, stroke_width=1)
    if _horizontal(shape):
        rotated_title(group, name_of(element), box.x + HEADER / 2, box.cy, box.height)
    else:
        lines = wrap(name_of(element), max(box.width - 10, 20), TITLE_SIZE, max_lines=2)
        top = box.y + (HEADER - len(lines) * TITLE_SIZE * LINE_HEIGHT) / 2
        add_lines(group, lines, TextBlock(box.cx, top, TITLE_SIZE), "label title")


def _collection(element: Element, index: dict[str, Element]) -> bool:
    target = index.get(element.get("dataObjectRef") or "") if local_name(element) == "dataObjectReference" else element
    return target is not None and (target.get("isCollection") or "").lower() == "true"


def draw_data_object(group: Element, shape: DiShape, scene: Scene) -> None:
    box, element = shape.box, shape.semantic
    assert element is not None
    fold = min(10.0, box.width / 3, box.height / 3)
    x, y, right, bottom = box.x, box.y, box.right, box.bottom
    outline = f"M{fmt(x)},{fmt(y)} H{fmt(right - fold)} L{fmt(right)},{fmt(y + fold)} V{fmt(bottom)} H{fmt(x)} Z"
    el(group, "path", "body", d=outline, fill=PAPER, stroke=INK, stroke_width=1.5, stroke_linejoin="round")
    corner = f"M{fmt(right - fold)},{fmt(y)} V{fmt(y + fold)} H{fmt(right)}"
    el(group, "path", "", d=corner, fill="none", stroke=INK, stroke_width=1.2)
    kind = local_name(element)
    if kind in {"dataInput", "dataOutput"}:
        arrow = [(0, -3), (6, -3), (6, -6), (11, 0), (6, 6), (6, 3), (0, 3)]
        polygon(group, x + 4, y + 9, 1, arrow, kind == "dataOutput", 1.0)
    if _collection(element, scene.index):
        activity_markers(group, ["parallel"], box.cx, bottom + 2)
    states = [s.get("name") or "" for s in children(element, "dataState")]
    name = name_of(element)
    label = name + "".join(f"\n[{state}]" for state in states if state and f"[{state}]" not in name)
    external_label(group, shape, label.strip())


def draw_data_store(group: Element, shape: DiShape, scene: Scene) -> None:
    box, element = shape.box, shape.semantic
    assert element is not None
    rx, ry = box.width / 2, min(box.height / 6, 10.0)
    x, y, right, bottom = box.x, box.y + ry, box.right, box.bottom - ry
    body = (
        f"M{fmt(x)},{fmt(y)} A{fmt(rx)},{fmt(ry)} 0 0 1 {fmt(right)},{fmt(y)} V{fmt(bottom)} "
        f"A{fmt(rx)},{fmt(ry)} 0 0 1 {fmt(x)},{fmt(bottom)} Z"
    )
    el(group, "path", "body", d=body, fill=PAPER, stroke=INK, stroke_width=1.5)
    for offset in (0, ry * 0.6, ry * 1.2):
        arc = f"M{fmt(x)},{fmt(y + offset)} A{fmt(rx)},{fmt(ry)} 0 0 0 {fmt(right)},{fmt(y + offset)}"
        el(group, "path", "", d=arc, fill="none", stroke=INK, stroke_width=1.2)
    external_label(group, shape, name_of(element))


def draw_annotation(group: Element, shape: DiShape, scene: Scene) -> None:
    box, element = shape.box, shape.semantic
    assert element is not None
    el(group, "rect", "hit", x=box.x, y=box.y, width=box.width, height=box.height, fill=PAPER, opacity=0)
    bracket = f"M{fmt(box.x + 10)},{fmt(box.y)} H{fmt(box.x)} V{fmt(box.bottom)} H{fmt(box.x + 10)}"
    el(group, "path", "body", d=bracket, fill="none", stroke=INK, stroke_width=1.2)
    text = text_of(next(iter(children(element, "text")), None))
    size = LABEL_SIZE
    lines = wrap(text, max(box.width - 10, 20), size)
    max_lines = max(int((box.height + 20) // (size * LINE_HEIGHT)), 1)
    if len(lines) > max_lines:
        lines = wrap(text, max(box.width - 10, 20), size, max_lines)
    top = box.y + max((box.height - len(lines) * size * LINE_HEIGHT) / 2, 2)
    add_lines(group, lines, TextBlock(box.x + 5, top, size, "start"), "label")


def draw_group(group: Element, shape: DiShape, scene: Scene) -> None:
    box, element = shape.box, shape.semantic
    assert element is not None
    style: dict[str, float | str] = {"fill": "none", "stroke": INK, "stroke_width": 1.5, "stroke_dasharray": "8 4 2 4"}
    el(group, "rect", "body", x=box.x, y=box.y, width=box.width, height=box.height, rx=10, **style)
    value = scene.index.get(element.get("categoryValueRef") or "")
    label = (value.get("value") or "") if value is not None else name_of(element)
    if shape.label is not None and shape.label.width > 1:
        external_label(group, shape, label)
    else:
        lines = wrap(label, max(box.width - 20, 20), LABEL_SIZE)
        add_lines(group, lines, TextBlock(box.cx, box.y + 4, LABEL_SIZE), "label")


def draw_unknown(group: Element, shape: DiShape, scene: Scene) -> None:
    """A shape whose element we cannot find or do not draw: a faint placeholder, so nothing silently vanishes."""
    box = shape.box
    style: dict[str, float | str] = {"fill": "none", "stroke": "#999", "stroke_dasharray": "3 3"}
    el(group, "rect", "body", x=box.x, y=box.y, width=box.width, height=box.height, **style)
    if shape.semantic is not None:
        external_label(group, shape, name_of(shape.semantic))


ARTIFACT_DRAWERS: dict[str, Callable[[Element, DiShape, Scene], None]] = {
    "participant": draw_participant,
    "lane": draw_lane,
    "dataObjectReference": draw_data_object,
    "dataObject": draw_data_object,
    "dataInput": draw_data_object,
    "dataOutput": draw_data_object,
    "dataStoreReference": draw_data_store,
    "dataStore": draw_data_store,
    "textAnnotation": draw_annotation,
    "group": draw_group,
}
