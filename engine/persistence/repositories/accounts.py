"""Users, their role grants and the departments they belong to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from engine.domain.access import Principal, RoleGrant
from engine.persistence.tables import departments, user_roles, users


class AccountRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add_department(self, code: str, name: str) -> bool:
        if self._conn.execute(select(departments.c.code).where(departments.c.code == code)).first():
            self._conn.execute(update(departments).where(departments.c.code == code).values(name=name))
            return False
        self._conn.execute(insert(departments).values(code=code, name=name))
        return True

    def departments(self) -> list[tuple[str, str]]:
        return [(r.code, r.name) for r in self._conn.execute(select(departments).order_by(departments.c.code))]

    def department_exists(self, code: str) -> bool:
        return self._conn.execute(select(departments.c.code).where(departments.c.code == code)).first() is not None

    def password_hash(self, username: str) -> str | None:
        row = self._conn.execute(
            select(users.c.password_hash).where(users.c.username == username, users.c.active.is_(True))
        ).first()
        return row.password_hash if row else None

    def set_password_hash(self, username: str, password_hash: str) -> None:
        self._conn.execute(update(users).where(users.c.username == username).values(password_hash=password_hash))

    def upsert_user(self, username: str, display_name: str, password_hash: str, now: datetime) -> int:
        row = self._conn.execute(select(users.c.id).where(users.c.username == username)).first()
        if row:
            self._conn.execute(
                update(users)
                .where(users.c.id == row.id)
                .values(display_name=display_name, password_hash=password_hash, active=True)
            )
            return int(row.id)
        result = self._conn.execute(
            insert(users)
            .values(
                username=username,
                display_name=display_name,
                password_hash=password_hash,
                active=True,
                created_at=now,
            )
            .returning(users.c.id)
        )
        return int(result.scalar_one())

    def grant(self, user_id: int, role: str, department: str | None, window: str | None) -> None:
        exists = self._conn.execute(
            select(user_roles.c.id).where(
                user_roles.c.user_id == user_id,
                user_roles.c.role == role,
                user_roles.c.department.is_(None) if department is None else user_roles.c.department == department,
            )
        ).first()
        if not exists:
            self._conn.execute(
                insert(user_roles).values(user_id=user_id, role=role, department=department, window=window)
            )

    def principal(self, username: str) -> Principal | None:
        # One statement (an outer join of the account and its grants): every API request resolves its bearer, so
        # this read sits on the hot path of each request.
        rows = self._conn.execute(
            select(users.c.username, users.c.display_name, user_roles.c.role, user_roles.c.department)
            .select_from(users.outerjoin(user_roles, user_roles.c.user_id == users.c.id))
            .where(users.c.username == username, users.c.active.is_(True))
        ).all()
        if not rows:
            return None
        return Principal(
            username=rows[0].username,
            display_name=rows[0].display_name,
            grants=frozenset(RoleGrant(r.role, r.department) for r in rows if r.role is not None),
        )

    def user_id(self, username: str) -> int | None:
        """The id of an active account, or None."""
        row = self._conn.execute(
            select(users.c.id).where(users.c.username == username, users.c.active.is_(True))
        ).first()
        return int(row.id) if row else None

    def set_window(self, user_id: int, role: str, department: str | None, window: str | None) -> None:
        """Move an existing grant to another window (or none)."""
        self._conn.execute(update(user_roles).where(*_grant_is(user_id, role, department)).values(window=window))

    def revoke(self, user_id: int, role: str, department: str | None) -> bool:
        """Remove one grant; False when the user did not hold it."""
        result = self._conn.execute(delete(user_roles).where(*_grant_is(user_id, role, department)))
        return bool(result.rowcount)

    def holder_count(self, role: str) -> int:
        """How many active accounts hold ``role`` (in any department)."""
        query = (
            select(func.count(func.distinct(user_roles.c.user_id)))
            .join(users, users.c.id == user_roles.c.user_id)
            .where(user_roles.c.role == role, users.c.active.is_(True))
        )
        return int(self._conn.execute(query).scalar_one())


def _grant_is(user_id: int, role: str, department: str | None) -> tuple[Any, ...]:
    return (
        user_roles.c.user_id == user_id,
        user_roles.c.role == role,
        user_roles.c.department.is_(None) if department is None else user_roles.c.department == department,
    )
