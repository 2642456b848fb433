"""Incidents: when the engine fails, record the error and the pending action without saving bad state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.domain.records import AuditEvent, InstanceRecord, InstanceStatus, TaskState
from engine.errors import ScriptError
from engine.services.context import UnitOfWorkLike, log


def record_incident(
    uow: UnitOfWorkLike,
    instance: InstanceRecord,
    error: ScriptError,
    action: dict[str, Any],
    actor: str | None,
    now: datetime,
) -> None:
    """In the caller's transaction (which holds the instance): mark it ERROR and keep what was being done.

    The engine state is left exactly as last saved; a person's submitted form data is kept in ``action`` so
    that a retry can replay it. Recording it in the same transaction means nothing can change the instance
    between the failure and the incident.
    """
    instance.status = InstanceStatus.ERROR
    instance.updated_at = now
    uow.instances.save(instance)
    current = uow.instances.current_incident(instance.id)
    if current is not None:
        uow.instances.resolve_incident(current.id, now, "superseded")
    uow.instances.open_incident(instance.id, now, error.element_id or None, error.message, action)
    if action.get("type") == "complete":
        uow.instances.mark_tasks([action["task_id"]], TaskState.SUBMITTED, now, actor)
    uow.instances.add_audit(
        [
            AuditEvent(
                instance_id=instance.id,
                at=now,
                actor=actor,
                action="incident",
                element_id=error.element_id or None,
                details={"message": error.message, "action": action.get("type")},
            )
        ]
    )
    log.warning("instance %s: incident at %s: %s", instance.id, error.element_id, error.message)
