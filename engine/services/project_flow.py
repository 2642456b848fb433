"""The fast track's moving parts, run inside the transaction of the step that triggers them (an advance hook):
triage opens every department's review at once; a decision is recorded, released to the reviews that wait
for it (提前介入 → 补送), and the last decision lets the project's process go on to its joint result.

Triage is checked here too, so the project page and the generic task page refuse the same mistakes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from engine.domain.access import Principal
from engine.domain.case_codec import case_from_dict, case_to_dict
from engine.domain.cases import CaseStatus
from engine.domain.projects import JOINT_STATUTORY_DAYS, ProjectStatus, find_cycle
from engine.domain.records import InstanceStatus
from engine.errors import FieldError, FormValidationError
from engine.services.colour_schedule import keep_case as keep_colours
from engine.services.context import AdvanceEvent, ServiceContext, UnitOfWorkLike, log
from engine.services.messages import deliver_in

PROJECT_PROCESS = "fast_track"
REVIEW_PROCESS = "fast_track_review"
STEWARD_ROLE = "fast_track_officer"
SUPERVISOR_ROLE = "supervisor"
#: a review that ended without a decision (withdrawn, terminated): settled for its dependents and the project
ENDED = "ended"
#: the pause of a dependent review's clock while its prerequisites are undecided (not counted)
WAITING_PAUSE = "等待前置审批结果"
CENTRE = "CENTRE"
CHANNEL = "fast_track"


def review_line(item_code: str, prerequisites: list[str]) -> str:
    """One review as the triage form writes it: ``XK-ZFCX-001: XK-ZRZY-001, …`` (the form is plain text so a
    designer's generic task page can show it too)."""
    return f"{item_code}: {', '.join(prerequisites)}" if prerequisites else item_code


def parse_review_line(line: str) -> dict[str, Any]:
    code, _, needs = line.partition(":")
    return {"item_code": code.strip(), "prerequisites": [n for n in re.split(r"[\s,，、;；]+", needs) if n]}


def check_triage(uow: UnitOfWorkLike, data: Any) -> tuple[list[dict[str, Any]], str, str]:
    """The triage's reviews (item code, prerequisites), steward and lead department, or FormValidationError
    naming every field that is wrong."""
    errors: list[FieldError] = []
    body = data if isinstance(data, dict) else {}
    raw = body.get("reviews")
    reviews: list[dict[str, Any]] = []
    if not isinstance(raw, list) or not raw:
        errors.append(FieldError("reviews", "至少选择一个参与审查的事项 / choose at least one item"))
        raw = []
    seen: set[str] = set()
    for index, line in enumerate(raw):
        entry = parse_review_line(line) if isinstance(line, str) else line
        code = entry.get("item_code") if isinstance(entry, dict) else None
        if not isinstance(code, str) or uow.catalogue.get(code) is None:
            errors.append(FieldError(f"reviews.{index}.item_code", f"没有事项 {code!r} / unknown item"))
            continue
        if code in seen:
            errors.append(FieldError(f"reviews.{index}.item_code", f"事项 {code} 重复 / listed twice"))
            continue
        seen.add(code)
        needs = entry.get("prerequisites") or []
        if not isinstance(needs, list) or not all(isinstance(n, str) for n in needs):
            errors.append(FieldError(f"reviews.{index}.prerequisites", "a list of item codes"))
            needs = []
        reviews.append({"item_code": code, "prerequisites": sorted(set(needs))})
    for index, review in enumerate(reviews):
        for needed in review["prerequisites"]:
            if needed == review["item_code"] or needed not in seen:
                message = f"前置事项 {needed} 不在本项目的审查事项中 / not an item of this project"
                errors.append(FieldError(f"reviews.{index}.prerequisites", message))
    cycle = find_cycle({r["item_code"]: r["prerequisites"] for r in reviews})
    if cycle:
        errors.append(FieldError("reviews", "前置关系成环 / prerequisites form a cycle: " + " → ".join(cycle)))
    steward = body.get("steward")
    holder = uow.accounts.principal(steward) if isinstance(steward, str) and steward else None
    if holder is None or not holder.holds(STEWARD_ROLE, CENTRE):
        errors.append(FieldError("steward", "专人须为联审办（快速通道）工作人员 / must be a fast-track officer"))
    lead = body.get("lead_department")
    departments = {(uow.catalogue.get(r["item_code"]) or {}).get("department") for r in reviews}
    if not isinstance(lead, str) or lead not in departments:
        errors.append(FieldError("lead_department", "牵头部门须为参与审查的部门 / must review an item"))
    if errors:
        raise FormValidationError("分办信息有误 / the triage cannot be accepted", errors)
    return reviews, str(steward), str(lead)


def may_steward(principal: Principal) -> bool:
    return principal.is_admin or principal.holds(STEWARD_ROLE, CENTRE)


def is_overseer(principal: Principal) -> bool:
    """Who sees every project in full: the joint-review office, the supervision window, administrators."""
    return may_steward(principal) or principal.holds(SUPERVISOR_ROLE, CENTRE)


#: where the triage's caller collects the query codes of the cases its triage opens (shown once, never stored)
_issued_codes: ContextVar[dict[str, str] | None] = ContextVar("onestop_issued_codes", default=None)


@contextmanager
def collecting_codes() -> Iterator[dict[str, str]]:
    """Collect the query codes a triage issues in this context (and only in it)."""
    codes: dict[str, str] = {}
    token = _issued_codes.set(codes)
    try:
        yield codes
    finally:
        _issued_codes.reset(token)


class ProjectFlow:
    """The advance hook of the fast track (registered on the service context by ProjectService)."""

    def __init__(self, ctx: ServiceContext, open_case: Callable[..., Any]) -> None:
        self._ctx = ctx
        self._open_case = open_case  # CaseService.open_in

    def on_advance(self, event: AdvanceEvent) -> None:
        process = event.instance.process_id
        if process not in (PROJECT_PROCESS, REVIEW_PROCESS):
            return
        done = {e.element_id for e in event.snapshot.completed_elements}
        if process == PROJECT_PROCESS:
            project = event.uow.projects.for_instance(event.instance.id)
            if project is None:
                return
            if event.instance.status is InstanceStatus.TERMINATED:
                self._save(event.uow, project, {"status": ProjectStatus.WITHDRAWN.value})
                record_event(event.uow, project["code"], event.now, event.actor, "withdrawn", "项目流程已终止")
                return
            if "triage" in done:
                self._open_reviews(event, project)
            if "triage_overdue" in done:
                record_event(event.uow, project["code"], event.now, None, "overdue", "当日未分办，已超过分办时限")
            if "joint_review_overdue" in done:
                record_event(event.uow, project["code"], event.now, None, "overdue", "联合办理时限已到，项目超期")
            if "conclusion" in done:
                data = event.form_data if isinstance(event.form_data, dict) else {}
                self._save(event.uow, project, {"status": ProjectStatus.CONCLUDED.value, "concluded_at": event.now})
                text = str(data.get("summary") or "")
                record_event(event.uow, project["code"], event.now, event.actor, "concluded", text)
            return
        review = event.uow.projects.review_for_case(event.instance.business_key or "")
        if review is None:
            return
        # one project at a time: two reviews deciding at once must each see the other's decision, or neither
        # would release the project (or the review waiting for both)
        event.uow.projects.get(review["project_code"], for_update=True)
        if event.instance.status is InstanceStatus.TERMINATED:  # withdrawn or terminated: settled, undecided
            if not review["result"]:
                event.uow.projects.update_review(
                    review["project_code"], review["item_code"], {"decided_at": event.now, "result": ENDED}
                )
                self.release(event.uow, review["project_code"], event.now, event.actor)
            return
        if "pre_review" in done:
            event.uow.projects.update_review(
                review["project_code"], review["item_code"], {"pre_reviewed_at": event.now}
            )
        if "decision" in done:
            data = event.form_data if isinstance(event.form_data, dict) else {}
            approved = bool(data.get("approved"))
            event.uow.projects.update_review(
                review["project_code"],
                review["item_code"],
                {
                    "decided_at": event.now,
                    "result": "approved" if approved else "refused",
                    "opinion": str(data.get("reasons") or ""),
                },
            )
        if done & {"pre_review", "decision"}:
            self.release(event.uow, review["project_code"], event.now, event.actor)
        if "pre_review" in done and review["prerequisites"]:
            fresh = event.uow.projects.review_for_case(review["case_no"])
            if fresh is not None and fresh["forwarded_at"] is None:  # it waits: its own clock stops meanwhile
                self._set_waiting(event.uow, review["case_no"], event.now, True, event.actor)

    # -- triage: every review at once -----------------------------------------------------------------------
    def _open_reviews(self, event: AdvanceEvent, project: dict[str, Any]) -> None:
        uow, now = event.uow, event.now
        if project["status"] != ProjectStatus.RECEIVED.value:
            raise FormValidationError("项目已分办 / the project is already triaged", [FieldError("reviews", "done")])
        codes = _issued_codes.get()
        if codes is None:  # the query codes are shown once to the office: only the project page can show them
            message = f"请在重点项目页面分办（/projects/{project['code']}）/ triage on the project page"
            raise FormValidationError(message, [FieldError("reviews", message)])
        codes.clear()  # a retried triage (a lost race) collects afresh: the first attempt's cases were rolled back
        reviews, steward, lead = check_triage(uow, event.form_data)
        calendar = self._ctx.runtime_calendar()
        names = {r["item_code"]: (uow.catalogue.get(r["item_code"]) or {}).get("name", "") for r in reviews}
        applicant = {
            "name": project["investor"].get("name", ""),
            "id_number": project["investor"].get("credit_code", ""),
            "phone": project["investor"].get("phone", ""),
        }
        materials = {name: True for name in project["materials"]}
        for review in reviews:
            item = uow.catalogue.get(review["item_code"])
            extra = {
                "project_code": project["code"],
                "project_name": project["name"],
                "accepted_at": now.isoformat(),
                "prerequisites": review["prerequisites"],
                "prerequisite_names": [names[c] for c in review["prerequisites"]],
                "forwarded": {},
            }
            opened = self._open_case(
                uow,
                item,
                applicant,
                materials,
                CHANNEL,
                event.actor or "system",
                process_id=REVIEW_PROCESS,
                project_code=project["code"],
                extra_data=extra,
            )
            codes[opened.case_no] = opened.query_code
            self._ctx.notify_due(opened.instance.next_due_at)  # harmless if the triage rolls back
            uow.projects.add_review(
                {
                    "project_code": project["code"],
                    "item_code": review["item_code"],
                    "case_no": opened.case_no,
                    "department": item["department"],
                    "prerequisites": review["prerequisites"],
                }
            )
        limit = project["statutory_days"] or JOINT_STATUTORY_DAYS
        self._save(
            uow,
            project,
            {
                "status": ProjectStatus.IN_REVIEW.value,
                "steward": steward,
                "lead_department": lead,
                "triaged_at": now,
                "due_at": calendar.deadline_after(now, limit).due_at,
            },
        )
        listed = "、".join(f"{names[r['item_code']]}（{r['item_code']}）" for r in reviews)
        record_event(uow, project["code"], now, event.actor, "triaged", f"分办 {len(reviews)} 个事项：{listed}")

    # -- decisions: forward to the waiting reviews, and conclude -------------------------------------------
    def release(self, uow: UnitOfWorkLike, project_code: str, now: datetime, actor: str | None) -> None:
        """Forward decided prerequisites to every review that waits for them (补送), then, when every review is
        decided, let the project's process go on."""
        reviews = uow.projects.reviews([project_code])[project_code]
        by_item = {r["item_code"]: r for r in reviews}
        for review in reviews:
            needs = review["prerequisites"]
            if not needs or review["forwarded_at"] is not None or review["pre_reviewed_at"] is None:
                continue
            if not all(by_item[code]["result"] for code in needs):
                continue
            instance = uow.instances.get(self._instance_of(uow, review["case_no"]), for_update=True)
            due = self._set_waiting(uow, review["case_no"], now, False, actor)
            payload = {
                "forwarded": {code: self._result(uow, by_item[code]) for code in needs},
                # the decision's timer follows the case clock, which stood still while the review waited
                "decision_due": due.isoformat() if due is not None else None,
            }
            self._deliver(uow, instance, "prerequisites_met", payload, actor)
            uow.projects.update_review(project_code, review["item_code"], {"forwarded_at": now})
            names = "、".join(needs)
            record_event(uow, project_code, now, None, "forwarded", f"前置审批结果已补送：{names}", review["case_no"])
        if reviews and all(r["result"] for r in reviews):
            project = uow.projects.get(project_code, for_update=True)
            parent = uow.instances.get(project["instance_id"], for_update=True) if project["instance_id"] else None
            if parent is None or not parent.status.is_open:
                return
            results = {r["item_code"]: {"case_no": r["case_no"], "result": r["result"]} for r in reviews}
            self._deliver(uow, parent, "all_reviews_decided", results, actor)
            record_event(uow, project_code, now, None, "all_decided", "各部门均已作出决定，待出具联合审批结果")

    def _set_waiting(
        self, uow: UnitOfWorkLike, case_no: str, now: datetime, waiting: bool, actor: str | None
    ) -> datetime | None:
        """Stop a dependent review's promised clock while it waits for its prerequisites (the prerequisite's
        result is one of its materials: 提前介入 must not cost the department its own time), or restart it when
        the result is forwarded. Returns the new promised due instant, or None when nothing changed."""
        row = uow.cases.get(case_no)
        case = case_from_dict(row["record"])
        if waiting and case.status is CaseStatus.ACCEPTED:
            case.start_pause(WAITING_PAUSE, now, False, actor or "system")
        elif not waiting and case.status is CaseStatus.PAUSED and case.pauses[-1].kind == WAITING_PAUSE:
            case.end_pause(now, actor or "system")
        else:
            return None
        clock = case.clock
        due = clock.promised_due(self._ctx.runtime_calendar(), now).due_at if clock is not None else None
        values = {"status": case.status.value, "due_at": due, "record": case_to_dict(case)}
        uow.cases.save(case_no, row["row_version"], values)
        keep_colours(self._ctx, uow, case_no, now)  # the board's stored colours follow the stopped clock
        return due

    def _deliver(self, uow: UnitOfWorkLike, instance: Any, name: str, payload: Any, actor: str | None) -> None:
        thrown = deliver_in(self._ctx, uow, instance, name, payload, actor)
        self._ctx.notify_due(instance.next_due_at)  # the scheduler plans its wake-up (harmless after a rollback)
        for message in thrown:  # the fast track's processes throw nothing; a designer's change must not go unseen
            log.warning("instance %s threw %s inside a fast-track step: not delivered", instance.id, message.name)

    @staticmethod
    def _instance_of(uow: UnitOfWorkLike, case_no: str) -> int:
        row = uow.cases.get(case_no)
        return int(row["instance_id"])

    @staticmethod
    def _result(uow: UnitOfWorkLike, review: dict[str, Any]) -> dict[str, Any]:
        """What a dependent review receives of a decided prerequisite: the decision and the case's materials."""
        row = uow.cases.get(review["case_no"])
        case = case_from_dict(row["record"])
        item = uow.catalogue.get(review["item_code"]) or {}
        return {
            "item_name": item.get("name", ""),
            "department": review["department"],
            "case_no": review["case_no"],
            "approved": review["result"] == "approved",
            "result": review["result"],
            "opinion": review["opinion"] or "",
            "decided_at": review["decided_at"].isoformat() if review["decided_at"] else None,
            "materials": sorted(case.materials),
        }

    @staticmethod
    def _save(uow: UnitOfWorkLike, project: dict[str, Any], values: dict[str, Any]) -> None:
        fresh = uow.projects.get(project["code"])
        uow.projects.save(project["code"], fresh["row_version"], values)


def record_event(
    uow: UnitOfWorkLike,
    code: str,
    at: datetime,
    actor: str | None,
    action: str,
    text: str,
    case_no: str | None = None,
    department: str | None = None,
) -> None:
    """One entry of a project's own timeline (registered, triaged, forwarded, extended, a note, …)."""
    uow.projects.add_event(
        {
            "project_code": code,
            "at": at,
            "actor": actor,
            "action": action,
            "case_no": case_no,
            "department": department,
            "text": text,
        }
    )
