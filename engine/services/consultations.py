"""Consultations and first-inquiry responsibility (首问负责制), and the annual-evaluation vetoes they cause (the
evaluation itself is AccountabilityService.annual_evaluation)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from engine.domain.access import Principal
from engine.domain.consultations import CHANNELS, Consultation, Outcome, close, is_breached, open_consultation
from engine.errors import FieldError, FormValidationError, NotFound, PermissionDenied
from engine.services.context import ServiceContext, log

VETO_KINDS = {"first_inquiry"}  # 首问负责制 breaches veto the annual evaluation (一票否决)


def _text(body: dict[str, Any], name: str, limit: int, errors: list[FieldError], required: bool = True) -> str:
    value = body.get(name, "")
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        errors.append(FieldError(name, f"{'required, ' if required else ''}text of at most {limit} characters"))
        return ""
    return value.strip()


class ConsultationService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def log(
        self, principal: Principal, body: dict[str, Any], also: Callable[[Any, Consultation], None] | None = None
    ) -> Consultation:
        """Log an inquiry with its first responder; ``also`` records more in the same transaction (the hotline's
        caller, engine.services.hotline)."""
        if not principal.grants:
            raise PermissionDenied("only staff log consultations")
        errors: list[FieldError] = []
        channel = body.get("channel", "desk")
        if not isinstance(channel, str) or channel not in CHANNELS:
            errors.append(FieldError("channel", f"one of {', '.join(CHANNELS)}"))
        subject = _text(body, "subject", 255, errors)
        question = _text(body, "question", 4000, errors)
        answer = _text(body, "answer", 4000, errors, required=False)
        try:
            outcome = Outcome(body.get("outcome", "answered"))
        except (ValueError, TypeError):
            errors.append(FieldError("outcome", "one of answered, transferred, referred"))
            outcome = Outcome.ANSWERED
        transferred_to = _text(body, "transferred_to", 32, errors, required=False) or None
        referred_to = _text(body, "referred_to", 255, errors, required=False) or None
        item_code = _text(body, "item_code", 64, errors, required=False) or None
        if outcome is Outcome.TRANSFERRED and not transferred_to:
            errors.append(FieldError("transferred_to", "required for a transfer"))
        if outcome is Outcome.REFERRED and not referred_to:
            errors.append(FieldError("referred_to", "required for a referral"))
        if errors:
            raise FormValidationError("the consultation cannot be logged", errors)
        department = min((g.department for g in principal.grants if g.department), default=None)
        now = self._ctx.now()
        with self._ctx.uow(write=True) as uow:
            if transferred_to and not uow.accounts.department_exists(str(transferred_to)):
                raise FormValidationError("unknown department", [FieldError("transferred_to", "no such department")])
            record = open_consultation(
                str(channel),
                now,
                principal.username,
                department,
                subject,
                question,
                outcome,
                self._ctx.runtime_calendar(),
                answer=answer,
                transferred_to=transferred_to,
                referred_to=referred_to,
                item_code=item_code,
            )
            record.id = uow.consultations.add(record)
            if also is not None:
                also(uow, record)
            uow.commit()
        return record

    def close(self, principal: Principal, consultation_id: int, answer: str) -> Consultation:
        with self._ctx.uow(write=True) as uow:
            record = uow.consultations.get(consultation_id, for_update=True)
            if record is None:
                raise NotFound(f"no consultation {consultation_id}")
            # the receiving department answers it: a first responder cannot close their own transfer away
            if not (principal.is_admin or any(g.department == record.transferred_to for g in principal.grants)):
                raise PermissionDenied("only the receiving department may close a transferred inquiry")
            now = self._ctx.now()
            late = is_breached(record, now)
            close(record, now, principal.username, answer)
            if late:  # closed after its follow-up time, before the scan saw it: still a breach
                record.violation_at = now
                self._record_violation(uow, record, now)
            uow.consultations.save(record)
            uow.commit()
        return record

    def list(self, principal: Principal, *, open_only: bool = False) -> list[Consultation]:
        """Administrators and supervision see all; others see transfers to their departments and what they
        answered first (a first responder follows up what they passed on)."""
        if not principal.grants:
            raise PermissionDenied("only staff see consultations")
        everything = principal.is_admin or principal.has_role("supervisor")
        departments = None if everything else frozenset(g.department for g in principal.grants if g.department)
        with self._ctx.uow() as uow:
            return list(
                uow.consultations.recent(open_only=open_only, departments=departments, username=principal.username)
            )

    def record_breaches(self, now: datetime | None = None) -> int:
        """Turn every transfer left open past its follow-up time into a veto-level violation (run on a schedule;
        several schedulers may run it at once: rows are locked and marked at most once)."""
        now = now or self._ctx.now()
        with self._ctx.uow(write=True) as uow:
            breached = [r for r in uow.consultations.breached(now) if is_breached(r, now)]
            breached = [r for r in breached if uow.consultations.mark_violation(r.id, now)]
            for record in breached:
                self._record_violation(uow, record, now)
            uow.commit()
        if breached:
            log.warning("first-inquiry violations recorded: %s", [r.id for r in breached])
        return len(breached)

    def _record_violation(self, uow: Any, record: Consultation, at: datetime) -> None:
        year = at.astimezone(self._ctx.runtime_calendar().zone).year
        due = record.follow_up_due.isoformat() if record.follow_up_due else None
        uow.violations.add(
            "first_inquiry",
            record.first_responder,
            record.department,
            at,
            year,
            True,
            f"consultation:{record.id}",
            {"subject": record.subject, "transferred_to": record.transferred_to, "follow_up_due": due},
        )
