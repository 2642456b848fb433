"""Write a scaffolded :class:`Diagram` as BPMN XML: the process, and its diagram interchange laid out.

Nodes sit in a lane, a column and a row of it (0 = main path, <0 above, >0 below); timers on a task's top or
bottom edge. Flows are routed orthogonally: forward to the right (a gateway leaves by a corner for the next
column, like the reference diagram), loops back through a channel along the top or bottom of their lane.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.bpmn.document import BPMN_NS, BPMNDI_NS, DC_NS, DI_NS, SPIFF_NS

GATEWAYS = ("exclusiveGateway", "parallelGateway")
SIZES = {
    "userTask": (100, 80),
    "scriptTask": (100, 80),
    "receiveTask": (100, 80),
    "exclusiveGateway": (50, 50),
    "parallelGateway": (50, 50),
}
POOL_X, POOL_Y, POOL_HEADER, LANE_HEADER = 120, 60, 30, 30
PITCH = 180  # column to column
ROW_HEIGHT, LANE_PAD = 120, 30  # the pad above and below the rows holds the loop channels
OVERDUE_END_DX = 92  # an end event just right of the script task above/below its task
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
TARGET_NAMESPACE = "https://onestop.example/bpmn"
LABEL = f"{{{BPMNDI_NS}}}BPMNLabel"
Point = tuple[int, int]


@dataclass
class Node:
    id: str
    kind: str  # startEvent, endEvent, userTask, scriptTask, receiveTask, intermediateCatchEvent, a gateway
    name: str
    lane: str  # the lane's name: a role code, optionally role@DEPT
    col: int
    row: int = 0
    dx: int = 0  # pixels right of the column centre
    properties: tuple[tuple[str, str], ...] = ()  # spiffworkflow:properties, in order
    script: str = ""
    message: str = ""  # the message a receiveTask or an intermediateCatchEvent waits for
    message_variable: str = ""  # where a receiveTask puts the message's payload (spiffworkflow:messageVariable)
    documentation: str = ""


@dataclass
class Boundary:
    id: str
    name: str
    attached: str
    side: str  # "top" | "bottom"
    interrupting: bool
    expression: str  # timeDate (a timer boundary)
    properties: tuple[tuple[str, str], ...] = ()
    message: str = ""  # set: a message boundary event instead of a timer


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str = ""
    condition: str = ""
    default: bool = False


@dataclass
class Diagram:
    process_id: str
    pool_name: str
    lanes: list[tuple[str, str]]  # (name, Chinese label), top to bottom
    nodes: list[Node] = field(default_factory=list)
    boundaries: list[Boundary] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def cy(self) -> int:
        return self.y + self.h // 2

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h


def _b(local: str) -> str:
    return f"{{{BPMN_NS}}}{local}"


def lane_id(name: str) -> str:
    return "lane_" + name.replace("@", "_").lower()


class Layout:
    """Pixel boxes of the pool, lanes, nodes and boundary events, and the waypoints of every flow."""

    def __init__(self, diagram: Diagram) -> None:
        self.nodes = {n.id: n for n in diagram.nodes}
        self.lane_box, self.boxes = dict[str, Box](), dict[str, Box]()
        rows = {name: [0] + [n.row for n in diagram.nodes if n.lane == name] for name, _ in diagram.lanes}
        right = max(self._cx(n) + n.dx + 50 for n in diagram.nodes) + 60
        y = POOL_Y
        top_row: dict[str, tuple[int, int]] = {}
        for name, _ in diagram.lanes:
            low, high = min(rows[name]), max(rows[name])
            height = 2 * LANE_PAD + (high - low + 1) * ROW_HEIGHT
            self.lane_box[name] = Box(POOL_X + POOL_HEADER, y, right - POOL_X - POOL_HEADER, height)
            top_row[name] = (y, low)
            y += height
        self.pool = Box(POOL_X, POOL_Y, right - POOL_X, y - POOL_Y)
        for node in diagram.nodes:
            lane_top, low = top_row[node.lane]
            cy = lane_top + LANE_PAD + (node.row - low) * ROW_HEIGHT + ROW_HEIGHT // 2
            w, h = SIZES.get(node.kind, (36, 36))
            self.boxes[node.id] = Box(self._cx(node) + node.dx - w // 2, cy - h // 2, w, h)
        self.sides = {(event.attached, event.side) for event in diagram.boundaries}
        for event in diagram.boundaries:
            task = self.boxes[event.attached]
            edge_y = task.y if event.side == "top" else task.bottom
            self.boxes[event.id] = Box(task.cx - 18, edge_y - 18, 36, 36)

    @staticmethod
    def _cx(node: Node) -> int:
        return POOL_X + POOL_HEADER + LANE_HEADER + 80 + node.col * PITCH

    def route(self, flow: Flow) -> list[Point]:
        s, t = self.boxes[flow.source], self.boxes[flow.target]
        down = t.cy > s.cy
        if flow.source not in self.nodes or t.cx == s.cx:  # a boundary event or straight up/down: vertical first
            start = (s.cx, s.bottom if down else s.y)
            if t.cx == s.cx:
                return [start, (t.cx, t.y if down else t.bottom)]
            return [start, (s.cx, t.cy), (t.x, t.cy)]
        if t.cx > s.cx:
            return self._forward(flow, s, t)
        lane = self.lane_box[self.nodes[flow.source].lane]
        if self.nodes[flow.source].row < 0:  # loop back along the top channel of the source's lane
            channel = lane.y + LANE_PAD // 2
            return [(s.cx, s.y), (s.cx, channel), (t.cx, channel), (t.cx, t.y)]
        channel = lane.bottom - LANE_PAD // 2
        return [(s.cx, s.bottom), (s.cx, channel), (t.cx, channel), (t.cx, t.bottom)]

    def _forward(self, flow: Flow, s: Box, t: Box) -> list[Point]:
        if s.cy == t.cy:
            return [(s.right, s.cy), (t.x, t.cy)]
        down = t.cy > s.cy
        source, target = self.nodes[flow.source], self.nodes[flow.target]
        if source.kind in GATEWAYS and target.kind not in GATEWAYS and target.col == source.col + 1:
            return [(s.cx, s.bottom if down else s.y), (s.cx, t.cy), (t.x, t.cy)]
        side = "top" if down else "bottom"
        if (flow.target, side) in self.sides:  # that side holds a timer: come in from the left
            gap = t.x - (PITCH - t.w) // 2
            return [(s.right, s.cy), (gap, s.cy), (gap, t.cy), (t.x, t.cy)]
        return [(s.right, s.cy), (t.cx, s.cy), (t.cx, t.y if down else t.bottom)]


def _label_width(text: str) -> int:
    return max(24, sum(13 if ord(ch) > 0x2E80 else 7 for ch in text))


def _flow_label(points: list[Point], name: str) -> tuple[int, int, int, int]:
    (x0, y0), (x1, y1) = points[0], points[1]
    width = _label_width(name)
    if x0 != x1:  # leaves horizontally: above the first segment, or before the target of a long straight flow
        far = len(points) == 2 and x1 - x0 > 2 * PITCH
        return (x1 - width - 6 if far else x0 + 6, y0 - 18, width, 14)
    if len(points) == 2:  # straight up or down: beside it
        return (x0 + 5, y0 + 4 if y1 > y0 else y0 - 18, width, 14)
    x2 = points[2][0]  # down or up, then across: above the turn, where the flows of one gateway part
    return (x1 + 6 if x2 > x1 else x1 - width - 6, y1 - 18, width, 14)


def _node_label(node: Node, box: Box) -> tuple[int, int, int, int]:
    width = _label_width(node.name)
    if node.kind in GATEWAYS:  # above and to the left: the top, right and bottom corners carry flows
        return (box.x + 5 - width, box.y - 16, width, 14)
    return (box.cx - width // 2, box.bottom + 5, width, 14)


def _boundary_label(box: Box, side: str, name: str) -> tuple[int, int, int, int]:
    width, height = min(_label_width(name), 110), 14 if _label_width(name) <= 110 else 28
    if side == "bottom":  # right of the timer, under its task
        return (box.right + 4, box.cy + 4, width, height)
    return (box.x - 4 - width, box.cy - 4 - height, width, height)  # left of it, above its task


def _bounds(parent: etree._Element, box: tuple[int, int, int, int]) -> None:
    x, y, w, h = box
    etree.SubElement(parent, f"{{{DC_NS}}}Bounds", x=str(x), y=str(y), width=str(w), height=str(h))


def _shape(plane: etree._Element, element_id: str, box: Box, **attributes: str) -> etree._Element:
    tag = f"{{{BPMNDI_NS}}}BPMNShape"
    shape = etree.SubElement(plane, tag, id=f"{element_id}_di", bpmnElement=element_id, **attributes)
    _bounds(shape, (box.x, box.y, box.w, box.h))
    return shape


def _write_di(root: etree._Element, diagram: Diagram) -> None:
    layout, pid = Layout(diagram), diagram.process_id
    di = etree.SubElement(root, f"{{{BPMNDI_NS}}}BPMNDiagram", id=f"diagram_{pid}")
    plane = etree.SubElement(di, f"{{{BPMNDI_NS}}}BPMNPlane", id=f"plane_{pid}", bpmnElement=f"collab_{pid}")
    _shape(plane, f"pool_{pid}", layout.pool, isHorizontal="true")
    for name, _ in diagram.lanes:
        _shape(plane, lane_id(name), layout.lane_box[name], isHorizontal="true")
    for node in diagram.nodes:
        box = layout.boxes[node.id]
        extra = {"isMarkerVisible": "true"} if node.kind == "exclusiveGateway" else {}
        shape = _shape(plane, node.id, box, **extra)
        if node.name and not node.kind.endswith("Task"):
            _bounds(etree.SubElement(shape, LABEL), _node_label(node, box))
    for event in diagram.boundaries:
        box = layout.boxes[event.id]
        _bounds(etree.SubElement(_shape(plane, event.id, box), LABEL), _boundary_label(box, event.side, event.name))
    for flow in diagram.flows:
        points = layout.route(flow)
        edge = etree.SubElement(plane, f"{{{BPMNDI_NS}}}BPMNEdge", id=f"{flow.id}_di", bpmnElement=flow.id)
        for x, y in points:
            etree.SubElement(edge, f"{{{DI_NS}}}waypoint", x=str(x), y=str(y))
        if flow.name:
            _bounds(etree.SubElement(edge, LABEL), _flow_label(points, flow.name))


def _properties(parent: etree._Element, properties: tuple[tuple[str, str], ...]) -> None:
    if properties:
        holder = etree.SubElement(etree.SubElement(parent, _b("extensionElements")), f"{{{SPIFF_NS}}}properties")
        for name, value in properties:
            etree.SubElement(holder, f"{{{SPIFF_NS}}}property", name=name, value=value)


def _links(element: etree._Element, diagram: Diagram, element_id: str) -> None:
    for tag, end in (("incoming", "target"), ("outgoing", "source")):
        for flow in diagram.flows:
            if getattr(flow, end) == element_id:
                etree.SubElement(element, _b(tag)).text = flow.id


def _message_id(name: str) -> str:
    return "message_" + name


def _expression(parent: etree._Element, tag: str, text: str) -> None:
    element = etree.SubElement(parent, _b(tag))
    element.set(f"{{{XSI_NS}}}type", "bpmn:tFormalExpression")
    element.text = text


def render(diagram: Diagram, process_name: str) -> str:
    """The ``<bpmn:definitions>`` element of ``diagram`` as text: the process and its diagram interchange."""
    pid = diagram.process_id
    nsmap = {"bpmn": BPMN_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS, "spiffworkflow": SPIFF_NS, "xsi": XSI_NS}
    root = etree.Element(_b("definitions"), nsmap=nsmap, id=f"Definitions_{pid}", targetNamespace=TARGET_NAMESPACE,
                         exporter="Onestop scaffold", exporterVersion="1")  # fmt: skip
    messages = sorted(
        {n.message for n in diagram.nodes if n.message} | {b.message for b in diagram.boundaries if b.message}
    )
    for message in messages:
        etree.SubElement(root, _b("message"), id=_message_id(message), name=message)
    collaboration = etree.SubElement(root, _b("collaboration"), id=f"collab_{pid}")
    etree.SubElement(collaboration, _b("participant"), id=f"pool_{pid}", name=diagram.pool_name, processRef=pid)
    process = etree.SubElement(root, _b("process"), id=pid, name=process_name, isExecutable="true")
    lane_set = etree.SubElement(process, _b("laneSet"), id=f"laneset_{pid}")
    lane_of = {n.id: n.lane for n in diagram.nodes}
    for name, label in diagram.lanes:
        lane = etree.SubElement(lane_set, _b("lane"), id=lane_id(name), name=name)
        etree.SubElement(lane, _b("documentation")).text = label
        members = [n.id for n in diagram.nodes if n.lane == name]
        members += [b.id for b in diagram.boundaries if lane_of[b.attached] == name]
        for member in members:
            etree.SubElement(lane, _b("flowNodeRef")).text = member
    for node in diagram.nodes:
        element = etree.SubElement(process, _b(node.kind), id=node.id)
        if node.name:
            element.set("name", node.name)
        default = next((f.id for f in diagram.flows if f.source == node.id and f.default), None)
        if default:
            element.set("default", default)
        if node.message and node.kind == "receiveTask":
            element.set("messageRef", _message_id(node.message))
        if node.documentation:
            etree.SubElement(element, _b("documentation")).text = node.documentation
        _properties(element, node.properties)
        if node.message_variable:
            holder = element.find(_b("extensionElements"))
            if holder is None:
                holder = etree.SubElement(element, _b("extensionElements"))
            etree.SubElement(holder, f"{{{SPIFF_NS}}}messageVariable").text = node.message_variable
        _links(element, diagram, node.id)
        if node.message and node.kind != "receiveTask":
            etree.SubElement(element, _b("messageEventDefinition"), id=f"{node.id}_message",
                             messageRef=_message_id(node.message))  # fmt: skip
        if node.script:
            etree.SubElement(element, _b("script")).text = node.script
    for event in diagram.boundaries:
        element = etree.SubElement(process, _b("boundaryEvent"), id=event.id, name=event.name,
                                   cancelActivity="true" if event.interrupting else "false",
                                   attachedToRef=event.attached)  # fmt: skip
        _properties(element, event.properties)
        _links(element, diagram, event.id)
        if event.message:
            etree.SubElement(element, _b("messageEventDefinition"), id=f"{event.id}_message",
                             messageRef=_message_id(event.message))  # fmt: skip
            continue
        definition = etree.SubElement(element, _b("timerEventDefinition"), id=f"{event.id}_timer")
        _expression(definition, "timeDate", event.expression)
    for flow in diagram.flows:
        element = etree.SubElement(process, _b("sequenceFlow"), id=flow.id, sourceRef=flow.source,
                                   targetRef=flow.target)  # fmt: skip
        if flow.name:
            element.set("name", flow.name)
        if flow.condition:
            _expression(element, "conditionExpression", flow.condition)
    _write_di(root, diagram)
    etree.indent(root, space="  ")
    return str(etree.tostring(root, encoding="unicode"))
