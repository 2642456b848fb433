"""The working-day calendar (工作日): which days count, and where a promised time limit ends.

A day is a working day when an explicit :class:`DayRule` says so, otherwise when it is Monday to Friday.
Rules come from the holiday libraries (``official``/``provisional``, see ``engine.holiday_sources``), from an
imported State Council notice (``notice``) or from an administrator (``admin``). A year that was never
loaded is an error, never "plain weekdays": a deadline counted without the Spring Festival is a week early.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.domain.holiday_notice import Notice, NoticeParseError, parse_notice
from engine.errors import CalendarError

__all__ = [
    "SOURCES",
    "DayRule",
    "Deadline",
    "Notice",
    "NoticeParseError",
    "WorkCalendar",
    "YearInfo",
    "makeup_label",
    "parse_notice",
    "rules_from_notice",
]

SOURCES = frozenset({"official", "provisional", "notice", "admin"})


def makeup_label(holiday: str) -> str:
    """Label of a weekend day worked in exchange for ``holiday``; one spelling whatever the data source."""
    return f"{holiday}调休上班"


def _check_source(source: str) -> None:
    if source not in SOURCES:
        raise ValueError(f"unknown calendar source {source!r}; expected one of {sorted(SOURCES)}")


@dataclass(frozen=True)
class DayRule:
    """One day that is explicitly a working day or a rest day (deviations from Mon–Fri matter most)."""

    day: date
    is_workday: bool
    label: str
    source: str

    def __post_init__(self) -> None:
        _check_source(self.source)


@dataclass(frozen=True)
class YearInfo:
    """A loaded year; ``provisional`` years are computed from the statutory rules, without 调休."""

    year: int
    provisional: bool
    source: str

    def __post_init__(self) -> None:
        _check_source(self.source)


@dataclass(frozen=True)
class Deadline:
    """A due instant (aware, UTC) with how it was computed, so a UI can flag provisional deadlines."""

    due_at: datetime
    provisional: bool
    workdays: int
    start: datetime

    def iso(self) -> str:
        return self.due_at.isoformat()


def rules_from_notice(notice: Notice) -> list[DayRule]:
    """The notice as day rules: its days off are rest days, its 上班 days are working days."""
    rest = [DayRule(day, False, label, "notice") for day, label in notice.holidays]
    work = [DayRule(day, True, makeup_label(label), "notice") for day, label in notice.workdays]
    return sorted(rest + work, key=lambda rule: rule.day)


class WorkCalendar:
    """Immutable, precomputed calendar; every answer is O(1) or O(log n) so timers can ask freely."""

    def __init__(
        self,
        rules: Iterable[DayRule],
        years: Iterable[YearInfo],
        tz: str = "Asia/Shanghai",
        day_end: str = "24:00",
        version: int = 0,
    ) -> None:
        #: which state of the calendar table this is built from (deadlines remember it, to be recomputed)
        self.version = version
        self._years: dict[int, YearInfo] = {info.year: info for info in years}
        if not self._years:
            raise CalendarError("the work calendar has no years loaded")
        # Later rules win, so an admin edit passed after the seeded rules overrides them.
        self._rules: dict[date, DayRule] = {rule.day: rule for rule in rules}
        self._tz_name, self._day_end_text = tz, day_end
        self._tz = _zone(tz)
        self._day_end = _parse_day_end(day_end)
        self._last_year = max(self._years)
        # One sorted list of working-day ordinals over all loaded years: counting is two bisects.
        self._ordinals: list[int] = [ordinal for year in sorted(self._years) for ordinal in self._year_ordinals(year)]

    def _year_ordinals(self, year: int) -> list[int]:
        first, after = date(year, 1, 1).toordinal(), date(year + 1, 1, 1).toordinal()
        return [o for o in range(first, after) if self._is_workday_unchecked(date.fromordinal(o))]

    def _is_workday_unchecked(self, day: date) -> bool:
        rule = self._rules.get(day)
        return rule.is_workday if rule is not None else day.weekday() < 5

    def _require_year(self, year: int) -> YearInfo:
        info = self._years.get(year)
        if info is None:
            loaded = ", ".join(str(y) for y in sorted(self._years))
            raise CalendarError(
                f"the work calendar has no data for {year} (loaded: {loaded}); import the State Council "
                f"notice for {year} or seed a provisional year",
                {"year": year},
            )
        return info

    def _require_years(self, first: int, last: int) -> None:
        for year in range(first, last + 1):
            self._require_year(year)

    @property
    def zone(self) -> ZoneInfo:
        """The time zone whose local dates are counted (the centre's)."""
        return self._tz

    @property
    def years(self) -> tuple[YearInfo, ...]:
        return tuple(self._years[year] for year in sorted(self._years))

    def rules_for_year(self, year: int) -> list[DayRule]:
        self._require_year(year)
        return sorted((r for r in self._rules.values() if r.day.year == year), key=lambda r: r.day)

    def is_provisional(self, d: date) -> bool:
        return self._require_year(d.year).provisional

    def is_workday(self, d: date) -> bool:
        self._require_year(d.year)
        return self._is_workday_unchecked(d)

    def next_workday(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return self.add_working_days(d, 1)

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day strictly after ``start``; n=0 is ``start`` itself or the next working day."""
        if n < 0:
            raise ValueError(f"cannot add {n} working days; n must be >= 0")
        self._require_year(start.year)
        if n == 0:
            return start if self._is_workday_unchecked(start) else self.add_working_days(start, 1)
        index = bisect_right(self._ordinals, start.toordinal()) + n - 1
        if index >= len(self._ordinals):
            # Ran off the last loaded year; this always raises, naming the first missing year.
            self._require_years(start.year, self._last_year + 1)
        result = date.fromordinal(self._ordinals[index])
        # The ordinal list skips unloaded years, so check none was jumped over.
        self._require_years(start.year, result.year)
        return result

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when ``end`` is before ``start`` (e.g. days overdue)."""
        if end < start:
            return -self.working_days_between(end, start)
        self._require_years(start.year, end.year)
        return bisect_right(self._ordinals, end.toordinal()) - bisect_right(self._ordinals, start.toordinal())

    def deadline_after(self, start: datetime, n: int) -> Deadline:
        """End of the n-th working day after the LOCAL date of ``start`` (the clock starts the next day)."""
        start_utc = _as_utc(start)
        local_day = start_utc.astimezone(self._tz).date()
        due_day = self.add_working_days(local_day, n)
        provisional = any(self._years[y].provisional for y in range(local_day.year, due_day.year + 1))
        return Deadline(due_at=self._end_of(due_day), provisional=provisional, workdays=n, start=start_utc)

    def end_of_working_day(self, instant: datetime) -> datetime:
        """End of ``instant``'s local day if it is a working day, else of the next working day (UTC)."""
        local_day = _as_utc(instant).astimezone(self._tz).date()
        return self._end_of(self.add_working_days(local_day, 0))

    def with_notice(self, notice: Notice) -> WorkCalendar:
        """A copy in which the notice replaces all that was known about its year (no longer provisional)."""
        kept = [rule for rule in self._rules.values() if rule.day.year != notice.year]
        years = [info for info in self._years.values() if info.year != notice.year]
        years.append(YearInfo(notice.year, provisional=False, source="notice"))
        return WorkCalendar([*kept, *rules_from_notice(notice)], years, self._tz_name, self._day_end_text)

    def _end_of(self, day: date) -> datetime:
        days_later, clock_time = self._day_end
        local_end = datetime.combine(day + timedelta(days=days_later), clock_time, tzinfo=self._tz)
        return local_end.astimezone(UTC)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CalendarError(f"unknown time zone {name!r}") from None


def _parse_day_end(text: str) -> tuple[int, time]:
    """'24:00' is midnight at the start of the next day; any other 'HH:MM' is that time on the day itself."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if match is None:
        raise CalendarError(f"day_end must look like '17:30' or '24:00', got {text!r}")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if (hours, minutes) == (24, 0):
        return 1, time(0, 0)
    if hours > 23 or minutes > 59:
        raise CalendarError(f"day_end {text!r} is not a time of day")
    return 0, time(hours, minutes)


def _as_utc(instant: datetime) -> datetime:
    # A naive instant would be read in the server's zone; refuse it rather than guess.
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"instant {instant.isoformat()} must be timezone-aware")
    return instant.astimezone(UTC)
