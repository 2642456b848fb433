"""Complaints as their GB/T 36113 process moves them, and 96128 hotline calls, in SQL.

Filing a complaint and the complaint lists stay in the feedback repository; this one follows a complaint's
process (its instance, status, reply, warning) and keeps the hotline's callers beside their consultations.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from engine.domain.records import TaskState
from engine.persistence.tables import complaints, consultations, hotline_calls, human_tasks


class ComplaintRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- complaints ------------------------------------------------------------------------------------------
    def get(self, complaint_id: int, *, for_update: bool = False) -> dict[str, Any] | None:
        query = select(complaints).where(complaints.c.id == complaint_id)
        if for_update and self._conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self._conn.execute(query).first()
        return dict(row._mapping) if row else None

    def for_instance(self, instance_id: int) -> dict[str, Any] | None:
        row = self._conn.execute(select(complaints).where(complaints.c.instance_id == instance_id)).first()
        return dict(row._mapping) if row else None

    def update(self, complaint_id: int, **values: Any) -> None:
        self._conn.execute(update(complaints).where(complaints.c.id == complaint_id).values(**values))

    def mark_warned(self, complaint_id: int, at: datetime) -> bool:
        """Set the warning time once; False when an earlier timer already warned."""
        result = self._conn.execute(
            update(complaints)
            .where(complaints.c.id == complaint_id, complaints.c.warned_at.is_(None))
            .values(warned_at=at)
        )
        return bool(result.rowcount)

    def ready_steps(self, instance_ids: Sequence[int]) -> dict[int, list[str]]:
        """The names of the ready tasks of each instance (a complaint's current step), in creation order."""
        if not instance_ids:
            return {}
        query = (
            select(human_tasks.c.instance_id, human_tasks.c.name)
            .where(human_tasks.c.instance_id.in_(list(instance_ids)), human_tasks.c.state == TaskState.READY.value)
            .order_by(human_tasks.c.created_at, human_tasks.c.task_id)
        )
        steps: dict[int, list[str]] = {}
        for instance_id, name in self._conn.execute(query):
            steps.setdefault(instance_id, []).append(name)
        return steps

    # -- hotline ---------------------------------------------------------------------------------------------
    def add_call(self, consultation_id: int, caller_name: str, caller_phone: str) -> None:
        self._conn.execute(
            insert(hotline_calls).values(
                consultation_id=consultation_id, caller_name=caller_name, caller_phone=caller_phone
            )
        )

    def calls(self, *, open_only: bool = False, limit: int = 200) -> list[dict[str, Any]]:
        """Hotline consultations, newest first, with their caller when one was recorded."""
        query = (
            select(consultations, hotline_calls.c.caller_name, hotline_calls.c.caller_phone)
            .select_from(consultations.outerjoin(hotline_calls, hotline_calls.c.consultation_id == consultations.c.id))
            .where(consultations.c.channel == "hotline")
            .order_by(consultations.c.asked_at.desc(), consultations.c.id.desc())
            .limit(limit)
        )
        if open_only:
            query = query.where(consultations.c.closed_at.is_(None))
        return [dict(r._mapping) for r in self._conn.execute(query)]
