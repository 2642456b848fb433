"""Compare two bundles of a process (BPMN/DMN files and form files): the elements added, removed and changed,
the files added, removed and changed, and a unified text diff as the fallback view.

Only what changes behaviour is compared per element: its type and name, lane, spiffworkflow properties (form
references), extension scripts and decision references, timers, conditions, scripts, flow ends, called
elements, message/signal/error references, boundary attachment, gateway defaults and loops. Moving shapes in
the diagram changes nothing here (it shows in the text diff).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from engine.bpmn.bundle import SourceFile
from engine.bpmn.document import BPMN_NS, SPIFF_NS, Element, ParsedDocument, bpmn, local_name, text_of
from engine.bpmn.xml_safety import DEFAULT_MAX_BYTES, read_xml

#: containers whose children with an id are the elements a designer sees
_CONTAINERS = {bpmn(t) for t in ("process", "subProcess", "transaction", "adHocSubProcess", "laneSet", "childLaneSet")}
_NOT_ELEMENTS = {bpmn(t) for t in ("laneSet", "childLaneSet", "extensionElements", "documentation")}
#: root-level definitions that flow elements refer to by id
_ROOT_ELEMENTS = {bpmn(t) for t in ("message", "signal", "error", "escalation")}
_FLOWS = {"sequenceFlow", "association", "messageFlow"}
_REFERENCE_ATTRIBUTES = {
    "calledElement": "calledElement",
    "attachedToRef": "attachedToRef",
    "cancelActivity": "cancelActivity",
    "default": "default",
    "messageRef": "messageRef",
    "errorCode": "errorCode",
    "escalationCode": "escalationCode",
    "sourceRef": "source",
    "targetRef": "target",
}
_EVENT_REFERENCES = ("messageRef", "signalRef", "errorRef", "escalationRef")
_TIMER_PARTS = ("timeDate", "timeDuration", "timeCycle")
MAX_DIFF_LINES = 4000


@dataclass(frozen=True)
class ElementFacts:
    """One element as compared: ``facts`` are (key, value) pairs, sorted by key, empty values left out."""

    process_id: str
    element_id: str
    kind: str
    name: str
    facts: tuple[tuple[str, str], ...]

    @property
    def key(self) -> tuple[str, str]:
        return self.process_id, self.element_id

    def fact(self, key: str) -> str:
        return next((value for k, value in self.facts if k == key), "")


@dataclass(frozen=True)
class FactChange:
    key: str
    old: str
    new: str


@dataclass(frozen=True)
class ElementChange:
    process_id: str
    element_id: str
    kind: str
    name: str
    changes: tuple[FactChange, ...]

    def change(self, key: str) -> FactChange | None:
        return next((c for c in self.changes if c.key == key), None)


@dataclass(frozen=True)
class FileChange:
    name: str
    status: str  # added | removed | changed


@dataclass(frozen=True)
class BundleComparison:
    added: tuple[ElementFacts, ...]
    removed: tuple[ElementFacts, ...]
    changed: tuple[ElementChange, ...]
    file_changes: tuple[FileChange, ...]  # BPMN and DMN files
    form_changes: tuple[FileChange, ...]
    text_diff: str
    unreadable: tuple[str, ...]  # files that could not be parsed (compared as text only)

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed or self.file_changes or self.form_changes)


def _base(name: str) -> str:
    return PurePath(name.replace("\\", "/")).name


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _lanes(doc: ParsedDocument) -> dict[str, str]:
    """flow node id -> its lane's name (the id when unnamed); the last lane listing a node wins, as in
    SpiffWorkflow, so nested lanes beat their parents."""
    lanes: dict[str, str] = {}
    for ref in doc.iter(bpmn("flowNodeRef")):
        node_id = (ref.text or "").strip()
        lane = ref.getparent()
        if node_id and lane is not None:
            lanes[node_id] = _squeeze(lane.get("name") or "") or lane.get("id") or ""
    return lanes


def _extension_facts(element: Element) -> Iterator[tuple[str, str]]:
    """spiffworkflow properties by their own names; other spiffworkflow extensions by element name."""
    for extensions in element.iterchildren(bpmn("extensionElements")):
        for child in extensions.iterchildren():
            if not isinstance(child.tag, str) or not child.tag.startswith("{" + SPIFF_NS + "}"):
                continue
            if local_name(child) == "properties":
                for prop in child.iter(f"{{{SPIFF_NS}}}property"):
                    if prop.get("name"):
                        yield prop.get("name") or "", (prop.get("value") or "").strip()
                continue
            parts = [f"{k}={v}" for node in child.iter() for k, v in sorted(node.attrib.items())]
            yield local_name(child), text_of(child) or "; ".join(parts)


def _event_facts(element: Element) -> Iterator[tuple[str, str]]:
    kinds: list[str] = []
    for definition in element.iterchildren():
        if not isinstance(definition.tag, str) or not local_name(definition).endswith("EventDefinition"):
            continue
        kinds.append(local_name(definition).removesuffix("EventDefinition"))
        timer = [f"{part}: {text_of(found)}" for part in _TIMER_PARTS for found in definition.iterchildren(bpmn(part))]
        if timer:
            yield "timer", "; ".join(timer)
        for condition in definition.iterchildren(bpmn("condition")):
            yield "condition", text_of(condition)
        for ref in _EVENT_REFERENCES:
            if definition.get(ref):
                yield ref, definition.get(ref) or ""
    if kinds:
        yield "eventDefinition", ", ".join(kinds)


def _loop_facts(element: Element) -> Iterator[tuple[str, str]]:
    for loop in element.iterchildren(bpmn("multiInstanceLoopCharacteristics"), bpmn("standardLoopCharacteristics")):
        words = [local_name(loop).removesuffix("LoopCharacteristics")]
        if loop.get("isSequential") == "true":
            words.append("sequential")
        words += [f"{local_name(c)}={text_of(c)}" for c in loop.iterchildren() if isinstance(c.tag, str) and text_of(c)]
        yield "loop", " ".join(words)


def _facts(element: Element, lanes: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    element_id = element.get("id") or ""
    found: list[tuple[str, str]] = []
    if element_id in lanes:
        found.append(("lane", lanes[element_id]))
    for attribute, key in _REFERENCE_ATTRIBUTES.items():
        if element.get(attribute) is not None:
            found.append((key, element.get(attribute) or ""))
    for condition in element.iterchildren(bpmn("conditionExpression")):
        found.append(("condition", text_of(condition)))
    for script in element.iterchildren(bpmn("script")):
        found.append(("script", (script.text or "").strip()))
    found += _event_facts(element)
    found += _loop_facts(element)
    found += _extension_facts(element)
    merged: dict[str, str] = {}
    for key, value in found:
        if value:
            merged[key] = f"{merged[key]}; {value}" if key in merged else value
    return tuple(sorted(merged.items()))


def _summary(element: Element, process_id: str, lanes: Mapping[str, str]) -> ElementFacts:
    return ElementFacts(
        process_id=process_id,
        element_id=element.get("id") or "",
        kind=local_name(element),
        name=_squeeze(element.get("name") or ""),
        facts=_facts(element, lanes),
    )


def elements_of(doc: ParsedDocument) -> list[ElementFacts]:
    """The elements a designer sees in one BPMN document, each with the facts that matter."""
    lanes = _lanes(doc)
    found: list[ElementFacts] = [
        _summary(e, "", lanes) for e in doc.root.iterchildren() if e.tag in _ROOT_ELEMENTS and e.get("id")
    ]
    for process in doc.root.iterchildren(bpmn("process")):
        process_id = process.get("id") or ""
        for element in process.iter():
            parent = element.getparent()
            if (
                isinstance(element.tag, str)
                and element.tag.startswith("{" + BPMN_NS + "}")
                and element.tag not in _NOT_ELEMENTS
                and element.get("id")
                and parent is not None
                and parent.tag in _CONTAINERS
            ):
                found.append(_summary(element, process_id, lanes))
    return found


def _order(facts: ElementFacts | ElementChange) -> tuple[str, int, str]:
    rank = 0 if facts.kind == "lane" else 2 if facts.kind in _FLOWS else 1
    return facts.process_id, rank, facts.element_id


def _index(files: Sequence[SourceFile], max_bytes: int, unreadable: list[str]) -> dict[tuple[str, str], ElementFacts]:
    index: dict[tuple[str, str], ElementFacts] = {}
    for source in files:
        doc, _problems = read_xml(source, max_bytes)
        if doc is None:
            unreadable.append(_base(source.name))
            continue
        if doc.kind != "bpmn":
            continue
        for facts in elements_of(doc):
            index.setdefault(facts.key, facts)
    return index


def _element_change(old: ElementFacts, new: ElementFacts) -> ElementChange | None:
    changes: list[FactChange] = []
    if old.kind != new.kind:
        changes.append(FactChange("type", old.kind, new.kind))
    if old.name != new.name:
        changes.append(FactChange("name", old.name, new.name))
    old_facts, new_facts = dict(old.facts), dict(new.facts)
    for key in sorted(old_facts.keys() | new_facts.keys()):
        if old_facts.get(key, "") != new_facts.get(key, ""):
            changes.append(FactChange(key, old_facts.get(key, ""), new_facts.get(key, "")))
    if not changes:
        return None
    return ElementChange(new.process_id, new.element_id, new.kind, new.name or old.name, tuple(changes))


def _file_changes(old: Mapping[str, bytes], new: Mapping[str, bytes]) -> tuple[FileChange, ...]:
    changes = [FileChange(n, "added") for n in new.keys() - old.keys()]
    changes += [FileChange(n, "removed") for n in old.keys() - new.keys()]
    changes += [FileChange(n, "changed") for n in old.keys() & new.keys() if old[n] != new[n]]
    return tuple(sorted(changes, key=lambda c: c.name))


def _contents(files: Sequence[SourceFile]) -> dict[str, bytes]:
    contents: dict[str, bytes] = {}
    for source in files:
        contents.setdefault(_base(source.name), source.content)
    return contents


def text_diff(old: Mapping[str, bytes], new: Mapping[str, bytes], max_lines: int = MAX_DIFF_LINES) -> str:
    """A unified diff of every file that differs (a missing file diffs against nothing), cut at ``max_lines``."""
    lines: list[str] = []
    for name in sorted(old.keys() | new.keys()):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        lines += difflib.unified_diff(
            (before or b"").decode("utf-8", errors="replace").splitlines(),
            (after or b"").decode("utf-8", errors="replace").splitlines(),
            fromfile=f"a/{name}" if before is not None else "/dev/null",
            tofile=f"b/{name}" if after is not None else "/dev/null",
            lineterm="",
        )
        if len(lines) > max_lines:
            return "\n".join([*lines[:max_lines], f"... ({len(lines) - max_lines} more lines not shown)"])
    return "\n".join(lines)


def compare_bundles(
    old_models: Sequence[SourceFile],
    new_models: Sequence[SourceFile],
    old_forms: Sequence[SourceFile] = (),
    new_forms: Sequence[SourceFile] = (),
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> BundleComparison:
    """What changed from the old bundle to the new one. Files pair up by their base names."""
    unreadable: list[str] = []
    before = _index(old_models, max_bytes, unreadable)
    after = _index(new_models, max_bytes, unreadable)
    changed = [c for key in before.keys() & after.keys() if (c := _element_change(before[key], after[key]))]
    old_files, new_files = _contents(old_models), _contents(new_models)
    old_form_files, new_form_files = _contents(old_forms), _contents(new_forms)
    return BundleComparison(
        added=tuple(sorted((after[k] for k in after.keys() - before.keys()), key=_order)),
        removed=tuple(sorted((before[k] for k in before.keys() - after.keys()), key=_order)),
        changed=tuple(sorted(changed, key=_order)),
        file_changes=_file_changes(old_files, new_files),
        form_changes=_file_changes(old_form_files, new_form_files),
        text_diff=text_diff({**old_files, **old_form_files}, {**new_files, **new_form_files}),
        unreadable=tuple(sorted(set(unreadable))),
    )
