"""Move running and suspended instances to a newer deployed version of their process: preview, then migrate.

An instance moves only when every element holding one of its tokens still exists in the target version (see
engine.bpmn.migration); otherwise it is left untouched and the blocking elements are named. Each instance moves
in its own transaction on its locked, versioned row, and its inbox tasks, timers and awaited messages are
re-projected through the same ``apply_snapshot`` every engine step uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from engine.bpmn.migration import ActiveElement, InstanceMigrator
from engine.domain.access import Principal
from engine.domain.records import InstanceRecord, InstanceStatus, ProcessVersion, Snapshot, TaskState
from engine.errors import (
    FieldError,
    FormValidationError,
    MigrationRefused,
    NotFound,
    OnestopError,
    PermissionDenied,
)
from engine.services.advance import apply_snapshot, task_rows
from engine.services.context import ServiceContext, UnitOfWorkLike, with_retry

MOVABLE_STATUSES = (InstanceStatus.RUNNING, InstanceStatus.SUSPENDED)

# why an instance is not even considered (element-level reasons come from engine.bpmn.migration)
NOT_FOUND = "not_found"
OTHER_PROCESS = "other_process"
NOT_OPEN = "not_open"  # completed, terminated, or in error (retry the incident first)
NOT_OLDER = "not_older"  # already on the target version or a newer one


@dataclass(frozen=True)
class ElementRef:
    """An element holding a token: where it is, and why it blocks the move (``reason`` None: it moves)."""

    process_id: str
    element_id: str
    name: str
    state: str
    reason: str | None = None

    @property
    def movable(self) -> bool:
        return self.reason is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "process_id": self.process_id,
            "element_id": self.element_id,
            "name": self.name,
            "state": self.state,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class InstancePlan:
    instance_id: int
    business_key: str | None
    status: str
    from_version: int | None
    active: tuple[ElementRef, ...]  # every element with a token
    reason: str | None = None  # set when the instance cannot be considered at all (NOT_OPEN, ...)

    @property
    def blocking(self) -> tuple[ElementRef, ...]:
        return tuple(a for a in self.active if a.reason is not None)

    @property
    def movable(self) -> bool:
        return self.reason is None and not self.blocking


@dataclass(frozen=True)
class MigrationPreview:
    process_id: str
    to_version: int
    instances: tuple[InstancePlan, ...]

    @property
    def movable(self) -> tuple[InstancePlan, ...]:
        return tuple(p for p in self.instances if p.movable)

    @property
    def blocked(self) -> tuple[InstancePlan, ...]:
        return tuple(p for p in self.instances if not p.movable)


@dataclass(frozen=True)
class InstanceOutcome:
    instance_id: int
    business_key: str | None
    from_version: int | None
    to_version: int
    migrated: bool
    blocking: tuple[ElementRef, ...] = ()
    reason: str | None = None  # instance-level reason (NOT_OPEN, ...) or the first element's reason
    message: str = ""


@dataclass(frozen=True)
class MigrationResult:
    process_id: str
    to_version: int
    outcomes: tuple[InstanceOutcome, ...]

    @property
    def migrated(self) -> tuple[InstanceOutcome, ...]:
        return tuple(o for o in self.outcomes if o.migrated)

    @property
    def refused(self) -> tuple[InstanceOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.migrated)


def _refs(elements: Sequence[ActiveElement]) -> tuple[ElementRef, ...]:
    return tuple(ElementRef(e.process_id, e.element_id, e.name, e.state, e.reason) for e in elements)


def _unfit(instance: InstanceRecord | None, process_id: str, target: ProcessVersion) -> str | None:
    """Why an instance is not a candidate for moving to ``target`` (None: it is)."""
    if instance is None:
        return NOT_FOUND
    if instance.process_id != process_id:
        return OTHER_PROCESS
    if instance.status not in MOVABLE_STATUSES:
        return NOT_OPEN
    if instance.version >= target.version:
        return NOT_OLDER
    return None


def _explain(reason: str, blocking: Sequence[ElementRef]) -> str:
    if blocking:
        named = ", ".join(f"{b.element_id} ({b.name}): {b.reason}" for b in blocking)
        return f"blocked by elements the target version cannot carry: {named}"
    return {
        NOT_FOUND: "no such instance",
        OTHER_PROCESS: "the instance runs another process",
        NOT_OPEN: "only running or suspended instances can move",
        NOT_OLDER: "the instance is already on this version or a newer one",
    }.get(reason, reason)


class MigrationService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._migrator: InstanceMigrator | None = None

    @property
    def _engine(self) -> InstanceMigrator:
        if self._migrator is None:  # the runtime is wired after the services are made (engine.bootstrap)
            self._migrator = InstanceMigrator(self._ctx.runtime)
        return self._migrator

    @staticmethod
    def _admin(principal: Principal) -> None:
        if not principal.is_admin:
            raise PermissionDenied("only administrators may move instances to another version")

    def _target(self, uow: UnitOfWorkLike, process_id: str, to_version: int) -> ProcessVersion:
        found: ProcessVersion | None = uow.definitions.get_version(process_id, to_version)
        if found is None:
            raise NotFound(f"process {process_id!r} version {to_version} is not deployed")
        return found

    # -- preview -------------------------------------------------------------------------------
    def preview(
        self, principal: Principal, process_id: str, to_version: int, *, instance_ids: Sequence[int] | None = None
    ) -> MigrationPreview:
        """What would move: every running or suspended instance on an older version (or the given ones)."""
        self._admin(principal)
        with self._ctx.uow() as uow:
            target = self._target(uow, process_id, to_version)
            if instance_ids is None:
                rows: list[tuple[int, InstanceRecord | None]] = [
                    (i.id, i) for i in uow.instances.open_below_version(process_id, target.version)
                ]
            else:
                rows = [(i, uow.instances.get(i)) for i in dict.fromkeys(instance_ids)]
        return MigrationPreview(process_id, target.version, tuple(self._plan(i, r, target) for i, r in rows))

    def _plan(self, instance_id: int, instance: InstanceRecord | None, target: ProcessVersion) -> InstancePlan:
        reason = _unfit(instance, target.process_id, target)
        if instance is None or reason is not None:
            return InstancePlan(
                instance_id,
                instance.business_key if instance else None,
                instance.status.value if instance else "",
                instance.version if instance else None,
                (),
                reason,
            )
        plan = self._engine.plan(instance.state, target.spec_key)
        return InstancePlan(
            instance.id, instance.business_key, instance.status.value, instance.version, _refs(plan.active)
        )

    # -- migrate -------------------------------------------------------------------------------
    def migrate(
        self, principal: Principal, process_id: str, to_version: int, instance_ids: Sequence[int]
    ) -> MigrationResult:
        """Move each instance in its own transaction; refused ones stay as they were and say why.

        A request for a single instance that is refused raises (MigrationRefused with the blocking elements in
        ``details``, or NotFound), so an API caller gets a 409/404 rather than a 200 with a refusal inside.
        """
        self._admin(principal)
        ids = list(dict.fromkeys(instance_ids))
        if not ids:
            raise FormValidationError("choose the instances to move", [FieldError("instance_ids", "required")])
        with self._ctx.uow() as uow:
            target = self._target(uow, process_id, to_version)
        outcomes = []
        for instance_id in ids:
            try:
                outcome = with_retry(3, partial(self._migrate_one, principal, instance_id, target))
            except OnestopError as error:  # e.g. a state the engine cannot save: this one stays, the rest go on
                outcome = InstanceOutcome(instance_id, None, None, target.version, False, (), error.code, error.message)
            outcomes.append(outcome)
        if len(ids) == 1 and not outcomes[0].migrated:
            refused = outcomes[0]
            if refused.reason == NOT_FOUND:
                raise NotFound(f"instance {refused.instance_id} not found")
            raise MigrationRefused(
                f"instance {refused.instance_id} cannot move to version {target.version}: {refused.message}",
                [b.as_dict() for b in refused.blocking],
            )
        return MigrationResult(process_id, target.version, tuple(outcomes))

    def _migrate_one(self, principal: Principal, instance_id: int, target: ProcessVersion) -> InstanceOutcome:
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            instance = uow.instances.get(instance_id, for_update=True)
            reason = _unfit(instance, target.process_id, target)
            if instance is None or reason is not None:
                return self._refused(instance_id, instance, target, reason or NOT_FOUND, ())
            plan, snapshot = self._engine.migrate(instance.state, target.spec_key)
            if snapshot is None:
                blocking = _refs(plan.blocking)
                return self._refused(instance_id, instance, target, blocking[0].reason or "", blocking)
            from_version = instance.version
            self._save(uow, instance, snapshot, target, principal.username, from_version)
            uow.commit()
        if instance.status == InstanceStatus.RUNNING:
            ctx.notify_due(instance.next_due_at)
        return InstanceOutcome(instance.id, instance.business_key, from_version, target.version, True)

    @staticmethod
    def _refused(
        instance_id: int,
        instance: InstanceRecord | None,
        target: ProcessVersion,
        reason: str,
        blocking: tuple[ElementRef, ...],
    ) -> InstanceOutcome:
        return InstanceOutcome(
            instance_id,
            instance.business_key if instance else None,
            instance.version if instance else None,
            target.version,
            False,
            blocking,
            reason,
            _explain(reason, blocking),
        )

    def _save(
        self,
        uow: UnitOfWorkLike,
        instance: InstanceRecord,
        snapshot: Snapshot,
        target: ProcessVersion,
        actor: str,
        old: int,
    ) -> None:
        """Persist the moved state and its projections, point the row at the target version, and refresh what
        the kept inbox rows show (a task may have a new name, lane or form in the new version)."""
        now = self._ctx.now()
        ready_rows = {t.task_id: t for t in uow.instances.tasks_for_instance(instance.id, state=TaskState.READY)}
        snapshot.previous_ready_ids = frozenset(ready_rows)  # the inbox as saved: kept rows are not inserted again
        instance.process_version_id, instance.version = target.id, target.version
        apply_snapshot(
            self._ctx,
            uow,
            instance,
            snapshot,
            now=now,
            actor=actor,
            action="migrated",
            details={"from_version": old, "to_version": target.version},
            status=instance.status,
        )
        uow.instances.set_version(instance.id, target.id, target.version)
        shown = (
            "element_id",
            "name",
            "lane",
            "role",
            "department",
            "form_ref",
            "form_ui_ref",
            "due_at",
            "due_provisional",
        )
        for fresh in task_rows(instance, replace(snapshot, previous_ready_ids=frozenset()), now):
            kept = ready_rows.get(fresh.task_id)
            if kept is None:
                continue
            if any(getattr(kept, f) != getattr(fresh, f) for f in shown):
                uow.instances.refresh_task(fresh)
            if kept.claimed_by and (kept.role, kept.department) != (fresh.role, fresh.department):
                # the task now belongs to another role or department: its claimant may no longer work on it
                uow.instances.set_claim(fresh.task_id, None, kept.claimed_by)
