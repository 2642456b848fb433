"""Adapter over the holiday libraries: the only module importing ``chinese_calendar`` and ``holidays``.

It turns their data into :class:`~engine.domain.calendar.DayRule` lists for seeding the work calendar:

* ``official``: ``chinese_calendar`` carries each year's State Council arrangement (days off and 调休
  working weekends) for the years it ships (2004–2026 in 1.11).
* ``provisional``: ``holidays.China`` computes a year from the statutory rules of 全国年节及纪念日放假办法
  (13 days since 2025, plus the art. 6 补假 on the next working day for a holiday falling on a weekend). The
  make-up working weekends are unknown until the notice, so such a year stays flagged provisional.
"""

from __future__ import annotations

from collections.abc import Iterable

import chinese_calendar
import holidays as holidays_lib

from engine.domain.calendar import DayRule, YearInfo, makeup_label

# chinese_calendar's Chinese names are short forms (清明, 端午, 中秋); use the notice's names so that rules
# from the library and from an imported notice read (and compare) the same.
_NOTICE_NAMES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}


def supported_official_years() -> range:
    """Years the installed ``chinese_calendar`` has the official arrangement for (it refuses the others)."""
    years = {day.year for day in chinese_calendar.holidays}
    return range(min(years), max(years) + 1)


# Derived from the installed library, so upgrading chinesecalendar extends it without a code change.


def _chinese_name(english: str) -> str:
    try:
        short = str(chinese_calendar.Holiday(english).chinese)
    except ValueError:
        return english  # a name this library version added without a Chinese form: keep it readable
    return _NOTICE_NAMES.get(short, short)


def official_rules(year: int) -> list[DayRule] | None:
    """The State Council arrangement for ``year`` from chinese_calendar, or None when it has no data."""
    if year not in supported_official_years():
        return None
    # The library lists every day of each holiday period (weekends included) and the 调休 working days.
    rest = [
        DayRule(day, False, _chinese_name(name), "official")
        for day, name in chinese_calendar.holidays.items()
        if day.year == year
    ]
    work = [
        DayRule(day, True, makeup_label(_chinese_name(name)), "official")
        for day, name in chinese_calendar.workdays.items()
        if day.year == year
    ]
    return sorted(rest + work, key=lambda rule: rule.day)


def provisional_rules(year: int) -> list[DayRule]:
    """``year`` from the statutory rules (holidays' China, with 补假 observed days), labelled in Chinese."""
    # Ask for zh_CN explicitly: without it the labels follow the server's LANG (English under C.UTF-8).
    table = holidays_lib.country_holidays("CN", years=year, language="zh_CN")
    rest = [DayRule(day, False, str(name), "provisional") for day, name in table.items() if day.year == year]
    # For years whose notice the library already knows it also lists substituted rest days
    # ("休息日（由 … 调休）"); their working weekends must come too or the year would lose working days.
    # For a future year this set is empty: make-up days are unknown until the notice.
    work = [DayRule(day, True, makeup_label(""), "provisional") for day in table.weekend_workdays if day.year == year]
    return sorted(rest + work, key=lambda rule: rule.day)


def seed_years(years: Iterable[int]) -> tuple[list[DayRule], list[YearInfo]]:
    """Rules and year records for ``years``: official where the library has the notice, else provisional."""
    rules: list[DayRule] = []
    infos: list[YearInfo] = []
    for year in sorted(set(years)):
        official = official_rules(year)
        if official is not None:
            rules.extend(official)
            infos.append(YearInfo(year, provisional=False, source="official"))
        else:
            rules.extend(provisional_rules(year))
            infos.append(YearInfo(year, provisional=True, source="provisional"))
    return rules, infos
