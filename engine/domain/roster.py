"""The duty roster (值班表) of a town 为民服务中心: office hours, the duty slots a period needs, a fair rotation
over the town's staff, swaps, who is on duty at an instant, and when an off-hours intake's clock starts.

Pure rules over a :class:`~engine.domain.calendar.WorkCalendar` (standard library only).

* A rest day (weekend or holiday per the calendar; a 调休 Saturday is a working day) needs one officer on
  duty all day (shift ``rest_day``). A working day may also need one for its off-hours (shift ``off_hours``:
  before opening, the lunch break and after closing), if the town asks for it.
* Fairness: each slot goes to the available person (not on leave that day) with the fewest slots of that
  shift so far; among them one not on duty the day before, then the one whose last slot of that shift is
  longest ago, then the fewest slots in all, then staff order. So without leave the counts of any two people
  differ by at most one per shift, and the turn goes round in order.
* An intake outside office hours is received by the officer on duty; its acceptance clock counts as if it
  had been received at the next opening of the centre (the morning of the next working day), so a Saturday
  or holiday intake gets the same deadline as one on the next working day morning (限时办结制: the clock
  starts the day after receipt, and nothing is received while the centre is closed).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from engine.domain.calendar import WorkCalendar

__all__ = [
    "OFF_HOURS",
    "REST_DAY",
    "SHIFTS",
    "SHIFT_LABELS",
    "Assignment",
    "DutySlot",
    "OfficeHours",
    "RosterError",
    "counted_receipt",
    "duty_slots",
    "generate_rotation",
    "slot_at",
    "swap",
]

REST_DAY = "rest_day"  # 休息日（周末、节假日）全天值班
OFF_HOURS = "off_hours"  # 工作日非办公时间值班
SHIFTS = (REST_DAY, OFF_HOURS)
SHIFT_LABELS = {REST_DAY: "休息日值班", OFF_HOURS: "工作日非办公时间值班"}
_SESSION = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class RosterError(ValueError):
    """A roster that cannot be made or changed as asked (nobody available, unknown person …)."""


@dataclass(frozen=True)
class OfficeHours:
    """The local sessions a town centre is open on a working day, in order, not overlapping."""

    sessions: tuple[tuple[time, time], ...]

    def __post_init__(self) -> None:
        if not self.sessions:
            raise ValueError("office hours need at least one session")
        previous = time(0, 0)
        for start, end in self.sessions:
            if not previous <= start < end:
                raise ValueError("office hours: sessions must be in order, each ending after it starts")
            previous = end

    @classmethod
    def parse(cls, texts: Iterable[str]) -> OfficeHours:
        """From ``["09:00-12:00", "14:00-17:30"]``; ValueError naming the bad text."""
        sessions = []
        for text in texts:
            match = _SESSION.match(text.strip())
            if match is None:
                raise ValueError(f"office hours {text!r}: expected HH:MM-HH:MM")
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
                raise ValueError(f"office hours {text!r}: not a time of day")
            sessions.append((time(h1, m1), time(h2, m2)))
        return cls(tuple(sessions))

    def texts(self) -> list[str]:
        return [f"{a:%H:%M}-{b:%H:%M}" for a, b in self.sessions]

    def is_open(self, instant: datetime, calendar: WorkCalendar) -> bool:
        local = instant.astimezone(calendar.zone)
        if not calendar.is_workday(local.date()):
            return False
        moment = local.time().replace(tzinfo=None)
        return any(start <= moment < end for start, end in self.sessions)

    def next_opening(self, instant: datetime, calendar: WorkCalendar) -> datetime:
        """The first session start at or after ``instant`` on a working day (local time, aware)."""
        local = instant.astimezone(calendar.zone)
        day, moment = local.date(), local.time().replace(tzinfo=None)
        if calendar.is_workday(day):
            later = [start for start, _ in self.sessions if start >= moment]
            if later:
                return datetime.combine(day, later[0], calendar.zone)
        return datetime.combine(calendar.next_workday(day), self.sessions[0][0], calendar.zone)


@dataclass(frozen=True, order=True)
class DutySlot:
    day: date
    shift: str


@dataclass(frozen=True)
class Assignment:
    day: date
    shift: str
    username: str

    @property
    def slot(self) -> DutySlot:
        return DutySlot(self.day, self.shift)


def slot_at(instant: datetime, calendar: WorkCalendar, hours: OfficeHours) -> DutySlot | None:
    """The duty slot covering ``instant``, or None while the centre is open (the windows take intake)."""
    if hours.is_open(instant, calendar):
        return None
    day = instant.astimezone(calendar.zone).date()
    return DutySlot(day, OFF_HOURS if calendar.is_workday(day) else REST_DAY)


def counted_receipt(instant: datetime, calendar: WorkCalendar, hours: OfficeHours) -> datetime:
    """When an intake counts as received for its clocks: at once while open, else at the next opening."""
    return instant if hours.is_open(instant, calendar) else hours.next_opening(instant, calendar)


def duty_slots(first: date, last: date, calendar: WorkCalendar, *, off_hours: bool = False) -> list[DutySlot]:
    """Every slot in [first, last]: each rest day, and each working day's off-hours when asked."""
    if last < first:
        raise RosterError(f"the period ends ({last}) before it starts ({first})")
    slots = []
    day = first
    while day <= last:
        if not calendar.is_workday(day):
            slots.append(DutySlot(day, REST_DAY))
        elif off_hours:
            slots.append(DutySlot(day, OFF_HOURS))
        day += timedelta(days=1)
    return slots


