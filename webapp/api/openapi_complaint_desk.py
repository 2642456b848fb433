"""The OpenAPI description of the complaint desk's routes: complaint progress, the 96128 hotline log and
satisfaction questionnaires."""

from __future__ import annotations

from typing import Any

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


def complaint_desk_paths() -> dict[str, Any]:
    sid = path_param("survey_id", "integer")
    return {
        "/complaints/{complaint_id}/progress": {
            "get": op(
                "A complaint's GB/T 36113 progress: the complaint (complainant left out), open tasks, steps done",
                {"200": resp("progress", OBJ)},
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
