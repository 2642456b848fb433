"""The bad-review rectification loop (差评整改, domain §7.3): a bad review opens a work order and starts its
``rectification`` process in the rating's own transaction; an advance hook follows the process (call back,
classification, ledger, appeal, feedback) onto the work order; the evaluator rates the fix (with the case's query
code, or at the window); the department and supervision read the work orders."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from engine.domain.access import ADMIN, SUPERVISOR, Principal
from engine.domain.rectification import (
    CALLBACK_WORKDAYS,
    FIX_RATINGS,
    RATING_WORKDAYS,
    Classification,
    WorkOrderStatus,
    business_key,
)
from engine.errors import FieldError, FormValidationError, InvalidTransition, NotFound, PermissionDenied
from engine.services.agency_views import is_county_window, town_staff_in
from engine.services.case_queries import CaseReading
from engine.services.context import AdvanceEvent, ServiceContext, UnitOfWorkLike, log, with_retry
from engine.services.feedback import COMMENT_LIMIT, COMPLAINT_OFFICER
from engine.services.instances import after_start, start_in
from engine.services.messages import deliver_in, dispatch_thrown
from engine.services.rectification_views import work_order_view

PROCESS_ID = "rectification"
RATED_MESSAGE = "fix_rated"
CALLBACK_TIMER, LEDGER_TIMER = "callback_deadline", "ledger_deadline"
#: who sees every department's work orders (督办)
OVERSEERS = (ADMIN, SUPERVISOR, COMPLAINT_OFFICER)
#: who sees their own department's work orders
DEPARTMENT_ROLES = ("case_officer", "approver")
Started = tuple[Any, Any]


def _form(event: AdvanceEvent) -> dict[str, Any]:
    return event.form_data if isinstance(event.form_data, dict) else {}


def _timer_due(snapshot: Any, element: str) -> datetime | None:
    timers = snapshot.timers if snapshot is not None else []
    return next((t.due_at for t in timers if t.element_id == element), None)


class _PublicLookup(CaseReading):
    """The applicant's case lookup, so a wrong query code fails exactly as it does there."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx


