"""The complaint process (GB/T 36113: 受理 → 调查 → 处置 → 反馈 → 归档): start it with the complaint (in the
filing transaction), keep the complaint row's status, category and department (corrected at 受理), outcome,
reply, closing time and deadline warning in step with it (an advance hook), write the accountability entry of an
upheld complaint, and show one complaint's progress and the complaint desk's current steps.

The steps themselves are ordinary BPMN user tasks in the workbench inbox (processes/complaint.bpmn).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from engine.domain.access import ADMIN, SUPERVISOR, Principal
from engine.domain.complaints import (
    ACCEPT,
    DEPARTMENT_ELEMENTS,
    FEEDBACK,
    HANDLE,
    LATE,
    PROCESS_ID,
    ROUTED_TO,
    complaint_route,
    latest_status,
)
from engine.domain.feedback import COMPLAINT_CATEGORIES, COMPLAINT_SOURCES, ComplaintStatus
from engine.domain.records import HumanTaskRecord, InstanceRecord, Snapshot, TaskState
from engine.errors import FieldError, FormValidationError, NotFound, PermissionDenied
from engine.services.accountability import complaint_entry
from engine.services.context import AdvanceEvent, ServiceContext, UnitOfWorkLike, log
from engine.services.instances import start_in

CENTRE = "CENTRE"
COMPLAINT_OFFICER = "complaint_officer"
READERS = (ADMIN, SUPERVISOR, COMPLAINT_OFFICER)
_SUMMARY = ("id", "number", "source", "category", "department", "case_no", "subject", "content", "received_at",
            "due_at", "status", "closed_at", "outcome", "reply", "warned_at", "recorded_by")  # fmt: skip
_CATEGORY_LABELS = {c.code: c.label for c in COMPLAINT_CATEGORIES}


class ComplaintProcessService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        ctx.advance_hooks.append(self.follow)

    @property
    def reply_workdays(self) -> int:
        """Working days to answer a complaint (ONESTOP_COMPLAINT_REPLY_WORKDAYS, default 10)."""
        return int(self._ctx.settings.complaint_reply_workdays)

    # -- starting --------------------------------------------------------------------------------------------
    def start_in(self, uow: UnitOfWorkLike, complaint: dict[str, Any]) -> tuple[InstanceRecord, Snapshot | None] | None:
        """Start the complaint's process inside the filing transaction and link it to the complaint row; None
        (the complaint is still recorded) where the process is not deployed."""
        version = uow.definitions.get_version(PROCESS_ID)
        if version is None:
            log.warning("complaint %s filed without its process: %r is not deployed", complaint["number"], PROCESS_ID)
            return None
        route = complaint_route(complaint["category"], complaint["department"])
        data = {
            "complaint_id": complaint["id"],
            "number": complaint["number"],
            "subject": complaint["subject"],
            "category": complaint["category"],
            "route": route,
            "department": complaint["department"] or CENTRE,
            "received_at": complaint["received_at"].isoformat(),
            "reply_workdays": self.reply_workdays,
            # the accept step's post-script re-routes a complaint reclassified at 受理 with the domain's table
            "routes": dict(ROUTED_TO),
        }
        instance, snapshot = start_in(
            self._ctx,
            uow,
            version,
            data,
            # the department complained about owns the instance: its approver works the department route
            department=complaint["department"] if route == "department" else CENTRE,
            business_key=complaint["number"],
            actor=complaint["recorded_by"] or "complainant",
        )
        uow.complaints.update(complaint["id"], instance_id=instance.id)
        return instance, snapshot

    # -- following -------------------------------------------------------------------------------------------
    def follow(self, event: AdvanceEvent) -> None:
        """Advance hook: the finished step moves the complaint's status; 处置 sets the outcome (and writes the
        accountability entry of an upheld complaint, once); 受理 may reclassify it; 反馈 closes it and keeps the
        reply on the row; a deadline timer warns once."""
        if event.instance.process_id != PROCESS_ID:
            return
        done = {e.element_id for e in event.snapshot.completed_elements}
        uow = event.uow
        complaint = uow.complaints.for_instance(event.instance.id)
        if complaint is None or not done:
            return
        form = event.form_data if isinstance(event.form_data, dict) else {}
        values: dict[str, Any] = {}
        if ACCEPT in done:
            values.update(self._reclassified(uow, complaint, form))
        if FEEDBACK in done and str(form.get("reply") or "").strip():
            values["reply"] = str(form["reply"]).strip()
        status = latest_status(done)
        if status is not None:
            values["status"] = status.value
        if status is ComplaintStatus.ANSWERED and complaint["closed_at"] is None:
            values["closed_at"] = event.now
        if done & set(HANDLE):
            values["outcome"] = self._handled(uow, complaint, form, event)
        if values:
            uow.complaints.update(complaint["id"], **values)
        self._to_department(uow, event.instance.id, values.get("department", complaint["department"]))
        if done & set(LATE) and uow.complaints.mark_warned(complaint["id"], event.now):
            self._warn(uow, complaint, event.now)

    def _reclassified(self, uow: UnitOfWorkLike, complaint: dict[str, Any], form: dict[str, Any]) -> dict[str, Any]:
        """受理 may correct the category and the department complained about (the post-script of the accept
        step has already routed by them); an unknown department refuses the whole step."""
        values: dict[str, Any] = {}
        category = str(form.get("category") or "").strip()
        if category and category != complaint["category"]:
            values["category"] = category  # the form's enum admits the known categories only
        department = str(form.get("department") or "").strip()
        if department and department != complaint["department"]:
            if not uow.accounts.department_exists(department):
                raise FormValidationError(
                    "unknown department", [FieldError("department", "没有该部门 / no such department")]
                )
            values["department"] = department
        if values:
            log.info("complaint %s reclassified at 受理: %s", complaint["number"], values)
        return values

    @staticmethod
    def _to_department(uow: UnitOfWorkLike, instance_id: int, department: str | None) -> None:
        """The department route's tasks belong to the department complained about; the instance was started
        for the department known then, so a task of a complaint reclassified at 受理 is pointed at the new one."""
        if not department:
            return
        for task in uow.instances.tasks_for_instance(instance_id, state=TaskState.READY):
            if task.element_id in DEPARTMENT_ELEMENTS and task.department != department:
                uow.task_files.move_task(task.task_id, task.department, department, task.claimed_by)

    def _handled(
        self, uow: UnitOfWorkLike, complaint: dict[str, Any], form: dict[str, Any], event: AdvanceEvent
    ) -> str:
        upheld = form.get("upheld") is True
        measures = str(form.get("measures") or "").strip()
        if upheld and uow.accountability.entry_for(f"complaint:{complaint['id']}") is None:
            year = event.now.astimezone(self._ctx.runtime_calendar().zone).year
            officer = str(form.get("officer") or "").strip() or None
            department = str(form.get("department") or "").strip() or None
            veto = form.get("veto") is True
            actor = event.actor or "system"
            complaint_entry(uow, complaint, officer, department, measures, veto, actor, event.now, year)
        return f"{'属实' if upheld else '不属实'}：{measures}"

    def _warn(self, uow: UnitOfWorkLike, complaint: dict[str, Any], now: datetime) -> None:
        """Tell the complaint desk and whoever holds the complaint now that its reply deadline has passed."""
        people = set(uow.warnings.holders(COMPLAINT_OFFICER, CENTRE))
        for task in uow.instances.tasks_for_instance(complaint["instance_id"], state=TaskState.READY):
            if task.role:  # holders in the task's department and centre-wide ones (a supervisor)
                for username in uow.warnings.holders(task.role):
                    person = uow.accounts.principal(username)
                    if person is not None and person.holds(task.role, task.department):
                        people.add(username)
        text = f"投诉 {complaint['number']} 已超过答复时限，请尽快办理并答复投诉人。"
        uow.notifications.add(sorted(people), now, "complaint_overdue", text, f"/complaints/{complaint['id']}")
        log.warning("complaint %s is past its reply deadline", complaint["number"])

    # -- reading ---------------------------------------------------------------------------------------------
    def current_steps(self, principal: Principal, instance_ids: list[int]) -> dict[int, list[str]]:
        """The step(s) each complaint's process waits in now, by instance id (the complaint desk's list)."""
        if not any(principal.has_role(role) for role in READERS):
            raise PermissionDenied("only the complaint desk, supervision and administrators follow complaints")
        with self._ctx.uow() as uow:
            return dict(uow.complaints.ready_steps(instance_ids))

    def progress(self, principal: Principal, complaint_id: int) -> dict[str, Any]:
        """The complaint (without the complainant) and its process: open tasks and the steps done so far."""
        if not any(principal.has_role(role) for role in READERS):
            raise PermissionDenied("only the complaint desk, supervision and administrators follow complaints")
        with self._ctx.uow() as uow:
            row = uow.complaints.get(complaint_id)
            if row is None:
                raise NotFound(f"no complaint {complaint_id}")
            tasks = uow.instances.tasks_for_instance(row["instance_id"]) if row["instance_id"] else []
        zone = self._ctx.runtime_calendar().zone
        summary = {key: row[key] for key in _SUMMARY}
        return {
            "complaint": {
                **summary,
                "category_label": _CATEGORY_LABELS.get(row["category"], row["category"]),
                "source_label": COMPLAINT_SOURCES.get(row["source"], row["source"]),
                "status_label": ComplaintStatus(row["status"]).label,
                "route": complaint_route(row["category"], row["department"]),
                # a deadline is the end of a working day (the local midnight after it): that day is the one to tell
                "reply_by": (row["due_at"] - timedelta(microseconds=1)).astimezone(zone).date(),
                "overdue": row["closed_at"] is None and row["due_at"] <= self._ctx.now(),
            },
            "instance_id": row["instance_id"],
            "open_tasks": [_task(t) for t in tasks if t.state is TaskState.READY],
            "history": [_task(t) for t in tasks if t.state is TaskState.COMPLETED],
        }


def _task(task: HumanTaskRecord) -> dict[str, Any]:
    return {
        "task_id": task.task_id,
        "element_id": task.element_id,
        "name": task.name,
        "role": task.role,
        "department": task.department,
        "claimed_by": task.claimed_by,
        "completed_by": task.completed_by,
        "completed_at": task.completed_at,
    }
