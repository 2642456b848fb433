"""Incidents: when the engine fails, record the error and the pending action without saving bad state."""

from __future__ import annotations

from typing import Any

from engine.domain.records import AuditEvent, InstanceStatus, TaskState
from engine.errors import ScriptError
from engine.services.context import ServiceContext, log


def record_incident(
    ctx: ServiceContext, instance_id: int, error: ScriptError, action: dict[str, Any], actor: str | None
) -> None:
    """In a fresh transaction: mark the instance ERROR and keep what was being done, to retry it later.

    The last good state stays as it was saved; a person's submitted form data is kept in ``action``.
    """
    now = ctx.now()
    with ctx.uow(write=True) as uow:
        instance = uow.instances.get(instance_id, for_update=True)
        if instance is None:
            return
        instance.status = InstanceStatus.ERROR
        instance.updated_at = now
        uow.instances.save(instance)
        current = uow.instances.current_incident(instance_id)
        if current is not None:
            uow.instances.resolve_incident(current.id, now, "superseded")
        uow.instances.open_incident(instance_id, now, error.element_id or None, error.message, action)
        if action.get("type") == "complete":
            uow.instances.mark_tasks([action["task_id"]], TaskState.SUBMITTED, now, actor)
        uow.instances.add_audit(
            [
                AuditEvent(
                    instance_id=instance_id,
                    at=now,
                    actor=actor,
                    action="incident",
                    element_id=error.element_id or None,
                    details={"message": error.message, "action": action.get("type")},
                )
            ]
        )
        uow.commit()
    log.warning("instance %s: incident at %s: %s", instance_id, error.element_id, error.message)