class RectificationService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._lookup = _PublicLookup(ctx)
        self.days = ctx.settings.rectification_days
        ctx.advance_hooks.append(self.follow)

    # -- opening ---------------------------------------------------------------------------------------------
    def open_in(self, uow: UnitOfWorkLike, evaluation: dict[str, Any]) -> Started | None:
        """Open the work order of a bad review inside the rating's transaction and start its process in the
        department that handled the case (谁办理、谁负责). None when the process is not deployed (logged: the
        rating still counts). The caller passes the result to :meth:`after_commit`."""
        version = uow.definitions.get_version(PROCESS_ID)
        if version is None:
            log.warning("bad review %s of %s: process %r is not deployed", evaluation["id"], evaluation["case_no"],
                        PROCESS_ID)  # fmt: skip
            return None
        now = self._ctx.now()
        data = {
            "evaluation_id": evaluation["id"],
            "case_no": evaluation["case_no"],
            "level": evaluation["level"],
            "stage": evaluation["stage"],
            "comment": evaluation["comment"],
            "callback_days": CALLBACK_WORKDAYS,
            "rectification_days": self.days,
            "rating_days": RATING_WORKDAYS,
        }
        instance, snapshot = start_in(
            self._ctx, uow, version, data, department=evaluation["department"],
            business_key=business_key(evaluation["id"]), actor="system",
        )  # fmt: skip
        calendar = self._ctx.runtime_calendar()
        uow.rectifications.link_evaluation(evaluation["id"], instance.id)
        uow.rectifications.add(
            {
                "evaluation_id": evaluation["id"],
                "case_no": evaluation["case_no"],
                "department": evaluation["department"],
                "instance_id": instance.id,
                "status": WorkOrderStatus.CALLBACK.value,
                "issued_at": now,
                # the timers' own due times; the rule's when the process stopped at once (an incident)
                "callback_due_at": _timer_due(snapshot, CALLBACK_TIMER)
                or calendar.deadline_after(now, CALLBACK_WORKDAYS).due_at,
                # rectified within N working days of the review; a ledger gets its own deadline when ledgered
                "due_at": calendar.deadline_after(now, self.days).due_at,
            }
        )
        return instance, snapshot

    def after_commit(self, started: Started | None) -> None:
        if started is not None:
            after_start(self._ctx, *started)

    # -- following the process -------------------------------------------------------------------------------
    def follow(self, event: AdvanceEvent) -> None:
        """Advance hook: what each finished step of the process says goes onto the work order."""
        if event.instance.process_id != PROCESS_ID:
            return
        done = {e.element_id for e in event.snapshot.completed_elements}
        row = event.uow.rectifications.for_instance(event.instance.id)
        if row is None or not done:
            return  # the first step runs before the work order is written: nothing to follow yet
        changes: dict[str, Any] = {}
        form, now, actor = _form(event), event.now, event.actor
        if "call_back" in done:
            reached = "已联系上" if form.get("reached") else "未联系上"
            note = f"{reached}（{form.get('method', '')}）：{form.get('findings', '')}"
            changes.update(called_back_at=now, called_back_by=actor, callback_note=note, status="classify")
        if "classify" in done:
            changes.update(self._classified(event, form))
        if "ledger" in done:
            changes.update(result=str(form.get("result", "")), rectified_at=now, status="feedback")
        if "review_appeal" in done:
            approved = form.get("approved") is True
            changes.update(appeal_decided_at=now, appeal_decided_by=actor, appeal_approved=approved)
            changes["status"] = "excluded" if approved else "classify"
        if "exclude_review" in done:
            event.uow.rectifications.exclude_evaluation(row["evaluation_id"], now)
            changes.update(status="excluded", closed_at=now)
        if "feedback" in done:
            changes.update(feedback_at=now, feedback_by=actor, feedback=str(form.get("content", "")), status="rating")
        if done & {"end_rated", "end_unrated"}:
            changes.update(status="closed", closed_at=now)
        if changes:
            event.uow.rectifications.update(row["id"], **changes)

    def _classified(self, event: AdvanceEvent, form: dict[str, Any]) -> dict[str, Any]:
        kind = Classification(form["classification"])
        measures = str(form.get("measures", ""))
        changes: dict[str, Any] = {"classification": kind.value, "classified_at": event.now,
                                   "classified_by": event.actor}  # fmt: skip
        if kind is Classification.APPEAL:
            return {**changes, "appeal_reason": measures, "appeal_approved": None, "status": "appeal"}
        changes["measures"] = measures
        if kind is Classification.LEDGER:
            due = _timer_due(event.snapshot, LEDGER_TIMER)
            if due is None:  # the process did not reach the ledger (an incident): the rule still sets the date
                due = self._ctx.runtime_calendar().deadline_after(event.now, self.days).due_at
            return {**changes, "due_at": due, "status": "ledger"}
        if kind is Classification.FIX_NOW:
            changes["rectified_at"] = event.now
        return {**changes, "status": "feedback"}

    # -- the evaluator rates the fix -------------------------------------------------------------------------
    def rate_fix_public(
        self, case_no: str, query_code: str, rating: object, comment: object = "", channel: str = "web"
    ) -> dict[str, Any]:
        """The evaluator rates the fix of their bad review with the case's query code (voluntary)."""
        checked = _checked_rating(rating, comment)
        self._lookup.public_status(case_no, query_code)  # a wrong code: the same NotFound as no case
        return dict(with_retry(3, partial(self._rate_once, case_no, *checked, channel, "applicant")))

    def rate_fix_at_window(
        self, principal: Principal, case_no: str, rating: object, comment: object = ""
    ) -> dict[str, Any]:
        """The window records the evaluator's rating of the fix given there."""
        checked = _checked_rating(rating, comment)
        with self._ctx.uow() as uow:
            case = uow.cases.get(case_no)
        if case is None:
            raise NotFound(f"no case {case_no}")
        # the case's department's window or the county centre's general window; never a town's staff, whatever
        # stale window_officer@CENTRE grant an old demo database left them
        staff = town_staff_in(self._ctx.settings.processes_dir)
        if not is_county_window(principal, case["department"], staff):
            raise PermissionDenied("only the case's window or the centre's windows record ratings")
        return dict(with_retry(3, partial(self._rate_once, case_no, *checked, "window", principal.username)))

    def _rate_once(self, case_no: str, rating: str, comment: str, channel: str, actor: str) -> dict[str, Any]:
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            order = uow.rectifications.awaiting_rating(case_no)
            if order is None:
                raise InvalidTransition("该办件没有待评价的整改 / no rectification of this case awaits a rating")
            instance = uow.instances.get(order["instance_id"], for_update=uow.skip_locked)
            if instance is None:
                raise NotFound(f"instance {order['instance_id']} not found")
            uow.rectifications.update(
                order["id"], fix_rating=rating, fix_comment=comment, fix_rating_channel=channel, fix_rated_at=ctx.now()
            )
            thrown = deliver_in(ctx, uow, instance, RATED_MESSAGE, {"rating": rating}, actor)
            stored = uow.rectifications.get(order["id"])  # as the process's hook left it: closed
            uow.commit()
        ctx.notify_due(instance.next_due_at)
        dispatch_thrown(ctx, instance, thrown)
        return work_order_view(stored, ctx.now())

    # -- reading ---------------------------------------------------------------------------------------------
    def work_orders(
        self, principal: Principal, *, status: str | None = None, department: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        """Newest first: every department's for supervision, the complaint desk and admins; else the work
        orders of the departments where the viewer is a case officer or approver."""
        if status is not None and status not in {s.value for s in WorkOrderStatus}:
            raise FormValidationError("unknown status", [FieldError("status", "a work order status")])
        departments = self._visible_departments(principal)
        if department is not None:
            if departments is not None and department not in departments:
                raise PermissionDenied(f"{principal.username} may not see the work orders of {department}")
            departments = [department]
        with self._ctx.uow() as uow:
            rows = uow.rectifications.listed(departments=departments, status=status, limit=limit)
        now = self._ctx.now()
        return [work_order_view(r, now) for r in rows]

    def show(self, principal: Principal, order_id: int) -> dict[str, Any]:
        with self._ctx.uow() as uow:
            row = uow.rectifications.get(order_id)
        departments = self._visible_departments(principal)
        if row is None or (departments is not None and row["department"] not in departments):
            raise NotFound(f"no work order {order_id}")
        return work_order_view(row, self._ctx.now())

    def _visible_departments(self, principal: Principal) -> list[str] | None:
        if any(principal.has_role(role) for role in OVERSEERS):
            return None
        own = sorted({g.department for g in principal.grants if g.role in DEPARTMENT_ROLES and g.department})
        if not own:
            raise PermissionDenied(f"{principal.username} may not see bad-review work orders")
        return own


def _checked_rating(rating: object, comment: object) -> tuple[str, str]:
    errors = []
    if not isinstance(rating, str) or rating not in FIX_RATINGS:
        errors.append(FieldError("rating", f"one of {', '.join(FIX_RATINGS)}"))
    text = comment.strip() if isinstance(comment, str) else ""
    if comment is not None and not isinstance(comment, str) or len(text) > COMMENT_LIMIT:
        errors.append(FieldError("comment", f"最多 {COMMENT_LIMIT} 个字 / at most {COMMENT_LIMIT} characters"))
    if errors:
        raise FormValidationError("the rating of the fix is incomplete", errors)
    return str(rating), text
