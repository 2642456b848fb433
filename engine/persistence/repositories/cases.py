"""The catalogue's items and the cases (办件) in SQL."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from engine.errors import ConcurrentUpdate
from engine.persistence.repositories import case_statements as sql
from engine.persistence.repositories.txn_memo import TransactionMemo, as_stored
from engine.persistence.tables import cases, items, notices

_CASE_JSON = frozenset({"applicant", "record"})


def _serialise(conn: Connection, key: str) -> None:
    """Take a lock named ``key`` until the transaction ends (PostgreSQL); numbering then cannot collide."""
    if conn.dialect.name == "postgresql":
        conn.execute(sql.advisory_lock(), {"b_key": key})


class CatalogueRepository:
    """Items are written only here (``upsert``), so the items this transaction read are kept for it (a case step
    reads its item for the case, its notices, its warning timers and its colours) until it writes one."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._read = TransactionMemo(conn)

    def upsert(self, row: dict[str, Any], now: datetime) -> bool:
        """Insert or update one item; True when it was new."""
        self._read.clear()
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
        found = self._read.get(code)
        if found is None:
            return self.get_with_department(code)[0]
        return dict(found)

    def get_with_department(self, code: str) -> tuple[dict[str, Any] | None, str]:
        """The item and its department's name, in one read (a notice prints both). The name is read afresh
        each time: departments are written elsewhere (accounts, organisation)."""
        row = self._conn.execute(sql.item_with_department(), {"b_code": code}).first()
        if row is None:
            return None, ""
        item = dict(row._mapping)
        department_name = item.pop("department_name")
        self._read.put(code, item)
        return dict(item), str(department_name or "")


class CaseRepository:
    """The rows this transaction wrote (added, saved) are kept for it, as the database now holds them: a case
    step saves the case and its warning timers and colours then read it again. Nothing else writes ``cases``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._read = TransactionMemo(conn)  # case_no -> a row as read in this transaction (the base of a save)
        self._written = TransactionMemo(conn)  # case_no -> a row this transaction wrote, as it now stands

    def next_sequence(self, prefix: str) -> int:
        """The next 4-digit sequence for case numbers starting with ``prefix`` (item code + date).

        On PostgreSQL a transaction-scoped advisory lock on the prefix makes concurrent openings take turns
        (SQLite's writers already do: they begin IMMEDIATE)."""
        _serialise(self._conn, f"case:{prefix}")
        bounds = {"b_low": f"{prefix}0000", "b_high": f"{prefix}9999", "b_prefix": sql.like_prefix(prefix)}
        count = self._conn.execute(sql.case_numbers_counted(), bounds).scalar_one()
        return int(count) + 1

    def add(self, row: dict[str, Any]) -> None:
        self._conn.execute(sql.case_insert(), {**row, "row_version": 1})
        self._written.put(row["case_no"], as_stored({**row, "row_version": 1}, _CASE_JSON))

    def _remember(self, row: Any) -> dict[str, Any]:
        found = dict(row._mapping)
        self._read.put(found["case_no"], found)
        return dict(found)

    def get(self, case_no: str, *, for_update: bool = False) -> dict[str, Any] | None:
        mine = self._written.get(case_no)
        if mine is not None:  # written by this transaction, which holds its lock: the database says the same
            return dict(mine)
        row = self._conn.execute(sql.case_by_no(for_update), {"b_case_no": case_no}).first()
        return self._remember(row) if row else None

    def set_instance(self, case_no: str, instance_id: int) -> None:
        self._conn.execute(sql.case_update(), {"b_case_no": case_no, "instance_id": instance_id})
        mine = self._written.get(case_no)
        if mine is not None:
            mine["instance_id"] = instance_id
        else:
            self._read.discard(case_no)

    def for_instance(self, instance_id: int) -> dict[str, Any] | None:
        mine = next((r for r in self._written.values() if r["instance_id"] == instance_id), None)
        if mine is not None:
            return dict(mine)
        row = self._conn.execute(sql.case_by_instance(), {"b_instance_id": instance_id}).first()
        return self._remember(row) if row else None

    def save(self, case_no: str, row_version: int, values: dict[str, Any]) -> None:
        result = self._conn.execute(
            sql.case_save(),
            {**values, "row_version": row_version + 1, "b_case_no": case_no, "b_row_version": row_version},
        )
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"case {case_no} was changed by somebody else; reload and retry")
        # the update matched this version: the row is the version saved from plus these values
        base = self._written.get(case_no) or self._read.get(case_no)
        if base is not None and base["row_version"] == row_version:
            self._written.put(case_no, as_stored({**base, **values, "row_version": row_version + 1}, _CASE_JSON))
        else:
            self._written.discard(case_no)

    def received_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The cohort of a period: cases received in [start, end), with what the statistics need."""
        query = select(
            cases.c.case_no, cases.c.status, cases.c.accepted_at, cases.c.due_at, cases.c.completed_at, cases.c.record
        ).where(cases.c.received_at >= start, cases.c.received_at < end)
        return [dict(r._mapping) for r in self._conn.execute(query)]

    def counts_by_status(self) -> dict[str, int]:
        rows = self._conn.execute(select(cases.c.status, func.count()).group_by(cases.c.status))
        return {status: int(n) for status, n in rows}


#: a notice number ends with its sequence: …〔2026〕第00042号 (engine/services/notices.py)
_NOTICE_SEQUENCE = re.compile(r"第(\d+)号$")


class NoticeRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def next_sequence(self, kind: str, year: int) -> int:
        """One more than the sequence of the kind's newest notice of ``year`` (numbers are issued in turn under
        the lock, so the newest holds the highest). Read backwards from the newest id, it stops at the first
        match: counting the year's notices scanned the whole table for every notice (bench/year_replay.py: 0.1 s
        a notice at 110,000 notices, hours over a year)."""
        _serialise(self._conn, f"notice:{kind}:{year}")
        mark = f"〔{year}〕"
        newest = self._conn.execute(sql.newest_notice_number(), {"b_kind": kind, "b_year_mark": mark}).scalar()
        if newest is None:
            return 1
        found = _NOTICE_SEQUENCE.search(str(newest))
        if found is None:  # not a number this repository's caller wrote: fall back to counting
            where = (notices.c.kind == kind, notices.c.number.contains(mark))
            return int(self._conn.execute(select(func.count()).select_from(notices).where(*where)).scalar_one()) + 1
        return int(found.group(1)) + 1

    def add(self, case_no: str, kind: str, number: str, issued_at: datetime, content: dict[str, Any]) -> int:
        values = {"case_no": case_no, "kind": kind, "number": number, "issued_at": issued_at, "content": content}
        result = self._conn.execute(sql.notice_insert(), values)
        return int(result.scalar_one())

    def for_case(self, case_no: str) -> list[dict[str, Any]]:
        rows = self._conn.execute(select(notices).where(notices.c.case_no == case_no).order_by(notices.c.id))
        return [dict(r._mapping) for r in rows]

    def get(self, case_no: str, notice_id: int) -> dict[str, Any] | None:
        row = self._conn.execute(select(notices).where(notices.c.case_no == case_no, notices.c.id == notice_id)).first()
        return dict(row._mapping) if row else None
