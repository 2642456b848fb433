"""Window discipline in SQL: attendance per session, the leaving-post log, staff cards and announcements."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, update

from engine.persistence.tables import announcements, attendance, post_leaves, staff_cards


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result]


def _first(result: Any) -> dict[str, Any] | None:
    row = result.first()
    return dict(row._mapping) if row else None


class DisciplineRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- attendance ---------------------------------------------------------------------------------------
    def attendance_on(self, day: date, username: str | None = None) -> list[dict[str, Any]]:
        query = select(attendance).where(attendance.c.work_date == day).order_by(attendance.c.username, attendance.c.id)
        if username is not None:
            query = query.where(attendance.c.username == username)
        return _rows(self._conn.execute(query))

    def add_attendance(self, row: dict[str, Any]) -> int:
        return int(self._conn.execute(insert(attendance).values(**row).returning(attendance.c.id)).scalar_one())

    def update_attendance(self, row_id: int, values: dict[str, Any]) -> None:
        self._conn.execute(update(attendance).where(attendance.c.id == row_id).values(**values))

    def claim_attendance(self, row_id: int, now: datetime, status: str) -> bool:
        """Mark a row closed with its final status unless another run closed it first."""
        return self._claim(attendance, row_id, now, status=status)

    # -- leaving the post ---------------------------------------------------------------------------------
    def leaves_on(self, day: date, username: str | None = None) -> list[dict[str, Any]]:
        query = select(post_leaves).where(post_leaves.c.work_date == day).order_by(post_leaves.c.left_at)
        if username is not None:
            query = query.where(post_leaves.c.username == username)
        return _rows(self._conn.execute(query))

    def open_leave(self, username: str, day: date) -> dict[str, Any] | None:
        """The absence of ``day`` the officer has not ended (an earlier day's is the close's business)."""
        query = select(post_leaves).where(
            post_leaves.c.username == username, post_leaves.c.work_date == day, post_leaves.c.returned_at.is_(None)
        )
        return _first(self._conn.execute(query.order_by(post_leaves.c.left_at.desc())))

    def leave(self, leave_id: int) -> dict[str, Any] | None:
        return _first(self._conn.execute(select(post_leaves).where(post_leaves.c.id == leave_id)))

    def add_leave(self, row: dict[str, Any]) -> int:
        return int(self._conn.execute(insert(post_leaves).values(**row).returning(post_leaves.c.id)).scalar_one())

    def update_leave(self, leave_id: int, values: dict[str, Any]) -> None:
        self._conn.execute(update(post_leaves).where(post_leaves.c.id == leave_id).values(**values))

    def day_closed(self, day: date) -> bool:
        """Whether the close has claimed any record of ``day`` (it claims a day's records together)."""
        for table in (attendance, post_leaves):
            query = select(table.c.id).where(table.c.work_date == day, table.c.closed_at.is_not(None)).limit(1)
            if self._conn.execute(query).first() is not None:
                return True
        return False

    # -- which days the close still owes -------------------------------------------------------------------
    def oldest_open_day(self) -> date | None:
        """The earliest day with an attendance row or absence the close has not claimed yet."""
        days = [
            self._conn.execute(select(func.min(table.c.work_date)).where(table.c.closed_at.is_(None))).scalar()
            for table in (attendance, post_leaves)
        ]
        found = [d for d in days if d is not None]
        return min(found) if found else None

    def last_closed_day(self) -> date | None:
        """The latest day the close has claimed a record of."""
        days = [
            self._conn.execute(select(func.max(table.c.work_date)).where(table.c.closed_at.is_not(None))).scalar()
            for table in (attendance, post_leaves)
        ]
        found = [d for d in days if d is not None]
        return max(found) if found else None

    def claim_leave(self, leave_id: int, now: datetime) -> bool:
        return self._claim(post_leaves, leave_id, now)

    def _claim(self, table: Table, row_id: int, now: datetime, **values: Any) -> bool:
        result = self._conn.execute(
            update(table).where(table.c.id == row_id, table.c.closed_at.is_(None)).values(closed_at=now, **values)
        )
        return bool(result.rowcount == 1)

    # -- staff cards --------------------------------------------------------------------------------------
    def cards(self) -> dict[str, dict[str, Any]]:
        return {r["username"]: r for r in _rows(self._conn.execute(select(staff_cards)))}

    def card(self, username: str) -> dict[str, Any] | None:
        return _first(self._conn.execute(select(staff_cards).where(staff_cards.c.username == username)))

    def card_with_number(self, staff_number: str) -> dict[str, Any] | None:
        return _first(self._conn.execute(select(staff_cards).where(staff_cards.c.staff_number == staff_number)))

    def upsert_card(self, row: dict[str, Any]) -> None:
        key = staff_cards.c.username
        if self._conn.execute(select(key).where(key == row["username"])).first():
            self._conn.execute(update(staff_cards).where(key == row["username"]).values(**row))
        else:
            self._conn.execute(insert(staff_cards).values(**row))

    # -- announcements ------------------------------------------------------------------------------------
    def announcements(self, *, include_withdrawn: bool = False, limit: int = 200) -> list[dict[str, Any]]:
        query = select(announcements).order_by(
            announcements.c.pinned.desc(), announcements.c.published_at.desc(), announcements.c.id.desc()
        )
        if not include_withdrawn:
            query = query.where(announcements.c.withdrawn_at.is_(None))
        return _rows(self._conn.execute(query.limit(limit)))

    def announcement(self, announcement_id: int) -> dict[str, Any] | None:
        return _first(self._conn.execute(select(announcements).where(announcements.c.id == announcement_id)))

    def add_announcement(self, row: dict[str, Any]) -> int:
        query = insert(announcements).values(**row).returning(announcements.c.id)
        return int(self._conn.execute(query).scalar_one())

    def update_announcement(self, announcement_id: int, values: dict[str, Any]) -> None:
        self._conn.execute(update(announcements).where(announcements.c.id == announcement_id).values(**values))
