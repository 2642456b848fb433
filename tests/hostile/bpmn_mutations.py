"""Hypothesis strategies that damage a BPMN/DMN file the ways real uploads are damaged, or worse.

Tree mutations (on the parsed XML): delete or duplicate an element, swap two attribute values, point a
reference at nothing or at the wrong kind of element, rewire sequence flows at random, blow an attribute up to
megabytes, bury an element under hundreds of nested containers. Byte mutations (on the serialized file): flip
bytes, cut the file short, splice in invalid UTF-8. Each drawn file carries a list of what was done to it, so
a failure names its recipe.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from hypothesis import strategies as st
from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
#: attributes that name another element; a broken one is the commonest hand-editing accident
REFERENCES = (
    "sourceRef",
    "targetRef",
    "attachedToRef",
    "default",
    "calledElement",
    "messageRef",
    "signalRef",
    "errorRef",
    "escalationRef",
    "processRef",
    "bpmnElement",
    "dataObjectRef",
    "itemSubjectRef",
    "decisionRef",
    "href",
)
CONTAINERS = ("subProcess", "extensionElements", "documentation", "lane", "process")
INVALID_UTF8 = (b"\xff", b"\xc3\x28", b"\xe2\x82", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x00")


@dataclass
class Mutant:
    name: str
    content: bytes
    recipe: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # what hypothesis prints for a failing example
        return f"Mutant({self.name!r}, {len(self.content):,} bytes, recipe={self.recipe})"


def _parse(content: bytes) -> etree._Element | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(content, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _elements(root: etree._Element) -> list[etree._Element]:
    return [e for e in root.iter() if isinstance(e.tag, str)]


def _ids(root: etree._Element) -> list[str]:
    return [e.get("id") for e in _elements(root) if e.get("id")]  # type: ignore[misc]


def _delete(draw: st.DrawFn, root: etree._Element) -> str:
    victims = [e for e in _elements(root) if e is not root]
    if not victims:
        return "delete: nothing"
    victim = draw(st.sampled_from(victims))
    victim.getparent().remove(victim)  # type: ignore[union-attr]
    return f"delete <{etree.QName(victim).localname} id={victim.get('id')}>"


def _duplicate(draw: st.DrawFn, root: etree._Element) -> str:
    victims = [e for e in _elements(root) if e is not root]
    if not victims:
        return "duplicate: nothing"
    victim = draw(st.sampled_from(victims))
    victim.addnext(copy.deepcopy(victim))
    return f"duplicate <{etree.QName(victim).localname} id={victim.get('id')}>"


def _swap(draw: st.DrawFn, root: etree._Element) -> str:
    slots = [(e, a) for e in _elements(root) for a in e.attrib if isinstance(a, str)]
    if len(slots) < 2:
        return "swap: nothing"
    (e1, a1), (e2, a2) = draw(st.lists(st.sampled_from(slots), min_size=2, max_size=2))
    v1, v2 = e1.get(a1), e2.get(a2)
    e1.set(a1, v2 or "")
    e2.set(a2, v1 or "")
    return f"swap {a1}<->{a2}"


def _break_reference(draw: st.DrawFn, root: etree._Element) -> str:
    slots = [(e, a) for e in _elements(root) for a in REFERENCES if e.get(a) is not None]
    slots += [(e, "") for e in _elements(root) if etree.QName(e).localname in ("incoming", "outgoing", "flowNodeRef")]
    if not slots:
        return "break reference: nothing"
    element, attribute = draw(st.sampled_from(slots))
    value = draw(st.one_of(st.just("no_such_element"), st.sampled_from(_ids(root) or [""]), st.text(max_size=20)))
    value = "".join(c for c in value if c.isprintable())
    if attribute:
        element.set(attribute, value)
    else:
        element.text = value
    return f"{attribute or etree.QName(element).localname} -> {value!r}"


def _rewire(draw: st.DrawFn, root: etree._Element) -> str:
    flows = [e for e in _elements(root) if etree.QName(e).localname == "sequenceFlow"]
    ids = _ids(root)
    if not flows or not ids:
        return "rewire: nothing"
    changed = draw(st.lists(st.sampled_from(flows), min_size=1, max_size=min(8, len(flows)), unique_by=id))
    for flow in changed:
        end = draw(st.sampled_from(["sourceRef", "targetRef"]))
        flow.set(end, draw(st.sampled_from(ids)))
    return f"rewire {len(changed)} flow(s)"


def _huge(draw: st.DrawFn, root: etree._Element) -> str:
    element = draw(st.sampled_from(_elements(root)))
    size = draw(st.sampled_from([10_000, 300_000, 1_500_000]))
    filler = draw(st.sampled_from(["x", "审批", "a b ", "${", "(", "'"]))
    value = (filler * (size // len(filler) + 1))[:size]
    where = draw(st.sampled_from(["id", "name", "text", "sourceRef"]))
    if where == "text":
        element.text = value
    else:
        element.set(where, value)
    return f"huge {where} ({size:,} chars of {filler!r}) on <{etree.QName(element).localname}>"


def _nest(draw: st.DrawFn, root: etree._Element) -> str:
    victims = [e for e in _elements(root) if e is not root]
    if not victims:
        return "nest: nothing"
    victim = draw(st.sampled_from(victims))
    depth = draw(st.sampled_from([3, 40, 120, 250, 400]))
    tag = draw(st.sampled_from(CONTAINERS))
    parent, index = victim.getparent(), victim.getparent().index(victim)  # type: ignore[union-attr]
    outer = inner = etree.Element(f"{{{BPMN_NS}}}{tag}", id="nest_0")
    for level in range(1, depth):
        inner = etree.SubElement(inner, f"{{{BPMN_NS}}}{tag}", id=f"nest_{level}")
    parent.remove(victim)  # type: ignore[union-attr]
    inner.append(victim)
    parent.insert(index, outer)  # type: ignore[union-attr]
    return f"nest <{etree.QName(victim).localname}> {depth} deep in <{tag}>"


TREE_MUTATIONS = {
    "delete": _delete,
    "duplicate": _duplicate,
    "swap": _swap,
    "break_reference": _break_reference,
    "rewire": _rewire,
    "huge": _huge,
    "nest": _nest,
}


def _flip(draw: st.DrawFn, content: bytes) -> tuple[bytes, str]:
    data = bytearray(content)
    count = draw(st.integers(1, 8))
    for _ in range(count):
        at = draw(st.integers(0, len(data) - 1))
        data[at] ^= draw(st.integers(1, 255))
    return bytes(data), f"flip {count} byte(s)"


def _truncate(draw: st.DrawFn, content: bytes) -> tuple[bytes, str]:
    at = draw(st.integers(0, len(content) - 1))
    return content[:at], f"truncate at {at}"


def _bad_utf8(draw: st.DrawFn, content: bytes) -> tuple[bytes, str]:
    at = draw(st.integers(0, len(content)))
    junk = draw(st.sampled_from(INVALID_UTF8))
    return content[:at] + junk + content[at:], f"insert {junk!r} at {at}"


BYTE_MUTATIONS = {"flip": _flip, "truncate": _truncate, "bad_utf8": _bad_utf8}


@st.composite
def mutants(draw: st.DrawFn, seeds: list[tuple[str, bytes]]) -> Mutant:
    """One seed file with one to three mutations: tree ones first, then (maybe) one byte-level one."""
    name, content = draw(st.sampled_from(seeds))
    recipe: list[str] = [name]
    root = _parse(content)
    if root is not None:
        for kind in draw(st.lists(st.sampled_from(sorted(TREE_MUTATIONS)), min_size=1, max_size=3)):
            recipe.append(TREE_MUTATIONS[kind](draw, root))
        content = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    if root is None or draw(st.booleans()):
        kind = draw(st.sampled_from(sorted(BYTE_MUTATIONS)))
        if content:
            content, done = BYTE_MUTATIONS[kind](draw, content)
            recipe.append(done)
    return Mutant(name.rsplit("/", 1)[-1], content, recipe)
