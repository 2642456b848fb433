"""Bad-review work orders (差评工单) in SQL, and the evaluation's exclusion flag an upheld appeal sets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from engine.persistence.tables import cases, evaluations, rectifications


class RectificationRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, row: dict[str, Any]) -> int:
        result = self._conn.execute(insert(rectifications).values(**row).returning(rectifications.c.id))
        return int(result.scalar_one())

    def get(self, order_id: int) -> dict[str, Any] | None:
        found = self.listed(order_id=order_id, limit=1)
        return found[0] if found else None

    def for_instance(self, instance_id: int) -> dict[str, Any] | None:
        return self._one(select(rectifications).where(rectifications.c.instance_id == instance_id))

    def awaiting_rating(self, case_no: str) -> dict[str, Any] | None:
        """The case's oldest work order fed back and not yet rated by the evaluator."""
        query = (
            select(rectifications)
            .where(rectifications.c.case_no == case_no, rectifications.c.status == "rating")
            .order_by(rectifications.c.id)
            .limit(1)
        )
        return self._one(query)

    def update(self, order_id: int, **values: Any) -> None:
        self._conn.execute(update(rectifications).where(rectifications.c.id == order_id).values(**values))

    def link_evaluation(self, evaluation_id: int, instance_id: int) -> None:
        self._conn.execute(update(evaluations).where(evaluations.c.id == evaluation_id).values(instance_id=instance_id))

    def exclude_evaluation(self, evaluation_id: int, at: datetime) -> None:
        self._conn.execute(
            update(evaluations).where(evaluations.c.id == evaluation_id).values(excluded=True, excluded_at=at)
        )

    def listed(
        self,
        *,
        departments: list[str] | None = None,
        status: str | None = None,
        order_id: int | None = None,
        limit: int = 200,
    ) -> list[dict[str, Any]]:
        """Newest first, with the rating's level, stage and comment and the case's applicant (whom the call back
        reaches; the service masks them); ``departments`` None: every department."""
        r, e = rectifications.c, evaluations.c
        query = (
            select(
                rectifications, e.level, e.stage, e.channel, e.comment, e.evaluated_at, e.excluded, cases.c.applicant
            )
            .join(evaluations, e.id == r.evaluation_id)
            .join(cases, cases.c.case_no == r.case_no)
            .order_by(r.issued_at.desc(), r.id.desc())
            .limit(limit)
        )
        if departments is not None:
            query = query.where(r.department.in_(departments))
        if status:
            query = query.where(r.status == status)
        if order_id is not None:
            query = query.where(r.id == order_id)
        return [dict(row._mapping) for row in self._conn.execute(query)]

    def between(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """The work orders of bad reviews given in [since, until), for the call-back and rectification rates."""
        r, e = rectifications.c, evaluations.c
        query = (
            select(
                r.case_no,
                r.department,
                r.callback_due_at,
                r.called_back_at,
                r.due_at,
                r.feedback_at,
                e.evaluated_at,
                e.window,
                e.handled_by,
                e.excluded,
            )  # fmt: skip
            .join(evaluations, e.id == r.evaluation_id)
            .where(e.evaluated_at >= since, e.evaluated_at < until)
        )
        return [dict(row._mapping) for row in self._conn.execute(query)]

    def _one(self, query: Any) -> dict[str, Any] | None:
        row = self._conn.execute(query).first()
        return dict(row._mapping) if row else None
