"""Satisfaction questionnaires (满意度问卷) and their responses in SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from engine.persistence.tables import survey_responses, surveys


class SurveyRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, row: dict[str, Any]) -> int:
        return int(self._conn.execute(insert(surveys).values(**row).returning(surveys.c.id)).scalar_one())

    def get(self, survey_id: int) -> dict[str, Any] | None:
        row = self._conn.execute(select(surveys).where(surveys.c.id == survey_id)).first()
        return dict(row._mapping) if row else None

    def update(self, survey_id: int, **values: Any) -> None:
        self._conn.execute(update(surveys).where(surveys.c.id == survey_id).values(**values))

    def all(self, *, status: str | None = None) -> list[dict[str, Any]]:
        counted = (
            select(survey_responses.c.survey_id, func.count().label("responses"))
            .group_by(survey_responses.c.survey_id)
            .subquery()
        )
        query = (
            select(surveys, func.coalesce(counted.c.responses, 0).label("responses"))
            .select_from(surveys.outerjoin(counted, counted.c.survey_id == surveys.c.id))
            .order_by(surveys.c.created_at.desc(), surveys.c.id.desc())
        )
        if status:
            query = query.where(surveys.c.status == status)
        return [dict(r._mapping) for r in self._conn.execute(query)]

    def add_response(self, row: dict[str, Any]) -> int:
        result = self._conn.execute(insert(survey_responses).values(**row).returning(survey_responses.c.id))
        return int(result.scalar_one())

    def responses(self, survey_id: int) -> list[dict[str, Any]]:
        query = (
            select(survey_responses)
            .where(survey_responses.c.survey_id == survey_id)
            .order_by(survey_responses.c.at, survey_responses.c.id)
        )
        return [dict(r._mapping) for r in self._conn.execute(query)]
