"""The OpenAPI description of the complaint desk's routes: complaint progress, the 96128 hotline log and
satisfaction questionnaires."""

from __future__ import annotations

from typing import Any

from engine.domain.complaints import ROUTES
from engine.domain.feedback import COMPLAINT_CATEGORIES, COMPLAINT_SOURCES, ComplaintStatus
from webapp.api.openapi_parts import ARR, OBJ, op, path_param, query, resp

CALL = {
    "type": "object",
    "required": ["subject", "question"],
    "properties": {
        "caller_name": {"type": "string", "maxLength": 50},
        "caller_phone": {"type": "string", "maxLength": 32},
        "subject": {"type": "string", "maxLength": 255},
        "question": {"type": "string", "maxLength": 4000},
        "answer": {"type": "string", "maxLength": 4000},
        "outcome": {"type": "string", "enum": ["answered", "transferred", "referred"]},
        "transferred_to": {"type": "string"},
        "referred_to": {"type": "string"},
    },
}
QUESTION = {
    "type": "object",
    "required": ["kind", "title"],
    "properties": {
        "kind": {"type": "string", "enum": ["single", "multiple", "scale", "text"]},
        "title": {"type": "string", "maxLength": 200},
        "options": {"type": "array", "items": {"type": "string"}},
        "required": {"type": "boolean"},
    },
}
SURVEY = {
    "type": "object",
    "required": ["title", "questions"],
    "properties": {
        "title": {"type": "string", "maxLength": 100},
        "description": {"type": "string"},
        "questions": {"type": "array", "items": QUESTION},
    },
}
ANSWERS = {"type": "object", "properties": {"answers": OBJ, "case_no": {"type": "string"}}}


def progress_schema() -> dict[str, Any]:
    """GET /complaints/{id}/progress as ComplaintProcessService.progress returns it (the complainant left out)."""
    text, number, flag = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
    maybe = {"type": ["string", "null"]}
    moment = {"type": "string", "format": "date-time"}
    maybe_moment = {"type": ["string", "null"], "format": "date-time"}
    complaint = {
        "id": number,
        "number": {**text, "description": "TS-<year>-<serial>"},
        "source": {"type": "string", "enum": list(COMPLAINT_SOURCES)},
        "source_label": {**text, "description": "投诉台 / 投诉电话 / 网上投诉 / 意见簿"},
        "category": {"type": "string", "enum": [c.code for c in COMPLAINT_CATEGORIES]},
        "category_label": text,
        "department": {**maybe, "description": "the department complained about (corrected at 受理)"},
        "case_no": maybe,
        "subject": text,
        "content": text,
        "received_at": moment,
        "recorded_by": {**maybe, "description": "the desk officer who wrote down a desk, phone or opinion-book one"},
        "due_at": {**moment, "description": "the reply deadline: the end of its last working day"},
        "reply_by": {"type": "string", "format": "date", "description": "the last working day to reply"},
        "status": {"type": "string", "enum": [s.value for s in ComplaintStatus]},
        "status_label": text,
        "route": {"type": "string", "enum": list(ROUTES)},
        "outcome": {**maybe, "description": "处置: 属实/不属实 and the measures"},
        "reply": {**maybe, "description": "反馈: what the complainant was told"},
        "closed_at": maybe_moment,
        "warned_at": {**maybe_moment, "description": "when the reply-deadline warning fired (once)"},
        "overdue": flag,
    }
    task = {
        "type": "object",
        "properties": {
            "task_id": text,
            "element_id": text,
            "name": text,
            "role": maybe,
            "department": maybe,
            "claimed_by": maybe,
            "completed_by": maybe,
            "completed_at": maybe_moment,
        },
    }
    return {
        "type": "object",
        "required": ["complaint", "instance_id", "open_tasks", "history"],
        "properties": {
            "complaint": {"type": "object", "required": list(complaint), "properties": complaint},
            "instance_id": {"type": ["integer", "null"]},
            "open_tasks": {"type": "array", "items": task},
            "history": {"type": "array", "items": task, "description": "the steps done, in order"},
        },
    }


def complaint_desk_paths() -> dict[str, Any]:
    sid = path_param("survey_id", "integer")
    return {
        "/complaints/{complaint_id}/progress": {
            "get": op(
                "A complaint's GB/T 36113 progress: the complaint (complainant left out), open tasks, steps done",
                {"200": resp("progress", progress_schema())},
                401,
                403,
                404,
                params=[path_param("complaint_id", "integer")],
            )
        },
        "/hotline/calls": {
            "get": op(
                "The 96128 call log, newest first, callers masked (consultation desk, supervision)",
                {"200": resp("calls", ARR)},
                401,
                403,
                params=[query("open")],
            ),
            "post": op(
                "Log a 96128 call: a consultation on the hotline channel, the consultant its first responder",
                {"201": resp("the call", OBJ)},
                401,
                403,
                422,
                body=CALL,
            ),
        },
        "/surveys": {
            "get": op(
                "Questionnaires (administrators: all; staff: open ones)", {"200": resp("surveys", ARR)}, 401, 403
            ),
            "post": op(
                "Define a draft questionnaire (administrators)", {"201": resp("draft", OBJ)}, 401, 403, 422, body=SURVEY
            ),  # fmt: skip
        },
        **{
            f"/surveys/{{survey_id}}/{to}": {
                "post": op(summary, {"200": resp("the questionnaire", OBJ)}, 401, 403, 404, 409, params=[sid])
            }
            for to, summary in (
                ("open", "Open a draft questionnaire: answers are collected from now (administrators)"),
                ("closed", "Close an open questionnaire: no more answers (administrators)"),
            )
        },
        "/surveys/{survey_id}/results": {
            "get": op(
                "Results per question (counts, average score, texts) and responses by channel",
                {"200": resp("results", OBJ)},
                401,
                403,
                404,
                params=[sid],
            )
        },
        "/surveys/{survey_id}/responses": {
            "post": op(
                "Enter a questionnaire filled in at the window (window staff)",
                {"201": resp("{id}", OBJ)},
                401,
                403,
                404,
                422,
                body=ANSWERS,
                params=[sid],
            )
        },
        "/public/surveys/{survey_id}": {
            "get": op(
                "An open questionnaire (public)", {"200": resp("questionnaire", OBJ)}, 404, params=[sid], public=True
            )  # fmt: skip
        },
        "/public/surveys/{survey_id}/responses": {
            "post": op(
                "Answer an open questionnaire anonymously (public)",
                {"201": resp("{id}", OBJ)},
                404,
                422,
                body=ANSWERS,
                params=[sid],
                public=True,
            )
        },
    }
