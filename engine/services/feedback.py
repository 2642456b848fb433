"""Public feedback: 好差评 ratings of a case (by the applicant with the query code, or at the window) and
complaints (投诉) with their number and reply deadline, and the lists the complaint desk and supervision read.

The rectification loop for bad reviews and the GB/T 36113 complaint process are BPMN (issue 7); the records
made here carry a nullable ``instance_id`` for them.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta, tzinfo
from typing import Any

from engine.domain.access import ADMIN, SUPERVISOR, Principal
from engine.domain.case_codec import case_from_dict
from engine.domain.cases import CaseStatus
from engine.domain.feedback import (
    COMPLAINT_CATEGORIES,
    COMPLAINT_REPLY_WORKDAYS,
    COMPLAINT_SOURCES,
    EVALUATION_CHANNELS,
    ComplaintStatus,
    Level,
    Stage,
    complaint_number,
    complaint_number_prefix,
    evaluated_officer,
    evaluation_stage,
    is_phone,
    mask_complainant,
    parse_level,
    summarise,
)
from engine.errors import (
    ConcurrencyConflict,
    FieldError,
    FormValidationError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
)
from engine.services.case_queries import CENTRE, CaseReading
from engine.services.complaints import ComplaintProcessService
from engine.services.context import ServiceContext, with_retry
from engine.services.instances import after_start

COMPLAINT_OFFICER = "complaint_officer"
#: who reads the complaint and evaluation lists (the complaint desk, supervision, administrators)
READER_ROLES = (ADMIN, SUPERVISOR, COMPLAINT_OFFICER)
#: channels an applicant uses alone with the query code; a window rating is recorded by staff
PUBLIC_CHANNELS = ("web", "app", "sms")
COMMENT_LIMIT = 500
ALREADY_EVALUATED = "该办件本阶段已评价 / this case has already been evaluated at this stage"
_CATEGORY_LABELS = {c.code: c.label for c in COMPLAINT_CATEGORIES}


class _PublicLookup(CaseReading):
    """The applicant's case lookup, reused so a wrong query code fails exactly as it does there."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx


def _text(body: dict[str, Any], name: str, limit: int, errors: list[FieldError], required: bool) -> str:
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(FieldError(name, "必填 / required"))
        return ""
    if not isinstance(value, str) or len(value.strip()) > limit:
        errors.append(FieldError(name, f"最多 {limit} 个字 / text of at most {limit} characters"))
        return ""
    return value.strip()


def _rating(level: object, comment: object) -> tuple[Level, str]:
    errors: list[FieldError] = []
    parsed = parse_level(level)
    if parsed is None:
        errors.append(FieldError("level", "请选择评价等级（1–5） / choose a level from 1 to 5"))
    text = _text({"comment": comment}, "comment", COMMENT_LIMIT, errors, required=False)
    if errors or parsed is None:
        raise FormValidationError("the evaluation is incomplete", errors)
    return parsed, text


def _evaluation(row: dict[str, Any]) -> dict[str, Any]:
    level = Level(row["level"])
    return {
        **row,
        "level_label": level.label,
        "stage_label": Stage(row["stage"]).label,
        "channel_label": EVALUATION_CHANNELS.get(row["channel"], row["channel"]),
        "bad": level.is_bad,
    }


