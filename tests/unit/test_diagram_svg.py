"""BPMN DI -> SVG: every MIWG reference diagram and every bundled process renders all its shapes and edges,
hostile names stay inert text, the right plane is chosen, labels wrap, and state classes land where asked."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from engine.bpmn.diagram_model import parse_bpmn, plane_ids
from engine.bpmn.diagram_svg import defines_process, render_svg
from engine.bpmn.diagram_text import text_width, wrap
from engine.errors import ProcessDefinitionError

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
MIWG = CORPUS / "miwg" / "Reference"
XSS = CORPUS / "camunda" / "modeler" / "resources-diagram__xss.bpmn"
NO_CORPUS = f"the shared corpus ({CORPUS}) is not present beside the project"
SVG = "{http://www.w3.org/2000/svg}"
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
MODEL = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
ALLOWED_TAGS = {"svg", "style", "g", "title", "rect", "circle", "path", "polygon", "polyline", "line", "text", "tspan"}


def miwg_diagrams() -> list[object]:
    """(file, diagram id) for every diagram of every MIWG reference model; one skipped case without corpus."""
    if not MIWG.is_dir():
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=NO_CORPUS))]
    cases: list[object] = []
    for path in sorted(MIWG.glob("*.bpmn")):
        for diagram in plane_ids(parse_bpmn(path.read_bytes())):
            cases.append(pytest.param(path, diagram, id=f"{path.stem}:{diagram[:12]}"))
    return cases


def groups(svg_text: str, kind: str) -> list[etree._Element]:
    root = etree.fromstring(svg_text.encode())
    return [g for g in root.iter(f"{SVG}g") if kind in (g.get("class") or "").split()]


def shapes_of(svg_text: str, kind: str = "element") -> Counter[str]:
    return Counter(g.get("data-element-id") or "" for g in groups(svg_text, kind))


def di_refs(source: bytes, diagram_id: str, tag: str) -> Counter[str]:
    root = etree.fromstring(source)
    diagram = next(d for d in root.iter(f"{DI}BPMNDiagram") if d.get("id") == diagram_id)
    return Counter(shape.get("bpmnElement") or "" for shape in diagram.iter(f"{DI}{tag}"))


def assert_inert(svg_text: str) -> None:
    """Only drawing elements; no scripts, handlers, links, foreign content or external references."""
    lowered = svg_text.lower()
    for needle in ("<script", "foreignobject", "javascript:", "url(", "href", "<image", "@import"):
        assert needle not in lowered, needle
    for element in etree.fromstring(svg_text.encode()).iter():
        assert etree.QName(element).localname in ALLOWED_TAGS
        for name in element.attrib:
            assert not name.lower().startswith("on"), name


@pytest.mark.parametrize(("path", "diagram"), miwg_diagrams())
def test_every_miwg_reference_diagram_renders_each_shape_and_edge(path: Path, diagram: str) -> None:
    source = path.read_bytes()
    svg_text = render_svg(source, diagram_id=diagram, source_name=path.name)
    assert_inert(svg_text)
    assert shapes_of(svg_text) == di_refs(source, diagram, "BPMNShape")
    assert shapes_of(svg_text, "edge") == di_refs(source, diagram, "BPMNEdge")


@pytest.mark.skipif(not MIWG.is_dir(), reason=NO_CORPUS)
def test_the_first_diagram_is_the_default_and_a_process_picks_its_own_plane() -> None:
    onboarding = (MIWG / "C.4.0.bpmn").read_bytes()
    first, it_diagram = plane_ids(parse_bpmn(onboarding))[:2]
    assert shapes_of(render_svg(onboarding)) == di_refs(onboarding, first, "BPMNShape")
    # the IT process is drawn in the collaboration whose participant references it
    it_svg = render_svg(onboarding, process_id="_f0035388-f829-470c-b82b-0b15c3da3399")
    assert shapes_of(it_svg) == di_refs(onboarding, it_diagram, "BPMNShape")
    customer = (MIWG / "C.5.0.bpmn").read_bytes()
    called = render_svg(customer, process_id="_774bc005-0917-43d5-ab70-0f9fe123fbd1")  # the process's own plane
    assert shapes_of(called) == di_refs(customer, "_07be6666-61a7-4857-9e9a-8e1b80fafb52", "BPMNShape")


def bundled_processes() -> list[object]:
    cases = []
    for path in sorted((ROOT / "processes").rglob("*.bpmn")):
        root = parse_bpmn(path.read_bytes())
        for process in root.iter(f"{MODEL}process"):
            if process.get("isExecutable") == "true":
                cases.append(pytest.param(path, process.get("id"), id=f"{path.stem}:{process.get('id')}"))
    return cases


@pytest.mark.parametrize(("path", "process_id"), bundled_processes())
def test_every_bundled_process_renders_with_its_chinese_labels(path: Path, process_id: str) -> None:
    source = path.read_bytes()
    svg_text = render_svg(source, process_id=process_id, source_name=path.name)
    assert_inert(svg_text)
    assert "no-diagram" not in svg_text
    root = etree.fromstring(source)
    shapes = sum(1 for _ in root.iter(f"{DI}BPMNShape"))
    assert len(groups(svg_text, "element")) == shapes and shapes > 3
    process = next(p for p in root.iter(f"{MODEL}process") if p.get("id") == process_id)
    tasks = (*process.iter(f"{MODEL}userTask"), *process.iter(f"{MODEL}receiveTask"))  # the relay waits only
    named = [e.get("name") for e in tasks if e.get("name")]
    rendered = "".join(etree.fromstring(svg_text.encode()).itertext())
    assert named and all(name in rendered.replace("\n", "") or name[:4] in rendered for name in named)


def hostile_xss_document() -> bytes:
    """The corpus's XSS diagram, with script-like names added on top of its hostile ids."""
    root = etree.fromstring(XSS.read_bytes())
    by_id = {e.get("id"): e for e in root.iter() if isinstance(e.tag, str) and e.get("id")}
    by_id["StartEvent_1"].set("name", "<script>alert(1)</script>")
    by_id["Task_17p5kda"].set("name", '"><img src=x onerror=alert(2)>')
    by_id['"><'].set("name", "</text><script>alert(3)</script>")
    return etree.tostring(root)


