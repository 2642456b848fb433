"""The stored colour schedule of open cases (``case_colours``): write one case's row or all of them, count the
colours at an instant per department and window (one scan of a covering index), and pick the worst cases of
given colours a page at a time (in deadline order along an index), so the board reads only the rows it lists."""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    bindparam,
    case,
    delete,
    false,
    func,
    insert,
    select,
    true,
    update,
)

from engine.persistence.tables import TS, case_colours

COLOURS = ("green", "yellow", "red", "overdue")
_C = case_colours.c
#: the board's instant, bound at execution: the statements below are built (and their cache keys made) once
_NOW = bindparam("now", type_=TS)


def _reached(column: Any, now: Any) -> ColumnElement[bool]:
    return column.is_not(None) & (column <= now)


def colour_is(colour: str, now: Any = _NOW) -> ColumnElement[bool]:
    """Rows showing ``colour`` at ``now``: the latest threshold passed wins (NULL: never passed)."""
    overdue, red, yellow = _reached(_C.overdue_at, now), _reached(_C.red_at, now), _reached(_C.yellow_at, now)
    if colour == "overdue":
        return overdue
    if colour == "red":
        return ~overdue & red
    if colour == "yellow":
        return ~overdue & ~red & yellow
    return ~overdue & ~red & ~yellow


@functools.cache
def _counts_query() -> Select[Any]:
    return select(
        _C.department,
        _C.window,
        func.count(),
        func.count(case((_C.yellow_at <= _NOW, 1))),
        func.count(case((_C.red_at <= _NOW, 1))),
        func.count(case((_C.overdue_at <= _NOW, 1))),
    ).group_by(_C.department, _C.window)


@functools.cache
def _worst_query(paused: bool, colour: str, of_department: bool) -> Select[Any]:
    # one order for both kinds along one index: a running clock has no remaining_days, a stopped one no rank_day
    query = (
        select(_C.case_no)
        .where(_C.paused == (true() if paused else false()), colour_is(colour))
        .order_by(_C.rank_day, _C.remaining_days, _C.case_no)
        .limit(bindparam("limit"))
    )
    return query.where(_C.department == bindparam("department")) if of_department else query


@functools.cache
def _put_update() -> Any:
    return update(case_colours).where(_C.case_no == bindparam("b_case_no"))


@functools.cache
def _put_insert() -> Any:
    return insert(case_colours)


@functools.cache
def _drop() -> Any:
    return delete(case_colours).where(_C.case_no == bindparam("b_case_no"))


class CaseColourRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- writing ----------------------------------------------------------------------------------------------
    def lock(self) -> None:
        """Hold off every other writer of the table until the transaction ends (PostgreSQL; SQLite's writers take
        turns already), so a rebuild that read the cases cannot overwrite a newer row of a case changed since."""
        if self._conn.dialect.name == "postgresql":
            self._conn.exec_driver_sql("LOCK TABLE case_colours IN EXCLUSIVE MODE")

    def put(self, row: dict[str, Any]) -> None:
        """Insert or replace one case's schedule (an UPDATE first: the common case is a row already there). Both
        statements are built once; their columns come from the parameters."""
        values = {k: v for k, v in row.items() if k != "case_no"}
        done = self._conn.execute(_put_update(), {**values, "b_case_no": row["case_no"]})
        if done.rowcount == 0:
            self._conn.execute(_put_insert(), row)

    def drop(self, case_no: str) -> None:
        self._conn.execute(_drop(), {"b_case_no": case_no})

    def replace_all(self, rows: Iterable[dict[str, Any]], batch: int = 5000) -> int:
        """Every row anew (the rebuild), in bulk inserts of ``batch`` rows."""
        self._conn.execute(delete(case_colours))
        written, chunk = 0, []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                self._conn.execute(insert(case_colours), chunk)
                written, chunk = written + len(chunk), []
        if chunk:
            self._conn.execute(insert(case_colours), chunk)
            written += len(chunk)
        return written

    def get(self, case_no: str) -> dict[str, Any] | None:
        row = self._conn.execute(select(case_colours).where(_C.case_no == case_no)).first()
        return dict(row._mapping) if row else None

    def all(self) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in self._conn.execute(select(case_colours).order_by(_C.case_no))]

    # -- the board ----------------------------------------------------------------------------------------------
    def counts(self, now: datetime) -> list[tuple[str, str | None, dict[str, int]]]:
        """(department, window, {colour: how many}) at ``now``, counted by the database in one scan of the
        covering index. The schedule is monotone (yellow_at <= red_at <= overdue_at, NULL: never), so "yellow
        or worse" is ``yellow_at <= now`` (NULL compares to nothing: not counted) and so on."""
        found = []
        for department, window, n, yellow_up, red_up, overdue in self._conn.execute(_counts_query(), {"now": now}):
            by_colour = {"green": n - yellow_up, "yellow": yellow_up - red_up, "red": red_up - overdue}
            found.append((department, window, {**by_colour, "overdue": int(overdue)}))
        return found

    def count(self, now: datetime, colours: Collection[str], department: str | None = None) -> int:
        query = select(func.count()).select_from(case_colours).where(_any_of(colours, now))  # a paged list: rare
        if department is not None:
            query = query.where(_C.department == department)
        return int(self._conn.execute(query).scalar_one())

    def worst(self, now: datetime, colours: Collection[str], limit: int, department: str | None = None) -> list[str]:
        """Case numbers that include the ``limit`` worst of ``colours`` at ``now`` (worst colour first, then the
        fewest working days left, then the case number): per colour, the running clocks by rank day (their
        days left grow with it, engine/domain/colour_schedule.py) and the stopped ones by their fixed days left.
        The caller reads these few clocks and orders them exactly."""
        found: list[str] = []
        for paused in (False, True):
            wanted = limit
            for colour in ("overdue", "red", "yellow", "green"):
                if colour not in colours or wanted <= 0:
                    continue
                query = _worst_query(paused, colour, department is not None)
                values = {"now": now, "limit": wanted, "department": department}
                chosen = list(self._conn.execute(query, values).scalars())
                found += chosen
                wanted -= len(chosen)
        return found


def _any_of(colours: Collection[str], now: datetime) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = false()
    for colour in colours:
        condition = condition | colour_is(colour, now)
    return condition
