"""Joint-review meetings (联审会) of the fast track: when they are held (the schedule on the centre's working-day
calendar), which key projects go on the agenda and in what order, and the states of a meeting and its action
items.

Pure: standard library, the work calendar and the project rules only; the services store and convene.
"""

from __future__ import annotations

import calendar as gregorian
import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from engine.domain.calendar import WorkCalendar
from engine.domain.projects import ProjectStatus, ReviewState, WarningLevel, worst
from engine.errors import CalendarError

__all__ = [
    "ACTION_MAX_WORKDAYS",
    "ActionStatus",
    "AgendaEntry",
    "AgendaReason",
    "ChildSignal",
    "MeetingSchedule",
    "MeetingStatus",
    "ProjectSignal",
    "build_agenda",
]

#: the longest an action item may be given (working days): a meeting's decision is for the next weeks
ACTION_MAX_WORKDAYS = 60
#: how far ahead a meeting may be convened (working days before the meeting day)
MAX_LEAD_WORKDAYS = 10


class MeetingStatus(enum.StrEnum):
    PLANNED = "planned"  # convened: the agenda is set, the minutes are not yet recorded
    HELD = "held"  # minutes recorded
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _MEETING_LABELS[self]


_MEETING_LABELS = {MeetingStatus.PLANNED: "待召开", MeetingStatus.HELD: "已召开", MeetingStatus.CANCELLED: "已取消"}


class ActionStatus(enum.StrEnum):
    OPEN = "open"  # the department is working on it
    OVERDUE = "overdue"  # its working-day deadline passed and it is still open (督办)
    DONE = "done"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]


_ACTION_LABELS = {ActionStatus.OPEN: "落实中", ActionStatus.OVERDUE: "已逾期", ActionStatus.DONE: "已落实"}


# -- the schedule ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MeetingSchedule:
    """Meetings on fixed days of each month (default the 1st and the 16th) at a local time; a day that is not a
    working day moves to the next working day. A meeting is convened (its agenda built) ``lead_workdays``
    working days before it is held (0: on the morning of the meeting day)."""

    days: tuple[int, ...] = (1, 16)
    at: time = time(9, 0)
    lead_workdays: int = 0

    @classmethod
    def parse(cls, days: str, at: str, lead_workdays: int | str = 0) -> MeetingSchedule:
        """From the settings' text ("1,16", "09:00", "0"); ValueError naming what is wrong."""
        try:
            parsed = tuple(sorted({int(part) for part in days.split(",") if part.strip()}))
        except ValueError:
            raise ValueError(f"joint meeting days must be days of the month like '1,16', got {days!r}") from None
        if not parsed or any(day < 1 or day > 31 for day in parsed):
            raise ValueError(f"joint meeting days must be days of the month (1-31) like '1,16', got {days!r}")
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", at.strip())
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValueError(f"joint meeting time must look like '09:00', got {at!r}")
        lead = int(lead_workdays)
        if not 0 <= lead <= MAX_LEAD_WORKDAYS:
            raise ValueError(f"joint meeting lead must be 0-{MAX_LEAD_WORKDAYS} working days, got {lead_workdays!r}")
        return cls(parsed, time(int(match[1]), int(match[2])), lead)

    def dates_in_month(self, year: int, month: int, calendar: WorkCalendar) -> list[date]:
        """The meeting days scheduled in a month (a day past the month's end means its last day), each moved
        to a working day; two days that land on the same working day make one meeting."""
        last = gregorian.monthrange(year, month)[1]
        wanted = {date(year, month, min(day, last)) for day in self.days}
        return sorted({calendar.add_working_days(day, 0) for day in wanted})

    def upcoming(self, today: date, calendar: WorkCalendar, months: int = 3) -> list[date]:
        """Meeting days from ``today`` on (today included) over the next few months, as far as the calendar
        knows them (a month whose year is not loaded is left out rather than guessed)."""
        found: set[date] = set()
        for offset in range(-1, months):  # last month's days may have moved into this one
            year, month = _shift_month(today.year, today.month, offset)
            try:
                found.update(d for d in self.dates_in_month(year, month, calendar) if d >= today)
            except CalendarError:
                continue
        return sorted(found)

    def convene_day(self, held_on: date, calendar: WorkCalendar) -> date:
        """The working day, ``lead_workdays`` before the meeting, on which its agenda is built."""
        day, left = held_on, self.lead_workdays
        while left > 0:
            day = date.fromordinal(day.toordinal() - 1)
            if calendar.is_workday(day):
                left -= 1
        return day

    def due_for_convening(self, today: date, calendar: WorkCalendar) -> list[date]:
        """Meetings held today or later whose convening day has come (normally at most one)."""
        return [d for d in self.upcoming(today, calendar) if self.convene_day(d, calendar) <= today]

    def scheduled_at(self, held_on: date, calendar: WorkCalendar) -> datetime:
        """The meeting's start as an aware instant in the centre's zone."""
        return datetime.combine(held_on, self.at, tzinfo=calendar.zone)


