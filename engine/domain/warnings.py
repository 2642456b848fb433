"""Electronic-supervision warnings (黄牌 / 红牌) of a case's promised limit, in working days with paused time
left out (domain §5.3): the colour at an instant, and the instants at which the colour will change, so the
platform can schedule them as timers instead of scanning every case.

Defaults (configurable per item, the catalogue's ``warning`` table): yellow from 50 % of the promised working
days used, or from the last working day but one for a limit of at most 3 working days; red from 90 % used;
overdue after the end of the last promised working day. Pure: standard library, the calendar and the clock.
"""

from __future__ import annotations

import enum
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from engine.domain.calendar import WorkCalendar
from engine.domain.case_clock import CaseClock

__all__ = ["Colour", "ColourReading", "Thresholds", "colour_changes", "read_colour", "thresholds_for"]

_log = logging.getLogger("onestop")


class Colour(enum.StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    OVERDUE = "overdue"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @property
    def label(self) -> str:
        return _LABELS[self]


_RANKS = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2, Colour.OVERDUE: 3}
_LABELS = {Colour.GREEN: "正常", Colour.YELLOW: "黄牌预警", Colour.RED: "红牌警告", Colour.OVERDUE: "已超期"}


@dataclass(frozen=True)
class Thresholds:
    """Shares of the promised limit that turn a case yellow and red, and the limit up to which a case is yellow
    already when at most one working day is left."""

    yellow: Decimal = Decimal("0.5")
    red: Decimal = Decimal("0.9")
    short_limit_days: int = 3

    def __post_init__(self) -> None:
        if not (Decimal(0) < self.yellow < self.red <= Decimal(1)):
            raise ValueError("warning thresholds need 0 < yellow < red <= 1")
        if self.short_limit_days < 0:
            raise ValueError("short_limit_days must be >= 0")

    @classmethod
    def from_guide(cls, raw: Mapping[str, Any] | None) -> Thresholds:
        """The item's ``warning`` table ({yellow, red, short_limit_days}); missing keys take the defaults."""
        if not raw:
            return cls()
        default = cls()
        return cls(
            yellow=Decimal(str(raw.get("yellow", default.yellow))),
            red=Decimal(str(raw.get("red", default.red))),
            short_limit_days=int(raw.get("short_limit_days", default.short_limit_days)),
        )


def thresholds_for(guide: Mapping[str, Any] | None) -> Thresholds:
    """The thresholds of an item from its stored guide (its ``warning`` table). The catalogue validates the
    table at load, but a row stored before that check (or edited by hand) must not break acceptance or the
    board: anything malformed falls back to the defaults, and the log says so."""
    raw = guide.get("warning") if isinstance(guide, Mapping) else None
    if raw is not None and not isinstance(raw, Mapping):
        _log.warning("malformed warning thresholds %r; using the defaults", raw)
        return Thresholds()
    try:
        return Thresholds.from_guide(raw)
    except (ValueError, TypeError, ArithmeticError):
        _log.warning("malformed warning thresholds %r; using the defaults", raw)
        return Thresholds()


@dataclass(frozen=True)
class ColourReading:
    colour: Colour
    limit_days: int  # promised + extension
    used_days: int  # working days counted so far (paused time left out)
    remaining_days: int  # after today; negative: working days overdue
    due_at: datetime
    paused: bool


def read_colour(clock: CaseClock, now: datetime, calendar: WorkCalendar, thresholds: Thresholds) -> ColourReading:
    """The case's colour at ``now``."""
    limit = clock.promised_days + clock.extension_days
    used = clock.used_working_days(calendar, now)
    reading = clock.promised_due(calendar, now)
    remaining = limit - used
    if now >= reading.due_at:
        colour = Colour.OVERDUE
    elif limit > 0 and used >= thresholds.red * limit:
        colour = Colour.RED
    elif (limit > 0 and used >= thresholds.yellow * limit) or (limit <= thresholds.short_limit_days and remaining <= 1):
        colour = Colour.YELLOW
    else:
        colour = Colour.GREEN
    return ColourReading(colour, limit, used, remaining, reading.due_at, reading.paused)


def colour_changes(
    clock: CaseClock, calendar: WorkCalendar, thresholds: Thresholds, now: datetime | None = None
) -> dict[Colour, datetime]:
    """When the case turns yellow, red and overdue if no further pause comes (a pause or an extension changes
    the answer: compute it again then). Instants already past are included; the caller keeps the future ones.
    While the clock is paused nothing can change: empty."""
    if clock.is_paused:
        return {}
    limit = clock.promised_days + clock.extension_days
    zone = calendar.zone
    overdue = clock.promised_due(calendar, now).due_at

    def start_of(counted: int) -> datetime:
        if counted <= 0:
            return clock.accepted_at
        day = clock.counted_day(calendar, counted, now)
        return datetime.combine(day, time(0), zone)

    yellow_day = math.ceil(thresholds.yellow * limit) if limit > 0 else 0
    if limit <= thresholds.short_limit_days:
        yellow_day = min(yellow_day, max(limit - 1, 0))
    red_day = math.ceil(thresholds.red * limit) if limit > 0 else 0
    changes = {Colour.YELLOW: start_of(yellow_day), Colour.RED: start_of(red_day), Colour.OVERDUE: overdue}
    # a limit of 0 or 1 working day: the colours may coincide with acceptance or with the overdue instant
    return {colour: min(at, overdue) if colour is not Colour.OVERDUE else at for colour, at in changes.items()}
