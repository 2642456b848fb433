"""The small BPMN glyphs drawn inside shapes: event definition markers, task type icons, activity markers
(loop, multi-instance, collapsed, ad hoc, compensation) and gateway markers. Pure geometry, our own drawing."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from engine.bpmn.diagram_text import el, fmt
from engine.bpmn.document import Element

INK = "#222"
PAPER = "#fff"
Pts = Sequence[tuple[float, float]]


def _points(cx: float, cy: float, scale: float, points: Pts) -> str:
    return " ".join(f"{fmt(cx + x * scale)},{fmt(cy + y * scale)}" for x, y in points)


def polygon(parent: Element, cx: float, cy: float, scale: float, points: Pts, filled: bool, width: float = 1.2) -> None:
    el(
        parent,
        "polygon",
        "icon",
        points=_points(cx, cy, scale, points),
        fill=INK if filled else PAPER,
        stroke=INK,
        stroke_width=width,
        stroke_linejoin="round",
    )


def _polyline(parent: Element, cx: float, cy: float, scale: float, points: Pts, width: float = 1.2) -> None:
    el(parent, "polyline", "icon", points=_points(cx, cy, scale, points), fill="none", stroke=INK, stroke_width=width)


def _line(parent: Element, x1: float, y1: float, x2: float, y2: float, width: float = 1.2, colour: str = INK) -> None:
    el(parent, "line", "icon", x1=x1, y1=y1, x2=x2, y2=y2, stroke=colour, stroke_width=width)


def envelope(parent: Element, cx: float, cy: float, width: float, filled: bool) -> None:
    height = width * 0.68
    x, y = cx - width / 2, cy - height / 2
    el(
        parent,
        "rect",
        "icon",
        x=x,
        y=y,
        width=width,
        height=height,
        fill=INK if filled else PAPER,
        stroke=INK,
        stroke_width=1.2,
    )
    _polyline_abs(parent, [(x, y), (cx, cy + height * 0.08), (x + width, y)], PAPER if filled else INK)


def _polyline_abs(parent: Element, points: Pts, colour: str) -> None:
    text = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in points)
    el(parent, "polyline", "icon", points=text, fill="none", stroke=colour, stroke_width=1.2)


def _regular(sides: int, radius: float, rotation: float = -math.pi / 2) -> list[tuple[float, float]]:
    return [
        (radius * math.cos(rotation + 2 * math.pi * i / sides), radius * math.sin(rotation + 2 * math.pi * i / sides))
        for i in range(sides)
    ]


def _timer(parent: Element, cx: float, cy: float, s: float, filled: bool) -> None:
    radius = 11 * s
    el(parent, "circle", "icon", cx=cx, cy=cy, r=radius, fill=PAPER, stroke=INK, stroke_width=1.6)
    for hour in range(12):
        angle = hour * math.pi / 6
        inner = radius * (0.72 if hour % 3 == 0 else 0.82)
        _line(
            parent,
            cx + inner * math.cos(angle),
            cy + inner * math.sin(angle),
            cx + radius * math.cos(angle),
            cy + radius * math.sin(angle),
            1.0,
        )
    _polyline(parent, cx, cy, s, [(0, -8), (0, 0), (5, 2)], 1.4)


EVENT_SHAPES: dict[str, Pts] = {
    "error": [(-8, 9), (-3, -7), (2, 2), (8, -9), (3, 7), (-2, -2)],
    "signal": [(0, -10), (9, 6), (-9, 6)],
    "escalation": [(0, -10), (7, 8), (0, 2), (-7, 8)],
    "link": [(-8, -3), (1, -3), (1, -8), (9, 0), (1, 8), (1, 3), (-8, 3)],
    "multiple": _regular(5, 9.5),
    "parallelMultiple": [(-2.5, -9), (2.5, -9), (2.5, -2.5), (9, -2.5), (9, 2.5), (2.5, 2.5), (2.5, 9), (-2.5, 9)]
    + [(-2.5, 2.5), (-9, 2.5), (-9, -2.5), (-2.5, -2.5)],
    "cancel": [(-8, -5), (-5, -8), (0, -3), (5, -8), (8, -5), (3, 0), (8, 5), (5, 8), (0, 3), (-5, 8), (-8, 5)]
    + [(-3, 0)],
}


def _compensation(parent: Element, cx: float, cy: float, s: float, filled: bool) -> None:
    polygon(parent, cx, cy, s, [(-9, 0), (-1, -6), (-1, 6)], filled)
    polygon(parent, cx, cy, s, [(-1, 0), (7, -6), (7, 6)], filled)


def _conditional(parent: Element, cx: float, cy: float, s: float, filled: bool) -> None:
    el(parent, "rect", "icon", x=cx - 7 * s, y=cy - 9 * s, width=14 * s, height=18 * s, fill=PAPER, stroke=INK)
    for row in range(4):
        y = cy + (-5 + row * 3.5) * s
        _line(parent, cx - 4.5 * s, y, cx + 4.5 * s, y, 1.0)


def _terminate(parent: Element, cx: float, cy: float, s: float, filled: bool) -> None:
    el(parent, "circle", "icon", cx=cx, cy=cy, r=10 * s, fill=INK, stroke=INK)


def _message(parent: Element, cx: float, cy: float, s: float, filled: bool) -> None:
    envelope(parent, cx, cy, 20 * s, filled)


EVENT_DRAWERS: dict[str, Callable[[Element, float, float, float, bool], None]] = {
    "message": _message,
    "timer": _timer,
    "conditional": _conditional,
    "terminate": _terminate,
    "compensate": _compensation,
}


def event_marker(parent: Element, kind: str, cx: float, cy: float, radius: float, filled: bool) -> None:
    """``kind``: message, timer, error, signal, escalation, conditional, link, terminate, compensate, cancel,
    multiple, parallelMultiple."""
    s = radius / 18
    drawer = EVENT_DRAWERS.get(kind)
    if drawer is not None:
        drawer(parent, cx, cy, s, filled)
    elif kind in EVENT_SHAPES:
        polygon(parent, cx, cy, s, EVENT_SHAPES[kind], filled)


# -- task type icons (top left corner of a task) ------------------------------------------------------------
def _user(parent: Element, x: float, y: float) -> None:
    el(parent, "path", "icon", d=f"M{fmt(x + 3)},{fmt(y + 17)} c0,-6 3,-8 8,-8 s8,2 8,8 z", fill=PAPER, stroke=INK)
    el(parent, "circle", "icon", cx=x + 11, cy=y + 5.5, r=4, fill=PAPER, stroke=INK)


def _service(parent: Element, x: float, y: float) -> None:
    for cx, cy, radius in ((x + 8, y + 8, 6.5), (x + 13, y + 13, 6.5)):
        points = []
        for i in range(16):
            r = radius if i % 2 == 0 else radius * 0.7
            angle = i * math.pi / 8
            points.append((r * math.cos(angle), r * math.sin(angle)))
        polygon(parent, cx, cy, 1, points, False, 1.0)
        el(parent, "circle", "icon", cx=cx, cy=cy, r=radius * 0.3, fill=PAPER, stroke=INK)


def _script(parent: Element, x: float, y: float) -> None:
    d = f"M{fmt(x + 4)},{fmt(y + 1)} h12 c-4,3 -4,6 0,9 c4,3 4,6 0,8 h-12 c4,-2 4,-5 0,-8 c-4,-3 -4,-6 0,-9 z"
    el(parent, "path", "icon", d=d, fill=PAPER, stroke=INK)
    for row in (5, 9, 13):
        _line(parent, x + 5 + (1 if row == 9 else 0), y + row, x + 13 + (1 if row == 9 else 0), y + row, 1.0)


def _business_rule(parent: Element, x: float, y: float) -> None:
    el(parent, "rect", "icon", x=x + 1, y=y + 3, width=18, height=13, fill=PAPER, stroke=INK)
    el(parent, "rect", "icon", x=x + 1, y=y + 3, width=18, height=4, fill="#888", stroke=INK)
    _line(parent, x + 1, y + 11.5, x + 19, y + 11.5, 1.0)
    _line(parent, x + 6, y + 7, x + 6, y + 16, 1.0)


def _manual(parent: Element, x: float, y: float) -> None:
    d = (
        f"M{fmt(x + 1)},{fmt(y + 9)} l5,-5 h9 a1.5,1.5 0 0 1 0,3 h-5 h8 a1.5,1.5 0 0 1 0,3 h-8 h7 "
        "a1.5,1.5 0 0 1 0,3 h-7 h6 a1.5,1.5 0 0 1 0,3 h-13 z"
    )
    el(parent, "path", "icon", d=d, fill=PAPER, stroke=INK, stroke_linejoin="round")


TASK_ICONS: dict[str, Callable[[Element, float, float], None]] = {
    "userTask": _user,
    "serviceTask": _service,
    "scriptTask": _script,
    "businessRuleTask": _business_rule,
    "manualTask": _manual,
    "sendTask": lambda parent, x, y: envelope(parent, x + 10, y + 8, 18, True),
    "receiveTask": lambda parent, x, y: envelope(parent, x + 10, y + 8, 18, False),
}


def task_icon(parent: Element, kind: str, x: float, y: float) -> None:
    drawer = TASK_ICONS.get(kind)
    if drawer is not None:
        drawer(parent, x + 6, y + 6)


# -- activity markers (bottom centre) -----------------------------------------------------------------------
def _loop(parent: Element, x: float, y: float) -> None:
    d = f"M{fmt(x + 3.5)},{fmt(y + 11)} A5.5,5.5 0 1 1 {fmt(x + 10.5)},{fmt(y + 11)}"
    el(parent, "path", "icon", d=d, fill="none", stroke=INK, stroke_width=1.4)
    _polyline_abs(parent, [(x + 0.5, y + 9.5), (x + 3.5, y + 11.5), (x + 4.5, y + 8)], INK)


def _parallel_mi(parent: Element, x: float, y: float) -> None:
    for dx in (2.5, 7, 11.5):
        _line(parent, x + dx, y + 1, x + dx, y + 13, 2)


def _sequential_mi(parent: Element, x: float, y: float) -> None:
    for dy in (2.5, 7, 11.5):
        _line(parent, x + 1, y + dy, x + 13, y + dy, 2)


def _collapsed(parent: Element, x: float, y: float) -> None:
    el(parent, "rect", "icon", x=x, y=y, width=14, height=14, fill=PAPER, stroke=INK)
    _line(parent, x + 7, y + 3, x + 7, y + 11, 1.4)
    _line(parent, x + 3, y + 7, x + 11, y + 7, 1.4)


def _adhoc(parent: Element, x: float, y: float) -> None:
    d = f"M{fmt(x + 1)},{fmt(y + 9)} c2,-5 4,-5 6,-2 s4,3 6,-2"
    el(parent, "path", "icon", d=d, fill="none", stroke=INK, stroke_width=1.6)


def _compensation_marker(parent: Element, x: float, y: float) -> None:
    _compensation(parent, x + 8, y + 7, 0.8, False)


ACTIVITY_MARKERS: dict[str, Callable[[Element, float, float], None]] = {
    "loop": _loop,
    "parallel": _parallel_mi,
    "sequential": _sequential_mi,
    "collapsed": _collapsed,
    "adhoc": _adhoc,
    "compensation": _compensation_marker,
}


def activity_markers(parent: Element, markers: list[str], cx: float, bottom: float) -> None:
    """Markers side by side, centred on ``cx``, 14 px high, just above ``bottom``."""
    step = 17
    x = cx - (len(markers) * step - 3) / 2
    for marker in markers:
        ACTIVITY_MARKERS[marker](parent, x, bottom - 17)
        x += step


# -- gateway markers ----------------------------------------------------------------------------------------
def gateway_marker(parent: Element, kind: str, cx: float, cy: float, size: float, detail: str = "") -> None:
    """``kind`` is the gateway's local name; ``detail``: 'instantiate' / 'parallel' for event-based ones."""
    s = size / 50
    if kind == "exclusiveGateway":
        _line(parent, cx - 8 * s, cy - 8 * s, cx + 8 * s, cy + 8 * s, 4 * s)
        _line(parent, cx - 8 * s, cy + 8 * s, cx + 8 * s, cy - 8 * s, 4 * s)
    elif kind == "parallelGateway":
        _line(parent, cx, cy - 12 * s, cx, cy + 12 * s, 4 * s)
        _line(parent, cx - 12 * s, cy, cx + 12 * s, cy, 4 * s)
    elif kind == "inclusiveGateway":
        el(parent, "circle", "icon", cx=cx, cy=cy, r=11 * s, fill="none", stroke=INK, stroke_width=2.5 * s)
    elif kind == "complexGateway":
        for angle in (0, 45, 90, 135):
            dx, dy = 12 * s * math.cos(math.radians(angle)), 12 * s * math.sin(math.radians(angle))
            _line(parent, cx - dx, cy - dy, cx + dx, cy + dy, 3 * s)
    elif kind == "eventBasedGateway":
        el(parent, "circle", "icon", cx=cx, cy=cy, r=12 * s, fill="none", stroke=INK, stroke_width=1)
        if detail != "instantiate" and detail != "parallel":
            el(parent, "circle", "icon", cx=cx, cy=cy, r=9.5 * s, fill="none", stroke=INK, stroke_width=1)
        shape = EVENT_SHAPES["parallelMultiple"] if detail == "parallel" else _regular(5, 6)
        polygon(parent, cx, cy, s * (0.7 if detail == "parallel" else 1), shape, False)
