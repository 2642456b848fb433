"""The supervision board's reads in SQL: open cases counted per department, window and status (GROUP BY), the
clocks of accepted and paused cases (all of them, or the few listed; only the record's clock fields, extracted
from the JSON by the database, never the whole record), ready human tasks aggregated per department and per
window (one covering index: each task row carries its case's window, migration 0022), the guides of
the items involved, first-inquiry violations (the latest few and how many), and the decided cases of a period
for the efficiency tables."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Result, exists, func, or_, select, update

from engine.persistence.tables import cases, human_tasks, items, users, violations

READY = "ready"
_CHUNK = 500
_CASE_COLUMNS = (
    cases.c.case_no,
    cases.c.item_code,
    cases.c.instance_id,
    cases.c.department,
    cases.c.window,
    cases.c.status,
    cases.c.received_at,
    cases.c.accepted_at,
    cases.c.due_at,
    cases.c.record,
)


def _rows(result: Result[Any]) -> list[dict[str, Any]]:
    keys = tuple(result.keys())  # once: a row's own mapping rebuilds its keys each time (slow on 50,000 rows)
    return [dict(zip(keys, row, strict=True)) for row in result]


class SupervisionBoardRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def cases_in_status(self, statuses: Collection[str], department: str | None = None) -> list[dict[str, Any]]:
        """Cases whose status is one of ``statuses`` (indexed column), optionally of one department."""
        query = select(*_CASE_COLUMNS).where(cases.c.status.in_(sorted(statuses))).order_by(cases.c.case_no)
        if department is not None:
            query = query.where(cases.c.department == department)
        return _rows(self._conn.execute(query))

    def open_counts(self, statuses: Collection[str]) -> list[tuple[str, str | None, str, int]]:
        """(department, window, status, how many) of the cases in ``statuses``, counted by the database."""
        query = (
            select(cases.c.department, cases.c.window, cases.c.status, func.count())
            .where(cases.c.status.in_(sorted(statuses)))
            .group_by(cases.c.department, cases.c.window, cases.c.status)
        )
        return [(d, w, s, int(n)) for d, w, s, n in self._conn.execute(query)]

    def clocks_in_status(
        self, statuses: Collection[str], department: str | None = None, case_nos: Collection[str] | None = None
    ) -> list[dict[str, Any]]:
        """The clock fields of each case in ``statuses`` (of ``department``, among ``case_nos`` when given): what a
        colour reading needs and nothing more (the record's history, materials and notices stay in the
        database). ``accepted_at`` is the record's ISO text, ``pauses`` and ``extensions`` its lists as JSON
        text (usually "[]")."""
        if case_nos is not None:  # a few listed cases, read by key in chunks (a bound parameter each); the
            # status is checked here, not in SQL, where it would lead the planner to its index instead of the key
            chosen = sorted(case_nos)
            return [
                row
                for start in range(0, len(chosen), _CHUNK)
                for row in self._clocks(None, department, chosen[start : start + _CHUNK])
                if row["status"] in statuses
            ]
        return self._clocks(statuses, department, None)

    def _clocks(
        self, statuses: Collection[str] | None, department: str | None, case_nos: list[str] | None
    ) -> list[dict[str, Any]]:
        record = cases.c.record
        query = select(
            cases.c.case_no,
            cases.c.item_code,
            cases.c.instance_id,
            cases.c.department,
            cases.c.window,
            cases.c.status,
            record["accepted_at"].as_string().label("accepted_at"),
            record["promised_days"].as_integer().label("promised_days"),
            # as JSON text: nearly always "[]", which the caller need not parse
            record["pauses"].as_string().label("pauses"),
            record["extensions"].as_string().label("extensions"),
        )
        if statuses is not None:
            query = query.where(cases.c.status.in_(sorted(statuses)))
        if department is not None:
            query = query.where(cases.c.department == department)
        if case_nos is not None:
            query = query.where(cases.c.case_no.in_(case_nos))
        return _rows(self._conn.execute(query))

    def task_load(self) -> list[tuple[str | None, str | None, int, datetime]]:
        """Ready human tasks per (department, window of their case; NULL: not a case's): how many and since when
        the oldest waits. One index-only scan of ix_human_tasks_ready_board, in its order (no sort): the task
        rows carry their case's window (migration 0022), so ``cases`` is not joined."""
        query = (
            select(human_tasks.c.department, human_tasks.c.window, func.count(), func.min(human_tasks.c.created_at))
            .where(human_tasks.c.state == READY)
            .group_by(human_tasks.c.department, human_tasks.c.window)
        )
        return [
            (department, window, int(n), _utc(oldest)) for department, window, n, oldest in self._conn.execute(query)
        ]

    def fill_task_windows(self) -> int:
        """Give ready tasks written without their window (straight into the database: a benchmark's bulk insert)
        their case's window; how many. The services write it with the task (InstanceRepository.insert_tasks)."""
        window = select(cases.c.window).where(cases.c.instance_id == human_tasks.c.instance_id).limit(1)
        query = (
            update(human_tasks)
            .where(
                human_tasks.c.state == READY,
                human_tasks.c.window.is_(None),
                exists(window.where(cases.c.window.is_not(None))),
            )
            .values(window=window.scalar_subquery())
        )
        return int(self._conn.execute(query).rowcount or 0)

    def ready_tasks_of(self, instance_ids: Collection[int]) -> list[dict[str, Any]]:
        """The ready tasks of the given instances (the current step and its handler), oldest first. The state is
        checked here: in SQL it would lead the planner to the index of all ready tasks instead of the instances'."""
        if not instance_ids:
            return []
        query = (
            select(
                human_tasks.c.task_id,
                human_tasks.c.instance_id,
                human_tasks.c.name,
                human_tasks.c.role,
                human_tasks.c.department,
                human_tasks.c.claimed_by,
                human_tasks.c.created_at,
                human_tasks.c.due_at,
                human_tasks.c.state,
            )
            .where(human_tasks.c.instance_id.in_(sorted(instance_ids)))
            .order_by(human_tasks.c.created_at)
        )
        return [row for row in _rows(self._conn.execute(query)) if row["state"] == READY]

    def items_by_code(self, codes: Collection[str]) -> dict[str, dict[str, Any]]:
        """Name, department, statutory limit and guide (its ``warning`` thresholds) of the given items."""
        if not codes:
            return {}
        query = select(items.c.code, items.c.name, items.c.department, items.c.statutory_days, items.c.guide).where(
            items.c.code.in_(sorted(codes))
        )
        return {row["code"]: row for row in _rows(self._conn.execute(query))}

    def display_names(self, usernames: Collection[str]) -> dict[str, str]:
        if not usernames:
            return {}
        query = select(users.c.username, users.c.display_name).where(users.c.username.in_(sorted(usernames)))
        return {username: name for username, name in self._conn.execute(query)}

    def violations_of_kind(self, kind: str, year: int, limit: int | None = None) -> list[dict[str, Any]]:
        """The year's entries of ``kind``, latest first (at most ``limit``)."""
        query = (
            select(violations)
            .where(violations.c.kind == kind, violations.c.year == year)
            .order_by(violations.c.at.desc(), violations.c.id.desc())
            .limit(limit)
        )
        return _rows(self._conn.execute(query))

    def count_violations_of_kind(self, kind: str, year: int) -> int:
        query = select(func.count()).where(violations.c.kind == kind, violations.c.year == year)
        return int(self._conn.execute(query).scalar_one())

    def decided_candidates(self, start: datetime, end: datetime, statuses: Collection[str]) -> list[dict[str, Any]]:
        """Cases that may have been decided in [start, end): in a decided status, accepted before ``end`` and
        completed (if at all) from ``start`` on (a decision precedes completion). The exact decision instant is
        in the record; the caller filters on it."""
        query = (
            select(*_CASE_COLUMNS, cases.c.completed_at)
            .where(
                cases.c.status.in_(sorted(statuses)),
                cases.c.accepted_at.is_not(None),
                cases.c.accepted_at < end,
                or_(cases.c.completed_at.is_(None), cases.c.completed_at >= start),
            )
            .order_by(cases.c.case_no)
        )
        return _rows(self._conn.execute(query))


def _utc(value: Any) -> datetime:
    """An aggregate may come back without the column type's processing (naive UTC): read it back as UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
