"""The clock of a case (办件): where its promised and statutory limits end and how much of them is used.

Pure rules over a :class:`~engine.domain.calendar.WorkCalendar`, all counted in working days (行政许可法
第82条). Days are the calendar's LOCAL dates; a limit ends at the calendar's end of its last working day.

The rules, each with its source:

* The clock starts the working day AFTER acceptance: a limit of n days ends at the end of the n-th working
  day after the local date of ``accepted_at`` (行政许可法 第42条 "自受理之日起"; 限时办结制 counts from the
  next day, domain §4.3 rule 3; 民法典 第201条: the day a period starts is not counted). After a correction
  (补正) acceptance happens when the supplement arrives, so the case passes that instant as ``accepted_at``.
* ``promised_days == 0`` is 当场办结: due at the end of the acceptance day (or of the next working day if
  the case was accepted on a rest day).
* A pause whose ``counted`` is False (第45条: 听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审; 中止 with its
  restart recorded, domain §5.1) covers the working days in (local date of ``started_at``, local date of
  ``ended_at``]: the day it starts still counts (the clock ran that day) and, as after acceptance and
  correction, the clock resumes the day after it ends. A pause from a Tuesday to the next Tuesday thus covers
  Wednesday to Tuesday, 5 working days in an ordinary week, and a pause begun and ended on one day covers 0.
  Overlapping pauses are merged, never counted twice. A pause with ``counted`` True (e.g. 现场核查 that the
  item counts in its limit) is recorded but does not stop the clock.
* The deadline is the n-th working day after the start day that no such pause covers, i.e. every covered
  working day before the deadline moves it one working day later. A pause begun after the deadline passed
  moves nothing (第45条 cannot revive a missed limit); it only stops the count of overdue days.
* An OPEN pause makes the deadline unknown: it is computed as if the pause ended ``now`` and the reading says
  so (``ClockReading.paused``); ``Deadline.provisional`` keeps its calendar meaning (a provisional year).
* Approved extensions add their working days to both limits (第42条: +10 with the agency head's approval,
  +15 for joint handling with the government head's; an extension beyond the promise is explained in advance
  and approved, 限时办结制 [S24]).
* The acceptance decision is due at the end of the 5th working day after receipt (第32条(四)).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from engine.domain.calendar import Deadline, WorkCalendar

__all__ = [
    "ACCEPTANCE_DAYS",
    "EXTENSION_DAYS",
    "JOINT_EXTENSION_DAYS",
    "CaseClock",
    "ClockReading",
    "Pause",
    "acceptance_due",
    "require_aware",
]

ACCEPTANCE_DAYS = 5  # 第32条(四): accept, refuse or name every correction within 5 (working) days
EXTENSION_DAYS = 10  # 第42条: the agency head may extend the 20-day limit by 10
JOINT_EXTENSION_DAYS = 15  # 第42条 with 第26条: joint handling, 45 days, +15 with the government head's approval


def require_aware(instant: datetime, what: str) -> None:
    """Refuse a naive instant: read in the server's zone it could fall on another local day."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{what} {instant.isoformat()} must be timezone-aware")


@dataclass(frozen=True)
class Pause:
    """A special procedure (特别程序) or suspension (中止); ``counted`` says whether its time counts."""

    kind: str  # 听证 | 检验 | 检测 | 检疫 | 鉴定 | 专家评审 | 公示 | 中止 | 现场核查 | …
    started_at: datetime
    ended_at: datetime | None = None
    counted: bool = False

    def __post_init__(self) -> None:
        if not self.kind.strip():
            raise ValueError("a pause needs its kind (听证, 专家评审, 中止, …)")
        require_aware(self.started_at, "pause start")
        if self.ended_at is not None:
            require_aware(self.ended_at, "pause end")
            if self.ended_at < self.started_at:
                raise ValueError(f"pause ends ({self.ended_at.isoformat()}) before it starts")

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def stops_clock(self) -> bool:
        return not self.counted


@dataclass(frozen=True)
class ClockReading:
    """A deadline plus whether an open pause stops the clock (then it assumes the pause ends now and moves
    one working day later for each working day the pause stays open)."""

    deadline: Deadline
    paused: bool

    @property
    def due_at(self) -> datetime:
        return self.deadline.due_at

    @property
    def provisional(self) -> bool:
        """The calendar's meaning: the deadline touches a year computed without its State Council notice."""
        return self.deadline.provisional


def acceptance_due(received_at: datetime, calendar: WorkCalendar) -> Deadline:
    """End of the 5th working day after receipt; later, the case counts as accepted (第32条(四)).

    Pass the instant the limit counts from (``Case.acceptance_start``): the receipt, or for an off-hours
    intake at a town centre the centre's next opening (its ``counted_from``)."""
    return calendar.deadline_after(received_at, ACCEPTANCE_DAYS)


def _local_day(instant: datetime, calendar: WorkCalendar) -> date:
    return instant.astimezone(calendar.zone).date()


