"""Key projects of the fast track in SQL: the project rows, their department reviews and their events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from engine.errors import ConcurrentUpdate
from engine.persistence.repositories.cases import _serialise
from engine.persistence.tables import key_projects, project_events, project_reviews


class ProjectRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- projects ------------------------------------------------------------------------------------------
    def next_number(self, year: int) -> int:
        """The next serial of ``KP-<year>-NNN``; concurrent registrations take turns (see CaseRepository)."""
        prefix = f"KP-{year}-"
        _serialise(self._conn, f"project:{prefix}")
        count = self._conn.execute(
            select(func.count()).select_from(key_projects).where(key_projects.c.code.startswith(prefix))
        ).scalar_one()
        return int(count) + 1

    def add(self, row: dict[str, Any]) -> None:
        self._conn.execute(insert(key_projects).values(**row, row_version=1))

    def get(self, code: str, *, for_update: bool = False) -> dict[str, Any] | None:
        query = select(key_projects).where(key_projects.c.code == code)
        if for_update:
            query = query.with_for_update()
        row = self._conn.execute(query).first()
        return dict(row._mapping) if row else None

    def for_instance(self, instance_id: int) -> dict[str, Any] | None:
        row = self._conn.execute(select(key_projects).where(key_projects.c.instance_id == instance_id)).first()
        return dict(row._mapping) if row else None

    def set_instance(self, code: str, instance_id: int) -> None:
        self._conn.execute(update(key_projects).where(key_projects.c.code == code).values(instance_id=instance_id))

    def save(self, code: str, row_version: int, values: dict[str, Any]) -> None:
        """Update a project; ConcurrentUpdate when another transaction changed it since it was read."""
        result = self._conn.execute(
            update(key_projects)
            .where(key_projects.c.code == code, key_projects.c.row_version == row_version)
            .values(**values, row_version=row_version + 1)
        )
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"project {code} was changed by somebody else; reload and retry")

    def listing(
        self, statuses: Sequence[str] | None = None, departments: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        """Projects, newest first; optionally only some statuses, or only those reviewed by some departments."""
        query = select(key_projects).order_by(key_projects.c.received_at.desc(), key_projects.c.code.desc())
        if statuses is not None:
            query = query.where(key_projects.c.status.in_(list(statuses)))
        if departments is not None:
            involved = select(project_reviews.c.project_code).where(project_reviews.c.department.in_(list(departments)))
            query = query.where(key_projects.c.code.in_(involved))
        return [dict(r._mapping) for r in self._conn.execute(query)]

    # -- department reviews --------------------------------------------------------------------------------
    def add_review(self, row: dict[str, Any]) -> None:
        self._conn.execute(insert(project_reviews).values(**row))

    def reviews(self, codes: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """Each project's reviews, in the order they were triaged (by item code within a project)."""
        found: dict[str, list[dict[str, Any]]] = {code: [] for code in codes}
        if not codes:
            return found
        query = (
            select(project_reviews)
            .where(project_reviews.c.project_code.in_(list(codes)))
            .order_by(project_reviews.c.project_code, project_reviews.c.item_code)
        )
        for row in self._conn.execute(query):
            found[row.project_code].append(dict(row._mapping))
        return found

    def review_for_case(self, case_no: str) -> dict[str, Any] | None:
        row = self._conn.execute(select(project_reviews).where(project_reviews.c.case_no == case_no)).first()
        return dict(row._mapping) if row else None

    def update_review(self, project_code: str, item_code: str, values: dict[str, Any]) -> None:
        self._conn.execute(
            update(project_reviews)
            .where(project_reviews.c.project_code == project_code, project_reviews.c.item_code == item_code)
            .values(**values)
        )

    # -- events --------------------------------------------------------------------------------------------
    def add_event(self, row: dict[str, Any]) -> None:
        self._conn.execute(insert(project_events).values(**row))

    def events(self, code: str) -> list[dict[str, Any]]:
        query = select(project_events).where(project_events.c.project_code == code).order_by(project_events.c.id)
        return [dict(r._mapping) for r in self._conn.execute(query)]
