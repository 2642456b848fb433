"""Window patrols (巡查) and reads of the accountability ledger (``violations``) in SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from engine.persistence.tables import complaints, patrols, violations


class AccountabilityRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- patrols -------------------------------------------------------------------------------------------
    def lock_year(self, year: int) -> None:
        """Patrol findings of one year take turns (PostgreSQL advisory lock; SQLite's writers already do), so
        two findings never get the same ladder step or document number; the unique number is the last guard."""
        if self._conn.dialect.name == "postgresql":
            self._conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"patrols:{year}"))))

    def findings_count(self, department: str, year: int) -> int:
        """The department's patrol findings in the year (a patrol that found nothing is no finding)."""
        query = (
            select(func.count())
            .select_from(patrols)
            .where(patrols.c.department == department, patrols.c.year == year, patrols.c.category.is_not(None))
        )
        return int(self._conn.execute(query).scalar_one())

    def documents_count(self, year: int) -> int:
        query = (
            select(func.count())
            .select_from(patrols)
            .where(patrols.c.year == year, patrols.c.document_number.is_not(None))
        )
        return int(self._conn.execute(query).scalar_one())

    def add_patrol(self, row: dict[str, Any]) -> int:
        return int(self._conn.execute(insert(patrols).values(**row).returning(patrols.c.id)).scalar_one())

    def set_patrol(self, patrol_id: int, **values: Any) -> None:
        self._conn.execute(update(patrols).where(patrols.c.id == patrol_id).values(**values))

    def patrol(self, patrol_id: int) -> dict[str, Any] | None:
        row = self._conn.execute(select(patrols).where(patrols.c.id == patrol_id)).first()
        return dict(row._mapping) if row else None

    def patrols(
        self, *, year: int | None = None, departments: frozenset[str] | None = None, limit: int = 500
    ) -> list[dict[str, Any]]:
        query = select(patrols).order_by(patrols.c.at.desc(), patrols.c.id.desc()).limit(limit)
        if year is not None:
            query = query.where(patrols.c.year == year)
        if departments is not None:
            query = query.where(patrols.c.department.in_(sorted(departments)))
        return [dict(r._mapping) for r in self._conn.execute(query)]

    # -- the ledger ----------------------------------------------------------------------------------------
    def entries(
        self,
        *,
        year: int | None = None,
        kind: str | None = None,
        username: str | None = None,
        departments: frozenset[str] | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Ledger rows, newest first, under the filters; ``departments`` limits to those departments' rows."""
        query = select(violations).order_by(violations.c.at.desc(), violations.c.id.desc())
        if year is not None:
            query = query.where(violations.c.year == year)
        if kind:
            query = query.where(violations.c.kind == kind)
        if username:
            query = query.where(violations.c.username == username)
        if departments is not None:
            query = query.where(violations.c.department.in_(sorted(departments)))
        if limit is not None:
            query = query.limit(limit)
        return [dict(r._mapping) for r in self._conn.execute(query)]

    def entry_for(self, reference: str) -> dict[str, Any] | None:
        row = self._conn.execute(select(violations).where(violations.c.reference == reference)).first()
        return dict(row._mapping) if row else None

    def years(self) -> list[int]:
        return [int(y) for (y,) in self._conn.execute(select(violations.c.year).distinct().order_by(violations.c.year))]

    def complaint(self, complaint_id: int) -> dict[str, Any] | None:
        """A complaint as filed (read only: the complaint service owns its lifecycle)."""
        row = self._conn.execute(select(complaints).where(complaints.c.id == complaint_id)).first()
        return dict(row._mapping) if row else None
