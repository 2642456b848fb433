"""The reads behind the statistics (domain §10): cases and dated records of a period, filtered in SQL first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, select

from engine.persistence.tables import cases, complaints, consultations, evaluations, items, violations, warnings

_CHUNK = 500  # case numbers per IN (...) list
#: decided (准予/不予许可) and waiting for delivery: 办结 although ``completed_at`` is still empty
DECIDED_WAITING = ("approved", "refused")


def _case_query() -> Select[Any]:
    return select(
        cases.c.case_no,
        cases.c.item_code,
        items.c.type.label("item_type"),
        cases.c.department,
        cases.c.window,
        cases.c.channel,
        cases.c.created_by,
        cases.c.status,
        cases.c.received_at,
        cases.c.accepted_at,
        cases.c.due_at,
        cases.c.completed_at,
        cases.c.record,
    ).join(items, items.c.code == cases.c.item_code)


class StatsRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def _rows(self, query: Any) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in self._conn.execute(query)]

    def cases_touching(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """Cases that may count in [since, until): the cohort (received in it) and, for the flow figures, older
        cases accepted in it or 办结 in it. The 办结 instant is the decision (in the record), which comes before
        ``completed_at`` (delivery), so an older case can be 办结 in the period only if it was accepted and is
        completed after the period's start, or decided and still waiting for delivery. An old case still open
        before its decision, or one that never got accepted, is not read: it counts for nothing.

        Read as bounded index ranges, one query each (a single OR over them made the planner walk every case
        received before ``until``: at a million cases, most of the table): the cohort on ``received_at``, older
        cases accepted in the period on ``accepted_at``, older ones completed in or after it on ``completed_at``
        (its index carries ``received_at``, so the long tail completed after the period is filtered in the
        index), and those decided but not yet delivered on ``status``. A case found twice is kept once."""
        c = cases.c
        older = (c.received_at < since) & c.accepted_at.is_not(None)
        parts = (
            (c.received_at >= since) & (c.received_at < until),
            older & (c.accepted_at >= since) & (c.accepted_at < until),
            older & (c.completed_at >= since) & (c.completed_at < until),
            older & (c.completed_at >= until),
            older & c.completed_at.is_(None) & c.status.in_(DECIDED_WAITING),
        )
        found: dict[str, dict[str, Any]] = {}
        for part in parts:
            for row in self._rows(_case_query().where(part)):
                found.setdefault(row["case_no"], row)
        return list(found.values())

    def cases_by_number(self, case_nos: Iterable[str]) -> list[dict[str, Any]]:
        wanted = sorted(set(case_nos))
        found: list[dict[str, Any]] = []
        for start in range(0, len(wanted), _CHUNK):
            found += self._rows(_case_query().where(cases.c.case_no.in_(wanted[start : start + _CHUNK])))
        return found

    def evaluated_case_nos(self, since: datetime, until: datetime) -> set[str]:
        """Cases received in [since, until) with at least one rating (given at any time)."""
        query = (
            select(evaluations.c.case_no)
            .distinct()
            .join(cases, cases.c.case_no == evaluations.c.case_no)
            .where(cases.c.received_at >= since, cases.c.received_at < until)
        )
        return {row.case_no for row in self._conn.execute(query)}

    def consultations_between(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        c = consultations.c
        query = select(c.channel, c.asked_at, c.first_responder, c.department, c.transferred_to, c.item_code)
        return self._rows(query.where(c.asked_at >= since, c.asked_at < until))

    def evaluations_between(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        e = evaluations.c
        query = select(e.case_no, e.level, e.evaluated_at, e.department, e.window, e.handled_by, e.excluded)
        return self._rows(query.where(e.evaluated_at >= since, e.evaluated_at < until))

    def complaints_between(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        c = complaints.c
        query = select(c.department, c.case_no, c.received_at, c.closed_at)
        return self._rows(query.where(c.received_at >= since, c.received_at < until))

    def violations_between(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        v = violations.c
        query = select(v.kind, v.username, v.department, v.at, v.reference, v.details)
        return self._rows(query.where(v.at >= since, v.at < until))

    def warnings_between(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """Yellow and red cards issued in [since, until), with their status now (revoked or not)."""
        w = warnings.c
        query = select(w.case_no, w.item_code, w.department, w.handler, w.level, w.status, w.issued_at)
        return self._rows(query.where(w.issued_at >= since, w.issued_at < until))