@pytest.mark.skipif(not XSS.is_file(), reason=NO_CORPUS)
def test_the_xss_diagram_renders_with_its_hostile_names_as_escaped_text() -> None:
    original = render_svg(XSS.read_bytes(), source_name=XSS.name)
    assert_inert(original)
    assert 'data-element-id="&quot;&gt;&lt;"' in original  # the hostile id, escaped in its attribute
    hostile = render_svg(hostile_xss_document(), source_name="xss.bpmn")
    assert_inert(hostile)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile
    assert "&lt;img src=x onerror=alert(2)&gt;" in hostile
    titles = {g.get("data-element-id"): g.findtext(f"{SVG}title") for g in groups(hostile, "element")}
    assert titles == {
        "StartEvent_1": "<script>alert(1)</script>",
        "Task_17p5kda": '"><img src=x onerror=alert(2)>',
        '"><': "</text><script>alert(3)</script>",
    }


@pytest.mark.skipif(not XSS.is_file(), reason=NO_CORPUS)
def test_state_values_from_callers_cannot_inject_attributes() -> None:
    svg_text = render_svg(XSS.read_bytes(), states={"StartEvent_1": 'active" onload="alert(1)'})
    assert_inert(svg_text)
    start = next(g for g in groups(svg_text, "element") if g.get("data-element-id") == "StartEvent_1")
    assert start.get("class") == "element startEvent state-activeonloadalert1"


def test_state_classes_land_on_the_named_elements_only() -> None:
    source = (ROOT / "processes" / "parallel_review.bpmn").read_bytes()
    states = {"intake": "completed", "review_land": "active", "review_env": "overdue", "no_such_element": "active"}
    svg_text = render_svg(source, process_id="parallel_review", states=states)
    classes = {g.get("data-element-id"): (g.get("class") or "").split() for g in groups(svg_text, "element")}
    assert classes["intake"] == ["element", "userTask", "state-completed"]
    assert classes["review_land"] == ["element", "userTask", "state-active"]
    assert classes["review_env"] == ["element", "userTask", "state-overdue"]
    assert classes["review_housing"] == ["element", "userTask"]
    assert classes["decide"] == ["element", "exclusiveGateway"]
    assert "no_such_element" not in classes
    for state in ("completed", "active", "overdue"):  # each state has a style in the embedded sheet
        assert f".state-{state} " in svg_text


