"""The work calendar tables: which years are loaded (official or provisional) and each deviating day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Connection, delete, insert, select, update

from engine.domain.calendar import DayRule, YearInfo
from engine.errors import CalendarError
from engine.persistence.tables import calendar_days, calendar_state, calendar_years


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
        self._bump()
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

    def version(self) -> int:
        """A number that grows with every change to the calendar (whatever the clocks say)."""
        value = self._conn.execute(select(calendar_state.c.version).where(calendar_state.c.id == 1)).scalar()
        return int(value or 0)

    def _bump(self) -> None:
        if (
            self._conn.execute(
                update(calendar_state).where(calendar_state.c.id == 1).values(version=calendar_state.c.version + 1)
            ).rowcount
            == 0
        ):
            self._conn.execute(insert(calendar_state).values(id=1, version=1))

    def set_day(self, rule: DayRule, now: datetime) -> None:
        touched = self._conn.execute(
            update(calendar_years).where(calendar_years.c.year == rule.day.year).values(updated_at=now)
        )
        if touched.rowcount != 1:
            raise CalendarError(f"the work calendar has no year {rule.day.year}; seed or import it first")
        self._bump()
        self._conn.execute(delete(calendar_days).where(calendar_days.c.day == rule.day))
        self._conn.execute(
            insert(calendar_days).values(day=rule.day, is_workday=rule.is_workday, label=rule.label, source=rule.source)
        )
