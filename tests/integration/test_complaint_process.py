"""The GB/T 36113 complaint process on a real database: a complaint filed on the web starts its process in the
same transaction, is routed by its category to the centre's supervision, 纪检监察 or the department's approver,
runs 受理 → 调查 → 处置 → 反馈 → 归档 with each step done by the right people while the complaint row follows
(status, outcome, closing time); its deadline is 10 working days across a holiday, a timer warns once when the
reply is late, and an upheld complaint writes its accountability entry exactly once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from engine.domain.access import Principal
from engine.domain.records import TaskState
from engine.errors import ConcurrencyConflict, PermissionDenied
from engine.services.definitions import read_paths
from tests.conftest import CST, ROOT, principal

DESK = principal("complaint", ("complaint_officer", "CENTRE"))
SUPERVISOR = principal("supervisor", ("supervisor", None))
LAND_CHIEF = principal("land_chief", ("approver", "LAND"))
HOUSING_CHIEF = principal("housing_chief", ("approver", "HOUSING"))
LAND_CLERK = principal("land_clerk", ("case_officer", "LAND"))
FORMS = ["complaint_accept", "complaint_investigate", "complaint_handle", "complaint_feedback", "complaint_archive"]
WEB = {"name": "王芳", "phone": "13912345678", "content": "窗口要求提供办事指南之外的证明材料。"}


@pytest.fixture
def desk(platform: Platform) -> Platform:
    paths = [ROOT / "processes" / "complaint.bpmn", *(ROOT / "forms" / f"{name}.json" for name in FORMS)]
    platform.definitions.deploy(read_paths(paths), actor="test")
    for who, roles, department in [
        ("complaint", ["complaint_officer"], "CENTRE"),
        ("supervisor", ["supervisor"], None),
        ("land_chief", ["approver"], "LAND"),
        ("housing_chief", ["approver"], "HOUSING"),
        ("land_clerk", ["case_officer"], "LAND"),
    ]:
        platform.accounts.add_user(who, "pw-" + who, roles, department)
    return platform


def file(platform: Platform, category: str, department: str | None = None) -> dict[str, Any]:
    body = {**WEB, "category": category, **({"department": department} if department else {})}
    return platform.feedback.file_complaint(body, source="web")


def ready(platform: Platform, filed: dict[str, Any]) -> list[Any]:
    with platform.ctx.uow() as uow:
        return uow.instances.tasks_for_instance(filed["instance_id"], state=TaskState.READY)


def complete(platform: Platform, who: Principal, filed: dict[str, Any], element: str, data: dict[str, Any]) -> None:
    [task] = [t for t in ready(platform, filed) if t.element_id == element]
    platform.tasks.complete(who, task.task_id, data)


def row(platform: Platform, filed: dict[str, Any]) -> dict[str, Any]:
    with platform.ctx.uow() as uow:
        found = uow.complaints.get(filed["id"])
    assert found is not None
    return found


def entries(platform: Platform, filed: dict[str, Any]) -> list[dict[str, Any]]:
    found = platform.accountability.entries(SUPERVISOR, kind="complaint")
    return [e for e in found if e["reference"] == f"complaint:{filed['id']}"]


@pytest.mark.parametrize(
    ("category", "department", "element", "lane_role", "lane_department"),
    [
        ("conduct", None, "investigate_centre", "supervisor", "CENTRE"),
        ("fees", "LAND", "investigate_discipline", "supervisor", "CENTRE"),
        ("extra_requirements", "HOUSING", "investigate_department", "approver", "HOUSING"),
        ("delay", None, "investigate_centre", "supervisor", "CENTRE"),  # no department named: the centre takes it
    ],
)
def test_a_complaint_is_routed_by_its_category(
    desk: Platform, category: str, department: str | None, element: str, lane_role: str, lane_department: str
) -> None:
    filed = file(desk, category, department)
    assert filed["instance_id"] is not None  # started with the filing
    [accept] = ready(desk, filed)
    assert (accept.element_id, accept.role, accept.department) == ("accept", "complaint_officer", "CENTRE")
    complete(desk, DESK, filed, "accept", {"summary": "受理"})
    [task] = ready(desk, filed)
    assert (task.element_id, task.role, task.department) == (element, lane_role, lane_department)
    assert row(desk, filed)["status"] == "investigating"


def test_a_department_complaint_runs_the_whole_flow_by_the_right_people(desk: Platform, clock: FrozenClock) -> None:
    filed = file(desk, "extra_requirements", "LAND")
    assert row(desk, filed)["status"] == "received"
    with pytest.raises(PermissionDenied):  # the desk accepts, not the department
        complete(desk, LAND_CHIEF, filed, "accept", {"summary": "受理"})
    complete(desk, DESK, filed, "accept", {"summary": "反映窗口额外要求证明材料"})
    for outsider in (HOUSING_CHIEF, LAND_CLERK, DESK):  # another department's chief, a clerk, the desk
        with pytest.raises(PermissionDenied):
            complete(desk, outsider, filed, "investigate_department", {"findings": "x" * 3})
    complete(desk, LAND_CHIEF, filed, "investigate_department", {"findings": "经调阅记录，窗口确曾要求无依据证明。"})
    assert row(desk, filed)["status"] == "handling"
    handling = {"upheld": True, "measures": "取消该证明要求，对窗口人员批评教育。", "officer": "land_clerk"}
    complete(desk, LAND_CHIEF, filed, "handle_department", handling)
    after = row(desk, filed)
    assert after["status"] == "handling" and after["outcome"] == "属实：取消该证明要求，对窗口人员批评教育。"
    assert after["closed_at"] is None
    clock.advance(timedelta(days=1))
    complete(desk, DESK, filed, "feedback", {"reply": "已电话告知处理结果。", "reply_channel": "电话"})
    answered = row(desk, filed)
    assert answered["status"] == "answered" and answered["closed_at"] == clock.now()
    complete(desk, DESK, filed, "archive", {"file_no": "TS-2026-档-001"})
    done = row(desk, filed)
    assert done["status"] == "archived" and done["outcome"].startswith("属实")
    assert ready(desk, filed) == []
    progress = desk.complaints.progress(DESK, filed["id"])
    assert [t["element_id"] for t in progress["history"]] == [
        "accept", "investigate_department", "handle_department", "feedback", "archive"
    ]  # fmt: skip
    assert [t["completed_by"] for t in progress["history"]] == [
        "complaint", "land_chief", "land_chief", "complaint", "complaint"
    ]  # fmt: skip
    # listed closed with its outcome
    [listed] = [c for c in desk.feedback.complaints(DESK) if c["id"] == filed["id"]]
    assert listed["status"] == "archived" and not listed["overdue"]


def test_an_upheld_complaint_writes_its_accountability_entry_once(desk: Platform) -> None:
    filed = file(desk, "fees", "LAND")
    complete(desk, DESK, filed, "accept", {"summary": "反映违规收费"})
    complete(desk, SUPERVISOR, filed, "investigate_discipline", {"findings": "查实收取资料费50元。"})
    measures = {"upheld": True, "measures": "责令退还并通报批评。", "officer": "land_clerk", "veto": True}
    complete(desk, SUPERVISOR, filed, "handle_discipline", measures)
    [entry] = entries(desk, filed)
    assert (entry["username"], entry["department"], entry["veto"]) == ("land_clerk", "LAND", True)
    assert entry["details"]["recorded_by"] == "supervisor"
    # the supervision window's own finding on the same complaint is refused: one entry per complaint
    with pytest.raises(ConcurrencyConflict):
        desk.accountability.record_complaint(SUPERVISOR, filed["id"], True, "land_clerk", "LAND")
    complete(desk, DESK, filed, "feedback", {"reply": "已书面答复。", "reply_channel": "书面"})
    complete(desk, DESK, filed, "archive", {"file_no": "A-2"})
    assert len(entries(desk, filed)) == 1


def test_a_complaint_not_upheld_writes_no_entry(desk: Platform) -> None:
    filed = file(desk, "conduct")
    complete(desk, DESK, filed, "accept", {"summary": "反映态度生硬"})
    complete(desk, SUPERVISOR, filed, "investigate_centre", {"findings": "调看监控，未见不当言行。"})
    complete(desk, SUPERVISOR, filed, "handle_centre", {"upheld": False, "measures": "向投诉人解释说明。"})
    assert entries(desk, filed) == []
    assert row(desk, filed)["outcome"] == "不属实：向投诉人解释说明。"


def test_the_deadline_is_ten_working_days_across_a_holiday_and_warns_once_when_late(
    desk: Platform, clock: FrozenClock
) -> None:
    # filed on Monday 27 April 2026; counting from the next working day: 28–30 April (3), 1–5 May is the
    # Labour Day holiday, 6–8 May (6), Saturday 9 May a make-up working day (7), 11–13 May (10)
    clock.set(datetime(2026, 4, 27, 10, 0, tzinfo=CST))
    filed = file(desk, "conduct")
    assert filed["reply_by"] == date(2026, 5, 13)
    due = datetime(2026, 5, 14, 0, 0, tzinfo=CST)  # the end of 13 May
    assert row(desk, filed)["due_at"] == due
    complete(desk, DESK, filed, "accept", {"summary": "受理"})
    [investigate] = ready(desk, filed)
    with desk.ctx.uow() as uow:
        timers = uow.instances.timers_for(filed["instance_id"])
    assert {t.due_at for t in timers} == {due}  # the boundary timer runs to the same deadline
    clock.set(due - timedelta(minutes=1))
    assert desk.timers.fire_due().fired == []
    assert row(desk, filed)["warned_at"] is None
    clock.set(due + timedelta(minutes=1))
    assert len(desk.timers.fire_due().fired) == 1
    warned = row(desk, filed)
    assert warned["warned_at"] == clock.now()
    assert [t.task_id for t in ready(desk, filed)] == [investigate.task_id]  # non-interrupting: still to do
    with desk.ctx.uow() as uow:
        desk_notes = uow.notifications.for_user("complaint")
        supervisor_notes = uow.notifications.for_user("supervisor")
    assert [n["kind"] for n in desk_notes] == ["complaint_overdue"]
    assert [n["kind"] for n in supervisor_notes] == ["complaint_overdue"]
    # the next step starts late: its own timer fires at once, but the complaint is warned only once
    complete(desk, SUPERVISOR, filed, "investigate_centre", {"findings": "已核实"})
    clock.advance(timedelta(minutes=1))
    desk.timers.fire_due()
    assert row(desk, filed)["warned_at"] == warned["warned_at"]
    with desk.ctx.uow() as uow:
        assert len(uow.notifications.for_user("complaint")) == 1
    listed = [c for c in desk.feedback.complaints(DESK) if c["id"] == filed["id"]]
    assert listed[0]["overdue"]


def test_the_reply_deadline_is_configurable(database_url: str, clock: FrozenClock, tmp_path: Any) -> None:
    from engine.bootstrap import build_platform
    from tests.conftest import make_settings

    built = build_platform(make_settings(database_url, tmp_path, complaint_reply_workdays=5), clock)
    try:
        built.calendar.ensure_years(range(2026, 2027))
        clock.set(datetime(2026, 4, 27, 10, 0, tzinfo=CST))
        filed = built.feedback.file_complaint({**WEB, "category": "conduct"}, source="web")
        assert filed["reply_workdays"] == 5
        assert filed["reply_by"] == date(2026, 5, 7)  # 28–30 April, then 6 and 7 May
    finally:
        built.close()


def test_a_complaint_never_accepted_warns_once_at_its_deadline(desk: Platform, clock: FrozenClock) -> None:
    # left at 受理: the accept step carries the same deadline timer as the later steps
    clock.set(datetime(2026, 4, 27, 10, 0, tzinfo=CST))
    filed = file(desk, "conduct")
    due = datetime(2026, 5, 14, 0, 0, tzinfo=CST)
    [accept] = ready(desk, filed)
    assert accept.element_id == "accept"
    with desk.ctx.uow() as uow:
        timers = uow.instances.timers_for(filed["instance_id"])
    assert {t.due_at for t in timers} == {due}
    clock.set(due - timedelta(minutes=1))
    assert desk.timers.fire_due().fired == []
    assert row(desk, filed)["warned_at"] is None
    clock.set(due + timedelta(minutes=1))
    assert len(desk.timers.fire_due().fired) == 1
    warned = row(desk, filed)
    assert warned["warned_at"] == clock.now() and warned["status"] == "received"
    assert [t.task_id for t in ready(desk, filed)] == [accept.task_id]  # non-interrupting: still to accept
    with desk.ctx.uow() as uow:
        assert [n["kind"] for n in uow.notifications.for_user("complaint")] == ["complaint_overdue"]
    # a day later nothing fires again; accepting it late starts the next step's timer, still no second warning
    clock.advance(timedelta(days=1))
    assert desk.timers.fire_due().fired == []
    complete(desk, DESK, filed, "accept", {"summary": "受理"})
    clock.advance(timedelta(minutes=1))
    desk.timers.fire_due()
    assert row(desk, filed)["warned_at"] == warned["warned_at"]
    with desk.ctx.uow() as uow:
        assert len(uow.notifications.for_user("complaint")) == 1
    assert [c["overdue"] for c in desk.feedback.complaints(DESK) if c["id"] == filed["id"]] == [True]


def test_every_step_before_the_reply_carries_the_deadline_warning() -> None:
    """The diagram and the domain's LATE agree: each task up to 反馈 (受理 included) has a non-interrupting
    deadline timer whose warning script the advance hook knows."""
    from lxml import etree

    from engine.domain.complaints import ARCHIVE, LATE

    bpmn = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    root = etree.parse(str(ROOT / "processes" / "complaint.bpmn")).getroot()
    tasks = {t.get("id") for t in root.iter(f"{bpmn}userTask")} - {ARCHIVE}
    timers = root.iter(f"{bpmn}boundaryEvent")
    assert {t.get("attachedToRef") for t in timers if t.get("cancelActivity") == "false"} == tasks
    assert {s.get("id") for s in root.iter(f"{bpmn}scriptTask")} == set(LATE) == {f"late_{t}" for t in tasks}
