"""Evaluations (好差评) and complaints in SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import IntegrityError

from engine.errors import ConcurrencyConflict
from engine.persistence.tables import complaints, evaluations


class AlreadyEvaluated(ConcurrencyConflict):
    """The case already has a rating for this stage and channel (the unique key said so)."""


class FeedbackRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- evaluations ---------------------------------------------------------------------------------------
    def evaluation_exists(self, case_no: str, stage: str, channel: str) -> bool:
        query = select(evaluations.c.id).where(
            evaluations.c.case_no == case_no, evaluations.c.stage == stage, evaluations.c.channel == channel
        )
        return self._conn.execute(query).first() is not None

    def add_evaluation(self, row: dict[str, Any]) -> int:
        """Insert one rating; a concurrent second one for the same case, stage and channel raises
        AlreadyEvaluated (the transaction is then spoilt on PostgreSQL, so the caller must not go on)."""
        try:
            result = self._conn.execute(insert(evaluations).values(**row).returning(evaluations.c.id))
        except IntegrityError as exc:
            raise AlreadyEvaluated("该办件本阶段已评价 / already evaluated") from exc
        return int(result.scalar_one())

    def evaluations(
        self,
        *,
        department: str | None = None,
        stage: str | None = None,
        bad_only: bool = False,
        case_no: str | None = None,
        limit: int = 200,
    ) -> list[dict[str, Any]]:
        query = select(evaluations).order_by(evaluations.c.evaluated_at.desc(), evaluations.c.id.desc()).limit(limit)
        if department:
            query = query.where(evaluations.c.department == department)
        if stage:
            query = query.where(evaluations.c.stage == stage)
        if bad_only:
            query = query.where(evaluations.c.needs_rectification.is_(True))
        if case_no:
            query = query.where(evaluations.c.case_no == case_no)
        return [dict(r._mapping) for r in self._conn.execute(query)]

    def levels(self, *, department: str | None = None, stage: str | None = None) -> list[int]:
        """Every rating's level under the same filters, for the summary (not limited like the list)."""
        query = select(evaluations.c.level)
        if department:
            query = query.where(evaluations.c.department == department)
        if stage:
            query = query.where(evaluations.c.stage == stage)
        return [int(level) for (level,) in self._conn.execute(query)]

    # -- complaints ----------------------------------------------------------------------------------------
    def next_complaint_sequence(self, prefix: str) -> int:
        """The next sequence for complaint numbers starting with ``prefix`` (TS-yyyy-).

        On PostgreSQL a transaction-scoped advisory lock on the prefix makes concurrent filings take turns
        (SQLite's writers already do: they begin IMMEDIATE); the unique number is the last safeguard."""
        if self._conn.dialect.name == "postgresql":
            self._conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"complaint:{prefix}"))))
        last = self._conn.execute(
            select(func.max(complaints.c.number)).where(complaints.c.number.startswith(prefix, autoescape=True))
        ).scalar_one()
        return int(str(last)[len(prefix) :]) + 1 if last else 1

    def add_complaint(self, row: dict[str, Any]) -> int:
        result = self._conn.execute(insert(complaints).values(**row).returning(complaints.c.id))
        return int(result.scalar_one())

    def complaints(
        self, *, status: str | None = None, category: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        query = select(complaints).order_by(complaints.c.received_at.desc(), complaints.c.id.desc()).limit(limit)
        if status:
            query = query.where(complaints.c.status == status)
        if category:
            query = query.where(complaints.c.category == category)
        return [dict(r._mapping) for r in self._conn.execute(query)]

    def complaint(self, number: str) -> dict[str, Any] | None:
        row = self._conn.execute(select(complaints).where(complaints.c.number == number)).first()
        return dict(row._mapping) if row else None
