"""Map a completed BPMN element's ``caseStep`` property (and its form data) to the case's lifecycle transition.

The process decides the route; the case model guards the law's rules. A transition the case model refuses
(InvalidTransition) undoes the whole completion, so the process and the case never disagree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.domain.calendar import WorkCalendar
from engine.domain.case_clock import EXTENSION_DAYS
from engine.domain.cases import Case, CaseStatus
from engine.domain.fees import FEES_FIELD, check_charges, fee_from_guide
from engine.errors import FieldError, FormValidationError


def _reasons(data: dict[str, Any]) -> list[str]:
    reasons = data.get("reasons")
    if isinstance(reasons, str):
        return [reasons] if reasons.strip() else []
    return [str(r) for r in reasons or []]


def _require_reasons(data: dict[str, Any], message: str) -> None:
    """The law wants written reasons (with the right to 复议/诉讼): say so on the form's field."""
    if not _reasons(data):
        raise FormValidationError(message, [FieldError("reasons", message)])


def _charge_names(data: dict[str, Any]) -> list[str]:
    """The charges a delivery form says were collected (its optional ``fees_charged`` list)."""
    names = data.get(FEES_FIELD)
    if isinstance(names, str):
        return [names]
    return [str(name) for name in names or []]


def _counted(guide: dict[str, Any], kind: str) -> bool:
    """Whether the item's catalogue says this special procedure's time counts toward the limit."""
    for procedure in guide.get("special_procedures", []):
        if procedure.get("name") == kind:
            return bool(procedure.get("counted"))
    return False  # 第45条: 听证、检验、检测、专家评审 … are not counted unless the item says otherwise


def _acceptance(case: Case, data: dict[str, Any], now: datetime, actor: str, calendar: WorkCalendar) -> None:
    decision = data.get("decision")
    if case.status == CaseStatus.RECEIVED:
        case.auto_accept_if_overdue(now, calendar)  # 第32条(四): too late to refuse or ask for corrections
    if decision == "accept":
        if case.status == CaseStatus.RECEIVED:
            case.accept(now, actor)
        elif case.status == CaseStatus.CORRECTION_REQUESTED:  # accepting means the supplement is complete
            case.supply_correction(now, actor)
    elif decision == "not_accept":
        _require_reasons(data, "不予受理须说明理由 / a refusal to accept needs reasons")
        case.refuse_acceptance(now, actor, _reasons(data))
    elif decision == "correction":
        case.request_correction(now, actor, [str(m) for m in data.get("missing") or []])
    elif decision == "instant_done":
        case.complete_instantly(now, actor)


def apply_case_step(
    case: Case,
    step: str,
    data: dict[str, Any],
    now: datetime,
    actor: str,
    calendar: WorkCalendar,
    guide: dict[str, Any],
) -> None:
    if step == "acceptance":
        _acceptance(case, data, now, actor, calendar)
    elif step == "auto_accept":
        case.auto_accept_if_overdue(now, calendar)
    elif step == "joint_accept":  # the fast track: the joint-review office's triage accepts the project's package
        if case.status == CaseStatus.RECEIVED:
            case.accept(now, actor)
    elif step == "correction":
        if data.get("supplied") is False:  # the process would loop back while the case still waits: refuse
            message = "补正材料尚未收齐：收到材料后再办理此步 / complete this step when the materials have arrived"
            raise FormValidationError(message, [FieldError("supplied", message)])
        case.supply_correction(now, actor)
    elif step == "special_procedure_start":
        kind = str(data.get("special_procedure") or "特别程序")
        case.start_pause(kind, now, _counted(guide, kind), actor)
    elif step == "special_procedure_end":
        case.end_pause(now, actor)
    elif step == "extension":
        if data.get("approved"):
            days = guide.get("extension_days") or EXTENSION_DAYS  # the item's own rule, else 第42条's ten
            case.extend(now, actor, str(data.get("reason") or ""), calendar, days=int(days))
    elif step == "decision":
        if not data.get("approved"):
            _require_reasons(data, "不予许可须说明理由 / a refusal needs reasons")
        case.decide(bool(data.get("approved")), now, actor, _reasons(data))
    elif step == "delivery":
        # checked before the case moves: a refused charge leaves nothing half-recorded
        charged = check_charges(case, _charge_names(data), fee_from_guide(guide.get("fee")), now, actor)
        if case.status in {CaseStatus.APPROVED, CaseStatus.REFUSED}:
            case.complete(now, actor)
        case.deliver(now, str(data.get("method") or "窗口领取"), actor)
        case.fees_charged.extend(charged)
    # examination / review / opinion: steps of the work itself; the case's status does not change
