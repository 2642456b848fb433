"""A parsed BPMN/DMN file with the look-ups every checker needs: namespaces, ids, lines, problems."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from lxml import etree

from engine.bpmn.bundle import SEVERITY_ERROR
from engine.errors import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"

# DMN model namespace -> DMN version.
DMN_VERSIONS = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
}

# Used to shorten Clark names ``{ns}local`` in messages.
SHORT_PREFIXES = {
    BPMN_NS: "bpmn",
    BPMNDI_NS: "bpmndi",
    DC_NS: "dc",
    DI_NS: "di",
    SPIFF_NS: "spiffworkflow",
    CAMUNDA_NS: "camunda",
    **{ns: "dmn" for ns in DMN_VERSIONS},
}

Element: TypeAlias = etree._Element
DocumentKind = Literal["bpmn", "dmn"]


def bpmn(local: str) -> str:
    """Clark name of a BPMN model element."""
    return f"{{{BPMN_NS}}}{local}"


def spiff(local: str) -> str:
    """Clark name of a SpiffWorkflow extension element."""
    return f"{{{SPIFF_NS}}}{local}"


def local_name(element: Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):  # comments and processing instructions
        return ""
    return tag.rsplit("}", 1)[-1]


def shorten_names(text: str) -> str:
    """Replace every ``{namespace}`` we know in a message by its usual prefix."""
    for ns, prefix in SHORT_PREFIXES.items():
        text = text.replace("{" + ns + "}", prefix + ":")
    return text


def text_of(element: Element | None) -> str:
    """The element's text content (CDATA included), stripped; '' for None."""
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


@dataclass
class ParsedDocument:
    """A well-formed, DTD-free BPMN or DMN document."""

    name: str
    kind: DocumentKind
    tree: etree._ElementTree
    _ids: dict[str, Element] | None = field(default=None, repr=False)
    _lines: dict[int, Element] | None = field(default=None, repr=False)

    @property
    def root(self) -> Element:
        return self.tree.getroot()

    @property
    def namespace(self) -> str:
        return etree.QName(self.root).namespace or ""

    def iter(self, *tags: str) -> Iterator[Element]:
        return self.root.iter(*tags)

    def _index(self) -> dict[str, Element]:
        if self._ids is None:
            ids: dict[str, Element] = {}
            for element in self.root.iter():
                if not isinstance(element.tag, str):
                    continue
                element_id = element.get("id")
                if element_id is not None and element_id not in ids:
                    ids[element_id] = element
            self._ids = ids
        return self._ids

    def element(self, element_id: str | None) -> Element | None:
        if not element_id:
            return None
        return self._index().get(element_id)

    def line(self, element: Element | None) -> int:
        """1-based line of ``element``; the root's line when unknown."""
        if element is not None and element.sourceline:
            return max(1, int(element.sourceline))
        root_line = self.root.sourceline
        return max(1, int(root_line)) if root_line else 1

    def owner_id(self, element: Element | None) -> str:
        """The id of the element or of its nearest ancestor that has one."""
        while element is not None:
            element_id = element.get("id") if isinstance(element.tag, str) else None
            if element_id:
                return element_id
            element = element.getparent()
        return ""

    def id_at_line(self, line: int) -> str:
        """Id of the element that starts on ``line`` (or its owner); '' when none starts there."""
        if self._lines is None:
            lines: dict[int, Element] = {}
            for element in self.root.iter():
                if isinstance(element.tag, str) and element.sourceline and element.sourceline not in lines:
                    lines[element.sourceline] = element
            self._lines = lines
        return self.owner_id(self._lines.get(line))

    def problem(
        self,
        element: Element | None,
        message: str,
        *,
        severity: str = SEVERITY_ERROR,
        element_id: str | None = None,
        line: int | None = None,
    ) -> Problem:
        """A problem located at ``element`` (its id or its owner's id, and its line)."""
        return Problem(
            self.name,
            line if line is not None and line >= 1 else self.line(element),
            element_id if element_id is not None else self.owner_id(element),
            message,
            severity,
        )