@dataclass(frozen=True)
class CaseClock:
    """The limits of one accepted case; recompute a reading on every event (domain §13.1)."""

    accepted_at: datetime
    promised_days: int
    statutory_days: int | None = None
    pauses: tuple[Pause, ...] = ()
    extension_days: int = 0

    def __post_init__(self) -> None:
        require_aware(self.accepted_at, "accepted_at")
        if self.promised_days < 0 or (self.statutory_days is not None and self.statutory_days < 0):
            raise ValueError("time limits are working days >= 0")
        if self.extension_days < 0:
            raise ValueError("extension days must be >= 0")

    @property
    def is_paused(self) -> bool:
        """An open pause stops the clock (an open counted pause does not)."""
        return any(p.is_open and p.stops_clock for p in self.pauses)

    def promised_due(self, calendar: WorkCalendar, now: datetime | None = None) -> ClockReading:
        """The promised (承诺) deadline; ``now`` is needed only while the clock is paused."""
        return self._reading(calendar, self.promised_days + self.extension_days, now)

    def statutory_due(self, calendar: WorkCalendar, now: datetime | None = None) -> ClockReading | None:
        """The statutory (法定) deadline, or None for an item without a statutory limit."""
        if self.statutory_days is None:
            return None
        return self._reading(calendar, self.statutory_days + self.extension_days, now)

    def used_working_days(self, calendar: WorkCalendar, now: datetime) -> int:
        """Working days in (start day, today] that no non-counted pause covers (an open one ends today)."""
        start, today = _local_day(self.accepted_at, calendar), _local_day(now, calendar)
        if today <= start:
            return 0
        covered = sum(
            calendar.working_days_between(a, min(b, today)) for a, b in self._stops(calendar, now) if a < today
        )
        return calendar.working_days_between(start, today) - covered

    def remaining_working_days(self, calendar: WorkCalendar, now: datetime) -> int:
        """Promised working days left after today; negative: the working days overdue (not counting pauses)."""
        return self.promised_days + self.extension_days - self.used_working_days(calendar, now)

    def is_overdue(self, calendar: WorkCalendar, now: datetime) -> bool:
        return now >= self.promised_due(calendar, now).due_at

    def _stops(self, calendar: WorkCalendar, now: datetime | None) -> list[tuple[date, date]]:
        """Merged, sorted (a, b] date ranges that stop the clock, clipped to start after the start day."""
        start = _local_day(self.accepted_at, calendar)
        ranges: list[tuple[date, date]] = []
        for pause in self.pauses:
            if not pause.stops_clock:
                continue
            end = pause.ended_at if pause.ended_at is not None else now
            if end is None:
                raise ValueError(f"the clock is paused ({pause.kind}); pass now to read a provisional deadline")
            a, b = max(_local_day(pause.started_at, calendar), start), _local_day(end, calendar)
            if b > a:
                ranges.append((a, b))
        merged: list[tuple[date, date]] = []
        for a, b in sorted(ranges):
            if merged and a <= merged[-1][1]:  # (a1, b1] and (a2, b2] with a2 <= b1 overlap or touch
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        return merged

    def counted_day(self, calendar: WorkCalendar, n: int, now: datetime | None = None) -> date:
        """The n-th counted working day after the start day (pauses skipped; n=0: the acceptance day)."""
        return self._due_day(calendar, n, now, last_day=False)

    def deadline_day(self, calendar: WorkCalendar, n: int, now: datetime | None = None) -> date:
        """The day whose end is the deadline of an n-day limit (pauses skipped; see ``_due_day``)."""
        return self._due_day(calendar, n, now)

    def _due_day(self, calendar: WorkCalendar, n: int, now: datetime | None, *, last_day: bool = True) -> date:
        """The n-th working day after the start day not covered by a stop (n=0: the acceptance day).

        A day counts as used from its start, so the n-th counted day *begins* on the day a stop starts when that
        is where the count reaches n (``last_day=False``: when a colour changes). But a deadline is the *end* of
        the n-th day: a stop begun on that very day stopped the clock before the deadline ran out, so the
        deadline moves to the day the clock restarts (b, itself not counted: stops are (a, b]), just as a stop
        begun k days before it moves it to b + k. (The year replay found cases paused on their last day reading
        overdue the moment they resumed, while their used days said none were left over.)"""
        cursor = _local_day(self.accepted_at, calendar)
        if n == 0:
            return calendar.add_working_days(cursor, 0)
        remaining = n
        for a, b in self._stops(calendar, now):
            free = calendar.working_days_between(cursor, a)  # uncovered working days before this stop
            if free >= remaining:
                day = calendar.add_working_days(cursor, remaining)
                if free > remaining or not last_day or day != a:  # (a stop begun on a rest day after it: too late)
                    return day
            remaining -= free
            cursor = b
        return calendar.add_working_days(cursor, remaining)

    def _reading(self, calendar: WorkCalendar, n: int, now: datetime | None) -> ClockReading:
        if now is not None:
            require_aware(now, "now")
        due_day = self._due_day(calendar, n, now)
        elapsed = calendar.working_days_between(_local_day(self.accepted_at, calendar), due_day)
        # The calendar computes the end instant and the provisional flag over the whole span (pauses included);
        # ``workdays`` keeps the limit itself, not the span.
        deadline = replace(calendar.deadline_after(self.accepted_at, max(elapsed, 0)), workdays=n)
        return ClockReading(deadline=deadline, paused=self.is_paused)
