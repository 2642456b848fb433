"""Persist one advance of an instance: its state and every projection, in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.domain.access import resolve_lane
from engine.domain.records import (
    AuditEvent,
    HumanTaskRecord,
    InstanceRecord,
    InstanceStatus,
    Snapshot,
    TaskState,
    TimerRecord,
)
from engine.services.context import AdvanceEvent, ServiceContext, UnitOfWorkLike


def task_rows(instance: InstanceRecord, snapshot: Snapshot, now: datetime) -> list[HumanTaskRecord]:
    rows = []
    for ready in snapshot.ready_tasks:
        if ready.task_id in snapshot.previous_ready_ids:
            continue
        assignment = resolve_lane(ready.lane, instance.department)
        rows.append(
            HumanTaskRecord(
                task_id=ready.task_id,
                instance_id=instance.id,
                element_id=ready.element_id,
                name=ready.name,
                lane=ready.lane,
                role=assignment.role,
                department=assignment.department,
                form_ref=ready.form_ref,
                form_ui_ref=ready.form_ui_ref,
                state=TaskState.READY,
                claimed_by=None,
                due_at=ready.due_at,
                due_provisional=ready.due_provisional,
                created_at=now,
                completed_at=None,
                completed_by=None,
                business_key=instance.business_key,
                process_id=instance.process_id,
            )
        )
    return rows


def apply_snapshot(
    ctx: ServiceContext,
    uow: UnitOfWorkLike,
    instance: InstanceRecord,
    snapshot: Snapshot,
    *,
    now: datetime,
    actor: str | None,
    action: str,
    completed_task_id: str | None = None,
    details: dict[str, Any] | None = None,
    status: InstanceStatus | None = None,
) -> None:
    """Write state + projections; raises Retryable when another transaction saved the instance first."""
    instance.state = snapshot.state
    instance.serializer_version = snapshot.serializer_version
    instance.updated_at = now
    if status is not None:
        instance.status = status
    elif snapshot.completed:
        instance.status = InstanceStatus.COMPLETED
    if instance.status in {InstanceStatus.COMPLETED, InstanceStatus.TERMINATED}:
        instance.ended_at = now
        instance.next_due_at = None
    else:
        instance.next_due_at = snapshot.next_due_at
    uow.instances.save(instance)  # raises ConcurrentUpdate (retryable) if another transaction won

    ready_now = {t.task_id for t in snapshot.ready_tasks}
    gone = [t for t in snapshot.previous_ready_ids if t not in ready_now and t != completed_task_id]
    if completed_task_id:
        uow.instances.mark_tasks([completed_task_id], TaskState.COMPLETED, now, actor)
    if gone:
        uow.instances.mark_tasks(sorted(gone), TaskState.CANCELLED, now, None)
    uow.instances.insert_tasks(task_rows(instance, snapshot, now))
    if snapshot.timers_changed:
        uow.instances.replace_timers(
            instance.id,
            [
                TimerRecord(
                    instance_id=instance.id,
                    task_id=t.task_id,
                    element_id=t.element_id,
                    name=t.name,
                    due_at=t.due_at,
                    provisional=t.provisional,
                    interrupting=t.interrupting,
                    recipe=t.recipe,
                    calendar_version=t.calendar_version,
                )
                for t in snapshot.timers
            ],
        )
    if snapshot.awaited_changed:
        uow.instances.replace_awaited(instance.id, snapshot.awaited_messages)
    events = [
        AuditEvent(
            instance_id=instance.id,
            at=now,
            actor=actor,
            action=action,
            task_id=completed_task_id,
            details=details,
        )
    ]
    events += [
        AuditEvent(
            instance_id=instance.id,
            at=now,
            actor=actor,
            action="element_completed",
            task_id=e.task_id,
            element_id=e.element_id,
            element_name=e.name,
            details={"kind": e.kind},
        )
        for e in snapshot.completed_elements
    ]
    uow.instances.add_audit(events)
    if ctx.advance_hooks:
        event = AdvanceEvent(
            uow=uow,
            instance=instance,
            snapshot=snapshot,
            now=now,
            actor=actor,
            completed_task_id=completed_task_id,
            form_data=(details or {}).get("data"),
        )
        for hook in ctx.advance_hooks:  # same transaction: a hook that refuses undoes the whole advance
            hook(event)
