"""The statements of a case step's hot path (cases, items, notices, warning cards and timers), each built once
and bound at execution.

Building a SQLAlchemy Core statement (``select(...).where(col == value)``, ``update(...).values(**row)``) coerces
every element anew on each call: 35–60 µs a statement, more than SQLite takes to run it. A statement built once
with ``bindparam`` placeholders runs from SQLAlchemy's compiled cache; an INSERT or UPDATE without ``.values()``
takes its columns from the parameters given to ``execute`` (so the placeholders of the WHERE clause are named
``b_…``, never a column's name). Built on first use, not at import.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from engine.persistence.tables import (
    cases,
    departments,
    items,
    notices,
    user_roles,
    users,
    warning_timers,
    warnings,
)


@functools.cache
def case_by_no(for_update: bool) -> Any:
    query = select(cases).where(cases.c.case_no == bindparam("b_case_no"))
    return query.with_for_update() if for_update else query


@functools.cache
def case_by_instance() -> Any:
    return select(cases).where(cases.c.instance_id == bindparam("b_instance_id"))


@functools.cache
def case_insert() -> Any:
    return insert(cases)


@functools.cache
def case_update() -> Any:
    """SET the columns given; WHERE the case (parameter ``b_case_no``)."""
    return update(cases).where(cases.c.case_no == bindparam("b_case_no"))


@functools.cache
def case_save() -> Any:
    """SET the columns given; WHERE the case at the version saved from (``b_case_no``, ``b_row_version``)."""
    return update(cases).where(
        cases.c.case_no == bindparam("b_case_no"), cases.c.row_version == bindparam("b_row_version")
    )


@functools.cache
def item_with_department() -> Any:
    return (
        select(items, departments.c.name.label("department_name"))
        .select_from(items.outerjoin(departments, departments.c.code == items.c.department))
        .where(items.c.code == bindparam("b_code"))
    )


@functools.cache
def newest_notice_number() -> Any:
    return (
        select(notices.c.number)
        .where(notices.c.kind == bindparam("b_kind"), notices.c.number.contains(bindparam("b_year_mark")))
        .order_by(notices.c.id.desc())
        .limit(1)
    )


@functools.cache
def notice_insert() -> Any:
    return insert(notices).returning(notices.c.id)


@functools.cache
def issued_triggers() -> Any:
    return select(warnings.c.trigger).where(warnings.c.case_no == bindparam("b_case_no"), warnings.c.step == "")


@functools.cache
def warning_timers_delete() -> Any:
    return delete(warning_timers).where(warning_timers.c.case_no == bindparam("b_case_no"))


@functools.cache
def warning_timers_insert() -> Any:
    return insert(warning_timers)


@functools.cache
def warning_insert() -> Any:
    return insert(warnings).returning(warnings.c.id)


@functools.cache
def warning_update() -> Any:
    return update(warnings).where(warnings.c.id == bindparam("b_id"))


@functools.cache
def warning_timer_take() -> Any:
    return delete(warning_timers).where(
        warning_timers.c.case_no == bindparam("b_case_no"), warning_timers.c.trigger == bindparam("b_trigger")
    )


@functools.cache
def holders(in_department: bool) -> Any:
    """Active holders of a role (``b_role``), in one department (``b_department``) when asked."""
    query = (
        select(users.c.username)
        .join(user_roles, users.c.id == user_roles.c.user_id)
        .where(users.c.active.is_(True), user_roles.c.role == bindparam("b_role"))
        .order_by(users.c.username)
        .distinct()
    )
    return query.where(user_roles.c.department == bindparam("b_department")) if in_department else query


@functools.cache
def advisory_lock() -> Any:
    """PostgreSQL: a lock named ``b_key`` until the transaction ends."""
    return select(func.pg_advisory_xact_lock(func.hashtext(bindparam("b_key"))))


@functools.cache
def case_numbers_counted() -> Any:
    """How many case numbers start with ``b_prefix`` (LIKE-escaped with ``/``, see ``like_prefix``).

    A case number is the prefix and four digits, so every one of them lies between ``b_low`` (prefix + 0000) and
    ``b_high`` (prefix + 9999) in any collation: that range lets the primary key answer, where a LIKE alone read
    every case number (SQLite does not use an index for LIKE … ESCAPE; PostgreSQL not under a locale collation);
    the LIKE keeps the count exact should a collation let another number into the range."""
    return (
        select(func.count())
        .select_from(cases)
        .where(
            cases.c.case_no >= bindparam("b_low"),
            cases.c.case_no <= bindparam("b_high"),
            cases.c.case_no.startswith(bindparam("b_prefix"), escape="/"),
        )
    )


def like_prefix(prefix: str) -> str:
    """``prefix`` with LIKE's wildcards (and the escape character) escaped by ``/``."""
    return prefix.replace("/", "//").replace("%", "/%").replace("_", "/_")


@functools.cache
def warning_insert_once(dialect: str) -> Any:
    """Insert a card unless its case, trigger and step already have one (the table's unique key): RETURNING
    gives its id, or no row when it was there already."""
    if dialect not in ("postgresql", "sqlite"):
        raise ValueError(f"no insert-or-nothing for the {dialect} dialect")
    module = postgresql if dialect == "postgresql" else sqlite
    keys = [warnings.c.case_no, warnings.c.trigger, warnings.c.step]
    return module.insert(warnings).on_conflict_do_nothing(index_elements=keys).returning(warnings.c.id)
