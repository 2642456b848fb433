"""Consultations and rule violations in SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from engine.domain.consultations import Consultation, Outcome
from engine.persistence.tables import consultations, violations

_FIELDS = [c.name for c in consultations.c if c.name != "id"]


def _consultation(row: Any) -> Consultation:
    m = dict(row._mapping)
    m["outcome"] = Outcome(m["outcome"])
    return Consultation(**m)


class ConsultationRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, record: Consultation) -> int:
        values = {name: getattr(record, name) for name in _FIELDS}
        values["outcome"] = record.outcome.value
        return int(
            self._conn.execute(insert(consultations).values(**values).returning(consultations.c.id)).scalar_one()
        )

    def get(self, consultation_id: int, *, for_update: bool = False) -> Consultation | None:
        query = select(consultations).where(consultations.c.id == consultation_id)
        row = self._conn.execute(query.with_for_update() if for_update else query).first()
        return _consultation(row) if row else None

    def save(self, record: Consultation) -> None:
        values = {name: getattr(record, name) for name in _FIELDS}
        values["outcome"] = record.outcome.value
        self._conn.execute(update(consultations).where(consultations.c.id == record.id).values(**values))

    def breached(self, now: datetime, limit: int = 500) -> list[Consultation]:
        """Open transfers past their follow-up time, locked (several schedulers may scan at once)."""
        query = (
            select(consultations)
            .where(
                consultations.c.closed_at.is_(None),
                consultations.c.violation_at.is_(None),
                consultations.c.follow_up_due <= now,
            )
            .order_by(consultations.c.follow_up_due)
            .limit(limit)
        )
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [_consultation(r) for r in self._conn.execute(query)]

    def mark_violation(self, consultation_id: int, at: datetime) -> bool:
        """Set the violation time only if the row is still open and unmarked (a close may have won the race)."""
        result = self._conn.execute(
            update(consultations)
            .where(
                consultations.c.id == consultation_id,
                consultations.c.violation_at.is_(None),
                consultations.c.closed_at.is_(None),
            )
            .values(violation_at=at)
        )
        return bool(result.rowcount == 1)

    def recent(
        self,
        *,
        open_only: bool = False,
        departments: frozenset[str] | None = None,
        username: str | None = None,
        limit: int = 100,
    ) -> list[Consultation]:
        """Newest first; when ``departments`` is given, only transfers to those departments and the inquiries
        ``username`` answered first."""
        query = select(consultations).order_by(consultations.c.asked_at.desc()).limit(limit)
        if open_only:
            query = query.where(consultations.c.closed_at.is_(None))
        if departments is not None:
            query = query.where(
                or_(
                    consultations.c.transferred_to.in_(sorted(departments)), consultations.c.first_responder == username
                )
            )
        return [_consultation(r) for r in self._conn.execute(query)]

    def count_between(self, start: datetime, end: datetime) -> int:
        return int(
            self._conn.execute(
                select(func.count())
                .select_from(consultations)
                .where(and_(consultations.c.asked_at >= start, consultations.c.asked_at < end))
            ).scalar_one()
        )


class ViolationRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(
        self,
        kind: str,
        username: str,
        department: str | None,
        at: datetime,
        year: int,
        veto: bool,
        reference: str,
        details: dict[str, Any],
    ) -> int:
        result = self._conn.execute(
            insert(violations)
            .values(
                kind=kind,
                username=username,
                department=department,
                at=at,
                year=year,
                veto=veto,
                reference=reference,
                details=details,
            )
            .returning(violations.c.id)
        )
        return int(result.scalar_one())

    def for_year(self, year: int) -> list[dict[str, Any]]:
        rows = self._conn.execute(select(violations).where(violations.c.year == year).order_by(violations.c.at))
        return [dict(r._mapping) for r in rows]
