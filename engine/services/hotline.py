"""The 96128 hotline call log: a call is a consultation (channel "hotline", with its first responder, outcome
and transfer follow-up, 首问负责制) plus its caller, who is shown masked; the call log lists them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from engine.domain.access import ADMIN, SUPERVISOR, Principal
from engine.domain.consultations import Consultation, Outcome
from engine.domain.feedback import is_phone, mask_name, mask_phone
from engine.errors import FieldError, FormValidationError, PermissionDenied
from engine.services.consultations import ConsultationService
from engine.services.context import ServiceContext

HOTLINE = "hotline"
LINE = "96128"
CONSULTANT = "consultant"
#: who answers the hotline and reads its log (supervision reads it too)
ANSWERING_ROLES = (ADMIN, CONSULTANT)
READING_ROLES = (ADMIN, CONSULTANT, SUPERVISOR)


class HotlineService:
    def __init__(self, ctx: ServiceContext, consultations: ConsultationService) -> None:
        self._ctx = ctx
        self._consultations = consultations

    def log_call(self, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
        """Log a call: the consultation (the answering consultant is its first responder) and its caller, in
        one transaction. A transfer is then followed like any transferred consultation."""
        if not any(principal.has_role(role) for role in ANSWERING_ROLES):
            raise PermissionDenied("only the consultation desk answers the 96128 hotline")
        errors: list[FieldError] = []
        name = _text(body, "caller_name", 50, errors)
        phone = _text(body, "caller_phone", 32, errors)
        if phone and not is_phone(phone):
            errors.append(FieldError("caller_phone", "请填写手机号或带区号的固定电话 / a mobile or landline number"))
        if errors:
            raise FormValidationError("the call cannot be logged", errors)
        record = self._consultations.log(
            principal,
            {**body, "channel": HOTLINE},
            also=lambda uow, consultation: uow.complaints.add_call(consultation.id, name, phone.replace(" ", "")),
        )
        return _call(record, name, phone)

    def calls(self, principal: Principal, *, open_only: bool = False, limit: int = 200) -> list[dict[str, Any]]:
        """The call log, newest first; callers masked (the log is read at the desk and by supervision)."""
        if not any(principal.has_role(role) for role in READING_ROLES):
            raise PermissionDenied("only the consultation desk and supervision read the hotline log")
        with self._ctx.uow() as uow:
            rows = uow.complaints.calls(open_only=open_only, limit=limit)
        return [_row(r) for r in rows]


def _text(body: dict[str, Any], name: str, limit: int, errors: list[FieldError]) -> str:
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""  # an anonymous caller: the call is still logged
    if not isinstance(value, str) or len(value.strip()) > limit:
        errors.append(FieldError(name, f"最多 {limit} 个字 / text of at most {limit} characters"))
        return ""
    return value.strip()


def _masked(name: str | None, phone: str | None) -> dict[str, str]:
    return {"name": mask_name(name or ""), "phone": mask_phone(phone or "") if phone else ""}


def _call(record: Consultation, name: str, phone: str) -> dict[str, Any]:
    return _row({**asdict(record), "caller_name": name, "caller_phone": phone})


def _row(row: dict[str, Any]) -> dict[str, Any]:
    outcome = Outcome(row["outcome"])
    return {
        "id": row["id"],
        "line": LINE,
        "asked_at": row["asked_at"],
        "caller": _masked(row["caller_name"], row["caller_phone"]),
        "first_responder": row["first_responder"],
        "department": row["department"],
        "subject": row["subject"],
        "question": row["question"],
        "outcome": outcome.value,
        "outcome_label": outcome.label,
        "answer": row["answer"],
        "transferred_to": row["transferred_to"],
        "referred_to": row["referred_to"],
        "follow_up_due": row["follow_up_due"],
        "closed_at": row["closed_at"],
        "closed_by": row["closed_by"],
        "open": row["closed_at"] is None,
    }