def _shift_month(year: int, month: int, offset: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + offset
    return index // 12, index % 12 + 1


# -- the agenda ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChildSignal:
    """What the agenda needs to know about one department's review of a project."""

    item_code: str
    item_name: str
    department: str
    case_no: str | None
    state: ReviewState | None
    warning: WarningLevel
    prerequisites: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectSignal:
    """What the agenda needs to know about one key project (read from the projects board)."""

    code: str
    name: str
    status: ProjectStatus
    warning: WarningLevel
    due_at: datetime | None
    children: tuple[ChildSignal, ...] = ()
    steward: str | None = None
    lead_department: str | None = None


_ALARMING = (WarningLevel.YELLOW, WarningLevel.RED, WarningLevel.OVERDUE)
_OPEN_PROJECTS = (ProjectStatus.RECEIVED, ProjectStatus.IN_REVIEW)


@dataclass(frozen=True)
class AgendaReason:
    """Why a project is on the agenda: a blocked review (waiting for a prerequisite) or a warning, of one
    department's review (scope "child") or of the project's overall limit (scope "project")."""

    kind: str  # blocked | yellow | red | overdue
    scope: str  # child | project
    item_code: str | None = None
    item_name: str | None = None
    department: str | None = None
    case_no: str | None = None
    prerequisites: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "scope": self.scope,
            "item_code": self.item_code,
            "item_name": self.item_name,
            "department": self.department,
            "case_no": self.case_no,
            "prerequisites": list(self.prerequisites),
        }


@dataclass(frozen=True)
class AgendaEntry:
    code: str
    name: str
    warning: WarningLevel  # the worst of the project's and its open reviews' warnings
    due_at: datetime | None
    reasons: tuple[AgendaReason, ...] = field(default_factory=tuple)
    steward: str | None = None
    lead_department: str | None = None

    @property
    def blocked(self) -> int:
        return sum(1 for r in self.reasons if r.kind == "blocked")

    def as_dict(self) -> dict[str, Any]:
        """The agenda as stored with the meeting (JSON): what was true when the meeting was convened."""
        return {
            "code": self.code,
            "name": self.name,
            "warning": self.warning.value,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "steward": self.steward,
            "lead_department": self.lead_department,
            "blocked": self.blocked,
            "reasons": [r.as_dict() for r in self.reasons],
        }


def _reasons(project: ProjectSignal) -> list[AgendaReason]:
    reasons = []
    if project.warning in _ALARMING:
        reasons.append(AgendaReason(project.warning.value, "project"))
    for child in project.children:
        if child.state is not None and (child.state.is_decided or child.state is ReviewState.ENDED):
            continue  # a decided review no longer needs the meeting, whatever its clock said
        where = (child.item_code, child.item_name, child.department, child.case_no)
        if child.state is ReviewState.WAITING:
            reasons.append(AgendaReason("blocked", "child", *where, prerequisites=child.prerequisites))
        if child.warning in _ALARMING:
            reasons.append(AgendaReason(child.warning.value, "child", *where))
    return reasons


def build_agenda(projects: Iterable[ProjectSignal]) -> list[AgendaEntry]:
    """The projects the meeting must discuss, most urgent first: every open project with a review waiting for a
    prerequisite, or a yellow, red or overdue review or overall limit. Concluded and withdrawn projects are left
    out. Order: worst warning first (overdue, red, yellow, then blocked-only), then more blocked reviews, then
    the earlier overall due date, then the project code."""
    entries = []
    for project in projects:
        if project.status not in _OPEN_PROJECTS:
            continue
        reasons = _reasons(project)
        if not reasons:
            continue
        alarms = [WarningLevel(r.kind) for r in reasons if r.kind != "blocked"]
        entries.append(
            AgendaEntry(
                code=project.code,
                name=project.name,
                warning=worst(alarms) if alarms else project.warning,
                due_at=project.due_at,
                reasons=tuple(reasons),
                steward=project.steward,
                lead_department=project.lead_department,
            )
        )
    return sorted(entries, key=_urgency)


def _urgency(entry: AgendaEntry) -> tuple[int, int, float, str]:
    due = entry.due_at.timestamp() if entry.due_at is not None else float("inf")
    rank = entry.warning.rank if entry.warning in _ALARMING else 0
    return (-rank, -entry.blocked, due, entry.code)
