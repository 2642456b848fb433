"""The work calendar tables: which years are loaded (official or provisional) and each deviating day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Connection, delete, insert, select

from engine.domain.calendar import DayRule, YearInfo
from engine.persistence.tables import calendar_days, calendar_years


class CalendarRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def years(self) -> list[YearInfo]:
        rows = self._conn.execute(select(calendar_years).order_by(calendar_years.c.year))
        return [YearInfo(year=r.year, provisional=r.provisional, source=r.source) for r in rows]

    def rules(self) -> list[DayRule]:
        rows = self._conn.execute(select(calendar_days).order_by(calendar_days.c.day))
        return [DayRule(day=r.day, is_workday=r.is_workday, label=r.label, source=r.source) for r in rows]

    def replace_year(self, info: YearInfo, rules: Iterable[DayRule], now: datetime) -> None:
        year = info.year
        self._conn.execute(
            delete(calendar_days).where(
                calendar_days.c.day >= date(year, 1, 1), calendar_days.c.day <= date(year, 12, 31)
            )
        )
        self._conn.execute(delete(calendar_years).where(calendar_years.c.year == year))
        self._conn.execute(
            insert(calendar_years).values(year=year, provisional=info.provisional, source=info.source, updated_at=now)
        )
        values = [
            {"day": r.day, "is_workday": r.is_workday, "label": r.label, "source": r.source}
            for r in rules
            if r.day.year == year
        ]
        if values:
            self._conn.execute(insert(calendar_days), values)

    def set_day(self, rule: DayRule) -> None:
        self._conn.execute(delete(calendar_days).where(calendar_days.c.day == rule.day))
        self._conn.execute(
            insert(calendar_days).values(day=rule.day, is_workday=rule.is_workday, label=rule.label, source=rule.source)
        )
