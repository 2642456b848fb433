"""Key projects of the fast track (重点项目并联审批): register a package, triage it into child cases reviewed
in parallel, extend the joint limit once, show the progress board and timeline, and pass the steward's
notes to departments. The moving parts run in project_flow's advance hook; the reads in project_reads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.domain.access import Principal
from engine.domain.projects import JOINT_STATUTORY_DAYS, STAGES, ProjectStatus
from engine.domain.records import TaskState
from engine.errors import FieldError, FormValidationError, InvalidTransition, NotFound, PermissionDenied
from engine.services.context import ServiceContext, with_retry
from engine.services.instances import after_start, start_in
from engine.services.messages import deliver_in
from engine.services.project_flow import (
    CENTRE,
    PROJECT_PROCESS,
    STEWARD_ROLE,
    ProjectFlow,
    check_triage,
    collecting_codes,
    is_overseer,
    may_steward,
    record_event,
    review_line,
)
from engine.services.project_reads import may_act_in, progress, timeline
from engine.services.project_views import (
    ChildProgress,
    KeyProjectView,
    PrerequisiteLink,
    ProjectProgress,
    TimelineEntry,
    TriageOptions,
    TriageResult,
)

__all__ = [
    "ChildProgress",
    "KeyProjectView",
    "PrerequisiteLink",
    "ProjectProgress",
    "ProjectService",
    "TimelineEntry",
    "TriageOptions",
    "TriageResult",
]

#: 第42条: joint handling may be extended once, by 15 working days, with the government head's approval
EXTENSION_DAYS = 15


def _text(body: dict[str, Any], key: str, limit: int, errors: list[FieldError], required: bool = True) -> str:
    value = body.get(key)
    if isinstance(value, str):
        value = value.strip()
    if value in (None, ""):
        if required:
            errors.append(FieldError(key, "必填 / required"))
        return ""
    if not isinstance(value, str) or len(value) > limit:
        errors.append(FieldError(key, f"至多 {limit} 字 / text of at most {limit} characters"))
        return ""
    return value


class ProjectService:
    def __init__(self, ctx: ServiceContext, cases: Any, tasks: Any) -> None:
        self._ctx = ctx
        self._tasks = tasks
        self.flow = ProjectFlow(ctx, cases.open_in)
        ctx.advance_hooks.append(self.flow.on_advance)
        #: when the meetings service is wired it answers the next joint-review meeting's time
        self.next_meeting: Callable[[], datetime | None] | None = None

    # -- registering the package ----------------------------------------------------------------------------
    def register(self, principal: Principal, body: dict[str, Any]) -> KeyProjectView:
        """The fast-track window's duty officer receives a project's package (收件)."""
        if not may_steward(principal):
            raise PermissionDenied("只有快速通道窗口（联审办）可登记重点项目 / fast-track officers only")
        errors: list[FieldError] = []
        name = _text(body, "name", 200, errors)
        location = _text(body, "location", 200, errors)
        raw = body.get("investor")
        investor_raw: dict[str, Any] = raw if isinstance(raw, dict) else {}
        investor_errors: list[FieldError] = []
        investor = {
            "name": _text(investor_raw, "name", 200, investor_errors),
            "contact": _text(investor_raw, "contact", 64, investor_errors, required=False),
            "phone": _text(investor_raw, "phone", 32, investor_errors, required=False),
            "credit_code": _text(investor_raw, "credit_code", 32, investor_errors, required=False),
        }
        errors += [FieldError(f"investor.{e.field}", e.message) for e in investor_errors]
        try:
            investment = Decimal(str(body.get("investment", "")).strip())
            if not investment.is_finite() or investment < 0 or investment >= Decimal("1e12"):
                raise InvalidOperation
        except InvalidOperation:
            errors.append(FieldError("investment", "投资额（万元）须为非负数 / a non-negative amount in 万元"))
            investment = Decimal(0)
        stage = body.get("stage")
        if stage not in STAGES:
            errors.append(FieldError("stage", "one of " + ", ".join(STAGES)))
        materials_raw = body.get("materials") or []
        if not isinstance(materials_raw, list) or len(materials_raw) > 200:
            errors.append(FieldError("materials", "a list of material names"))
            materials_raw = []
        materials = [m.strip() for m in materials_raw if isinstance(m, str) and m.strip()][:200]
        if any(len(m) > 200 for m in materials):
            errors.append(FieldError("materials", "each name at most 200 characters"))
        if errors:
            raise FormValidationError("项目信息有误 / the project cannot be registered", errors)
        return with_retry(
            3, lambda: self._register_once(principal, name, investor, location, investment, str(stage), materials)
        )

    def _register_once(
        self,
        principal: Principal,
        name: str,
        investor: dict[str, str],
        location: str,
        investment: Decimal,
        stage: str,
        materials: list[str],
    ) -> KeyProjectView:
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            version = uow.definitions.get_version(PROJECT_PROCESS)
            if version is None:
                raise NotFound(f"the fast track's process ({PROJECT_PROCESS}) is not deployed")
            now = ctx.now()
            year = now.astimezone(ctx.runtime_calendar().zone).year
            code = f"KP-{year}-{uow.projects.next_number(year):03d}"
            uow.projects.add(
                {
                    "code": code,
                    "name": name,
                    "investor": investor,
                    "location": location,
                    "investment": investment,
                    "stage": stage,
                    "materials": materials,
                    "status": ProjectStatus.RECEIVED.value,
                    "received_at": now,
                    "received_by": principal.username,
                    "statutory_days": JOINT_STATUTORY_DAYS,
                    "extended": False,
                }
            )
            data = {
                "project_code": code,
                "project_name": name,
                "limit_days": JOINT_STATUTORY_DAYS,
                "extension_days": EXTENSION_DAYS,
                "extended": False,
            }
            instance, snapshot = start_in(
                ctx, uow, version, data, department=CENTRE, business_key=code, actor=principal.username
            )
            uow.projects.set_instance(code, instance.id)
            record_event(
                uow,
                code,
                now,
                principal.username,
                "registered",
                f"快速通道窗口收件：{name}（{len(materials)} 份材料）",
                None,
                None,
            )
            uow.commit()
        after_start(ctx, instance, snapshot)
        return KeyProjectView(code, name, ProjectStatus.RECEIVED, instance.id, now)

    # -- triage: every department at once --------------------------------------------------------------------
    def triage(
        self,
        principal: Principal,
        code: str,
        reviews: list[dict[str, Any]],
        steward: str,
        lead_department: str,
    ) -> TriageResult:
        """联审办分办: the departments, their items and which wait for which; all reviews start in this one
        transaction (the project's triage task completes and its hook opens every child case)."""
        if not may_steward(principal):
            raise PermissionDenied("只有联审办可分办 / the joint-review office triages")
        lines = [
            review_line(str(r.get("item_code", "")), r.get("prerequisites") or [])
            if isinstance(r, dict) and isinstance(r.get("prerequisites", []), list | None)
            else r
            for r in reviews
        ]
        data = {"reviews": lines, "steward": steward, "lead_department": lead_department}
        with self._ctx.uow() as uow:
            project = self._project(uow, code)
            if project["status"] != ProjectStatus.RECEIVED.value:
                raise InvalidTransition(f"项目 {code} 已分办 / already triaged")
            check_triage(uow, data)  # the field errors before the task is touched
            task = next(
                (
                    t
                    for t in uow.instances.tasks_for_instance(project["instance_id"], state=TaskState.READY)
                    if t.element_id == "triage"
                ),
                None,
            )
        if task is None:
            raise InvalidTransition(f"项目 {code} 没有待分办的任务 / no triage task is ready")
        with collecting_codes() as codes:
            self._tasks.complete(principal, task.task_id, data)
        return TriageResult(self.show(principal, code), dict(codes))

    # -- extending the joint limit once --------------------------------------------------------------------
    def extend(self, principal: Principal, code: str, reason: str, approved_by: str) -> ProjectProgress:
        """+15 working days, once, with the government head's approval (recorded by the office)."""
        if not may_steward(principal):
            raise PermissionDenied("只有联审办可登记延期 / the joint-review office records extensions")
        errors = []
        if not reason or not reason.strip():
            errors.append(FieldError("reason", "必填 / required"))
        if not approved_by or not approved_by.strip():
            errors.append(FieldError("approved_by", "须由政府负责人批准 / the approving head is required"))
        if errors:
            raise FormValidationError("延期信息不完整 / the extension needs a reason and its approval", errors)
        with_retry(3, lambda: self._extend_once(principal, code, reason.strip(), approved_by.strip()))
        return self.show(principal, code)

    def _extend_once(self, principal: Principal, code: str, reason: str, approved_by: str) -> None:
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            project = uow.projects.get(code, for_update=True)
            if project is None:
                raise NotFound(f"no project {code}")
            if project["status"] != ProjectStatus.IN_REVIEW.value:
                raise InvalidTransition(f"项目 {code} 不在并联审查中 / not under review")
            if project["extended"]:
                raise InvalidTransition("联合办理时限只能延长一次 / the joint limit may be extended once")
            parent = uow.instances.get(project["instance_id"], for_update=True)
            try:
                deliver_in(ctx, uow, parent, "limit_extended", {"extension_reason": reason}, principal.username)
            except InvalidTransition:
                raise InvalidTransition("各部门均已作出决定，联合办理时限无需延长 / every review is decided") from None
            days = project["statutory_days"] + EXTENSION_DAYS
            now = ctx.now()
            uow.projects.save(
                code,
                project["row_version"],
                {
                    "extended": True,
                    "statutory_days": days,
                    "extension_reason": reason,
                    "due_at": ctx.runtime_calendar().deadline_after(project["triaged_at"], days).due_at,
                },
            )
            record_event(
                uow,
                code,
                now,
                principal.username,
                "extended",
                f"经{approved_by}批准延长 {EXTENSION_DAYS} 个工作日：{reason}",
                None,
                None,
            )
            uow.commit()
        ctx.notify_due(parent.next_due_at)

    # -- reading -------------------------------------------------------------------------------------------
    def show(self, principal: Principal, code: str) -> ProjectProgress:
        with self._ctx.uow() as uow:
            project = self._project(uow, code)
            reviews = uow.projects.reviews([code])[code]
            self._may_view(principal, reviews)
            return progress(
                uow, project, reviews, self._ctx.now(), self._ctx.runtime_calendar(), principal, self._next()
            )

    def board(self, principal: Principal, include_closed: bool = True) -> list[ProjectProgress]:
        """The tracking board: every project the viewer may see (all of them for the office, the supervision
        window and administrators; a department's staff see the projects their department reviews)."""
        overseer = is_overseer(principal)
        if not overseer and not principal.grants:
            raise PermissionDenied("staff only")
        departments = None if overseer else sorted({g.department for g in principal.grants if g.department})
        statuses = None if include_closed else [ProjectStatus.RECEIVED.value, ProjectStatus.IN_REVIEW.value]
        return self._read_all(statuses, departments, principal)

    def open_projects(self) -> list[ProjectProgress]:
        """Every project under review, read now, without a viewer (the meeting job's agenda source)."""
        return self._read_all([ProjectStatus.RECEIVED.value, ProjectStatus.IN_REVIEW.value], None, None)

    def _read_all(
        self, statuses: list[str] | None, departments: list[str] | None, viewer: Principal | None
    ) -> list[ProjectProgress]:
        now, calendar, upcoming = self._ctx.now(), self._ctx.runtime_calendar(), self._next()
        with self._ctx.uow() as uow:
            projects = uow.projects.listing(statuses, departments)
            reviews = uow.projects.reviews([p["code"] for p in projects])
            return [progress(uow, p, reviews[p["code"]], now, calendar, viewer, upcoming) for p in projects]

    def timeline(self, principal: Principal, code: str) -> list[TimelineEntry]:
        with self._ctx.uow() as uow:
            project = self._project(uow, code)
            reviews = uow.projects.reviews([code])[code]
            self._may_view(principal, reviews)
            return timeline(uow, project, reviews, principal)

    def triage_options(self, principal: Principal, code: str) -> TriageOptions:
        if not may_steward(principal):
            raise PermissionDenied("只有联审办可分办 / the joint-review office triages")
        with self._ctx.uow() as uow:
            self._project(uow, code)
            items = tuple(
                {
                    "code": item["code"],
                    "name": item["name"],
                    "department": item["department"],
                    "promised_days": item["promised_days"],
                }
                for item in uow.catalogue.all()
            )
            stewards = tuple(
                sorted(
                    {
                        (g["username"], g["display_name"])
                        for g in uow.organisation.staff_grants()
                        if g["role"] == STEWARD_ROLE and g["department"] in (None, CENTRE)
                    }
                )
            )
            return TriageOptions(items, stewards, tuple(uow.accounts.departments()))

    # -- the steward's notes to departments ----------------------------------------------------------------
    def message(self, principal: Principal, code: str, department: str, text: str) -> TimelineEntry:
        """The steward (专人) writes to a department about its review: a comment on that department's case(s)
        of the project, and an entry on the project's timeline."""
        if not may_steward(principal):
            raise PermissionDenied("只有联审办专人可留言 / the steward writes to departments")
        text = (text or "").strip()
        if not text or len(text) > 2000:
            raise FormValidationError("留言内容 / the note", [FieldError("text", "1–2000 characters")])
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            self._project(uow, code)
            reviews = [r for r in uow.projects.reviews([code])[code] if r["department"] == department]
            if not reviews:
                raise FormValidationError("部门未参与本项目 / not a department of this project",
                                          [FieldError("department", "not involved")])  # fmt: skip
            now = ctx.now()
            for review in reviews:
                row = uow.cases.get(review["case_no"])
                if row and row["instance_id"]:
                    uow.task_files.add_comment(
                        {
                            "instance_id": row["instance_id"],
                            "task_id": None,
                            "author": principal.username,
                            "body": f"【联审办专人留言】{text}",
                            "created_at": now,
                        }
                    )
            case_no = reviews[0]["case_no"] if len(reviews) == 1 else None
            record_event(uow, code, now, principal.username, "note", text, case_no, department)
            uow.commit()
        return TimelineEntry(now, principal.username, "note", text, case_no, None, text)

    # -- helpers -------------------------------------------------------------------------------------------
    def _next(self) -> datetime | None:
        return self.next_meeting() if self.next_meeting is not None else None

    @staticmethod
    def _project(uow: Any, code: str) -> dict[str, Any]:
        project = uow.projects.get(code)
        if project is None:
            raise NotFound(f"没有重点项目 {code} / no project {code}")
        return project

    @staticmethod
    def _may_view(principal: Principal, reviews: list[dict[str, Any]]) -> None:
        if is_overseer(principal):
            return
        if not any(may_act_in(principal, r["department"]) for r in reviews) or not principal.grants:
            raise PermissionDenied("本部门未参与该项目 / your department does not review this project")
