"""A case's colour schedule: the instants at which its colour (engine/domain/warnings.py) turns yellow, red and
overdue while its clock stays as it is now, so that the colour at any later instant is a comparison, not a
working-day computation. The supervision board stores one per open case and counts colours in SQL.

Exactness: for every ``now`` from the clock's last change on (a pause, its end, an extension, acceptance),
``schedule.colour_at(now) == read_colour(clock, now, calendar, thresholds).colour`` (tests/unit/
test_colour_schedule.py checks it over random clocks and instants). Why it holds:

* ``read_colour`` compares the working days used (an integer that grows by one at the local midnight of each
  counted working day) with the thresholds, so "used >= n" starts at midnight of the n-th counted day
  (``CaseClock.counted_day``) and never ends; overdue starts at the promised deadline and never ends.
  Yellow needs ceil(yellow x limit) days used, or limit - 1 for a short limit; red ceil(red x limit) (never for a
  limit of 0, unlike ``colour_changes``, whose timers need not be exact); n <= 0 holds from acceptance on.
* While an open pause stops the clock (it began on local day ``a``) the used days stand at their value of day
  ``a`` and the deadline moves on each day, so only what was reached by day ``a`` can show: a threshold whose
  counted day is after ``a`` is dropped (None: never, until the clock changes again), and the deadline stays
  only if it fell on or before ``a`` (a pause after the limit ran out revives nothing; a limit of 0 ignores
  pauses: due at the end of the acceptance day, or the next working day's). The working days left
  are then fixed too, so the schedule keeps them for ordering the board's lists.
* While the clock runs, its working days left at ``now`` are ``limit + covered - worked(acceptance day, today)``
  (``covered``: the working days its closed pauses stopped, all in the past), i.e. the signed working days from
  today to ``rank_day`` = the (limit + covered)-th working day after acceptance. So the board orders running
  clocks by ``rank_day`` (distinct working days give distinct days left) without reading a calendar.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from engine.domain.calendar import WorkCalendar
from engine.domain.case_clock import CaseClock
from engine.domain.warnings import Colour, Thresholds, read_colour

__all__ = ["ColourSchedule", "colour_schedule"]


@dataclass(frozen=True)
class ColourSchedule:
    """When the colour changes (None: not while the clock stands as it is); ``paused`` and the fixed
    ``remaining_days`` of a stopped clock (None while it runs: then they follow from ``overdue_at``)."""

    yellow_at: datetime | None
    red_at: datetime | None
    overdue_at: datetime | None
    paused: bool = False
    remaining_days: int | None = None
    rank_day: date | None = None

    def colour_at(self, now: datetime) -> Colour:
        for colour, at in (
            (Colour.OVERDUE, self.overdue_at),
            (Colour.RED, self.red_at),
            (Colour.YELLOW, self.yellow_at),
        ):
            if at is not None and now >= at:
                return colour
        return Colour.GREEN


def _thresholds_days(limit: int, thresholds: Thresholds) -> tuple[int, int | None]:
    """The used working days from which a case is yellow and red (red: None for a limit of 0)."""
    candidates = []
    if limit > 0:
        candidates.append(math.ceil(thresholds.yellow * limit))
    if limit <= thresholds.short_limit_days:
        candidates.append(limit - 1)  # at most one working day left
    red = math.ceil(thresholds.red * limit) if limit > 0 else None
    return min(candidates), red


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _rank_day(running: CaseClock, calendar: WorkCalendar, limit: int, accepted_day: date) -> date:
    """The working day whose signed distance from today is the running clock's working days left."""
    zone = calendar.zone
    ends = [p.ended_at.astimezone(zone).date() for p in running.pauses if p.stops_clock and p.ended_at is not None]
    last = max([accepted_day, *ends])
    probe = datetime.combine(last, time(12), zone)
    covered = calendar.working_days_between(accepted_day, last) - running.used_working_days(calendar, probe)
    if limit + covered > 0:
        return calendar.add_working_days(accepted_day, limit + covered)
    day = accepted_day  # nothing left from acceptance on: the last working day up to it (never a rest day)
    while not calendar.is_workday(day):
        day -= timedelta(days=1)
    return day


def colour_schedule(clock: CaseClock, calendar: WorkCalendar, thresholds: Thresholds, now: datetime) -> ColourSchedule:
    """The schedule of ``clock`` as it stands at ``now`` (an instant at or after its last change)."""
    zone = calendar.zone
    accepted_day = clock.accepted_at.astimezone(zone).date()
    # the clock without its open stopping pauses: the days it counts up to the pause are the same
    running = replace(clock, pauses=tuple(p for p in clock.pauses if not (p.is_open and p.stops_clock)))
    limit = clock.promised_days + clock.extension_days
    yellow_n, red_n = _thresholds_days(limit, thresholds)
    stopped_on: date | None = None
    if clock.is_paused:
        stopped_on = min(
            max(p.started_at.astimezone(zone).date(), accepted_day) for p in clock.pauses if p.is_open and p.stops_clock
        )

    def reached(day: date) -> bool:
        return stopped_on is None or day <= stopped_on

    def start_of(n: int | None) -> datetime | None:
        if n is None:
            return None
        if n <= 0:  # reached from acceptance on: midnight of the acceptance day (valid for any now after it)
            return datetime.combine(accepted_day, time(0), zone)
        day = running.counted_day(calendar, n)
        return datetime.combine(day, time(0), zone) if reached(day) else None

    due_day = running.deadline_day(calendar, limit)
    # a limit of 0 (当场办结) is due at the end of the acceptance day whatever pauses (CaseClock._due_day); a
    # deadline is the END of its day, so a pause begun on the due day itself stopped the clock before it ran out
    ran_out = stopped_on is None or due_day < stopped_on
    overdue_at = running.promised_due(calendar).due_at if ran_out or limit == 0 else None
    # monotone (yellow <= red <= overdue, None last), so a count of "red or worse" is one comparison; the
    # colour at any instant is unchanged, since the worst threshold passed wins
    red_at = _earliest(start_of(red_n), overdue_at)
    yellow_at = _earliest(start_of(yellow_n), red_at)
    if stopped_on is not None:
        remaining = read_colour(clock, now, calendar, thresholds).remaining_days
        return ColourSchedule(yellow_at, red_at, overdue_at, True, remaining)
    rank = _rank_day(running, calendar, limit, accepted_day)
    return ColourSchedule(yellow_at, red_at, overdue_at, rank_day=rank)
