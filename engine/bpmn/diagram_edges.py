"""Draw the connections of a BPMN diagram: sequence flows (arrowhead, default slash, conditional diamond),
message flows (dashed, open circle start, open arrowhead, optional envelope), associations and data
associations (dotted); each with its label. Arrowheads are drawn as plain shapes, so the SVG needs no
marker ids that could clash with another diagram on the same page."""

from __future__ import annotations

import math

from lxml import etree

from engine.bpmn.diagram_icons import INK, PAPER, envelope
from engine.bpmn.diagram_model import DiEdge, Point
from engine.bpmn.diagram_shapes import GATEWAYS, LABEL_SIZE, SUBPROCESSES, TASKS, css_token, name_of
from engine.bpmn.diagram_text import TextBlock, add_lines, el, fmt, svg, wrap
from engine.bpmn.document import Element, local_name

ACTIVITIES = TASKS | SUBPROCESSES
DOTTED = {"association", "dataInputAssociation", "dataOutputAssociation"}


def _clean(points: list[Point]) -> list[Point]:
    cleaned: list[Point] = []
    for point in points:
        if not cleaned or math.dist(cleaned[-1], point) > 0.01:
            cleaned.append(point)
    return cleaned


def _direction(start: Point, end: Point) -> tuple[float, float]:
    length = math.dist(start, end) or 1.0
    return (end[0] - start[0]) / length, (end[1] - start[1]) / length


def _arrowhead(group: Element, tip: Point, towards: Point, filled: bool, length: float = 11, half: float = 4) -> None:
    ux, uy = _direction(towards, tip)
    bx, by = tip[0] - ux * length, tip[1] - uy * length
    left = (bx - uy * half, by + ux * half)
    right = (bx + uy * half, by - ux * half)
    text = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in (left, tip, right))
    if filled:
        el(group, "polygon", "head", points=text, fill=INK, stroke=INK, stroke_width=1, stroke_linejoin="round")
    else:
        fill = PAPER if length > 9 else "none"
        el(group, "polyline" if fill == "none" else "polygon", "head", points=text, fill=fill, stroke=INK)


def _path(points: list[Point]) -> str:
    first, *rest = points
    return f"M{fmt(first[0])},{fmt(first[1])} " + " ".join(f"L{fmt(x)},{fmt(y)}" for x, y in rest)


def _default_slash(group: Element, start: Point, towards: Point) -> None:
    ux, uy = _direction(start, towards)
    mx, my = start[0] + ux * 12, start[1] + uy * 12
    # a slash leaning 45 degrees across the line
    sx, sy = (ux - uy) * 5, (uy + ux) * 5
    el(group, "line", "", x1=mx - sx, y1=my - sy, x2=mx + sx, y2=my + sy, stroke=INK, stroke_width=1.5)


def _conditional_diamond(group: Element, start: Point, towards: Point) -> None:
    ux, uy = _direction(start, towards)
    tip = (start[0] + ux * 16, start[1] + uy * 16)
    mid = (start[0] + ux * 8, start[1] + uy * 8)
    side1 = (mid[0] - uy * 5, mid[1] + ux * 5)
    side2 = (mid[0] + uy * 5, mid[1] - ux * 5)
    text = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in (start, side1, tip, side2))
    el(group, "polygon", "", points=text, fill=PAPER, stroke=INK, stroke_width=1.2)


def _source_kind(edge: DiEdge, index: dict[str, Element]) -> tuple[str, Element | None]:
    if edge.semantic is None:
        return "", None
    source = index.get(edge.semantic.get("sourceRef") or "")
    return (local_name(source) if source is not None else ""), source


def _sequence_decorations(group: Element, edge: DiEdge, points: list[Point], index: dict[str, Element]) -> None:
    kind, source = _source_kind(edge, index)
    assert edge.semantic is not None
    if source is not None and source.get("default") == edge.element_id and (kind in GATEWAYS or kind in ACTIVITIES):
        _default_slash(group, points[0], points[1])
    elif kind in ACTIVITIES and any(
        local_name(c) == "conditionExpression" for c in edge.semantic if isinstance(c.tag, str)
    ):
        _conditional_diamond(group, points[0], points[1])


def _midpoint(points: list[Point]) -> Point:
    total = sum(math.dist(a, b) for a, b in zip(points, points[1:], strict=False))
    walked = 0.0
    for a, b in zip(points, points[1:], strict=False):
        step = math.dist(a, b)
        if walked + step >= total / 2 and step:
            t = (total / 2 - walked) / step
            return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
        walked += step
    return points[0]


def _label(group: Element, edge: DiEdge, points: list[Point]) -> None:
    name = name_of(edge.semantic)
    if not name:
        return
    box = edge.label
    if box is not None and box.width > 1:
        lines = wrap(name, box.width * 1.1 + 6, LABEL_SIZE)
        add_lines(group, lines, TextBlock(box.cx, box.y, LABEL_SIZE), "label external")
        return
    x, y = _midpoint(points)
    add_lines(group, wrap(name, 90, LABEL_SIZE), TextBlock(x + 4, y + 2, LABEL_SIZE, "start"), "label external")


def draw_edge(parent: Element, edge: DiEdge, index: dict[str, Element]) -> Element:
    kind = edge.kind or "unknown"
    group = etree.SubElement(parent, svg("g"), {"class": f"edge {css_token(kind)}", "data-element-id": edge.element_id})
    title = etree.SubElement(group, svg("title"))
    title.text = name_of(edge.semantic) or edge.element_id
    points = _clean(edge.points)
    if len(points) < 2:
        return group
    style: dict[str, float | str] = {"fill": "none", "stroke": INK, "stroke_width": 1.5, "stroke_linejoin": "round"}
    if kind == "messageFlow":
        style["stroke_dasharray"] = "8 5"
    elif kind in DOTTED or edge.semantic is None:  # an edge without a model element: a visual association
        style.update(stroke_dasharray="0.5 5", stroke_linecap="round", stroke_width=1.5)
    el(group, "path", "body", d=_path(points), **style)
    if kind == "sequenceFlow":
        _arrowhead(group, points[-1], points[-2], True)
        _sequence_decorations(group, edge, points, index)
    elif kind == "messageFlow":
        el(group, "circle", "", cx=points[0][0], cy=points[0][1], r=4, fill=PAPER, stroke=INK, stroke_width=1.2)
        _arrowhead(group, points[-1], points[-2], False)
        if edge.message_visible:
            x, y = _midpoint(points)
            envelope(group, x, y, 20, edge.message_visible.lower().startswith("non"))
    elif kind in {"dataInputAssociation", "dataOutputAssociation"}:
        _arrowhead(group, points[-1], points[-2], False, 9, 5)
    elif kind == "association" and edge.semantic is not None:
        direction = (edge.semantic.get("associationDirection") or "None").lower()
        if direction in {"one", "both"}:
            _arrowhead(group, points[-1], points[-2], False, 9, 5)
        if direction == "both":
            _arrowhead(group, points[0], points[1], False, 9, 5)
    _label(group, edge, points)
    return group
