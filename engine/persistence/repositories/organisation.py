"""The organisation in SQL: department details, service points (centre, sub-centres, towns, villages), windows,
and the staff grants the organisation overview counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, insert, select, update

from engine.persistence.tables import departments, service_points, user_roles, users, windows

DEPARTMENT_DETAILS = ("name", "abbr", "chief_representative", "chief_username", "inferred")


class OrganisationRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- departments --------------------------------------------------------------------------------------
    def upsert_department(self, row: dict[str, Any]) -> bool:
        """Insert or update a department with its details; True when it was new."""
        return self._upsert(departments, row)

    def update_department(self, code: str, values: dict[str, Any]) -> bool:
        """Change some details of a department; False when there is no such department."""
        unknown = set(values) - set(DEPARTMENT_DETAILS)
        if unknown:
            raise ValueError(f"not department details: {sorted(unknown)}")
        result = self._conn.execute(update(departments).where(departments.c.code == code).values(**values))
        return bool(result.rowcount == 1)

    def departments(self) -> list[dict[str, Any]]:
        return _rows(self._conn.execute(select(departments).order_by(departments.c.code)))

    def department(self, code: str) -> dict[str, Any] | None:
        return _first(self._conn.execute(select(departments).where(departments.c.code == code)))

    # -- service points -----------------------------------------------------------------------------------
    def upsert_service_point(self, row: dict[str, Any]) -> bool:
        return self._upsert(service_points, row)

    def service_points(self) -> list[dict[str, Any]]:
        return _rows(self._conn.execute(select(service_points).order_by(service_points.c.code)))

    def service_point(self, code: str) -> dict[str, Any] | None:
        return _first(self._conn.execute(select(service_points).where(service_points.c.code == code)))

    # -- windows (and desks) ------------------------------------------------------------------------------
    def upsert_window(self, row: dict[str, Any]) -> bool:
        return self._upsert(windows, row)

    def windows(self) -> list[dict[str, Any]]:
        query = select(windows).order_by(windows.c.service_point, windows.c.number.nulls_last(), windows.c.code)
        return _rows(self._conn.execute(query))

    def window(self, code: str) -> dict[str, Any] | None:
        return _first(self._conn.execute(select(windows).where(windows.c.code == code)))

    # -- staff --------------------------------------------------------------------------------------------
    def staff_grants(self, username: str | None = None) -> list[dict[str, Any]]:
        """The role grants of active accounts (of one, when named): username, display_name, role, department,
        window."""
        query = (
            select(
                users.c.username, users.c.display_name, user_roles.c.role, user_roles.c.department, user_roles.c.window
            )
            .join(users, users.c.id == user_roles.c.user_id)
            .where(users.c.active.is_(True))
            .order_by(users.c.username, user_roles.c.role, user_roles.c.department)
        )
        if username is not None:
            query = query.where(users.c.username == username)
        return _rows(self._conn.execute(query))

    def _upsert(self, table: Table, row: dict[str, Any]) -> bool:
        key = table.c.code
        if self._conn.execute(select(key).where(key == row["code"])).first():
            self._conn.execute(update(table).where(key == row["code"]).values(**row))
            return False
        self._conn.execute(insert(table).values(**row))
        return True


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result]


def _first(result: Any) -> dict[str, Any] | None:
    row = result.first()
    return dict(row._mapping) if row else None
