"""The towns' duty roster (值班表) and town intakes (off-hours receipts with the officer on duty) in SQL."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update

from engine.persistence.tables import duty_roster, town_intakes


class RosterRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- the roster ----------------------------------------------------------------------------------------
    def between(self, service_point: str, first: date, last: date) -> list[dict[str, Any]]:
        query = (
            select(duty_roster)
            .where(duty_roster.c.service_point == service_point, duty_roster.c.day.between(first, last))
            .order_by(duty_roster.c.day, duty_roster.c.shift)
        )
        return [dict(r._mapping) for r in self._conn.execute(query)]

    def before(self, service_point: str, day: date, limit: int = 200) -> list[dict[str, Any]]:
        """The latest assignments before ``day`` (they seed the next period's turn)."""
        query = (
            select(duty_roster)
            .where(duty_roster.c.service_point == service_point, duty_roster.c.day < day)
            .order_by(duty_roster.c.day.desc())
            .limit(limit)
        )
        return [dict(r._mapping) for r in self._conn.execute(query)]

    def replace(self, service_point: str, first: date, last: date, rows: list[dict[str, Any]]) -> None:
        """Drop the period's assignments, except the swapped ones (an agreed hand-over stands), and insert
        ``rows`` (a regenerated period)."""
        self._conn.execute(
            delete(duty_roster).where(
                duty_roster.c.service_point == service_point,
                duty_roster.c.day.between(first, last),
                duty_roster.c.swapped_from.is_(None),
            )
        )
        if rows:
            self._conn.execute(insert(duty_roster), rows)

    def slot(self, service_point: str, day: date, shift: str, *, for_update: bool = False) -> dict[str, Any] | None:
        query = select(duty_roster).where(
            and_(duty_roster.c.service_point == service_point, duty_roster.c.day == day, duty_roster.c.shift == shift)
        )
        row = self._conn.execute(query.with_for_update() if for_update else query).first()
        return dict(row._mapping) if row else None

    def swap(self, row_id: int, expected: str, values: dict[str, Any]) -> bool:
        """Hand a slot over; False when someone else changed it first (the old holder is the guard)."""
        result = self._conn.execute(
            update(duty_roster).where(duty_roster.c.id == row_id, duty_roster.c.username == expected).values(**values)
        )
        return result.rowcount == 1

    # -- intakes -------------------------------------------------------------------------------------------
    def add_intake(self, row: dict[str, Any]) -> None:
        self._conn.execute(insert(town_intakes).values(**row))

    def intake(self, case_no: str) -> dict[str, Any] | None:
        row = self._conn.execute(select(town_intakes).where(town_intakes.c.case_no == case_no)).first()
        return dict(row._mapping) if row else None

    def intakes(
        self, service_point: str | None = None, on_duty: str | None = None, since: datetime | None = None
    ) -> list[dict[str, Any]]:
        query = select(town_intakes).order_by(town_intakes.c.received_at.desc()).limit(500)
        if service_point is not None:
            query = query.where(town_intakes.c.service_point == service_point)
        if on_duty is not None:
            query = query.where(town_intakes.c.on_duty == on_duty)
        if since is not None:
            query = query.where(town_intakes.c.received_at >= since)
        return [dict(r._mapping) for r in self._conn.execute(query)]
