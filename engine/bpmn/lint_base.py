"""What every lint rule receives (document, processes in scope, form names) and shared BPMN look-ups."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field

from engine.bpmn.document import Element, ParsedDocument, bpmn, local_name, spiff
from engine.errors import Problem

HUMAN_TASKS = ("userTask", "manualTask")
SUBPROCESS_TAGS = {bpmn("subProcess"), bpmn("transaction"), bpmn("adHocSubProcess")}


@dataclass
class LintContext:
    """``processes`` are the <process> elements of ``doc`` that Onestop may run: executable ones and
    the ones they call. Rules about whole documents (data stores, messages) ignore it."""

    doc: ParsedDocument
    processes: list[Element]
    form_names: Collection[str] | None = None
    _lanes: dict[str, str | None] | None = field(default=None, repr=False)

    def elements(self, *local_names: str) -> Iterator[Element]:
        """Elements with these BPMN local names inside the processes in scope (subprocesses included)."""
        tags = [bpmn(name) for name in local_names]
        for process in self.processes:
            yield from process.iter(*tags)

    def flow_lanes(self) -> dict[str, str | None]:
        """flow node id -> name of the lane that lists it, the way SpiffWorkflow computes it (the last
        <flowNodeRef> in document order wins, so nested lanes beat their parents)."""
        if self._lanes is None:
            lanes: dict[str, str | None] = {}
            for ref in self.doc.iter(bpmn("flowNodeRef")):
                node_id = (ref.text or "").strip()
                parent = ref.getparent()
                if node_id and parent is not None:
                    lanes[node_id] = parent.get("name")
            self._lanes = lanes
        return self._lanes

    def effective_lane(self, element: Element) -> tuple[bool, str | None]:
        """(listed in a lane at all, lane name) for a flow node. Like SpiffWorkflow, a node inside an
        embedded subprocess inherits the subprocess's lane when the subprocess has one."""
        chain = []
        current: Element | None = element
        while current is not None and current.tag != bpmn("process"):
            if current is element or current.tag in SUBPROCESS_TAGS:
                chain.append(current)
            current = current.getparent()
        lanes = self.flow_lanes()
        listed, lane = False, None
        for node in reversed(chain):
            if lane is not None:
                break
            node_id = node.get("id") or ""
            if node_id in lanes:
                listed, lane = True, lanes[node_id]
        return listed, lane


Rule = Callable[[LintContext], list[Problem]]


def extension_properties(element: Element) -> dict[str, str]:
    """SpiffArena ``spiffworkflow:properties/spiffworkflow:property name=… value=…`` of a task."""
    properties: dict[str, str] = {}
    for extensions in element.iterchildren(bpmn("extensionElements")):
        for holder in extensions.iterchildren(spiff("properties")):
            for prop in holder.iter(spiff("property")):
                name = prop.get("name")
                if name:
                    properties[name] = prop.get("value") or ""
    return properties


def spiff_extension_text(element: Element, name: str) -> Element | None:
    """The ``spiffworkflow:<name>`` element directly under the element's extensionElements."""
    for extensions in element.iterchildren(bpmn("extensionElements")):
        for found in extensions.iterchildren(spiff(name)):
            return found
    return None


def describe(element: Element) -> str:
    """``user task 'Review' (review_1)`` style label for messages."""
    words: list[str] = []
    for ch in local_name(element):
        if ch.isupper() and words:
            words.append(" ")
        words.append(ch.lower())
    kind = "".join(words)
    name = " ".join((element.get("name") or "").split())
    if len(name) > 60:
        name = name[:59] + "…"
    element_id = element.get("id") or ""
    if name and element_id:
        return f"{kind} '{name}' ({element_id})"
    return f"{kind} {element_id or name}".rstrip()


def outgoing_flows(process: Element) -> dict[str, list[Element]]:
    """source id -> sequence flows leaving it, for one process (subprocesses included)."""
    flows: dict[str, list[Element]] = {}
    for flow in process.iter(bpmn("sequenceFlow")):
        flows.setdefault(flow.get("sourceRef") or "", []).append(flow)
    return flows
