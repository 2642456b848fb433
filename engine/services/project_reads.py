"""Read a key project as it stands now: each department's review state, working days used and left, the
warnings, the prerequisite links; and the project's timeline from its own events and its children's audit."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from engine.domain.access import Principal
from engine.domain.case_codec import case_from_dict
from engine.domain.cases import CaseStatus
from engine.domain.projects import STAGES, ProjectStatus, ReviewState, WarningLevel, read_warning
from engine.domain.records import TaskState
from engine.domain.warnings import read_colour, thresholds_for
from engine.services.context import UnitOfWorkLike
from engine.services.project_flow import ENDED, is_overseer
from engine.services.project_views import ChildProgress, PrerequisiteLink, ProjectProgress, TimelineEntry

_ENDED = {CaseStatus.WITHDRAWN, CaseStatus.TERMINATED, CaseStatus.NOT_ACCEPTED}
_MESSAGES = {
    "prerequisites_met": "前置审批结果已补送，决定环节就绪",
    "all_reviews_decided": "各部门均已决定",
    "limit_extended": "联合办理时限延长",
}


def review_state(review: dict[str, Any], case_status: CaseStatus, ready_elements: set[str]) -> ReviewState:
    if review["result"] == "approved":
        return ReviewState.APPROVED
    if review["result"] == "refused":
        return ReviewState.REFUSED
    if review["result"] == ENDED or case_status in _ENDED:
        return ReviewState.ENDED
    if "decision" in ready_elements:
        return ReviewState.DECIDING
    if review["prerequisites"] and review["pre_reviewed_at"] is not None and review["forwarded_at"] is None:
        return ReviewState.WAITING
    return ReviewState.PRE_REVIEW


def may_act_in(principal: Principal, department: str) -> bool:
    """Whether the viewer sees a department's review in full: the joint-review office and the supervision
    window see every one; department staff see their own."""
    return is_overseer(principal) or any(g.department == department for g in principal.grants)


def progress(
    uow: UnitOfWorkLike,
    project: dict[str, Any],
    reviews: list[dict[str, Any]],
    now: datetime,
    calendar: Any,
    viewer: Principal | None,
    next_meeting: datetime | None = None,
) -> ProjectProgress:
    departments = dict(uow.accounts.departments())
    names = {r["item_code"]: (uow.catalogue.get(r["item_code"]) or {}).get("name", r["item_code"]) for r in reviews}
    states: dict[str, ReviewState] = {}
    children = []
    for review in reviews:
        row = uow.cases.get(review["case_no"])
        case = case_from_dict(row["record"])
        ready = (
            {t.element_id for t in uow.instances.tasks_for_instance(row["instance_id"], state=TaskState.READY)}
            if row["instance_id"]
            else set()
        )
        state = review_state(review, case.status, ready)
        states[review["item_code"]] = state
        clock = case.clock
        due = clock.promised_due(calendar, now).due_at if clock is not None else None
        if clock is not None and not state.is_decided and state is not ReviewState.ENDED:
            # the supervision colours: working days with paused time (a wait for prerequisites) left out
            guide = (uow.catalogue.get(review["item_code"]) or {}).get("guide", {})
            colour = read_colour(clock, now, calendar, thresholds_for(guide))
            warning = WarningLevel(colour.colour.value)
            used, remaining = colour.used_days, colour.remaining_days
        else:
            warning, used, remaining = WarningLevel.NONE, 0, 0
            if clock is not None and case.decided_at is not None:
                used = clock.used_working_days(calendar, case.decided_at)
        children.append(
            (
                review,
                dict(
                    item_code=review["item_code"],
                    item_name=names[review["item_code"]],
                    department=review["department"],
                    department_name=departments.get(review["department"], review["department"]),
                    case_no=review["case_no"],
                    instance_id=row["instance_id"],
                    state=state,
                    result=review["result"],
                    # another department's opinion is its own until the joint result (shown to the office)
                    opinion=(review["opinion"] or "")
                    if viewer is None or may_act_in(viewer, review["department"])
                    else "",
                    promised_days=case.promised_days,
                    used_days=used,
                    remaining_days=remaining,
                    accepted_at=case.accepted_at,
                    due_at=due,
                    warning=warning,
                    forwarded=review["forwarded_at"] is not None,
                    full=viewer is None or may_act_in(viewer, review["department"]),
                ),
            )
        )
    built = tuple(
        ChildProgress(
            **fields,
            prerequisites=tuple(
                PrerequisiteLink(
                    code, names.get(code, code), _case_of(reviews, code), states.get(code, ReviewState.ENDED)
                )
                for code in review["prerequisites"]
            ),
        )
        for review, fields in children
    )
    status = ProjectStatus(project["status"])
    if status is ProjectStatus.IN_REVIEW and project["triaged_at"] and project["due_at"]:
        reading = read_warning(project["triaged_at"], project["statutory_days"], project["due_at"], now, calendar)
        warning, used, remaining = reading.warning, reading.used_days, reading.remaining_days
    elif status is ProjectStatus.RECEIVED:  # 当日分办: the office triages on the day the package arrives
        triage_due = calendar.end_of_working_day(project["received_at"])
        warning = WarningLevel.OVERDUE if now >= triage_due else WarningLevel.GREEN
        used, remaining = (
            0,
            0
            if now < triage_due
            else -calendar.working_days_between(
                triage_due.astimezone(calendar.zone).date(), now.astimezone(calendar.zone).date()
            ),
        )
    else:
        warning, used, remaining = WarningLevel.NONE, 0, 0
    return ProjectProgress(
        code=project["code"],
        name=project["name"],
        investor=dict(project["investor"]),
        location=project["location"],
        investment=Decimal(project["investment"]),
        stage=project["stage"],
        stage_label=STAGES.get(project["stage"], project["stage"]),
        status=status,
        steward=project["steward"],
        lead_department=project["lead_department"],
        received_at=project["received_at"],
        triaged_at=project["triaged_at"],
        due_at=project["due_at"],
        statutory_days=project["statutory_days"],
        extended=bool(project["extended"]),
        used_days=used,
        remaining_days=remaining,
        warning=warning,
        statutory_fees_only=True,
        materials=tuple(project["materials"]),
        instance_id=project["instance_id"],
        children=built,
        next_meeting=next_meeting,
    )


def _case_of(reviews: list[dict[str, Any]], item_code: str) -> str:
    return next((r["case_no"] for r in reviews if r["item_code"] == item_code), "")


def timeline(
    uow: UnitOfWorkLike, project: dict[str, Any], reviews: list[dict[str, Any]], viewer: Principal | None = None
) -> list[TimelineEntry]:
    """The project's own events and every child's steps and messages, oldest first. A note to a department is
    that department's (and the office's) to read: other viewers see that it was written, not what it says."""
    departments = dict(uow.accounts.departments())
    entries = []
    for e in uow.projects.events(project["code"]):
        text = e["text"] or ""
        if e["department"] and viewer is not None and not may_act_in(viewer, e["department"]):
            text = ""
        label = text or (
            f"联审办致{departments.get(e['department'], e['department'])}的留言" if e["department"] else e["action"]
        )
        entries.append(TimelineEntry(e["at"], e["actor"], e["action"], label, e["case_no"], None, text))
    for review in reviews:
        row = uow.cases.get(review["case_no"])
        if not row or not row["instance_id"]:
            continue
        who = departments.get(review["department"], review["department"])
        for audit in uow.instances.history(row["instance_id"]):
            if audit.action == "task_completed":
                element = (audit.details or {}).get("element_id", "")
                label = f"{who} 完成「{_STEP_NAMES.get(element, element)}」"
            elif audit.action == "message_received":
                name = (audit.details or {}).get("name", "")
                label = f"{who} {_MESSAGES.get(name, name)}"
            else:
                continue
            entries.append(
                TimelineEntry(audit.at, audit.actor, audit.action, label, review["case_no"], review["item_code"])
            )
    return sorted(entries, key=lambda e: e.at)


_STEP_NAMES = {"pre_review": "部门审查（预审）", "decision": "审批决定", "delivery": "统一送达"}
