"""Human tasks: the inbox, a task with its form, claim/unclaim and completion (403/409/422 on refusal)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from engine.domain.access import Principal, may_work_on
from engine.domain.records import AuditEvent, HumanTaskRecord, InstanceRecord, InstanceStatus, TaskState
from engine.errors import (
    ConcurrencyConflict,
    FieldError,
    FormValidationError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ScriptError,
)
from engine.services.advance import apply_snapshot
from engine.services.context import ServiceContext, with_retry
from engine.services.incidents import record_incident
from engine.services.messages import dispatch_thrown
from engine.services.task_case import CasePanel, case_panel_for

MAX_TRANSFER_REASON = 500


@dataclass
class TaskView:
    task: HumanTaskRecord
    instance_status: InstanceStatus
    form_schema: dict[str, Any] | None
    data: dict[str, Any]


@dataclass
class Completion:
    instance_id: int
    instance_status: InstanceStatus
    output_key: str | None
    next_tasks: list[str]
    incident: str | None = None


class TaskService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._forms_by_version: dict[int, dict[str, int]] = {}

    def inbox(self, principal: Principal, limit: int = 200) -> list[HumanTaskRecord]:
        grants = [(g.role, g.department) for g in principal.grants]
        with self._ctx.uow() as uow:
            return uow.instances.ready_tasks_for(grants, any_department=principal.is_admin, limit=limit)

    def _candidate(self, principal: Principal, task: HumanTaskRecord) -> None:
        if not may_work_on(principal, task.role, task.department):
            raise PermissionDenied(
                f"task {task.task_id} belongs to role {task.role or '?'} in department {task.department or '?'}"
            )

    def _form_file(self, uow: Any, instance: InstanceRecord, task: HumanTaskRecord) -> int | None:
        if not task.form_ref:
            return None
        forms = self._forms_by_version.get(instance.process_version_id)
        if forms is None:  # deployed versions never change: remember their form files
            version = uow.definitions.get_version_by_id(instance.process_version_id)
            forms = dict(version.forms) if version else {}
            self._forms_by_version[instance.process_version_id] = forms
        file_id = forms.get(task.form_ref)
        if file_id is None:
            raise NotFound(f"form {task.form_ref} of task {task.task_id} is not deployed")
        return int(file_id)

    def show(self, principal: Principal, task_id: str) -> TaskView:
        with self._ctx.uow() as uow:
            found = uow.instances.get_task_and_instance(task_id, for_update=False)
            if found is None:
                raise NotFound(f"task {task_id} not found")
            task, instance = found
            self._candidate(principal, task)
            form_file = self._form_file(uow, instance, task)
        schema = self._ctx.forms.schema(form_file) if form_file is not None else None
        data = self._ctx.runtime.task_data(instance.state, task_id) if task.state == TaskState.READY else {}
        return TaskView(task=task, instance_status=instance.status, form_schema=schema, data=data)

    def claim(self, principal: Principal, task_id: str) -> HumanTaskRecord:
        return self._set_claim(principal, task_id, principal.username)

    def unclaim(self, principal: Principal, task_id: str) -> HumanTaskRecord:
        return self._set_claim(principal, task_id, None)

    def _set_claim(self, principal: Principal, task_id: str, username: str | None) -> HumanTaskRecord:
        with self._ctx.uow(write=True) as uow:
            task = uow.instances.get_task(task_id)
            if task is None:
                raise NotFound(f"task {task_id} not found")
            self._candidate(principal, task)
            if task.state != TaskState.READY:
                raise ConcurrencyConflict(f"task {task_id} is no longer ready")
            if username is None:  # unclaim: only the holder (or an admin) may release
                if task.claimed_by is None:
                    return task
                if task.claimed_by != principal.username and not principal.is_admin:
                    raise PermissionDenied(f"task {task_id} is claimed by {task.claimed_by}")
                expected = task.claimed_by
            else:
                if task.claimed_by == username:
                    return task
                if task.claimed_by is not None:
                    raise ConcurrencyConflict(f"task {task_id} is already claimed by {task.claimed_by}")
                expected = None
            if not uow.instances.set_claim(task_id, username, expected):
                raise ConcurrencyConflict(f"task {task_id} changed while claiming; reload")
            uow.commit()
        return replace(task, claimed_by=username)

    def complete(self, principal: Principal, task_id: str, data: Any) -> Completion:
        """Complete a task; a parallel sibling saved meanwhile is merged by re-running on fresh state."""
        return with_retry(5, lambda: self._complete_once(principal, task_id, data))

    def _complete_once(self, principal: Principal, task_id: str, data: Any) -> Completion:
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            found = uow.instances.get_task_and_instance(task_id, for_update=uow.skip_locked)
            if found is None:
                raise NotFound(f"task {task_id} not found")
            task, instance = found
            self._candidate(principal, task)
            if task.state != TaskState.READY:
                raise ConcurrencyConflict(f"task {task_id} is no longer ready ({task.state.value})")
            if instance.status != InstanceStatus.RUNNING:
                raise InvalidTransition(f"instance {instance.id} is {instance.status.value}")
            if task.claimed_by not in (None, principal.username) and not principal.is_admin:
                raise PermissionDenied(f"task {task_id} is claimed by {task.claimed_by}")
            ctx.forms.validate(self._form_file(uow, instance, task), data)
            try:
                snapshot, key = ctx.runtime.complete(instance.state, task_id, data)
            except ScriptError as error:
                action = {"type": "complete", "task_id": task_id, "data": data, "actor": principal.username}
                record_incident(uow, instance, error, action, principal.username, ctx.now())
                uow.commit()
                return Completion(instance.id, InstanceStatus.ERROR, None, [], incident=error.message)
            apply_snapshot(
                ctx,
                uow,
                instance,
                snapshot,
                now=ctx.now(),
                actor=principal.username,
                action="task_completed",
                completed_task_id=task_id,
                details={"element_id": task.element_id, "output_key": key, "data": data},
            )
            uow.commit()
        ctx.notify_due(instance.next_due_at)
        dispatch_thrown(ctx, instance, snapshot.thrown_messages)
        return Completion(instance.id, instance.status, key, [t.task_id for t in snapshot.ready_tasks])

    # -- the case beside the task -----------------------------------------------------------------
    def case_panel(self, principal: Principal, task_id: str) -> CasePanel | None:
        """The task's case (item, masked applicant, dates, status, materials checklist, notices) for whoever may
        work on the task; None when the process runs without a case."""
        with self._ctx.uow() as uow:
            task = uow.instances.get_task(task_id)
            if task is None:
                raise NotFound(f"task {task_id} not found")
            self._candidate(principal, task)
            return case_panel_for(uow, task.instance_id)

    def case_notice(self, principal: Principal, task_id: str, notice_id: int) -> dict[str, Any]:
        """One notice (文书) of the task's case, for whoever may work on the task."""
        with self._ctx.uow() as uow:
            task = uow.instances.get_task(task_id)
            if task is None:
                raise NotFound(f"task {task_id} not found")
            self._candidate(principal, task)
            case = uow.cases.for_instance(task.instance_id)
            notice = uow.notices.get(case["case_no"], notice_id) if case else None
        if notice is None:
            raise NotFound(f"the case of task {task_id} has no notice {notice_id}")
        return dict(notice)

    # -- 转办 ----------------------------------------------------------------------------------------
    def transfer(self, principal: Principal, task_id: str, department: str, reason: str) -> HumanTaskRecord:
        """Move a READY task to another department's inbox (same role), releasing its claim, with a reason.

        The task row is the inbox projection and is written once per engine task (advance.task_rows skips tasks
        already READY), so later saves of the instance keep the new department; the transfer record and the
        ``task_transferred`` audit event say who moved it, from where, to where and why."""
        department, reason = (department or "").strip(), (reason or "").strip()
        errors = []
        if not department:
            errors.append(FieldError("department", "请选择转办部门 / choose a department"))
        if not reason:
            errors.append(FieldError("reason", "请填写转办理由 / give a reason"))
        elif len(reason) > MAX_TRANSFER_REASON:
            errors.append(
                FieldError("reason", f"理由不能超过 {MAX_TRANSFER_REASON} 字 / at most {MAX_TRANSFER_REASON}")
            )
        if errors:
            raise FormValidationError("the task cannot be transferred", errors)
        return with_retry(3, lambda: self._transfer_once(principal, task_id, department, reason))

    def _transfer_once(self, principal: Principal, task_id: str, department: str, reason: str) -> HumanTaskRecord:
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            # the same lock as a completion takes, so a transfer and a completion of one task take turns
            found = uow.instances.get_task_and_instance(task_id, for_update=uow.skip_locked)
            if found is None:
                raise NotFound(f"task {task_id} not found")
            task, instance = found
            self._candidate(principal, task)
            if task.state != TaskState.READY:
                raise ConcurrencyConflict(f"task {task_id} is no longer ready ({task.state.value})")
            if instance.status != InstanceStatus.RUNNING:
                raise InvalidTransition(f"instance {instance.id} is {instance.status.value}")
            if task.claimed_by not in (None, principal.username) and not principal.is_admin:
                raise PermissionDenied(f"task {task_id} is claimed by {task.claimed_by}")
            if not uow.accounts.department_exists(department):
                raise FormValidationError(
                    "unknown department", [FieldError("department", f"没有部门 {department} / no such department")]
                )
            if department == task.department:
                raise FormValidationError(
                    "same department", [FieldError("department", "任务已在该部门 / the task is already there")]
                )
            files = uow.task_files
            if not files.move_task(task_id, task.department, department, task.claimed_by):
                raise ConcurrencyConflict(f"task {task_id} changed while transferring; reload")
            now = ctx.now()
            files.add_transfer(
                {
                    "instance_id": instance.id,
                    "task_id": task_id,
                    "from_department": task.department,
                    "to_department": department,
                    "reason": reason,
                    "transferred_by": principal.username,
                    "transferred_at": now,
                }
            )
            details = {"from": task.department, "to": department, "reason": reason}
            uow.instances.add_audit(
                [
                    AuditEvent(
                        instance_id=instance.id,
                        at=now,
                        actor=principal.username,
                        action="task_transferred",
                        task_id=task_id,
                        element_id=task.element_id,
                        element_name=task.name,
                        details=details,
                    )
                ]
            )
            uow.commit()
        return replace(task, department=department, claimed_by=None)