def generate_rotation(
    staff: Sequence[str],
    slots: Iterable[DutySlot],
    leave: Mapping[str, Collection[date]] | None = None,
    history: Iterable[Assignment] = (),
) -> list[Assignment]:
    """A fair rotation: one person per slot (see the module's rules). ``history`` (earlier assignments, e.g.
    last month's) seeds the counts so the turn carries on across periods."""
    if not staff:
        raise RosterError("nobody to put on duty")
    if len(set(staff)) != len(staff):
        raise RosterError("a person is listed twice")
    leave = leave or {}
    per_shift: Counter[tuple[str, str]] = Counter()
    total: Counter[str] = Counter()
    last_turn: dict[tuple[str, str], int] = {}  # (person, shift) -> the turn they last had it
    last_day: dict[str, date] = {}
    order = {name: i for i, name in enumerate(staff)}
    turn = 0

    def record(name: str, slot: DutySlot) -> None:
        nonlocal turn
        per_shift[(name, slot.shift)] += 1
        total[name] += 1
        last_turn[(name, slot.shift)] = turn
        last_day[name] = max(last_day.get(name, slot.day), slot.day)
        turn += 1

    for earlier in sorted(history, key=lambda a: (a.day, a.shift)):
        if earlier.username in order:
            record(earlier.username, earlier.slot)
    result = []
    for slot in sorted(slots):
        free = [name for name in staff if slot.day not in leave.get(name, ())]
        if not free:
            raise RosterError(f"{slot.day} ({SHIFT_LABELS.get(slot.shift, slot.shift)}): everyone is on leave")

        def key(name: str, slot: DutySlot = slot) -> tuple[int, bool, int, int, int]:
            yesterday = last_day.get(name) == slot.day - timedelta(days=1)  # no two days running if avoidable
            return (per_shift[(name, slot.shift)], yesterday, last_turn.get((name, slot.shift), -1), total[name],
                    order[name])  # fmt: skip

        chosen = min(free, key=key)
        result.append(Assignment(slot.day, slot.shift, chosen))
        record(chosen, slot)
    return result


def swap(
    assignments: Sequence[Assignment],
    slot: DutySlot,
    username: str,
    staff: Collection[str],
    leave: Mapping[str, Collection[date]] | None = None,
) -> list[Assignment]:
    """The roster with ``slot`` handed to ``username`` (a colleague of the same centre, not on leave)."""
    current = next((a for a in assignments if a.slot == slot), None)
    if current is None:
        raise RosterError(f"no duty on {slot.day} ({SHIFT_LABELS.get(slot.shift, slot.shift)})")
    if username not in staff:
        raise RosterError(f"{username} is not on this centre's duty list")
    if username == current.username:
        raise RosterError(f"{username} is already on duty then")
    if slot.day in (leave or {}).get(username, ()):
        raise RosterError(f"{username} is on leave on {slot.day}")
    return [Assignment(a.day, a.shift, username) if a.slot == slot else a for a in assignments]
