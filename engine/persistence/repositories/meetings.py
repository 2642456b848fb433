"""Joint-review meetings (联审会) and their action items (会议议定事项) in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from engine.errors import ConcurrencyConflict
from engine.persistence.tables import joint_meetings, meeting_actions


class AlreadyConvened(ConcurrencyConflict):
    """A meeting for that day exists already (another scheduler convened it first: the unique day said so)."""


class MeetingRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- meetings ------------------------------------------------------------------------------------------
    def add(self, row: dict[str, Any]) -> int:
        """Insert a convened meeting; a second one for the same day raises AlreadyConvened (on PostgreSQL the
        transaction is then spoilt, so the caller must stop there)."""
        try:
            result = self._conn.execute(insert(joint_meetings).values(**row).returning(joint_meetings.c.id))
        except IntegrityError as exc:
            raise AlreadyConvened(f"the meeting of {row.get('held_on')} is already convened") from exc
        return int(result.scalar_one())

    def get(self, meeting_id: int, *, for_update: bool = False) -> dict[str, Any] | None:
        query = select(joint_meetings).where(joint_meetings.c.id == meeting_id)
        row = self._conn.execute(query.with_for_update() if for_update else query).first()
        return dict(row._mapping) if row else None

    def on_days(self, days: Sequence[date]) -> dict[date, dict[str, Any]]:
        """The stored meetings of the given days, by day."""
        if not days:
            return {}
        rows = self._conn.execute(select(joint_meetings).where(joint_meetings.c.held_on.in_(list(days))))
        return {r.held_on: dict(r._mapping) for r in rows}

    def recent(self, limit: int = 100) -> list[dict[str, Any]]:
        query = select(joint_meetings).order_by(joint_meetings.c.held_on.desc()).limit(limit)
        return [dict(r._mapping) for r in self._conn.execute(query)]

    def record_minutes(
        self, meeting_id: int, *, minutes: str, decisions: list[str], held_at: datetime, recorded_by: str
    ) -> bool:
        """Store the minutes of a still planned meeting; False when it is no longer planned (another officer
        recorded them first: the conditional update is the guard on every database)."""
        result = self._conn.execute(
            update(joint_meetings)
            .where(joint_meetings.c.id == meeting_id, joint_meetings.c.status == "planned")
            .values(status="held", minutes=minutes, decisions=decisions, held_at=held_at, recorded_by=recorded_by)
        )
        return result.rowcount == 1

    # -- action items --------------------------------------------------------------------------------------
    def add_action(self, row: dict[str, Any]) -> int:
        result = self._conn.execute(insert(meeting_actions).values(**row).returning(meeting_actions.c.id))
        return int(result.scalar_one())

    def actions_of(self, meeting_id: int) -> list[dict[str, Any]]:
        query = (
            select(meeting_actions, joint_meetings.c.held_on)
            .join(joint_meetings, joint_meetings.c.id == meeting_actions.c.meeting_id)
            .where(meeting_actions.c.meeting_id == meeting_id)
            .order_by(meeting_actions.c.number)
        )
        return [dict(r._mapping) for r in self._conn.execute(query)]

    def action_for_instance(self, instance_id: int) -> dict[str, Any] | None:
        row = self._conn.execute(select(meeting_actions).where(meeting_actions.c.instance_id == instance_id)).first()
        return dict(row._mapping) if row else None

    def open_actions(self, departments: Sequence[str] | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """Actions not yet done (open or overdue), earliest due first; ``departments`` None: every one."""
        query = (
            select(meeting_actions, joint_meetings.c.held_on)
            .join(joint_meetings, joint_meetings.c.id == meeting_actions.c.meeting_id)
            .where(meeting_actions.c.status != "done")
            .order_by(meeting_actions.c.due_at, meeting_actions.c.id)
            .limit(limit)
        )
        if departments is not None:
            query = query.where(meeting_actions.c.department.in_(list(departments)))
        return [dict(r._mapping) for r in self._conn.execute(query)]

    def mark_done(self, action_id: int, *, at: datetime, by: str | None, note: str) -> bool:
        result = self._conn.execute(
            update(meeting_actions)
            .where(meeting_actions.c.id == action_id, meeting_actions.c.status != "done")
            .values(status="done", done_at=at, done_by=by, done_note=note)
        )
        return result.rowcount == 1

    def mark_overdue(self, action_id: int) -> bool:
        """The deadline timer fired while the action was open (督办): a done action stays done."""
        result = self._conn.execute(
            update(meeting_actions)
            .where(meeting_actions.c.id == action_id, meeting_actions.c.status == "open")
            .values(status="overdue")
        )
        return result.rowcount == 1