def minimal(process_body: str, di: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="d" targetNamespace="http://example.org">\n'
        f'<process id="p" isExecutable="true">{process_body}</process>{di}</definitions>'
    ).encode()


def test_a_process_without_diagram_information_renders_a_placeholder() -> None:
    svg_text = render_svg(minimal('<startEvent id="s"/>'), process_id="p")
    assert "此流程没有图形信息" in svg_text and "no-diagram" in svg_text
    assert_inert(svg_text)
    assert groups(svg_text, "element") == []


def test_unreadable_files_and_unknown_processes_are_definition_errors() -> None:
    with pytest.raises(ProcessDefinitionError):
        render_svg(b"<definitions", source_name="broken.bpmn")
    with pytest.raises(ProcessDefinitionError):
        render_svg(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><definitions/>')
    with pytest.raises(ProcessDefinitionError) as raised:
        render_svg(minimal('<startEvent id="s"/>'), process_id="other")
    assert "other" in str(raised.value)
    assert defines_process(minimal(""), "p") and not defines_process(minimal(""), "other")
    assert not defines_process(b"not xml", "p")


def test_labels_use_their_di_bounds_and_the_view_box_covers_everything() -> None:
    di = (
        '<bpmndi:BPMNDiagram id="D"><bpmndi:BPMNPlane id="P" bpmnElement="p">'
        '<bpmndi:BPMNShape id="S_di" bpmnElement="s"><dc:Bounds x="-50" y="10" width="36" height="36"/>'
        '<bpmndi:BPMNLabel><dc:Bounds x="-60" y="300" width="56" height="14"/></bpmndi:BPMNLabel></bpmndi:BPMNShape>'
        '<bpmndi:BPMNShape id="T_di" bpmnElement="t"><dc:Bounds x="100" y="0" width="100" height="80"/>'
        "</bpmndi:BPMNShape>"
        '<bpmndi:BPMNEdge id="F_di" bpmnElement="f"><di:waypoint x="-14" y="28"/><di:waypoint x="100" y="40"/>'
        "</bpmndi:BPMNEdge></bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"
    )
    body = (
        '<startEvent id="s" name="开始"/><task id="t" name="审查"/><sequenceFlow id="f" sourceRef="s" targetRef="t"/>'
    )
    root = etree.fromstring(render_svg(minimal(body, di), process_id="p").encode())
    assert root.get("viewBox") == "-80 -20 300 354"  # union of bounds and label bounds, 20 px margin
    label = next(t for t in root.iter(f"{SVG}text") if "".join(t.itertext()) == "开始")
    assert float(label.get("x")) == -32 and 300 < float(label.get("y")) < 314  # centred in its label bounds
    name = next(t for t in root.iter(f"{SVG}text") if "".join(t.itertext()) == "审查")
    assert float(name.get("x")) == 150 and 30 < float(name.get("y")) < 50  # centred in the task


def test_chinese_text_wraps_between_characters_and_latin_text_between_words() -> None:
    chinese = "审查询问、登记、颁证并出具不予许可决定书"
    lines = wrap(chinese, 60, 12)
    assert "".join(lines) == chinese and len(lines) > 1
    assert all(text_width(line, 12) <= 60 for line in lines)
    assert not any(line.startswith("、") for line in lines)  # closing punctuation never starts a line
    latin = wrap("Review and document result", 80, 12)
    assert " ".join(latin) == "Review and document result" and len(latin) > 1
    assert all(text_width(line, 12) <= 80 for line in latin)
    assert wrap("Supercalifragilisticexpialidocious", 40, 12)[0] != "Supercalifragilisticexpialidocious"
    assert wrap("第一行\n第二行", 200, 12) == ["第一行", "第二行"]
