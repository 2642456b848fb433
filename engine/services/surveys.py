"""Satisfaction questionnaires: an administrator defines, opens and closes them; the public answers an open
one on the web and window staff enter paper answers given at the window; results are aggregated per question
(by channel too) and exported as CSV rows."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from engine.domain.access import ADMIN, SUPERVISOR, Principal
from engine.domain.surveys import (
    CHANNELS,
    KINDS,
    TRANSITIONS,
    SurveyError,
    SurveyStatus,
    aggregate,
    check_answers,
    check_questions,
)
from engine.errors import FieldError, FormValidationError, InvalidTransition, NotFound, PermissionDenied
from engine.services.context import ServiceContext

WINDOW_ROLES = ("window_officer", "consultant", "complaint_officer")
RESULT_READERS = (ADMIN, SUPERVISOR)


def _invalid(message: str, error: SurveyError) -> FormValidationError:
    return FormValidationError(message, [FieldError(f, m) for f, m in error.problems])


def _view(row: dict[str, Any]) -> dict[str, Any]:
    status = SurveyStatus(row["status"])
    return {**row, "status_label": status.label, "responses": int(row.get("responses", 0))}


class SurveyService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # -- defining ----------------------------------------------------------------------------------------------
    def create(self, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
        """A draft questionnaire: title, optional description, questions (single / multiple / scale / text)."""
        _require_admin(principal)
        errors: list[FieldError] = []
        title, description = body.get("title"), body.get("description") or ""
        if not isinstance(title, str) or not 0 < len(title.strip()) <= 100:
            errors.append(FieldError("title", "必填，最多 100 字 / required, at most 100 characters"))
        if not isinstance(description, str) or len(description) > 2000:
            errors.append(FieldError("description", "最多 2000 字 / at most 2000 characters"))
        try:
            questions = check_questions(body.get("questions"))
        except SurveyError as error:
            errors += [FieldError(f, m) for f, m in error.problems]
        if errors:
            raise FormValidationError("the questionnaire is incomplete", errors)
        row = {
            "title": str(title).strip(), "description": str(description).strip(), "questions": questions,
            "status": SurveyStatus.DRAFT.value, "created_by": principal.username, "created_at": self._ctx.now(),
            "opened_at": None, "closed_at": None,
        }  # fmt: skip
        with self._ctx.uow(write=True) as uow:
            row["id"] = uow.surveys.add(row)
            uow.commit()
        return _view(row)

    def move(self, principal: Principal, survey_id: int, to: str) -> dict[str, Any]:
        """Open a draft (answers are collected from now) or close an open questionnaire (no more answers)."""
        _require_admin(principal)
        with self._ctx.uow(write=True) as uow:
            row = uow.surveys.get(survey_id)
            if row is None:
                raise NotFound(f"no questionnaire {survey_id}")
            current = SurveyStatus(row["status"])
            if TRANSITIONS.get(current) is None or TRANSITIONS[current].value != to:
                raise InvalidTransition(
                    f"问卷{current.label}，不能改为 {to} / a {current.value} survey cannot become {to}"
                )
            stamp = {"opened_at" if to == SurveyStatus.OPEN.value else "closed_at": self._ctx.now()}
            uow.surveys.update(survey_id, status=to, **stamp)
            uow.commit()
        return _view({**row, "status": to, **stamp})

    # -- reading ----------------------------------------------------------------------------------------------
    def overview(self, principal: Principal) -> list[dict[str, Any]]:
        if not principal.grants:
            raise PermissionDenied("only staff list questionnaires")
        with self._ctx.uow() as uow:
            rows = uow.surveys.all(status=None if principal.is_admin else SurveyStatus.OPEN.value)
        return [_view(r) for r in rows]

    def open_surveys(self) -> list[dict[str, Any]]:
        """What the public may answer now."""
        with self._ctx.uow() as uow:
            return [_view(r) for r in uow.surveys.all(status=SurveyStatus.OPEN.value)]

    def get(self, survey_id: int, principal: Principal | None = None) -> dict[str, Any]:
        """An open questionnaire for anyone; drafts and closed ones for administrators only."""
        with self._ctx.uow() as uow:
            row = uow.surveys.get(survey_id)
        if row is None or (row["status"] != SurveyStatus.OPEN.value and not (principal and principal.is_admin)):
            raise NotFound(f"no open questionnaire {survey_id}")
        return _view(row)

    # -- answering ----------------------------------------------------------------------------------------------
    def respond(self, survey_id: int, answers: dict[str, Any]) -> int:
        """A web response (anonymous): every answer checked against its question."""
        return self._respond(survey_id, answers, "web", None, None)

    def respond_at_window(
        self, principal: Principal, survey_id: int, answers: dict[str, Any], case_no: str | None = None
    ) -> int:
        """Window staff enter a questionnaire filled in at the window, optionally with the case it was about."""
        if not (principal.is_admin or any(principal.has_role(r) for r in WINDOW_ROLES)):
            raise PermissionDenied("only window staff enter questionnaires given at the window")
        return self._respond(survey_id, answers, "window", (case_no or "").strip() or None, principal.username)

    def _respond(self, survey_id: int, raw: dict[str, Any], channel: str, case_no: str | None, by: str | None) -> int:
        with self._ctx.uow(write=True) as uow:
            row = uow.surveys.get(survey_id)
            if row is None or row["status"] != SurveyStatus.OPEN.value:
                raise NotFound(f"no open questionnaire {survey_id}")
            try:
                answers = check_answers(row["questions"], raw)
            except SurveyError as error:
                raise _invalid("the answers are incomplete", error) from None
            if case_no is not None and uow.cases.get(case_no) is None:
                raise FormValidationError("unknown case", [FieldError("case_no", "没有该办件编号 / no such case")])
            response_id = uow.surveys.add_response(
                {
                    "survey_id": survey_id,
                    "channel": channel,
                    "answers": answers,
                    "at": self._ctx.now(),
                    "case_no": case_no,
                    "recorded_by": by,
                }  # fmt: skip
            )
            uow.commit()
        return response_id

    # -- results ----------------------------------------------------------------------------------------------
    def results(self, principal: Principal, survey_id: int) -> dict[str, Any]:
        """Per question: counts per option / score, the average score, texts; responses by channel."""
        rows, survey = self._responses(principal, survey_id)
        by_channel = {code: sum(1 for r in rows if r["channel"] == code) for code in CHANNELS}
        return {
            "survey": _view({**survey, "responses": len(rows)}),
            "by_channel": by_channel,
            "questions": [asdict(r) for r in aggregate(survey["questions"], (r["answers"] for r in rows))],
        }

    def export_rows(self, principal: Principal, survey_id: int) -> list[list[str]]:
        """CSV rows: a header, then one row per response (multiple choices joined with ；)."""
        rows, survey = self._responses(principal, survey_id)
        questions = survey["questions"]
        header = ["编号", "时间", "渠道", "办件编号", *(f"{q['id']} {q['title']}" for q in questions)]
        zone = self._ctx.runtime_calendar().zone
        body = [
            [
                str(r["id"]),
                r["at"].astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                CHANNELS.get(r["channel"], r["channel"]),
                r["case_no"] or "",
                *(_cell(r["answers"].get(q["id"])) for q in questions),
            ]  # fmt: skip
            for r in rows
        ]
        return [header, *body]

    def _responses(self, principal: Principal, survey_id: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        if not any(principal.has_role(role) for role in RESULT_READERS):
            raise PermissionDenied("only administrators and supervision read questionnaire results")
        with self._ctx.uow() as uow:
            survey = uow.surveys.get(survey_id)
            if survey is None:
                raise NotFound(f"no questionnaire {survey_id}")
            return uow.surveys.responses(survey_id), survey


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return "；".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PermissionDenied("only administrators define questionnaires")


__all__ = ["KINDS", "SurveyService"]
