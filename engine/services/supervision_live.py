"""The live colours of a set of open cases at one instant, exactly: the board reads the clocks of the cases it
lists with it (the counts come from the stored colour schedule, engine/services/colour_schedule.py, which
also uses ``clock_of`` and ``clock_key`` to rebuild itself over every open case).

Why not the warning timers (``warning_timers`` / ``warnings``)? They are the schedule of the cards still to be
issued, not a record of the colour: a fired trigger is deleted, a paused case has none, an extension after a card
makes a case green again with no timer saying so, and a late scheduler leaves past timers in place. Counting
from them would be approximately right; the board must be exactly right (the integration tests compare it
with the clocks). Hence a schedule of its own, which records every colour change, and this exact reading:

* the database hands over only the clock fields of each record (``accepted_at``, ``promised_days``, pauses,
  extensions), not the whole record with its history;
* the reading (``read_colour``, engine/domain/warnings.py) is memoised on what it depends on. Within one
  board (one ``now``), ``read_colour`` depends on
  the LOCAL DATE of ``accepted_at`` (the clock starts the next day; the deadline is the end of a day;
  engine/domain/case_clock.py uses no other part of the instant), the promised and extension days, each
  stopping pause's local start and end dates (an open one ends "now", the same for every case; a counted
  pause stops nothing but is kept in the key all the same) and the thresholds (the item's, or the defaults).
  Thousands of cases accepted on the same day with the same limit share one reading, and each case's
  reading is the one ``read_colour`` gives its own clock.
"""

from __future__ import annotations

import heapq
import json
import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime, tzinfo
from typing import Any, NamedTuple

from engine.domain.calendar import WorkCalendar
from engine.domain.case_clock import CaseClock, Pause
from engine.domain.warnings import Colour, ColourReading, Thresholds, read_colour
from engine.errors import CalendarError

log = logging.getLogger("onestop")

_Key = tuple[date, int, int, tuple[tuple[date, date | None, bool], ...], int]
_EMPTY = frozenset({"[]", "null", None})
_UNREAD: Any = object()


class Read(NamedTuple):
    """One case's row (the clock fields, department, window, step instance) and its colour now."""

    row: dict[str, Any]
    reading: ColourReading

    @property
    def severity(self) -> tuple[int, int, str]:
        """Worst first when sorted ascending: colour, then fewest working days left, then the case number."""
        return (-self.reading.colour.rank, self.reading.remaining_days, self.row["case_no"])


def _day(instant: datetime, zone: tzinfo) -> date:
    return instant.astimezone(zone).date()


def _listed(raw: str | list[Any] | None) -> list[Any]:
    """A JSON list as the database gave it: text (usually "[]", not worth parsing) or already a list."""
    if not raw or raw in _EMPTY:
        return []
    return json.loads(raw) if isinstance(raw, str) else list(raw)


def _pauses(raw: list[dict[str, Any]]) -> tuple[Pause, ...]:
    return tuple(
        Pause(
            kind=p["kind"],
            started_at=datetime.fromisoformat(p["started_at"]),
            ended_at=datetime.fromisoformat(p["ended_at"]) if p.get("ended_at") else None,
            counted=bool(p.get("counted")),
        )
        for p in raw
    )


def clock_of(row: dict[str, Any]) -> CaseClock:
    """The clock of a row from SupervisionBoardRepository.clocks_in_status (the common row without pauses or
    extensions parses no JSON)."""
    raw_pauses, raw_extensions = row["pauses"], row["extensions"]
    pauses = _pauses(_listed(raw_pauses)) if raw_pauses and raw_pauses not in _EMPTY else ()
    extension = sum(int(e["days"]) for e in _listed(raw_extensions)) if raw_extensions not in _EMPTY else 0
    return CaseClock(datetime.fromisoformat(row["accepted_at"]), int(row["promised_days"]), None, pauses, extension)


def clock_key(clock: CaseClock, zone: tzinfo, thresholds: int) -> _Key:
    """What a reading (and a colour schedule) of ``clock`` depends on, given the thresholds' token: the local
    dates, the limits and the pauses (see the module docstring)."""
    stops = tuple((_day(p.started_at, zone), p.ended_at and _day(p.ended_at, zone), p.counted) for p in clock.pauses)
    return (_day(clock.accepted_at, zone), clock.promised_days, clock.extension_days, stops, thresholds)


def read_all(
    rows: Iterable[dict[str, Any]],
    thresholds: Callable[[str], Thresholds],
    calendar: WorkCalendar,
    now: datetime,
) -> list[Read]:
    """Each clocked row's colour at ``now`` (rows from SupervisionBoardRepository.clocks_in_status). A row the
    calendar cannot read (a year without calendar data) is logged and left out, as before.

    The loop runs once per open case, so it is kept lean: thresholds become a small number once per item
    (equal thresholds share it), and the common row without pauses or extensions parses no JSON."""
    zone = calendar.zone
    memo: dict[_Key, ColourReading | None] = {}
    tokens: dict[str, tuple[int, Thresholds]] = {}
    canonical: dict[Thresholds, int] = {}
    found = []
    for row in rows:
        raw_at = row["accepted_at"]
        if not raw_at:
            continue
        code = row["item_code"]
        token = tokens.get(code)
        if token is None:
            limits = thresholds(code)
            token = tokens[code] = (canonical.setdefault(limits, len(canonical)), limits)
        clock = clock_of(row)
        key = clock_key(clock, zone, token[0])
        reading = memo.get(key, _UNREAD)
        if reading is _UNREAD:
            try:
                reading = read_colour(clock, now, calendar, token[1])
            except CalendarError:
                reading = None
            memo[key] = reading
        if reading is None:
            log.warning("case %s: the work calendar cannot read its clock", row["case_no"])
            continue
        found.append(Read(row, reading))
    return found


def worst(reads: Iterable[Read], limit: int, only: Callable[[Colour], bool]) -> list[Read]:
    """The ``limit`` most severe reads whose colour passes ``only``."""
    return heapq.nsmallest(limit, (r for r in reads if only(r.reading.colour)), key=lambda r: r.severity)
