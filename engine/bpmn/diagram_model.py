"""Read a BPMN file's diagram interchange (DI) into plain shapes and edges.

Chooses the diagram plane to draw, resolves every DI element to its semantic element and reads bounds,
waypoints, label bounds and the DI flags (expanded, horizontal, marker visible). Nothing here draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.bpmn.bundle import SourceFile
from engine.bpmn.document import BPMN_NS, BPMNDI_NS, DC_NS, DI_NS, Element, local_name
from engine.bpmn.xml_safety import read_xml
from engine.errors import Problem, ProcessDefinitionError

_DIAGRAM = f"{{{BPMNDI_NS}}}BPMNDiagram"
_PLANE = f"{{{BPMNDI_NS}}}BPMNPlane"
_SHAPE = f"{{{BPMNDI_NS}}}BPMNShape"
_EDGE = f"{{{BPMNDI_NS}}}BPMNEdge"
_LABEL = f"{{{BPMNDI_NS}}}BPMNLabel"
_BOUNDS = f"{{{DC_NS}}}Bounds"
_WAYPOINT = f"{{{DI_NS}}}waypoint"
_PROCESS = f"{{{BPMN_NS}}}process"
_PARTICIPANT = f"{{{BPMN_NS}}}participant"

Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    def union(self, other: Box) -> Box:
        x, y = min(self.x, other.x), min(self.y, other.y)
        return Box(x, y, max(self.right, other.right) - x, max(self.bottom, other.bottom) - y)


@dataclass
class DiShape:
    """One BPMNShape: where it is and what it stands for (``kind`` is the semantic element's local name)."""

    element_id: str
    kind: str
    semantic: Element | None
    box: Box
    label: Box | None
    expanded: bool | None
    horizontal: bool | None
    marker_visible: bool | None


@dataclass
class DiEdge:
    """One BPMNEdge: its waypoints and the flow or association it draws."""

    element_id: str
    kind: str
    semantic: Element | None
    points: list[Point]
    label: Box | None
    message_visible: str | None  # BPMN 2.0.2 messageVisibleKind: initiating / non_initiating


@dataclass
class DiagramModel:
    """The chosen plane of one file, with a look-up of every semantic element by id."""

    root: Element
    index: dict[str, Element]
    shapes: list[DiShape] = field(default_factory=list)
    edges: list[DiEdge] = field(default_factory=list)

    def extent(self) -> Box | None:
        """The union of all bounds, waypoints and label bounds, or None for an empty plane."""
        boxes = [s.box for s in self.shapes] + [s.label for s in self.shapes if s.label]
        boxes += [e.label for e in self.edges if e.label]
        boxes += [Box(x, y, 0, 0) for e in self.edges for x, y in e.points]
        if not boxes:
            return None
        total = boxes[0]
        for box in boxes[1:]:
            total = total.union(box)
        return total


def _number(element: Element, name: str) -> float:
    try:
        value = float(element.get(name) or 0)
    except ValueError:
        return 0.0
    return value if value == value and abs(value) < 1e7 else 0.0  # NaN and absurd values read as 0


def _box(bounds: Element | None) -> Box | None:
    if bounds is None:
        return None
    width, height = _number(bounds, "width"), _number(bounds, "height")
    return Box(_number(bounds, "x"), _number(bounds, "y"), max(width, 0.0), max(height, 0.0))


def _flag(element: Element, name: str) -> bool | None:
    value = element.get(name)
    if value is None:
        return None
    return value.strip().lower() == "true"


def _label_box(di: Element) -> Box | None:
    label = di.find(_LABEL)
    return _box(label.find(_BOUNDS)) if label is not None else None


def parse_bpmn(source: bytes, source_name: str = "") -> Element:
    """The root of a safely parsed BPMN file, or ProcessDefinitionError saying why it cannot be read."""
    document, problems = read_xml(SourceFile(source_name or "diagram.bpmn", source))
    if document is None:
        raise ProcessDefinitionError(problems)
    if document.kind != "bpmn":
        raise ProcessDefinitionError([Problem(document.name, 1, "", "a DMN file has no BPMN diagram to draw")])
    return document.root


def semantic_index(root: Element) -> dict[str, Element]:
    """Every BPMN model element by id (the first one wins when a broken file repeats an id)."""
    index: dict[str, Element] = {}
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith(f"{{{BPMN_NS}}}"):
            element_id = element.get("id")
            if element_id and element_id not in index:
                index[element_id] = element
    return index


def _plane_refers_to(plane: Element, process_id: str, index: dict[str, Element]) -> bool:
    target = index.get(plane.get("bpmnElement") or "")
    if target is None:
        return False
    if target.tag == _PROCESS:
        return target.get("id") == process_id
    return any(p.get("processRef") == process_id for p in target.iter(_PARTICIPANT))


def choose_plane(
    root: Element, index: dict[str, Element], process_id: str | None, diagram_id: str | None = None
) -> Element | None:
    """The plane to draw: the named diagram; else the one for the process (its own plane or a collaboration
    whose participant references it; a plane showing its flow nodes as a last resort); else the first."""
    if diagram_id is not None:
        named = (p for d in root.iter(_DIAGRAM) for p in d.iter(_PLANE) if diagram_id in (d.get("id"), p.get("id")))
        return next(named, None)
    planes = [p for d in root.iter(_DIAGRAM) for p in d.iter(_PLANE)]
    if process_id is None:
        return next((p for p in planes if p.find(_SHAPE) is not None), planes[0] if planes else None)
    for plane in planes:
        if plane.get("bpmnElement") == process_id:
            return plane
    for plane in planes:
        if _plane_refers_to(plane, process_id, index):
            return plane
    process = index.get(process_id)
    own = {e.get("id") for e in process.iter()} if process is not None else set()
    return next((p for p in planes if any(s.get("bpmnElement") in own for s in p.iter(_SHAPE))), None)


def read_plane(root: Element, index: dict[str, Element], plane: Element) -> DiagramModel:
    model = DiagramModel(root=root, index=index)
    for di in plane.iter(_SHAPE, _EDGE):
        element_id = di.get("bpmnElement") or ""
        semantic = index.get(element_id)
        kind = local_name(semantic) if semantic is not None else ""
        if di.tag == _SHAPE:
            model.shapes.append(
                DiShape(
                    element_id=element_id,
                    kind=kind,
                    semantic=semantic,
                    box=_box(di.find(_BOUNDS)) or Box(0, 0, 0, 0),
                    label=_label_box(di),
                    expanded=_flag(di, "isExpanded"),
                    horizontal=_flag(di, "isHorizontal"),
                    marker_visible=_flag(di, "isMarkerVisible"),
                )
            )
        else:
            visible = di.get("messageVisibleKind") or ("initiating" if _flag(di, "isMessageVisible") else None)
            model.edges.append(
                DiEdge(
                    element_id=element_id,
                    kind=kind,
                    semantic=semantic,
                    points=[(_number(w, "x"), _number(w, "y")) for w in di.iter(_WAYPOINT)],
                    label=_label_box(di),
                    message_visible=visible,
                )
            )
    return model


def defined_processes(root: Element) -> list[str]:
    return [p.get("id") or "" for p in root.iter(_PROCESS)]


def plane_ids(root: Element) -> list[str]:
    """The ids of the file's diagrams, in document order (to draw each of a multi-diagram file)."""
    return [d.get("id") or "" for d in root.iter(_DIAGRAM) if d.find(_PLANE) is not None]


def load_model(
    source: bytes, *, process_id: str | None, source_name: str = "", diagram_id: str | None = None
) -> DiagramModel | None:
    """The DI of ``process_id`` (or of the first diagram); None when the file has no DI for it."""
    root = parse_bpmn(source, source_name)
    index = semantic_index(root)
    if process_id is not None and index.get(process_id) is None:
        raise ProcessDefinitionError(
            [Problem(source_name or "diagram.bpmn", 1, process_id, f"the file defines no process {process_id!r}")]
        )
    plane = choose_plane(root, index, process_id, diagram_id)
    if plane is None:
        return None
    return read_plane(root, index, plane)
