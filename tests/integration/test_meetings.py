"""Joint-review meetings end to end on a real database with a frozen clock: convening on schedule (once, even
when asked twice), the agenda from the board's projects, minutes whose action items become tasks in the
departments' inboxes, done when the task is done, overdue once the clock passes their working-day due date."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from engine.domain.meetings import ActionStatus, MeetingStatus
from engine.domain.projects import ProjectStatus, ReviewState, WarningLevel
from engine.errors import ConcurrencyConflict, FormValidationError, InvalidTransition, PermissionDenied
from engine.persistence.repositories.meetings import AlreadyConvened
from engine.services.definitions import read_paths
from engine.services.meetings import MeetingService
from engine.services.projects import ChildProgress, PrerequisiteLink, ProjectProgress
from tests.conftest import CST, ROOT, WINDOW, principal

OFFICER = principal("ft_officer", ("fast_track_officer", "CENTRE"))
LAND_OFFICER = principal("land_officer", ("case_officer", "LAND"))
HOUSING_OFFICER = principal("housing_officer", ("case_officer", "HOUSING"))
SUPERVISOR = principal("supervisor", ("supervisor", None))
NOBODY = principal("nobody")
MEETING_DAY = datetime(2026, 3, 16, 9, 0, tzinfo=CST)  # a Monday: the 16th's meeting


def child(code: str, state: ReviewState, warning: WarningLevel = WarningLevel.GREEN) -> ChildProgress:
    prerequisite = PrerequisiteLink("XK-ZRZY-001", "用地预审", "XK-ZRZY-00120260301001", ReviewState.PRE_REVIEW)
    return ChildProgress(
        item_code=code, item_name=f"事项{code}", department="HOUSING", department_name="县住建局",
        case_no=f"{code}2026030100001", instance_id=None, state=state, result=None, opinion="", promised_days=10,
        used_days=3, remaining_days=7, accepted_at=None, due_at=None, warning=warning,
        prerequisites=(prerequisite,) if state is ReviewState.WAITING else (), forwarded=False, full=True,
    )  # fmt: skip


def project(code: str, *children: ChildProgress, status: ProjectStatus = ProjectStatus.IN_REVIEW) -> ProjectProgress:
    received = datetime(2026, 3, 2, 10, 0, tzinfo=CST)
    return ProjectProgress(
        code=code, name=f"项目{code}", investor={"name": "某公司"}, location="嵩阳街道", investment=Decimal(5000),
        stage="construction_permit", stage_label="工程建设许可", status=status, steward="ft_officer",
        lead_department="HOUSING", received_at=received, triaged_at=received, due_at=received + timedelta(days=60),
        statutory_days=45, extended=False, used_days=5, remaining_days=40, warning=WarningLevel.GREEN,
        statutory_fees_only=True, materials=(), instance_id=None, children=children,
    )  # fmt: skip


BOARD = [
    project("KP-2026-001", child("A", ReviewState.PRE_REVIEW)),  # calm
    project("KP-2026-002", child("A", ReviewState.WAITING)),  # blocked on a prerequisite
    project("KP-2026-003", child("A", ReviewState.PRE_REVIEW, WarningLevel.YELLOW)),
    project("KP-2026-004", child("A", ReviewState.DECIDING, WarningLevel.RED), child("B", ReviewState.PRE_REVIEW)),
    project("KP-2026-005", child("A", ReviewState.WAITING, WarningLevel.RED), status=ProjectStatus.CONCLUDED),
]


@pytest.fixture
def meetings(platform: Platform) -> MeetingService:
    files = read_paths([ROOT / "processes" / "meeting_action.bpmn", ROOT / "forms" / "meeting_action.json"])
    platform.definitions.deploy(files, actor="test")
    for who, roles, department in [
        ("ft_officer", ["fast_track_officer"], "CENTRE"),
        ("land_officer", ["case_officer"], "LAND"),
        ("housing_officer", ["case_officer"], "HOUSING"),
    ]:
        platform.accounts.add_user(who, "pw-" + who, roles, department)
    board = list(BOARD)
    platform.meetings.projects = lambda: board
    return platform.meetings


def convened(meetings: MeetingService, clock: FrozenClock) -> int:
    clock.set(MEETING_DAY)
    [meeting] = meetings.convene_due()
    return meeting.id


ACTIONS = [
    {"description": "自然资源局5个工作日内出具用地预审意见", "department": "LAND", "workdays": 5,
     "project_code": "KP-2026-002", "assignee": "land_officer"},
    {"description": "住建局3个工作日内完成施工图联审", "department": "HOUSING", "workdays": "3"},
]  # fmt: skip


def test_nothing_is_convened_on_a_day_without_a_meeting(meetings: MeetingService, clock: FrozenClock) -> None:
    assert meetings.convene_due() == []  # the fixture's clock: Tuesday 10 March
    assert meetings.list(OFFICER) == []
    assert meetings.next_meeting() == MEETING_DAY


def test_on_the_meeting_day_exactly_one_meeting_is_convened(
    platform: Platform, meetings: MeetingService, clock: FrozenClock
) -> None:
    clock.set(MEETING_DAY - timedelta(hours=1))
    [meeting] = meetings.convene_due()
    assert (meeting.held_on.isoformat(), meeting.chair, meeting.status) == ("2026-03-16", "分管副县长", "planned")
    assert meeting.scheduled_at == MEETING_DAY
    assert meetings.convene_due() == []
    # a second scheduler process (its own service over the same database) finds it convened
    assert MeetingService(platform.ctx, meetings.projects).convene_due() == []
    assert [m.id for m in meetings.list(OFFICER)] == [meeting.id]
    # the database's unique day is the last guard when two of them insert at the same moment
    with platform.ctx.uow(write=True) as uow, pytest.raises(AlreadyConvened):
        row = {"held_on": meeting.held_on, "scheduled_at": MEETING_DAY, "chair": "x", "status": "planned"}
        uow.meetings.add({**row, "agenda": [], "decisions": [], "created_at": MEETING_DAY})


def test_the_agenda_holds_exactly_the_blocked_yellow_and_red_projects(
    meetings: MeetingService, clock: FrozenClock
) -> None:
    preview = meetings.agenda_preview(OFFICER)
    assert preview is not None and not preview.convened and preview.held_on.isoformat() == "2026-03-16"
    assert [e["code"] for e in preview.entries] == ["KP-2026-004", "KP-2026-003", "KP-2026-002"]
    meeting = meetings.show(OFFICER, convened(meetings, clock))
    assert [e["code"] for e in meeting.agenda] == ["KP-2026-004", "KP-2026-003", "KP-2026-002"]
    blocked = meeting.agenda[2]["reasons"][0]
    assert (blocked["kind"], blocked["department"], blocked["prerequisites"]) == ("blocked", "HOUSING", ["XK-ZRZY-001"])
    # convened: the agenda is what was true then, whatever the board says later
    meetings.projects().clear()
    preview = meetings.agenda_preview(SUPERVISOR)
    assert preview is not None and preview.convened and preview.meeting_id == meeting.id
    assert [e["code"] for e in meetings.show(OFFICER, meeting.id).agenda] == [e["code"] for e in meeting.agenda]


def test_minutes_turn_action_items_into_tasks_due_in_working_days(
    platform: Platform, meetings: MeetingService, clock: FrozenClock
) -> None:
    meeting_id = convened(meetings, clock)
    clock.set(MEETING_DAY + timedelta(hours=2))
    now = clock.now()
    held = meetings.record_minutes(OFFICER, meeting_id, "会议纪要：研究三个项目。", ["同意容缺受理", " "], ACTIONS)
    assert held.status is MeetingStatus.HELD and held.decisions == ["同意容缺受理"] and held.recorded_by == "ft_officer"
    land, housing = held.actions
    calendar = platform.calendar.calendar()
    assert land.due_at == calendar.deadline_after(now, 5).due_at == datetime(2026, 3, 24, tzinfo=CST)  # Mon + 5
    assert housing.due_at == calendar.deadline_after(now, 3).due_at
    assert (land.business_key, land.status, land.project_code) == ("JM-20260316-1", ActionStatus.OPEN, "KP-2026-002")

    [land_task] = platform.tasks.inbox(LAND_OFFICER)
    assert (land_task.process_id, land_task.business_key, land_task.department) == (
        "meeting_action",
        "JM-20260316-1",
        "LAND",
    )
    assert (
        land_task.due_at == land.due_at and land_task.claimed_by == "land_officer" and land.task_id == land_task.task_id
    )
    [housing_task] = platform.tasks.inbox(HOUSING_OFFICER)
    assert (housing_task.business_key, housing_task.due_at, housing_task.claimed_by) == (
        "JM-20260316-2",
        housing.due_at,
        None,
    )
    assert platform.tasks.show(HOUSING_OFFICER, housing_task.task_id).data["description"] == ACTIONS[1]["description"]

    with pytest.raises(InvalidTransition):  # the minutes are recorded once
        meetings.record_minutes(OFFICER, meeting_id, "again", [], [])


def test_completing_the_task_marks_the_action_done(
    platform: Platform, meetings: MeetingService, clock: FrozenClock
) -> None:
    meeting_id = convened(meetings, clock)
    meetings.record_minutes(OFFICER, meeting_id, "纪要", [], ACTIONS)
    [task] = platform.tasks.inbox(LAND_OFFICER)
    with pytest.raises(FormValidationError):  # the form wants a note
        platform.tasks.complete(LAND_OFFICER, task.task_id, {})
    clock.set(MEETING_DAY + timedelta(days=1))
    platform.tasks.complete(LAND_OFFICER, task.task_id, {"note": "已出具用地预审意见"})
    land, housing = meetings.show(OFFICER, meeting_id).actions
    assert (land.status, land.done_by, land.done_note, land.done_at) == (
        ActionStatus.DONE, "land_officer", "已出具用地预审意见", clock.now()
    )  # fmt: skip
    assert land.task_id is None and housing.status is ActionStatus.OPEN
    assert [a.business_key for a in meetings.open_actions(SUPERVISOR)] == ["JM-20260316-2"]
    assert platform.tasks.inbox(LAND_OFFICER) == []


def test_an_action_is_overdue_once_the_clock_passes_its_due_date(
    platform: Platform, meetings: MeetingService, clock: FrozenClock
) -> None:
    meeting_id = convened(meetings, clock)
    meetings.record_minutes(OFFICER, meeting_id, "纪要", [], ACTIONS)
    housing_due = meetings.show(OFFICER, meeting_id).actions[1].due_at
    clock.set(housing_due - timedelta(minutes=1))
    assert [a.overdue for a in meetings.open_actions(OFFICER)] == [False, False]
    clock.set(housing_due + timedelta(minutes=1))
    # overdue by the clock at once, before any timer fired ...
    assert [(a.department, a.overdue) for a in meetings.open_actions(OFFICER)] == [("HOUSING", True), ("LAND", False)]
    # ... and recorded (督办) when the working-day timer fires; the task stays in the inbox
    report = platform.timers.fire_due()
    assert len(report.fired) == 1
    with platform.ctx.uow() as uow:
        assert [a["status"] for a in uow.meetings.actions_of(meeting_id)] == ["open", "overdue"]
    [task] = platform.tasks.inbox(HOUSING_OFFICER)
    assert [a.department for a in meetings.open_actions(HOUSING_OFFICER)] == ["HOUSING"]  # their own only
    platform.tasks.complete(HOUSING_OFFICER, task.task_id, {"note": "逾期一日完成联审"})
    assert meetings.show(OFFICER, meeting_id).actions[1].status is ActionStatus.DONE


def test_who_may_record_and_read(platform: Platform, meetings: MeetingService, clock: FrozenClock) -> None:
    meeting_id = convened(meetings, clock)
    for outsider in (WINDOW, LAND_OFFICER, SUPERVISOR):
        with pytest.raises(PermissionDenied):
            meetings.record_minutes(outsider, meeting_id, "纪要", [], [])
    for reader in (WINDOW, LAND_OFFICER, SUPERVISOR, OFFICER):
        assert meetings.show(reader, meeting_id).id == meeting_id
    with pytest.raises(PermissionDenied):
        meetings.list(NOBODY)
    with pytest.raises(PermissionDenied):
        meetings.open_actions(LAND_OFFICER, department="HOUSING")


def test_bad_minutes_name_every_field_and_change_nothing(
    platform: Platform, meetings: MeetingService, clock: FrozenClock
) -> None:
    meeting_id = convened(meetings, clock)
    bad = [{"description": "", "department": "LAND", "workdays": 0}, "x"]
    with pytest.raises(FormValidationError) as caught:
        meetings.record_minutes(OFFICER, meeting_id, "", "not a list", bad)
    fields = {e.field for e in caught.value.field_errors}
    assert fields == {"minutes", "decisions", "actions.0.description", "actions.0.workdays", "actions.1"}
    wrong = [{"description": "核查", "department": "NOWHERE", "workdays": 2},
             {"description": "核查", "department": "LAND", "workdays": 2, "assignee": "housing_officer"}]  # fmt: skip
    with pytest.raises(FormValidationError) as caught:
        meetings.record_minutes(OFFICER, meeting_id, "纪要", [], wrong)
    assert {e.field for e in caught.value.field_errors} == {"actions.0.department", "actions.1.assignee"}
    assert meetings.show(OFFICER, meeting_id).status is MeetingStatus.PLANNED
    assert platform.tasks.inbox(LAND_OFFICER) == []


def test_two_officers_recording_at_once_leave_one_set_of_minutes(
    platform: Platform, meetings: MeetingService, clock: FrozenClock
) -> None:
    meeting_id = convened(meetings, clock)
    with platform.ctx.uow(write=True) as uow:  # the other officer's update landed first
        assert uow.meetings.record_minutes(
            meeting_id, minutes="先到", decisions=[], held_at=clock.now(), recorded_by="admin"
        )
        assert not uow.meetings.record_minutes(
            meeting_id, minutes="后到", decisions=[], held_at=clock.now(), recorded_by="ft_officer"
        )
        uow.commit()
    with pytest.raises((InvalidTransition, ConcurrencyConflict)):
        meetings.record_minutes(OFFICER, meeting_id, "后到", [], ACTIONS)
    assert meetings.show(OFFICER, meeting_id).minutes == "先到"
    assert platform.tasks.inbox(LAND_OFFICER) == []


def test_the_scheduler_job_convenes_the_day_s_meeting(
    platform: Platform, meetings: MeetingService, clock: FrozenClock
) -> None:
    from engine.scheduler import TimerScheduler

    job = TimerScheduler(platform, safety_interval=60)
    job.convene_meetings()  # Tuesday 10 March: nothing
    assert meetings.list(OFFICER) == []
    clock.set(MEETING_DAY)
    job.convene_meetings()
    job.convene_meetings()
    [meeting] = meetings.list(OFFICER)
    assert [e["code"] for e in meeting.agenda] == ["KP-2026-004", "KP-2026-003", "KP-2026-002"]
