"""Render a BPMN file's diagram interchange (DI) to a self-contained, inert SVG string.

Only the DI and the semantic elements it points at are read (no SpiffWorkflow). The SVG is built with lxml's
element API, so every name, id and text is escaped by the serializer; it never contains scripts,
``foreignObject``, event-handler attributes, links or external references, and it defines no ``id``
attributes (arrowheads are plain shapes, not markers), so several diagrams can be inlined in one HTML page.
Its embedded style sheet is scoped to ``svg.bpmn-diagram``.

Each shape is a ``<g class="element <kind> [state-<state>]" data-element-id="...">``, each connection a
``<g class="edge <kind>" data-element-id="...">``; ``states`` (element id -> "completed" / "active" /
"overdue" …) adds the state class.

A file without DI for the process renders a small placeholder SVG (class ``no-diagram``) saying
"此流程没有图形信息" rather than raising: pages embed the diagram inline and should not fail for a process that
was written by hand. An unreadable file, or a ``process_id`` the file does not define, raises
:class:`ProcessDefinitionError`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from lxml import etree

from engine.bpmn.diagram_artifacts import ARTIFACT_DRAWERS, draw_unknown
from engine.bpmn.diagram_edges import draw_edge
from engine.bpmn.diagram_model import Box, DiagramModel, DiShape, load_model, parse_bpmn
from engine.bpmn.diagram_shapes import (
    FLOW_NODE_DRAWERS,
    Scene,
    element_group,
    is_expanded,
    name_of,
)
from engine.bpmn.diagram_text import SVG_NS, TextBlock, add_lines, el, svg
from engine.bpmn.document import BPMN_NS, Element
from engine.errors import ProcessDefinitionError

MARGIN = 20.0
FONTS = '"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",Arial,sans-serif'
STYLE = f"""
svg.bpmn-diagram{{max-width:100%;height:auto;background:#fff}}
svg.bpmn-diagram text{{font-family:{FONTS};fill:#222}}
svg.bpmn-diagram text.external{{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}}
svg.bpmn-diagram .element.state-completed .body{{fill:#e4eee4;stroke:#5f8a63}}
svg.bpmn-diagram .element.state-completed text{{fill:#3f5f42}}
svg.bpmn-diagram .element.state-active .body{{fill:#e8f1fe;stroke:#1a66d2;filter:drop-shadow(0 0 4px #1a66d2c0)}}
svg.bpmn-diagram .element.state-active rect.body{{stroke-width:3px}}
svg.bpmn-diagram .element.state-overdue .body{{fill:#fdeaea;stroke:#c62828;filter:drop-shadow(0 0 4px #c62828c0)}}
svg.bpmn-diagram .element.state-overdue rect.body{{stroke-width:3px}}
svg.bpmn-diagram .element.state-overdue text{{fill:#a31515}}
"""


def defines_process(source: bytes, process_id: str) -> bool:
    """True when ``source`` is a readable BPMN file with a ``<process id=process_id>``."""
    try:
        root = parse_bpmn(source)
    except ProcessDefinitionError:
        return False
    return any(p.get("id") == process_id for p in root.iter(f"{{{BPMN_NS}}}process"))


def _layer(shape: DiShape, scene: Scene) -> tuple[int, float]:
    """Draw order: pools, lanes, expanded subprocesses (outer first), then the rest; boundary events and
    groups last (they sit on other shapes). Sequence flows and associations go between the containers and the
    nodes (a line crossing a task stays behind its name); message flows, which join pools, go on top."""
    if shape.kind == "participant":
        return 0, 0.0
    if shape.kind == "lane":
        return 1, 0.0
    if is_expanded(shape, scene):
        return 2, -shape.box.width * shape.box.height
    if shape.kind == "boundaryEvent":
        return 5, 0.0
    if shape.kind == "group":
        return 6, 0.0
    return 4, 0.0


def _root(extent: Box, label: str) -> Element:
    x, y = math.floor(extent.x - MARGIN), math.floor(extent.y - MARGIN)
    width, height = math.ceil(extent.width + 2 * MARGIN), math.ceil(extent.height + 2 * MARGIN)
    root = etree.Element(svg("svg"), nsmap={None: SVG_NS})
    for name, value in (
        ("class", "bpmn-diagram"),
        ("viewBox", f"{x} {y} {width} {height}"),
        ("width", str(width)),
        ("height", str(height)),
        ("role", "img"),
        ("aria-label", label),
    ):
        root.set(name, value)
    style = etree.SubElement(root, svg("style"))
    style.text = STYLE
    return root


def _draw_shape(parent: Element, shape: DiShape, scene: Scene) -> None:
    state = scene.states.get(shape.element_id)
    name = name_of(shape.semantic)
    group = element_group(parent, shape.kind, shape.element_id, state, name)
    drawer = FLOW_NODE_DRAWERS.get(shape.kind) or ARTIFACT_DRAWERS.get(shape.kind)
    if drawer is None or shape.semantic is None:
        draw_unknown(group, shape, scene)
    else:
        drawer(group, shape, scene)


def _diagram_name(model: DiagramModel, process_id: str | None) -> str:
    process = model.index.get(process_id or "")
    return name_of(process) or process_id or "BPMN"


def draw(model: DiagramModel, states: Mapping[str, str], label: str) -> Element:
    scene = Scene(index=model.index, shown={s.element_id for s in model.shapes}, states=dict(states))
    extent = model.extent() or Box(0, 0, 100, 50)
    root = _root(extent, label)
    ordered = sorted(enumerate(model.shapes), key=lambda item: (_layer(item[1], scene), item[0]))
    containers = etree.SubElement(root, svg("g"), {"class": "containers"})
    flows = etree.SubElement(root, svg("g"), {"class": "flows"})
    nodes = etree.SubElement(root, svg("g"), {"class": "nodes"})
    messages = etree.SubElement(root, svg("g"), {"class": "messages"})
    for _, shape in ordered:
        _draw_shape(containers if _layer(shape, scene)[0] < 3 else nodes, shape, scene)
    for edge in model.edges:
        draw_edge(messages if edge.kind == "messageFlow" else flows, edge, model.index)
    return root


def placeholder(label: str) -> str:
    """The small SVG shown for a process whose file carries no diagram interchange."""
    root = _root(Box(0, 0, 320, 44), label)
    root.set("class", "bpmn-diagram no-diagram")
    style: dict[str, float | str] = {"fill": "#fafafa", "stroke": "#bbb", "stroke_dasharray": "4 3"}
    el(root, "rect", "", x=-10, y=-10, width=340, height=64, rx=8, **style)
    lines = ["此流程没有图形信息", "This process has no diagram (BPMN DI)"]
    add_lines(root, lines, TextBlock(160, 2, 14), "label")
    return etree.tostring(root, encoding="unicode")


def render_svg(
    source: bytes,
    *,
    process_id: str | None = None,
    states: Mapping[str, str] | None = None,
    source_name: str = "",
    diagram_id: str | None = None,
) -> str:
    """The diagram of ``process_id`` (or the file's first diagram, or the diagram ``diagram_id``) as SVG text."""
    model = load_model(source, process_id=process_id, source_name=source_name, diagram_id=diagram_id)
    if model is None or not (model.shapes or model.edges):
        return placeholder(process_id or source_name or "BPMN")
    root = draw(model, states or {}, _diagram_name(model, process_id))
    return etree.tostring(root, encoding="unicode")
