"""Messages: deliver a named message with a payload to the instances waiting for it, by correlation key."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from engine.domain.access import Principal
from engine.domain.records import InstanceRecord, InstanceStatus, ThrownMessage
from engine.errors import FieldError, FormValidationError, InvalidTransition, PermissionDenied, ScriptError
from engine.services.advance import apply_snapshot
from engine.services.context import ServiceContext, UnitOfWorkLike, log, with_retry
from engine.services.incidents import record_incident


def _deliver_one(ctx: ServiceContext, instance_id: int, name: str, payload: Any, actor: str | None) -> bool:
    with ctx.uow(write=True) as uow:
        instance = uow.instances.get(instance_id, for_update=uow.skip_locked)
        if instance is None or instance.status != InstanceStatus.RUNNING:
            return False
        try:
            thrown = deliver_in(ctx, uow, instance, name, payload, actor)
        except InvalidTransition:
            return False
        except ScriptError as error:
            action = {"type": "message", "name": name, "payload": payload}
            record_incident(uow, instance, error, action, actor, ctx.now())
            uow.commit()
            return True
        uow.commit()
    ctx.notify_due(instance.next_due_at)
    dispatch_thrown(ctx, instance, thrown)
    return True


def deliver_in(
    ctx: ServiceContext, uow: UnitOfWorkLike, instance: InstanceRecord, name: str, payload: Any, actor: str | None
) -> list[ThrownMessage]:
    """Deliver ``name`` to one instance inside the caller's transaction (e.g. a fast-track review's decision
    releasing the reviews that wait for it, together or not at all). InvalidTransition when the instance is not
    waiting for it; a failing script aborts the caller's transaction. Returns what the receiver threw, for the
    caller to dispatch after its commit."""
    if instance.status != InstanceStatus.RUNNING:
        raise InvalidTransition(f"instance {instance.id} is {instance.status.value}")
    snapshot = ctx.runtime.deliver(instance.state, name, payload)
    apply_snapshot(
        ctx,
        uow,
        instance,
        snapshot,
        now=ctx.now(),
        actor=actor,
        action="message_received",
        details={"name": name, "payload": payload},
    )
    return list(snapshot.thrown_messages)


def deliver(
    ctx: ServiceContext,
    name: str,
    correlation: str,
    payload: Any,
    actor: str | None,
    allowed: Callable[[str | None], bool] = lambda department: True,
) -> list[int]:
    """Deliver to every instance waiting for ``name`` under ``correlation`` that ``allowed`` admits."""
    with ctx.uow() as uow:
        candidates = uow.instances.waiting_for_message(name, correlation)
    delivered = []
    for instance_id, department in candidates:
        if not allowed(department):
            continue
        if with_retry(5, partial(_deliver_one, ctx, instance_id, name, payload, actor)):
            delivered.append(instance_id)
    return delivered


def dispatch_thrown(ctx: ServiceContext, sender: InstanceRecord, messages: Sequence[ThrownMessage]) -> None:
    """Messages an instance throws go to the instances waiting for them under the sender's business key."""
    for message in messages:
        if not sender.business_key:
            log.warning("instance %s threw %s without a business key: not delivered", sender.id, message.name)
            continue
        try:
            deliver(ctx, message.name, sender.business_key, message.payload, f"instance:{sender.id}")
        except Exception:  # the sender's transaction is committed; a receiver's failure is its own incident
            log.exception("delivering message %s from instance %s failed", message.name, sender.id)


class MessageService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def send(self, principal: Principal, name: str, correlation_key: str, payload: Any = None) -> list[int]:
        """A person delivers a message; it reaches only instances of departments where they hold a role."""
        if not principal.grants:
            raise PermissionDenied("only staff may send messages to instances")
        if not correlation_key:
            raise FormValidationError("a message needs a correlation key", [FieldError("correlation_key", "required")])
        departments = {g.department for g in principal.grants}
        centre_wide = principal.is_admin or None in departments

        def allowed(department: str | None) -> bool:
            return centre_wide or department in departments

        return deliver(self._ctx, name, correlation_key, payload, principal.username, allowed)
