"""The clerk workbench's records in SQL: task attachments (metadata only), comments, and 转办 transfers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, insert, select, update

from engine.domain.attachments import Attachment, TaskComment, TaskTransfer
from engine.domain.records import TaskState
from engine.persistence.tables import attachments, human_tasks, task_comments, task_transfers


class TaskFileRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- attachments ---------------------------------------------------------------------------
    def add_attachment(self, values: dict[str, Any]) -> Attachment:
        new_id = self._conn.execute(insert(attachments).values(**values).returning(attachments.c.id)).scalar_one()
        return Attachment(id=int(new_id), **values)

    def attachment(self, attachment_id: int) -> Attachment | None:
        row = self._conn.execute(select(attachments).where(attachments.c.id == attachment_id)).first()
        return Attachment(**row._mapping) if row else None

    def attachments_of(self, instance_id: int) -> list[Attachment]:
        query = select(attachments).where(attachments.c.instance_id == instance_id).order_by(attachments.c.id)
        return [Attachment(**r._mapping) for r in self._conn.execute(query)]

    def referenced(self, digests: Iterable[str]) -> set[str]:
        """Which of these content hashes some attachment row still points at."""
        wanted = sorted(set(digests))
        if not wanted:
            return set()
        query = select(attachments.c.sha256).where(attachments.c.sha256.in_(wanted)).distinct()
        return set(self._conn.execute(query).scalars())

    # -- comments ------------------------------------------------------------------------------
    def add_comment(self, values: dict[str, Any]) -> TaskComment:
        new_id = self._conn.execute(insert(task_comments).values(**values).returning(task_comments.c.id)).scalar_one()
        return TaskComment(id=int(new_id), **values)

    def comments_of(self, instance_id: int) -> list[TaskComment]:
        query = select(task_comments).where(task_comments.c.instance_id == instance_id).order_by(task_comments.c.id)
        return [TaskComment(**r._mapping) for r in self._conn.execute(query)]

    # -- transfers -----------------------------------------------------------------------------
    def add_transfer(self, values: dict[str, Any]) -> TaskTransfer:
        new_id = self._conn.execute(insert(task_transfers).values(**values).returning(task_transfers.c.id)).scalar_one()
        return TaskTransfer(id=int(new_id), **values)

    def transfers_of(self, instance_id: int) -> list[TaskTransfer]:
        query = select(task_transfers).where(task_transfers.c.instance_id == instance_id).order_by(task_transfers.c.id)
        return [TaskTransfer(**r._mapping) for r in self._conn.execute(query)]

    def move_task(self, task_id: str, from_department: str | None, to_department: str, claimed_by: str | None) -> bool:
        """Point a READY task's inbox row at another department and release its claim; False when the row is no
        longer as it was read (completed, moved or claimed meanwhile)."""
        same_department = (
            human_tasks.c.department.is_(None)
            if from_department is None
            else human_tasks.c.department == from_department
        )
        same_claim = (
            human_tasks.c.claimed_by.is_(None) if claimed_by is None else human_tasks.c.claimed_by == claimed_by
        )
        result = self._conn.execute(
            update(human_tasks)
            .where(
                human_tasks.c.task_id == task_id,
                human_tasks.c.state == TaskState.READY.value,
                same_department,
                same_claim,
            )
            .values(department=to_department, claimed_by=None)
        )
        return bool(result.rowcount == 1)
