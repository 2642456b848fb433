"""Warning cards (黄牌/红牌), the warning timers (each open case's next colour changes) and in-app notifications,
in SQL; also the two writes a card makes to the shared accountability ledger (``violations``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from engine.domain.warning_cards import WarningFilter
from engine.persistence.repositories import case_statements as sql
from engine.persistence.tables import cases, notifications, violations, warning_timers, warnings

#: the statuses of an accepted, undecided case: its clock runs (or is stopped by a pause) and may change colour
CLOCKED_STATUSES = ("accepted", "paused")


class WarningRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- cards ---------------------------------------------------------------------------------------------
    def issued_triggers(self, case_no: str) -> set[str]:
        """The triggers that already warned about the case as a whole."""
        return {r.trigger for r in self._conn.execute(sql.issued_triggers(), {"b_case_no": case_no})}

    def add_once(self, row: dict[str, Any]) -> int | None:
        """The new card's id, or None when its case, trigger and step have a card already (one statement)."""
        found = self._conn.execute(sql.warning_insert_once(self._conn.dialect.name), row).first()
        return int(found.id) if found else None

    def add(self, row: dict[str, Any]) -> int:
        return int(self._conn.execute(sql.warning_insert(), row).scalar_one())

    def get(self, warning_id: int, *, for_update: bool = False) -> dict[str, Any] | None:
        query = select(warnings).where(warnings.c.id == warning_id)
        row = self._conn.execute(query.with_for_update() if for_update else query).first()
        return dict(row._mapping) if row else None

    def update(self, warning_id: int, values: dict[str, Any]) -> None:
        self._conn.execute(sql.warning_update(), {**values, "b_id": warning_id})

    def find(self, where: WarningFilter) -> list[dict[str, Any]]:
        query = select(warnings).order_by(warnings.c.issued_at.desc(), warnings.c.id.desc()).limit(where.limit)
        for column, value in (
            (warnings.c.status, where.status),
            (warnings.c.level, where.level),
            (warnings.c.department, where.department),
            (warnings.c.case_no, where.case_no),
        ):
            if value:
                query = query.where(column == value)
        if where.departments is not None:
            mine = warnings.c.department.in_(sorted(where.departments))
            query = query.where(mine | (warnings.c.handler == where.handler) if where.handler else mine)
        elif where.handler is not None:
            query = query.where(warnings.c.handler == where.handler)
        return [dict(r._mapping) for r in self._conn.execute(query)]

    # -- the schedule ----------------------------------------------------------------------------------------
    def replace_timers(self, case_no: str, due: dict[str, datetime]) -> None:
        self._conn.execute(sql.warning_timers_delete(), {"b_case_no": case_no})
        if due:
            self._conn.execute(
                sql.warning_timers_insert(),
                [{"case_no": case_no, "trigger": t, "due_at": at} for t, at in due.items()],
            )

    def timers_for(self, case_no: str) -> dict[str, datetime]:
        query = select(warning_timers).where(warning_timers.c.case_no == case_no)
        return {r.trigger: r.due_at for r in self._conn.execute(query)}

    def due_timers(self, now: datetime, limit: int) -> list[tuple[str, str, datetime]]:
        """(case_no, trigger, due_at) of the timers due at ``now``, earliest first (by the due_at index)."""
        query = (
            select(warning_timers.c.case_no, warning_timers.c.trigger, warning_timers.c.due_at)
            .where(warning_timers.c.due_at <= now)
            .order_by(warning_timers.c.due_at, warning_timers.c.case_no)
            .limit(limit)
        )
        return [(r.case_no, r.trigger, r.due_at) for r in self._conn.execute(query)]

    def take_timer(self, case_no: str, trigger: str) -> bool:
        """Delete one timer; False when another run took it first (the delete is the claim)."""
        result = self._conn.execute(sql.warning_timer_take(), {"b_case_no": case_no, "b_trigger": trigger})
        return bool(result.rowcount)

    def move_timer(self, case_no: str, trigger: str, due_at: datetime) -> None:
        self._conn.execute(insert(warning_timers).values(case_no=case_no, trigger=trigger, due_at=due_at))

    def earliest_due(self) -> datetime | None:
        value = self._conn.execute(select(func.min(warning_timers.c.due_at))).scalar()
        return value if isinstance(value, datetime) else None

    # -- rebuilding every open case's timers -------------------------------------------------------------------
    def clocked_case_numbers(self, after: str, limit: int) -> list[str]:
        """The next ``limit`` accepted, undecided cases after ``after`` in case-number order (by the status
        index: decided and completed cases are never read)."""
        query = (
            select(cases.c.case_no)
            .where(cases.c.status.in_(CLOCKED_STATUSES), cases.c.case_no > after)
            .order_by(cases.c.case_no)
            .limit(limit)
        )
        return [r.case_no for r in self._conn.execute(query)]

    def clocked_cases(self, case_nos: list[str]) -> list[dict[str, Any]]:
        """These cases (if still accepted and undecided) with their records, locked; on PostgreSQL a case an
        advance holds is skipped: that advance rewrites its timers itself (on SQLite, writes take turns)."""
        query = (
            select(cases.c.case_no, cases.c.item_code, cases.c.record)
            .where(cases.c.case_no.in_(case_nos), cases.c.status.in_(CLOCKED_STATUSES))
            .order_by(cases.c.case_no)
            .with_for_update(skip_locked=True)
        )
        return [dict(r._mapping) for r in self._conn.execute(query)]

    def drop_timers_of_unclocked_cases(self) -> int:
        """Timers left behind by a case that is no longer accepted and undecided: they would only be dropped."""
        clocked = select(cases.c.case_no).where(cases.c.status.in_(CLOCKED_STATUSES))
        result = self._conn.execute(delete(warning_timers).where(warning_timers.c.case_no.not_in(clocked)))
        return int(result.rowcount or 0)

    # -- who hears of a card ---------------------------------------------------------------------------------
    def chief_representatives(self, department: str) -> list[str]:
        """The department's 首席代表: active holders of ``approver`` in it."""
        return self.holders("approver", department)

    def holders(self, role: str, department: str | None = None) -> list[str]:
        """Active holders of ``role`` (in ``department``, when named)."""
        params = {"b_role": role, "b_department": department}
        return [r.username for r in self._conn.execute(sql.holders(department is not None), params)]

    # -- the accountability ledger ------------------------------------------------------------------------------
    def ledger_entry(self, kind: str, reference: str, at: datetime) -> int | None:
        """The id of the entry a card's source wrote for the same breach (same kind, reference and instant)."""
        query = (
            select(violations.c.id)
            .where(violations.c.kind == kind, violations.c.reference == reference, violations.c.at == at)
            .order_by(violations.c.id.desc())
        )
        row = self._conn.execute(query).first()
        return int(row.id) if row else None

    def revoke_violation(self, violation_id: int, reason: str, by: str, at: datetime) -> None:
        """Mark a red card's entry revoked (kept, not deleted: the ledger shows what was revoked and why)."""
        row = self._conn.execute(select(violations.c.details).where(violations.c.id == violation_id)).first()
        if row is None:
            return
        details = {
            **(row.details or {}),
            "revoked": True,
            "reason": reason,
            "revoked_by": by,
            "revoked_at": at.isoformat(),
        }
        self._conn.execute(update(violations).where(violations.c.id == violation_id).values(details=details))


class NotificationRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, usernames: Iterable[str], at: datetime, kind: str, text: str, link: str | None) -> None:
        rows = [{"username": u, "at": at, "kind": kind, "text": text, "link": link} for u in dict.fromkeys(usernames)]
        if rows:
            self._conn.execute(insert(notifications), rows)

    def for_user(self, username: str, *, unread_only: bool = False, limit: int = 100) -> list[dict[str, Any]]:
        query = select(notifications).where(notifications.c.username == username)
        if unread_only:
            query = query.where(notifications.c.read_at.is_(None))
        query = query.order_by(notifications.c.at.desc(), notifications.c.id.desc()).limit(limit)
        return [dict(r._mapping) for r in self._conn.execute(query)]

    def unread_count(self, username: str) -> int:
        query = select(func.count()).where(notifications.c.username == username, notifications.c.read_at.is_(None))
        return int(self._conn.execute(query).scalar_one())

    def mark_read(self, notification_id: int, username: str, at: datetime) -> bool:
        """False when the notification is not the user's (or does not exist)."""
        mine = (notifications.c.id == notification_id) & (notifications.c.username == username)
        if self._conn.execute(select(notifications.c.id).where(mine)).first() is None:
            return False
        self._conn.execute(update(notifications).where(mine, notifications.c.read_at.is_(None)).values(read_at=at))
        return True
