"""Every item process in processes/items, end to end through the service layer (deploy, start, inbox, forms,
persistence on every step), plus its diagram interchange and its agreement with engine.bpmn.scaffold."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from engine.bootstrap import Platform
from engine.bpmn.loader import validate_files
from engine.bpmn.scaffold import MARKER, plan_steps, process_id, scaffold_item
from engine.clock import FrozenClock
from engine.domain.access import Principal
from engine.domain.catalogue import Item, load_catalogue
from engine.domain.records import InstanceStatus, TaskState
from engine.services.definitions import SourceFile, read_paths
from tests.conftest import ADMIN, ROOT, principal

ITEMS = ROOT / "processes" / "items"
FORMS = ROOT / "forms"
FILES = sorted(ITEMS.glob("*.bpmn"))
CATALOGUE = load_catalogue((ROOT / "processes" / "catalog.toml").read_text(encoding="utf-8"))
ITEM_OF = {process_id(item.code): item for item in CATALOGUE.items}
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
FLOW_NODES = (
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "task",
    "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask", "businessRuleTask",
    "callActivity", "subProcess", "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
)  # fmt: skip
MAIN_STEPS = ("acceptance", "examination", "opinion", "review", "decision", "delivery")
DEFAULTS: dict[str, dict[str, Any]] = {
    "acceptance": {"decision": "accept"},
    "correction": {"supplied": True, "note": "申请人已补齐材料"},
    "examination": {"opinion": "材料齐全，符合法定条件"},
    "opinion": {"approved": True, "opinion": "同意办理"},
    "review": {"approved": True, "opinion": "审核同意", "conditions": ""},
    "decision": {"approved": True, "reasons": "符合法定条件，准予"},
    "delivery": {"method": "窗口领取", "receipt_no": "HZ-0001"},
    "special_procedure_end": {"result": "特别程序已结束，结论为通过"},
    "extension": {"approved": True, "reason": "情况复杂，同意延长"},
}
Answers = dict[str, list[dict[str, Any]]]


def _ids(files: list[Path]) -> list[str]:
    return [f.stem for f in files]


def user_task_steps(path: Path) -> dict[str, str]:
    """element id -> caseStep of every user task in the file."""
    tree = etree.parse(str(path))
    steps = {}
    for task in tree.iterfind(".//bpmn:userTask", NS):
        props = {p.get("name"): p.get("value") for p in task.iterfind(".//spiffworkflow:property", NS)}
        steps[task.get("id")] = props.get("caseStep", "")
    return steps


class Case:
    """One item's process deployed on the test platform, with a clerk for each of its lanes."""

    def __init__(self, platform: Platform, clock: FrozenClock, path: Path) -> None:
        self.platform, self.clock, self.path = platform, clock, path
        self.item: Item = ITEM_OF[path.stem]
        self.steps = user_task_steps(path)
        lanes = [lane.get("name") for lane in etree.parse(str(path)).iterfind(".//bpmn:lane", NS)]
        self.staff: dict[tuple[str, str], Principal] = {}
        for lane in lanes:
            role, _, department = lane.partition("@")
            department = department or self.item.department
            platform.accounts.add_department(department, department)
            self.staff[(role, department)] = principal(f"{role}.{department}", (role, department))
        files = [SourceFile(path.name, path.read_bytes()), *read_paths([FORMS])]
        platform.definitions.deploy(files, actor="test")
        self.count = 0

    def start(self) -> int:
        self.count += 1
        item = self.item
        data = {
            "case_no": f"SM{self.count:04d}-{item.code}",
            "item_code": item.code,
            "department": item.department,
            "promised_days": item.promised_days,
            "statutory_days": item.statutory_days,
            "instant": item.instant,
            "received_at": self.clock.now().isoformat(),
            "materials": [m.name for m in item.materials],
        }
        window = self.staff[("window_officer", item.department)]
        return self.platform.instances.start(window, process_id(item.code), data).id

    def ready(self, iid: int) -> list[Any]:
        tasks = self.platform.instances.show(ADMIN, iid).tasks
        return sorted((t for t in tasks if t.state == TaskState.READY), key=lambda t: t.element_id)

    def run(self, iid: int, answers: Answers | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Complete READY tasks (each by a clerk of its lane, who must see it in the inbox) until none is left;
        ``answers`` give each caseStep's form data in turn, then DEFAULTS. Returns (element id, data) done."""
        queues = {step: list(datas) for step, datas in (answers or {}).items()}
        done: list[tuple[str, dict[str, Any]]] = []
        for _ in range(60):
            ready = self.ready(iid)
            if not ready:
                return done
            task = ready[0]
            step = self.steps[task.element_id]
            data = queues[step].pop(0) if queues.get(step) else DEFAULTS[step]
            assert task.role is not None and task.department is not None
            clerk = self.staff[(task.role, task.department)]
            assert task.task_id in {t.task_id for t in self.platform.tasks.inbox(clerk)}, task.element_id
            self.platform.tasks.complete(clerk, task.task_id, data)
            done.append((task.element_id, data))
        raise AssertionError(f"instance {iid} did not finish: {done}")

    def view(self, iid: int) -> Any:
        return self.platform.instances.show(ADMIN, iid)

    def tasks_with(self, *steps: str) -> set[str]:
        return {element for element, step in self.steps.items() if step in steps}


def _expected_counts(item: Item) -> Counter[str]:
    """How many user tasks of each caseStep the main path has, straight from the catalogue."""
    counts = Counter(p.kind for p in plan_steps(item))
    counts.update(["acceptance", "delivery"])
    return counts


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_item_process_runs_every_main_path(platform: Platform, clock: FrozenClock, path: Path) -> None:
    case = Case(platform, clock, path)
    item = case.item
    main = case.tasks_with(*MAIN_STEPS)
    assert Counter(case.steps[t] for t in main) == _expected_counts(item)

    # happy path: accepted, every step, approved, delivered; the form data survive every save and reload
    iid = case.start()
    done = case.run(iid)
    view = case.view(iid)
    assert view.instance.status == InstanceStatus.COMPLETED
    assert {element for element, _ in done} == main
    assert main | {"end_done", "acceptance_route"} <= set(view.completed_elements)
    assert not {"correction", "end_not_accepted", "special_procedure_end", "extension"} & set(view.completed_elements)
    for element, data in done:
        assert view.data[element] == data
    assert view.data["case_no"] == f"SM0001-{item.code}" and view.data["materials"] == [m.name for m in item.materials]
    assert view.timers == [] and view.instance.next_due_at is None
    for record in view.tasks:
        if case.steps[record.element_id] == "opinion":
            assert record.department != item.department and record.lane == f"{record.role}@{record.department}"
        else:
            assert record.department == item.department

    # not accepted: the case ends at once
    iid = case.start()
    done = case.run(iid, {"acceptance": [{"decision": "not_accept", "reasons": "不属于本机关职权范围"}]})
    view = case.view(iid)
    assert [e for e, _ in done] == ["acceptance"] and view.instance.status == InstanceStatus.COMPLETED
    assert "end_not_accepted" in view.completed_elements and "end_done" not in view.completed_elements

    # correction: told once, supplied, examined again, accepted
    missing = {"decision": "correction", "missing": [item.materials[0].name]}
    iid = case.start()
    done = case.run(iid, {"acceptance": [missing, DEFAULTS["acceptance"]]})
    view = case.view(iid)
    assert view.instance.status == InstanceStatus.COMPLETED
    assert [e for e, _ in done][:3] == ["acceptance", "correction", "acceptance"]
    assert {"correction", "end_done"} <= set(view.completed_elements)

    # refused: the decision is delivered too
    refusal = {"approved": False, "reasons": "不符合法定条件"}
    iid = case.start()
    done = case.run(iid, {"decision": [refusal]})
    view = case.view(iid)
    assert view.instance.status == InstanceStatus.COMPLETED and view.data["decision"] == refusal
    assert [e for e, _ in done][-2:] == ["decision", "delivery"] and "end_done" in view.completed_elements


INSTANT_FILES = [f for f in FILES if ITEM_OF[f.stem].instant]


@pytest.mark.parametrize("path", INSTANT_FILES, ids=_ids(INSTANT_FILES))
def test_instant_item_is_done_on_the_spot(platform: Platform, clock: FrozenClock, path: Path) -> None:
    case = Case(platform, clock, path)
    iid = case.start()
    done = case.run(iid, {"acceptance": [{"decision": "instant_done"}]})
    view = case.view(iid)
    assert [e for e, _ in done] == ["acceptance", "delivery"] and view.instance.status == InstanceStatus.COMPLETED
    assert "examination" not in view.completed_elements and "end_done" in view.completed_elements


DETOUR_FILES = [f for f in FILES if {"special_procedure_end", "extension"} & set(user_task_steps(f).values())]


@pytest.mark.parametrize("path", DETOUR_FILES, ids=_ids(DETOUR_FILES))
def test_special_procedure_and_extension_return_to_examination(
    platform: Platform, clock: FrozenClock, path: Path
) -> None:
    case = Case(platform, clock, path)
    steps = set(case.steps.values())
    examinations: list[dict[str, Any]] = []
    expected = ["examination"]
    procedure = case.item.special_procedures[0].name if "special_procedure_end" in steps else ""
    if procedure:
        examinations.append({"opinion": "需要启动特别程序", "special_procedure": procedure})
        expected += ["special_procedure_end", "examination"]
    if "extension" in steps:
        examinations.append({"opinion": "情况复杂", "extension_requested": True, "extension_reason": "需补充调查"})
        expected += ["extension", "examination"]
    iid = case.start()
    done = [e for e, _ in case.run(iid, {"examination": examinations})]
    view = case.view(iid)
    assert view.instance.status == InstanceStatus.COMPLETED
    first = done.index("examination")
    assert done[first : first + len(expected)] == expected
    if procedure:
        assert view.data["special_procedure_kind"] == procedure
        assert "special_procedure_start" in view.completed_elements


def test_acceptance_and_step_timers_fire(platform: Platform, clock: FrozenClock) -> None:
    """5 working days without a decision: the case counts as accepted; then step and promised limits run out."""
    path = ITEMS / "item_xk_zfcx_001.bpmn"  # promised 3, examination limit 1 working day
    case = Case(platform, clock, path)
    iid = case.start()  # Tuesday 2026-03-10
    clock.advance(timedelta(days=7))  # Tuesday 03-17, the 5th working day after receipt, has not ended yet
    assert platform.timers.fire_due().fired == []
    clock.advance(timedelta(days=1))
    assert platform.timers.fire_due().fired == [iid]
    view = case.view(iid)
    assert "auto_accept" in view.completed_elements and "acceptance" not in view.completed_elements
    assert [t.element_id for t in case.ready(iid)] == ["examination"]
    clock.advance(timedelta(days=7))  # examination due 03-19 (1 working day), promised 03-23 (3): both passed
    platform.timers.fire_due()
    view = case.view(iid)
    assert {"examination_overdue", "promised_overdue"} <= set(view.completed_elements)
    assert view.data["step_overdue"] == "examination" and view.data["promised_overdue"] is True
    assert [t.element_id for t in case.ready(iid)] == ["examination"]  # non-interrupting: still to do
    case.run(iid)
    assert case.view(iid).instance.status == InstanceStatus.COMPLETED


def test_items_validate_without_any_problem() -> None:
    files = [SourceFile(f.name, f.read_bytes()) for f in [*FILES, *sorted(FORMS.glob("*.json"))]]
    assert [str(p) for p in validate_files(files, form_names=set()).problems] == []


def test_every_catalogue_item_has_its_file_and_no_file_is_orphaned() -> None:
    assert sorted(f.stem for f in FILES) == sorted(ITEM_OF)


def _bounds(shape: Any) -> tuple[float, float, float, float]:
    b = shape.find("dc:Bounds", NS)
    return float(b.get("x")), float(b.get("y")), float(b.get("width")), float(b.get("height"))


def _touches(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    x, y, w, h = box
    return x - 1 <= point[0] <= x + w + 1 and y - 1 <= point[1] <= y + h + 1


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_diagram_interchange_is_complete(path: Path) -> None:
    tree = etree.parse(str(path))
    process = tree.find(".//bpmn:process", NS)
    nodes = {n.get("id"): n for name in FLOW_NODES for n in process.iterfind(f".//bpmn:{name}", NS)}
    flows = {f.get("id"): f for f in process.iterfind(".//bpmn:sequenceFlow", NS)}
    shapes = {s.get("bpmnElement"): _bounds(s) for s in tree.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {
        e.get("bpmnElement"): [(float(p.get("x")), float(p.get("y"))) for p in e.iterfind("di:waypoint", NS)]
        for e in tree.iterfind(".//bpmndi:BPMNEdge", NS)
    }
    assert set(nodes) - set(shapes) == set(), "flow nodes without a BPMNShape"
    assert set(flows) - set(edges) == set(), "sequence flows without a BPMNEdge"
    lanes = {lane.get("id"): lane for lane in process.iterfind(".//bpmn:lane", NS)}
    assert set(lanes) <= set(shapes) and tree.find(".//bpmn:participant", NS).get("id") in shapes
    if MARKER not in path.read_text(encoding="utf-8"):
        return  # edited by hand: only completeness is required
    for flow_id, flow in flows.items():  # each edge starts on its source and ends on its target, orthogonally
        points = edges[flow_id]
        assert len(points) >= 2 and _touches(points[0], shapes[flow.get("sourceRef")]), flow_id
        assert _touches(points[-1], shapes[flow.get("targetRef")]), flow_id
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(points, points[1:], strict=False)), flow_id
    for lane_id, lane in lanes.items():  # every node is drawn inside its lane
        lx, ly, lw, lh = shapes[lane_id]
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            x, y, w, h = shapes[ref.text]
            assert lx <= x + w / 2 <= lx + lw and ly <= y + h / 2 <= ly + lh, ref.text
    solid = [(k, v) for k, v in shapes.items() if k in nodes and nodes[k].tag != f"{{{NS['bpmn']}}}boundaryEvent"]
    for i, (a, (ax, ay, aw, ah)) in enumerate(solid):  # no two shapes overlap (timers sit on their task's edge)
        for b, (bx, by, bw, bh) in solid[i + 1 :]:
            assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, f"{a} overlaps {b}"


@pytest.mark.parametrize("item", CATALOGUE.items, ids=[i.code for i in CATALOGUE.items])
def test_scaffold_is_deterministic_and_matches_the_committed_file(item: Item) -> None:
    text = scaffold_item(item)
    assert scaffold_item(item) == text
    path = ITEMS / f"{process_id(item.code)}.bpmn"
    committed = path.read_text(encoding="utf-8")
    if MARKER not in committed:
        pytest.skip(f"{path.name} was edited by hand (no scaffold marker)")
    assert committed == text, (
        f"{path.name} differs from what engine.bpmn.scaffold builds for {item.code}: regenerate it with "
        "`python -m engine.bpmn.scaffold processes/catalog.toml processes/items`, or, if it was edited by hand "
        f"on purpose, delete the {MARKER} line so this test stops comparing it"
    )