class FeedbackService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._lookup = _PublicLookup(ctx)
        #: starts a filed complaint's process (engine.bootstrap wires engine.services.complaints)
        self.complaint_process: ComplaintProcessService | None = None
        #: opens a bad review's work order in the rating's transaction (engine.bootstrap wires
        #: engine.services.rectification.RectificationService: open_in / after_commit)
        self.rectification: Any = None

    # -- 好差评 -----------------------------------------------------------------------------------------------
    def evaluate_public(
        self, case_no: str, query_code: str, level: object, comment: object = "", channel: str = "web"
    ) -> dict[str, Any]:
        """The applicant rates the case's current stage; nothing about the evaluator is stored."""
        rating, text = _rating(level, comment)
        if channel not in PUBLIC_CHANNELS:
            raise FormValidationError(
                "unknown channel", [FieldError("channel", f"one of {', '.join(PUBLIC_CHANNELS)}")]
            )
        self._lookup.public_status(case_no, query_code)  # a wrong code: the same NotFound as no case
        return self._record(case_no, rating, text, channel, officer=None)

    def evaluate_at_window(
        self, principal: Principal, case_no: str, level: object, comment: object = ""
    ) -> dict[str, Any]:
        """The window records the rating the applicant gives there (一次一评) for the officer serving them."""
        rating, text = _rating(level, comment)
        with self._ctx.uow() as uow:
            row = uow.cases.get(case_no)
        if row is None:
            raise NotFound(f"no case {case_no}")
        if not (
            principal.is_admin
            or principal.holds("window_officer", row["department"])
            or principal.holds("window_officer", CENTRE)
        ):
            raise PermissionDenied("only the case's window or the centre's windows record window ratings")
        return self._record(case_no, rating, text, "window", officer=principal.username)

    def _record(self, case_no: str, level: Level, comment: str, channel: str, officer: str | None) -> dict[str, Any]:
        now = self._ctx.now()
        with self._ctx.uow(write=True) as uow:
            row = uow.cases.get(case_no)
            if row is None:
                raise NotFound(f"no case {case_no}")
            case = case_from_dict(row["record"])
            stage = evaluation_stage(CaseStatus(row["status"]))
            if stage is None:
                raise InvalidTransition("办件尚未受理，暂不能评价 / the case has not been accepted yet")
            if uow.feedback.evaluation_exists(case_no, stage.value, channel):
                raise ConcurrencyConflict(ALREADY_EVALUATED)
            values = {
                "case_no": case_no,
                "stage": stage.value,
                "channel": channel,
                "level": int(level),
                "comment": comment,
                "department": row["department"],
                "window": row["window"],
                "handled_by": officer or evaluated_officer(case, stage),
                "evaluated_at": now,
                "needs_rectification": level.is_bad,
                "instance_id": None,
            }
            values["id"] = uow.feedback.add_evaluation(values)
            started = None
            if level.is_bad and self.rectification is not None:  # every 差评 gets its rectification (51号)
                started = self.rectification.open_in(uow, values)
                values["instance_id"] = started[0].id if started is not None else None
            uow.commit()
        if started is not None:
            self.rectification.after_commit(started)
        return _evaluation(values)

    def evaluations(
        self,
        principal: Principal,
        *,
        stage: str | None = None,
        bad_only: bool = False,
        department: str | None = None,
        limit: int = 200,
    ) -> dict[str, Any]:
        """Newest ratings first, with the level counts, satisfaction rate and 10-point average of all of them."""
        self._require_reader(principal)
        if stage is not None and stage not in {s.value for s in Stage}:
            raise FormValidationError("unknown stage", [FieldError("stage", "acceptance or completion")])
        with self._ctx.uow() as uow:
            rows = uow.feedback.evaluations(department=department, stage=stage, bad_only=bad_only, limit=limit)
            levels = uow.feedback.levels(department=department, stage=stage)
        return {"evaluations": [_evaluation(r) for r in rows], "summary": asdict(summarise(levels))}

    # -- 投诉 -------------------------------------------------------------------------------------------------
    def file_complaint(
        self, body: dict[str, Any], source: str = "web", principal: Principal | None = None
    ) -> dict[str, Any]:
        """File a complaint: numbered, answered within 10 working days. The complaint desk records desk, phone
        and opinion-book complaints; anyone may file on the web (name and phone then required: the reply)."""
        if source not in COMPLAINT_SOURCES:
            raise FormValidationError(
                "unknown source", [FieldError("source", f"one of {', '.join(COMPLAINT_SOURCES)}")]
            )
        staff = principal is not None and (principal.is_admin or principal.has_role(COMPLAINT_OFFICER))
        if source != "web" and not staff:
            raise PermissionDenied("only the complaint desk records desk, phone and opinion-book complaints")
        errors: list[FieldError] = []
        web = source == "web"
        name = _text(body, "name", 50, errors, required=web)
        phone = _text(body, "phone", 32, errors, required=web)
        if phone and not is_phone(phone):
            errors.append(FieldError("phone", "请填写手机号或带区号的固定电话 / a mobile or landline number"))
        category = _text(body, "category", 32, errors, required=True)
        if category and category not in _CATEGORY_LABELS:
            errors.append(FieldError("category", f"one of {', '.join(_CATEGORY_LABELS)}"))
        department = _text(body, "department", 32, errors, required=False) or None
        case_no = _text(body, "case_no", 64, errors, required=False) or None
        content = _text(body, "content", 4000, errors, required=True)
        # without a subject, the content's first line names the complaint in lists
        subject = _text(body, "subject", 100, errors, required=False) or (
            content.splitlines()[0][:60] if content else ""
        )
        if errors:
            raise FormValidationError("the complaint is incomplete", errors)
        filed = {
            "source": source,
            "category": category,
            "department": department,
            "case_no": case_no,
            "subject": subject,
            "content": content,
            "complainant": {"name": name, "phone": phone},
            "recorded_by": principal.username if principal is not None and not web else None,
        }
        return dict(with_retry(3, lambda: self._file_once(filed)))

    def _file_once(self, filed: dict[str, Any]) -> dict[str, Any]:
        ctx = self._ctx
        with self._ctx.uow(write=True) as uow:
            errors = []
            if filed["department"] and not uow.accounts.department_exists(filed["department"]):
                errors.append(FieldError("department", "没有该部门 / no such department"))
            case = uow.cases.get(filed["case_no"]) if filed["case_no"] else None
            if filed["case_no"] and case is None:
                errors.append(FieldError("case_no", "没有该办件编号 / no case with this number"))
            if errors:
                raise FormValidationError("the complaint is incomplete", errors)
            now = ctx.now()
            calendar = ctx.runtime_calendar()
            prefix = complaint_number_prefix(now.astimezone(calendar.zone).year)
            values = {
                **filed,
                "department": filed["department"] or (case["department"] if case else None),
                "number": complaint_number(
                    now.astimezone(calendar.zone).year, uow.feedback.next_complaint_sequence(prefix)
                ),
                "received_at": now,
                "due_at": calendar.deadline_after(now, self._reply_workdays()).due_at,
                "status": ComplaintStatus.RECEIVED.value,
                "instance_id": None,
                "closed_at": None,
                "outcome": None,
            }
            values["id"] = uow.feedback.add_complaint(values)
            # the GB/T 36113 process starts with the complaint, in the same transaction
            started = self.complaint_process.start_in(uow, values) if self.complaint_process else None
            uow.commit()
        if started is not None:
            values["instance_id"] = started[0].id
            after_start(ctx, *started)
        return {**_complaint(values, calendar.zone, masked=False), "reply_workdays": self._reply_workdays()}

    def _reply_workdays(self) -> int:
        """The configured reply deadline (ONESTOP_COMPLAINT_REPLY_WORKDAYS), COMPLAINT_REPLY_WORKDAYS by default."""
        return int(getattr(self._ctx.settings, "complaint_reply_workdays", COMPLAINT_REPLY_WORKDAYS))

    def complaints(
        self, principal: Principal, *, status: str | None = None, category: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        """Newest first. The complaint desk, which must call back, sees the complainant; others see them masked."""
        self._require_reader(principal)
        errors = []
        if status is not None and status not in {s.value for s in ComplaintStatus}:
            errors.append(FieldError("status", f"one of {', '.join(s.value for s in ComplaintStatus)}"))
        if category is not None and category not in _CATEGORY_LABELS:
            errors.append(FieldError("category", f"one of {', '.join(_CATEGORY_LABELS)}"))
        if errors:
            raise FormValidationError("unknown filter", errors)
        with self._ctx.uow() as uow:
            rows = uow.feedback.complaints(status=status, category=category, limit=limit)
        entitled = principal.has_role(COMPLAINT_OFFICER)
        now = self._ctx.now()
        zone = self._ctx.runtime_calendar().zone
        return [{**_complaint(r, zone, masked=not entitled), "overdue": _overdue(r, now)} for r in rows]

    def _require_reader(self, principal: Principal) -> None:
        if not any(principal.has_role(role) for role in READER_ROLES):
            raise PermissionDenied("only the complaint desk, supervision and administrators see public feedback")


def _complaint(row: dict[str, Any], zone: tzinfo, *, masked: bool) -> dict[str, Any]:
    person = row["complainant"]
    return {
        **row,
        # the deadline is the end of a working day (the local midnight after it): that day is the one to tell
        "reply_by": (row["due_at"] - timedelta(microseconds=1)).astimezone(zone).date(),
        "complainant": mask_complainant(person) if masked else {"name": person["name"], "phone": person["phone"]},
        "masked": masked,
        "source_label": COMPLAINT_SOURCES[row["source"]],
        "category_label": _CATEGORY_LABELS.get(row["category"], row["category"]),
        "status_label": ComplaintStatus(row["status"]).label,
    }


def _overdue(row: dict[str, Any], now: datetime) -> bool:
    """An open complaint past its reply deadline."""
    return row["closed_at"] is None and row["due_at"] <= now
