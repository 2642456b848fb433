"""Instances: start, look at, list, suspend, resume, terminate, and retry an incident."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from engine.domain.access import Principal, may_start
from engine.domain.instance_query import InstanceQuery, InstanceSummary
from engine.domain.records import (
    AuditEvent,
    HumanTaskRecord,
    Incident,
    InstanceRecord,
    InstanceStatus,
    ProcessVersion,
    Snapshot,
    TimerRecord,
)
from engine.errors import FieldError, FormValidationError, InvalidTransition, NotFound, PermissionDenied, ScriptError
from engine.services.advance import apply_snapshot
from engine.services.context import ServiceContext, UnitOfWorkLike, with_retry
from engine.services.incidents import record_incident
from engine.services.messages import dispatch_thrown


@dataclass
class InstanceView:
    instance: InstanceRecord
    data: dict[str, Any]
    tasks: list[HumanTaskRecord]
    timers: list[TimerRecord]
    history: list[AuditEvent]
    incident: Incident | None
    completed_elements: list[str] = field(default_factory=list)


def _checked_text(field: str, value: object, max_length: int) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > max_length:
        raise FormValidationError(
            "invalid request", [FieldError(field, f"must be text of at most {max_length} characters")]
        )
    return value


def start_in(
    ctx: ServiceContext,
    uow: UnitOfWorkLike,
    found: ProcessVersion,
    data: dict[str, Any],
    *,
    department: str,
    business_key: str | None,
    actor: str,
) -> tuple[InstanceRecord, Snapshot | None]:
    """Create and first-step an instance inside the caller's transaction (no permission check here).

    A failing first step still creates the instance, in error with an incident, so it can be retried.
    """
    now = ctx.now()
    initial = ctx.runtime.new_state(found.spec_key, data)
    instance = InstanceRecord(
        id=0,
        process_version_id=found.id,
        process_id=found.process_id,
        version=found.version,
        status=InstanceStatus.RUNNING,
        department=department,
        business_key=business_key,
        state=initial,
        serializer_version="",
        next_due_at=None,
        row_version=1,
        started_by=actor,
        started_at=now,
        updated_at=now,
        ended_at=None,
        data={k: v for k, v in data.items() if isinstance(v, str | int | float | bool)},
    )
    started = AuditEvent(instance_id=0, at=now, actor=actor, action="started", details={"data": data})
    try:
        snapshot = ctx.runtime.step(initial)
    except ScriptError as error:
        instance.serializer_version = "pending"
        instance.id = uow.instances.add(instance)
        uow.instances.add_audit([replace(started, instance_id=instance.id)])
        record_incident(uow, instance, error, {"type": "step"}, actor, now)
        return instance, None
    instance.serializer_version = snapshot.serializer_version
    instance.id = uow.instances.add(instance)
    apply_snapshot(ctx, uow, instance, snapshot, now=now, actor=actor, action="started", details={"data": data})
    return instance, snapshot


def terminate_in(
    ctx: ServiceContext, uow: UnitOfWorkLike, instance: InstanceRecord, actor: str, action: str, reason: str
) -> None:
    """End an open instance inside the caller's transaction: cancel its tasks, timers and messages, close an
    open incident, and record why."""
    now = ctx.now()
    snapshot = ctx.runtime.terminate(instance.state)
    snapshot.previous_ready_ids = frozenset(
        t.task_id for t in uow.instances.tasks_for_instance(instance.id) if t.state.value in {"ready", "submitted"}
    )
    snapshot.force_projection = True
    apply_snapshot(
        ctx,
        uow,
        instance,
        snapshot,
        now=now,
        actor=actor,
        action=action,
        details={"reason": reason},
        status=InstanceStatus.TERMINATED,
    )
    incident = uow.instances.current_incident(instance.id)
    if incident is not None:
        uow.instances.resolve_incident(incident.id, now, actor)


def after_start(ctx: ServiceContext, instance: InstanceRecord, snapshot: Snapshot | None) -> None:
    """What follows a committed start: wake the scheduler, deliver what the first steps threw."""
    ctx.notify_due(instance.next_due_at)
    if snapshot is not None:
        dispatch_thrown(ctx, instance, snapshot.thrown_messages)


class InstanceService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def start(
        self,
        principal: Principal,
        process_id: str,
        data: dict[str, Any] | None = None,
        *,
        version: int | None = None,
        business_key: str | None = None,
        department: str | None = None,
    ) -> InstanceRecord:
        data = dict(data or {})
        ctx = self._ctx
        business_key = _checked_text("business_key", business_key or data.get("case_no"), 64)
        with ctx.uow(write=True) as uow:
            found = uow.definitions.get_version(process_id, version)
            if found is None:
                raise NotFound(f"process {process_id!r} is not deployed")
            # a process bound to a department keeps it; otherwise the starter names one that exists
            department = found.department or _checked_text("department", department or data.get("department"), 32)
            if department is None:
                raise FormValidationError(
                    "say which department handles the case", [FieldError("department", "required")]
                )
            if not uow.accounts.department_exists(department):
                raise FormValidationError(
                    "unknown department", [FieldError("department", f"{department!r} does not exist")]
                )
            if not may_start(principal, found.starter_roles, department):
                raise PermissionDenied(f"{principal.username} may not start {process_id} in {department}")
            instance, snapshot = start_in(
                ctx, uow, found, data, department=department, business_key=business_key, actor=principal.username
            )
            uow.commit()
        after_start(ctx, instance, snapshot)
        return instance

    def get_record(self, instance_id: int) -> InstanceRecord:
        with self._ctx.uow() as uow:
            found = uow.instances.get(instance_id)
        if found is None:
            raise NotFound(f"instance {instance_id} not found")
        return found

    def show(self, principal: Principal, instance_id: int) -> InstanceView:
        with self._ctx.uow() as uow:
            instance = uow.instances.get(instance_id)
            if instance is None:
                raise NotFound(f"instance {instance_id} not found")
            tasks = uow.instances.tasks_for_instance(instance_id)
            if not (
                principal.is_admin
                or principal.has_role("supervisor")
                or instance.started_by == principal.username
                or any(t.claimed_by == principal.username or t.completed_by == principal.username for t in tasks)
                or any(principal.holds(t.role, t.department) for t in tasks if t.role)
            ):
                raise PermissionDenied("only administrators and participants may see this instance")
            view = InstanceView(
                instance=instance,
                data={},
                tasks=tasks,
                timers=uow.instances.timers_for(instance_id),
                history=uow.instances.history(instance_id),
                incident=uow.instances.current_incident(instance_id),
            )
        view.completed_elements = sorted(
            {e.element_id for e in view.history if e.action == "element_completed" and e.element_id}
        )
        if instance.serializer_version != "pending":
            view.data = self._ctx.runtime.current_data(instance.state)
        return view

    def list(self, principal: Principal, query: InstanceQuery | None = None) -> tuple[list[InstanceSummary], int]:
        """Administrators' instance list: one filtered page (at most 500 rows) and the total that matched."""
        if not principal.is_admin:
            raise PermissionDenied("only administrators may list instances")
        query = query or InstanceQuery()
        query = replace(query, limit=max(1, min(query.limit, 500)), offset=max(0, query.offset))
        with self._ctx.uow() as uow:
            return uow.instances.list_page(query)

    # -- administration ------------------------------------------------------------------------
    def _admin(self, principal: Principal) -> None:
        if not principal.is_admin:
            raise PermissionDenied("only administrators may change an instance's status")

    def _set_status(
        self,
        principal: Principal,
        instance_id: int,
        allowed: set[InstanceStatus],
        target: InstanceStatus,
        action: str,
    ) -> InstanceRecord:
        self._admin(principal)
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            instance = uow.instances.get(instance_id, for_update=True)
            if instance is None:
                raise NotFound(f"instance {instance_id} not found")
            if instance.status not in allowed:
                raise InvalidTransition(f"instance {instance_id} is {instance.status.value}; cannot {action}")
            now = ctx.now()
            instance.status, instance.updated_at = target, now
            uow.instances.save(instance)
            uow.instances.add_audit(
                [AuditEvent(instance_id=instance_id, at=now, actor=principal.username, action=action)]
            )
            uow.commit()
        ctx.notify_due(instance.next_due_at if target == InstanceStatus.RUNNING else None)
        return instance

    def suspend(self, principal: Principal, instance_id: int) -> InstanceRecord:
        return self._set_status(principal, instance_id, {InstanceStatus.RUNNING}, InstanceStatus.SUSPENDED, "suspended")

    def resume(self, principal: Principal, instance_id: int) -> InstanceRecord:
        return self._set_status(principal, instance_id, {InstanceStatus.SUSPENDED}, InstanceStatus.RUNNING, "resumed")

    def terminate(self, principal: Principal, instance_id: int, reason: str = "") -> InstanceRecord:
        self._admin(principal)
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            instance = uow.instances.get(instance_id, for_update=True)
            if instance is None:
                raise NotFound(f"instance {instance_id} not found")
            if uow.cases.for_instance(instance_id) is not None:
                raise InvalidTransition(
                    f"instance {instance_id} runs a case: end it through the case (withdraw or terminate)"
                )
            if not instance.status.is_open:
                raise InvalidTransition(f"instance {instance_id} is already {instance.status.value}")
            terminate_in(ctx, uow, instance, principal.username, "terminated", reason)
            uow.commit()
        return instance

    def retry(self, principal: Principal, instance_id: int, data_patch: dict[str, Any] | None = None) -> InstanceRecord:
        """Replay the action that failed, on the last good state, optionally with corrected data."""
        self._admin(principal)
        return with_retry(3, lambda: self._retry_once(principal, instance_id, data_patch))

    def _retry_once(self, principal: Principal, instance_id: int, patch: dict[str, Any] | None) -> InstanceRecord:
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            instance = uow.instances.get(instance_id, for_update=True)
            if instance is None:
                raise NotFound(f"instance {instance_id} not found")
            incident = uow.instances.current_incident(instance_id)
            if instance.status != InstanceStatus.ERROR or incident is None:
                raise InvalidTransition(f"instance {instance_id} has no open incident")
            action = incident.action
            try:
                if action.get("type") == "complete":
                    snapshot, _ = ctx.runtime.complete(instance.state, action["task_id"], action["data"], patch)
                    completed = action["task_id"]
                elif action.get("type") == "message":
                    snapshot = ctx.runtime.deliver(instance.state, action["name"], action.get("payload"), patch)
                    completed = None
                else:
                    snapshot, completed = ctx.runtime.step(instance.state, patch), None
            except ScriptError as error:
                record_incident(uow, instance, error, action, principal.username, ctx.now())
                uow.commit()
                raise
            if completed:
                snapshot.previous_ready_ids = snapshot.previous_ready_ids | {completed}
            apply_snapshot(
                ctx,
                uow,
                instance,
                snapshot,
                now=ctx.now(),
                actor=action.get("actor") or principal.username,
                action="retried",
                completed_task_id=completed,
                details={"patch": patch or {}, "data": action.get("data")},
                status=InstanceStatus.COMPLETED if snapshot.completed else InstanceStatus.RUNNING,
            )
            uow.instances.resolve_incident(incident.id, ctx.now(), principal.username)
            uow.commit()
        ctx.notify_due(instance.next_due_at)
        dispatch_thrown(ctx, instance, snapshot.thrown_messages)
        return instance

    def earliest_due(self) -> datetime | None:
        with self._ctx.uow() as uow:
            return uow.instances.earliest_due()
