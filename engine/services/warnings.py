"""Warning cards (黄牌/红牌) as use cases: fire the due warning timers, issue a card after an inspection (the
supervision window), list the cards a user may see, and move a card through its lifecycle — appeal (the
handler or the department's chief representative), revoke with a reason or escalate (the supervision window).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from engine.domain.access import SUPERVISOR, Principal
from engine.domain.warning_cards import (
    MANUAL_TRIGGERS,
    Level,
    Trigger,
    WarningFilter,
    WarningStatus,
    level_of,
    require_move,
)
from engine.errors import FieldError, FormValidationError, InvalidTransition, NotFound, PermissionDenied
from engine.services.context import ServiceContext, log, with_retry
from engine.services.warning_issue import WARNING_LINK, NewWarning, issue_in
from engine.services.warning_schedule import WarningSchedule

TEXT_LIMIT = 2000
RETRY_AFTER = timedelta(hours=1)
#: cases rescheduled per transaction when every open case's timers are rebuilt
REBUILD_BATCH = 200


@dataclass
class FireReport:
    issued: list[int] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def _labelled(row: dict[str, Any]) -> dict[str, Any]:
    """A card as the pages and the API show it: the stored row plus its Chinese labels."""
    return {
        **row,
        "level_label": Level(row["level"]).label,
        "trigger_label": Trigger(row["trigger"]).label,
        "status_label": WarningStatus(row["status"]).label,
    }


def _text(body: dict[str, Any], name: str, errors: list[FieldError], *, required: bool = True) -> str:
    value = body.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        errors.append(FieldError(name, "must be text"))
    elif required and not text:
        errors.append(FieldError(name, "required"))
    elif len(text) > TEXT_LIMIT:
        errors.append(FieldError(name, f"at most {TEXT_LIMIT} characters"))
    return text


def is_supervisor(principal: Principal) -> bool:
    return principal.has_role(SUPERVISOR)


class WarningService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self.schedule = WarningSchedule(ctx)
        ctx.advance_hooks.append(self.schedule.follow_case)

    # -- the timers ---------------------------------------------------------------------------------------------
    def fire_due(self, now: datetime | None = None, limit: int = 500) -> FireReport:
        """Issue the cards of every warning timer due at ``now`` (earliest first), each in its own transaction;
        idempotent: a trigger warns once per case, and a timer taken by another run is skipped."""
        at = now or self._ctx.now()
        report = FireReport()
        with self._ctx.uow() as uow:
            due = uow.warnings.due_timers(at, limit)
        for case_no, trigger, _ in due:
            try:
                issued = with_retry(3, functools.partial(self._fire_once, case_no, trigger, at))
            except Exception as exc:  # one broken case must not stop the others
                log.exception("warning timer %s/%s failed", case_no, trigger)
                report.failed[f"{case_no}/{trigger}"] = str(exc)
                self._postpone(case_no, trigger, at + RETRY_AFTER)
                continue
            if issued is not None:
                report.issued.append(issued)
        return report

    def _postpone(self, case_no: str, trigger: str, at: datetime) -> None:
        """A timer whose card cannot be issued is tried again later, so the scheduler does not spin on it."""
        try:
            with self._ctx.uow(write=True) as uow:
                if uow.warnings.take_timer(case_no, trigger):
                    uow.warnings.move_timer(case_no, trigger, at)
                uow.commit()
        except Exception:
            log.exception("postponing warning timer %s/%s failed", case_no, trigger)

    def _fire_once(self, case_no: str, trigger: str, now: datetime) -> int | None:
        with self._ctx.uow(write=True) as uow:
            issued = self.schedule.fire_one(uow, case_no, trigger, now)
            uow.commit()
        return issued

    def rebuild_all(self, now: datetime | None = None, batch: int = REBUILD_BATCH) -> int:
        """Recompute the timers of every accepted, undecided case from its clock, the item's thresholds and the
        calendar as they are now, and drop the timers of cases no longer open; returns how many cases were
        rescheduled. Idempotent (a trigger that already warned is not scheduled again), so it runs whenever
        the instants may have moved without the case moving: at scheduler start (cases open before the timers
        existed), after the catalogue is loaded (new thresholds) and after a calendar change."""
        at = now or self._ctx.now()
        after, rebuilt, earliest = "", 0, None
        while True:
            with self._ctx.uow() as uow:
                keys = uow.warnings.clocked_case_numbers(after, batch)
            if not keys:
                break
            after = keys[-1]
            try:
                count, due = with_retry(3, functools.partial(self._rebuild_batch, keys, at))
            except Exception:  # one broken batch must not keep the others from their timers
                log.exception("rebuilding the warning timers of %s … %s failed", keys[0], keys[-1])
                continue
            rebuilt += count
            if due is not None and (earliest is None or due < earliest):
                earliest = due
        with self._ctx.uow(write=True) as uow:
            uow.warnings.drop_timers_of_unclocked_cases()
            uow.commit()
        self._ctx.notify_due(earliest)
        return rebuilt

    def _rebuild_batch(self, keys: list[str], at: datetime) -> tuple[int, datetime | None]:
        with self._ctx.uow(write=True) as uow:
            result = self.schedule.rebuild(uow, keys, at)
            uow.commit()
        return result

    def earliest_due(self) -> datetime | None:
        with self._ctx.uow() as uow:
            value = uow.warnings.earliest_due()
        return value if isinstance(value, datetime) else None

    # -- reading ------------------------------------------------------------------------------------------------
    def find(self, principal: Principal, filters: dict[str, str | None] | None = None) -> list[dict[str, Any]]:
        """Every card for the supervision window and admin; a department's staff see its cards and their own."""
        wanted = {k: v or None for k, v in (filters or {}).items()}
        where = WarningFilter(
            status=wanted.get("status"),
            level=wanted.get("level"),
            department=wanted.get("department"),
            case_no=wanted.get("case_no"),
        )
        if not (is_supervisor(principal) or principal.is_admin):
            if not principal.grants:
                raise PermissionDenied(f"{principal.username} may not see warnings")
            departments = frozenset(g.department for g in principal.grants if g.department)
            where = replace(where, departments=departments, handler=principal.username)
        with self._ctx.uow() as uow:
            return [_labelled(r) for r in uow.warnings.find(where)]

    def get(self, principal: Principal, warning_id: int) -> dict[str, Any]:
        with self._ctx.uow() as uow:
            row = uow.warnings.get(warning_id)
        if row is None or not self._may_see(principal, row):
            raise NotFound(f"no warning {warning_id}")
        return _labelled(row)

    @staticmethod
    def _may_see(principal: Principal, row: dict[str, Any]) -> bool:
        return (
            is_supervisor(principal)
            or principal.is_admin
            or row["handler"] == principal.username
            or any(g.department == row["department"] for g in principal.grants)
        )

    # -- issuing after an inspection ------------------------------------------------------------------------------
    def issue(self, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
        """{case_no, trigger (refusal_without_reason | fee_violation | other), text, level?, handler?, step?}"""
        if not is_supervisor(principal):
            raise PermissionDenied("only the supervision window issues warnings")
        errors: list[FieldError] = []
        case_no, text = _text(body, "case_no", errors), _text(body, "text", errors)
        handler = _text(body, "handler", errors, required=False) or None
        step = _text(body, "step", errors, required=False)
        trigger = body.get("trigger")
        if trigger not in {t.value for t in MANUAL_TRIGGERS}:
            errors.append(FieldError("trigger", f"one of {', '.join(sorted(t.value for t in MANUAL_TRIGGERS))}"))
        level_raw = body.get("level")
        if level_raw is not None and level_raw not in {"yellow", "red"}:
            errors.append(FieldError("level", "yellow or red"))
        if errors:
            raise FormValidationError("the warning cannot be issued", errors)
        kind = Trigger(str(trigger))
        level = Level(level_raw) if level_raw else level_of(kind)
        return with_retry(3, lambda: self._issue_once(principal, case_no, kind, level, text, handler, step))

    def _issue_once(
        self,
        principal: Principal,
        case_no: str,
        trigger: Trigger,
        level: Level,
        text: str,
        handler: str | None,
        step: str,
    ) -> dict[str, Any]:
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            case = uow.cases.get(case_no)
            if case is None:
                raise FormValidationError("unknown case", [FieldError("case_no", f"no case {case_no!r}")])
            card = NewWarning(
                case_no, case["item_code"], case["department"], trigger, level, text, handler, step, principal.username
            )
            warning_id = issue_in(uow, card, ctx.now(), ctx.runtime_calendar().zone)
            if warning_id is None:
                raise InvalidTransition(
                    f"办件{case_no}已就「{trigger.label}」发出预警; a {trigger} warning exists for {case_no}"
                    + (f" at step {step}" if step else ""),
                    {"case_no": case_no, "trigger": trigger.value, "step": step},
                )
            row = uow.warnings.get(warning_id)
            uow.commit()
        return _labelled(row)

    # -- the lifecycle --------------------------------------------------------------------------------------------
    def appeal(self, principal: Principal, warning_id: int, text: str) -> dict[str, Any]:
        return self._move(principal, warning_id, "appeal", text)

    def revoke(self, principal: Principal, warning_id: int, reason: str) -> dict[str, Any]:
        return self._move(principal, warning_id, "revoke", reason)

    def escalate(self, principal: Principal, warning_id: int, note: str = "") -> dict[str, Any]:
        return self._move(principal, warning_id, "escalate", note)

    def _move(self, principal: Principal, warning_id: int, move: str, text: str) -> dict[str, Any]:
        text = (text or "").strip() if isinstance(text, str) else ""
        if move in {"appeal", "revoke"} and not text:
            field_name = "text" if move == "appeal" else "reason"
            raise FormValidationError(f"a {field_name} is required", [FieldError(field_name, "required")])
        if len(text) > TEXT_LIMIT:
            raise FormValidationError("too long", [FieldError("text", f"at most {TEXT_LIMIT} characters")])
        return with_retry(3, lambda: self._move_once(principal, warning_id, move, text))

    def _move_once(self, principal: Principal, warning_id: int, move: str, text: str) -> dict[str, Any]:
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            row = uow.warnings.get(warning_id, for_update=True)
            if row is None or not self._may_see(principal, row):
                raise NotFound(f"no warning {warning_id}")
            self._require_actor(principal, row, move)
            status = require_move(move, WarningStatus(row["status"]), warning_id)
            now, who = ctx.now(), principal.username
            values: dict[str, Any] = {"status": status.value}
            if move == "appeal":
                values.update(appeal_text=text, appealed_by=who, appealed_at=now)
            elif move == "revoke":
                values.update(revoked_reason=text, revoked_by=who, revoked_at=now)
                if row["violation_id"] is not None:
                    uow.warnings.revoke_violation(row["violation_id"], text, who, now)
            else:
                values.update(escalated_by=who, escalated_at=now)
            uow.warnings.update(warning_id, values)
            self._tell(uow, row, move, text, now)
            fresh = uow.warnings.get(warning_id)
            uow.commit()
        return _labelled(fresh)

    @staticmethod
    def _require_actor(principal: Principal, row: dict[str, Any], move: str) -> None:
        if move == "appeal":
            if row["handler"] == principal.username or principal.holds("approver", row["department"]):
                return
            raise PermissionDenied("the handler or the department's chief representative appeals a warning")
        if not is_supervisor(principal):
            raise PermissionDenied(f"only the supervision window may {move} a warning")

    @staticmethod
    def _tell(uow: Any, row: dict[str, Any], move: str, text: str, now: datetime) -> None:
        """An appeal goes to the supervision window; a revocation or escalation back to the handler and chiefs."""
        link = WARNING_LINK.format(case_no=row["case_no"])
        label = {"appeal": "申诉", "revoke": "撤销", "escalate": "督办"}[move]
        message = f"预警 {row['id']}（办件 {row['case_no']}）已{label}" + (f"：{text}" if text else "")
        if move == "appeal":
            recipients = uow.warnings.holders(SUPERVISOR)
        else:
            recipients = ([row["handler"]] if row["handler"] else []) + uow.warnings.chief_representatives(
                row["department"]
            )
        uow.notifications.add(recipients, now, f"warning_{move}", message, link)
