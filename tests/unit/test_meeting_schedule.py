"""Joint-review meetings: the schedule on the 2026 working-day calendar, and which projects the agenda takes
in which order."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from engine.domain.calendar import WorkCalendar
from engine.domain.meetings import ChildSignal, MeetingSchedule, ProjectSignal, build_agenda
from engine.domain.projects import ProjectStatus, ReviewState, WarningLevel
from tests.unit.test_work_calendar import _calendar

CST = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return _calendar()


def test_default_days_are_the_first_and_the_sixteenth_moved_past_holidays(cal: WorkCalendar) -> None:
    schedule = MeetingSchedule()
    assert schedule.dates_in_month(2026, 3, cal) == [date(2026, 3, 2), date(2026, 3, 16)]  # 1 March: a Sunday
    # 16 February 2026 falls in the Spring Festival holiday: the meeting waits for the first working day
    assert not cal.is_workday(date(2026, 2, 16))
    assert schedule.dates_in_month(2026, 2, cal) == [date(2026, 2, 2), date(2026, 2, 24)]
    # National Day: 1 October moves to the 8th
    assert schedule.dates_in_month(2026, 10, cal)[0] == date(2026, 10, 8)


def test_upcoming_starts_today_and_a_moved_meeting_keeps_its_place(cal: WorkCalendar) -> None:
    schedule = MeetingSchedule()
    assert schedule.upcoming(date(2026, 2, 17), cal)[:3] == [date(2026, 2, 24), date(2026, 3, 2), date(2026, 3, 16)]
    assert schedule.upcoming(date(2026, 3, 16), cal)[0] == date(2026, 3, 16)


def test_parse_reads_the_settings_and_refuses_nonsense() -> None:
    schedule = MeetingSchedule.parse("16, 1,1", "14:30")
    assert schedule.days == (1, 16) and schedule.at == time(14, 30)
    for days, at in [("", "09:00"), ("0,16", "09:00"), ("1,x", "09:00"), ("1,16", "25:00"), ("1,16", "9h")]:
        with pytest.raises(ValueError):
            MeetingSchedule.parse(days, at)


def test_convening_is_due_only_on_the_convening_day(cal: WorkCalendar) -> None:
    schedule = MeetingSchedule()
    assert schedule.due_for_convening(date(2026, 3, 10), cal) == []
    assert schedule.due_for_convening(date(2026, 3, 16), cal) == [date(2026, 3, 16)]
    early = MeetingSchedule.parse("1,16", "09:00", 2)  # convened two working days ahead
    assert early.convene_day(date(2026, 3, 16), cal) == date(2026, 3, 12)
    assert early.due_for_convening(date(2026, 3, 11), cal) == []
    assert early.due_for_convening(date(2026, 3, 12), cal) == [date(2026, 3, 16)]


def test_a_meeting_starts_at_the_configured_local_time(cal: WorkCalendar) -> None:
    at = MeetingSchedule().scheduled_at(date(2026, 3, 16), cal)
    assert at == datetime(2026, 3, 16, 9, 0, tzinfo=CST)


def _child(code: str, state: ReviewState, warning: WarningLevel = WarningLevel.GREEN) -> ChildSignal:
    return ChildSignal(code, f"事项{code}", "LAND", f"{code}-1", state, warning, ("XK-A",))


def _project(code: str, *children: ChildSignal, **extra: object) -> ProjectSignal:
    fields: dict[str, object] = {"status": ProjectStatus.IN_REVIEW, "warning": WarningLevel.GREEN, "due_at": None}
    fields.update(extra)
    return ProjectSignal(code, f"项目{code}", children=children, **fields)  # type: ignore[arg-type]


def test_agenda_takes_blocked_yellow_and_red_projects_and_leaves_the_rest() -> None:
    projects = [
        _project("KP-1", _child("A", ReviewState.PRE_REVIEW)),  # calm: not on the agenda
        _project("KP-2", _child("A", ReviewState.WAITING)),  # blocked
        _project("KP-3", _child("A", ReviewState.PRE_REVIEW, WarningLevel.YELLOW)),
        _project("KP-4", _child("A", ReviewState.DECIDING, WarningLevel.RED)),
        _project("KP-5", _child("A", ReviewState.APPROVED, WarningLevel.RED)),  # decided: its clock is moot
        _project("KP-6", _child("A", ReviewState.WAITING), status=ProjectStatus.CONCLUDED),
        _project("KP-7", warning=WarningLevel.OVERDUE),  # the joint limit itself is past
    ]
    agenda = build_agenda(projects)
    assert [e.code for e in agenda] == ["KP-7", "KP-4", "KP-3", "KP-2"]
    blocked = agenda[-1].reasons[0]
    assert (blocked.kind, blocked.scope, blocked.item_code, blocked.prerequisites) == (
        "blocked",
        "child",
        "A",
        ("XK-A",),
    )


def test_agenda_order_breaks_ties_by_blocked_reviews_then_due_date() -> None:
    soon, later = datetime(2026, 4, 1, tzinfo=CST), datetime(2026, 5, 1, tzinfo=CST)
    one = _project("KP-1", _child("A", ReviewState.WAITING, WarningLevel.YELLOW), due_at=later)
    two = _project("KP-2", _child("A", ReviewState.WAITING), _child("B", ReviewState.WAITING, WarningLevel.YELLOW))
    three = _project("KP-3", _child("A", ReviewState.PRE_REVIEW, WarningLevel.YELLOW), due_at=soon)
    four = _project("KP-4", _child("A", ReviewState.PRE_REVIEW, WarningLevel.YELLOW), due_at=later)
    assert [e.code for e in build_agenda([four, three, one, two])] == ["KP-2", "KP-1", "KP-3", "KP-4"]
    assert build_agenda([two])[0].as_dict()["blocked"] == 2
