"""The catalogue's items and the cases (办件) in SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from engine.errors import ConcurrentUpdate
from engine.persistence.tables import cases, items, notices


def _serialise(conn: Connection, key: str) -> None:
    """Take a lock named ``key`` until the transaction ends (PostgreSQL); numbering then cannot collide."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))


class CatalogueRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def upsert(self, row: dict[str, Any], now: datetime) -> bool:
        """Insert or update one item; True when it was new."""
        values = {**row, "updated_at": now}
        exists = self._conn.execute(select(items.c.code).where(items.c.code == row["code"])).first()
        if exists:
            self._conn.execute(update(items).where(items.c.code == row["code"]).values(**values))
            return False
        self._conn.execute(insert(items).values(**values))
        return True

    def all(self) -> list[dict[str, Any]]:
        rows = self._conn.execute(select(items).order_by(items.c.department, items.c.code))
        return [dict(r._mapping) for r in rows]

    def get(self, code: str) -> dict[str, Any] | None:
        row = self._conn.execute(select(items).where(items.c.code == code)).first()
        return dict(row._mapping) if row else None


class CaseRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def next_sequence(self, prefix: str) -> int:
        """The next 4-digit sequence for case numbers starting with ``prefix`` (item code + date).

        On PostgreSQL a transaction-scoped advisory lock on the prefix makes concurrent openings take turns
        (SQLite's writers already do: they begin IMMEDIATE)."""
        _serialise(self._conn, f"case:{prefix}")
        count = self._conn.execute(
            select(func.count()).select_from(cases).where(cases.c.case_no.startswith(prefix, autoescape=True))
        ).scalar_one()
        return int(count) + 1

    def add(self, row: dict[str, Any]) -> None:
        self._conn.execute(insert(cases).values(**row, row_version=1))

    def get(self, case_no: str, *, for_update: bool = False) -> dict[str, Any] | None:
        query = select(cases).where(cases.c.case_no == case_no)
        if for_update:
            query = query.with_for_update()
        row = self._conn.execute(query).first()
        return dict(row._mapping) if row else None

    def set_instance(self, case_no: str, instance_id: int) -> None:
        self._conn.execute(update(cases).where(cases.c.case_no == case_no).values(instance_id=instance_id))

    def for_instance(self, instance_id: int) -> dict[str, Any] | None:
        row = self._conn.execute(select(cases).where(cases.c.instance_id == instance_id)).first()
        return dict(row._mapping) if row else None

    def save(self, case_no: str, row_version: int, values: dict[str, Any]) -> None:
        result = self._conn.execute(
            update(cases)
            .where(cases.c.case_no == case_no, cases.c.row_version == row_version)
            .values(**values, row_version=row_version + 1)
        )
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"case {case_no} was changed by somebody else; reload and retry")

    def received_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The cohort of a period: cases received in [start, end), with what the statistics need."""
        query = select(
            cases.c.case_no, cases.c.status, cases.c.accepted_at, cases.c.due_at, cases.c.completed_at, cases.c.record
        ).where(cases.c.received_at >= start, cases.c.received_at < end)
        return [dict(r._mapping) for r in self._conn.execute(query)]

    def counts_by_status(self) -> dict[str, int]:
        rows = self._conn.execute(select(cases.c.status, func.count()).group_by(cases.c.status))
        return {status: int(n) for status, n in rows}


class NoticeRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def next_sequence(self, kind: str, year: int) -> int:
        _serialise(self._conn, f"notice:{kind}:{year}")
        count = self._conn.execute(
            select(func.count())
            .select_from(notices)
            .where(notices.c.kind == kind, notices.c.number.contains(f"〔{year}〕"))
        ).scalar_one()
        return int(count) + 1

    def add(self, case_no: str, kind: str, number: str, issued_at: datetime, content: dict[str, Any]) -> int:
        result = self._conn.execute(
            insert(notices)
            .values(case_no=case_no, kind=kind, number=number, issued_at=issued_at, content=content)
            .returning(notices.c.id)
        )
        return int(result.scalar_one())

    def for_case(self, case_no: str) -> list[dict[str, Any]]:
        rows = self._conn.execute(select(notices).where(notices.c.case_no == case_no).order_by(notices.c.id))
        return [dict(r._mapping) for r in rows]

    def get(self, case_no: str, notice_id: int) -> dict[str, Any] | None:
        row = self._conn.execute(select(notices).where(notices.c.case_no == case_no, notices.c.id == notice_id)).first()
        return dict(row._mapping) if row else None
