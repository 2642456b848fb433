"""The OpenAPI description of the key-project routes (重点项目: register, board, progress, triage, extension,
the steward's notes, timeline)."""

from __future__ import annotations

from typing import Any

from webapp.api.openapi_parts import ARR, OBJ, op, path_param, query, resp

_TEXT = {"type": "string"}
LABELLED = {
    "type": "object",
    "properties": {"value": _TEXT, "label": _TEXT},
    "description": "an enumeration's value and its Chinese label",
}
CHILD = {
    "type": "object",
    "description": "one department's review of one item (a child case); opinion and instance_id are null when "
    "the viewer sees another department's review only as part of the project",
    "properties": {
        "item_code": _TEXT,
        "item_name": _TEXT,
        "department": _TEXT,
        "department_name": _TEXT,
        "case_no": _TEXT,
        "state": LABELLED,
        "warning": LABELLED,
        "promised_days": {"type": "integer"},
        "used_days": {"type": "integer"},
        "remaining_days": {"type": "integer", "description": "working days left; negative: days overdue"},
        "due_at": {"type": ["string", "null"], "format": "date-time"},
        "prerequisites": ARR,
        "forwarded": {"type": "boolean"},
        "full": {"type": "boolean"},
    },
}
PROJECT = {
    "type": "object",
    "properties": {
        "code": _TEXT,
        "name": _TEXT,
        "investor": OBJ,
        "investment": {"type": "string", "description": "万元, a decimal as a string"},
        "stage": _TEXT,
        "stage_label": _TEXT,
        "status": LABELLED,
        "due_at": {"type": ["string", "null"], "format": "date-time"},
        "statutory_days": {"type": "integer"},
        "extended": {"type": "boolean"},
        "warning": LABELLED,
        "worst_warning": LABELLED,
        "next_due": {"type": ["string", "null"], "format": "date-time"},
        "next_meeting": {"type": ["string", "null"], "format": "date-time"},
        "children": {"type": "array", "items": CHILD},
    },
}
REGISTER = {
    "type": "object",
    "required": ["name", "investor", "location", "investment", "stage"],
    "properties": {
        "name": _TEXT,
        "investor": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": _TEXT, "contact": _TEXT, "phone": _TEXT, "credit_code": _TEXT},
        },
        "location": _TEXT,
        "investment": {"type": "string", "description": "万元"},
        "stage": {"enum": ["land_planning", "construction_permit", "building_permit", "completion"]},
        "materials": {"type": "array", "items": _TEXT},
    },
}
TRIAGE = {
    "type": "object",
    "required": ["reviews", "steward", "lead_department"],
    "properties": {
        "reviews": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["item_code"],
                "properties": {"item_code": _TEXT, "prerequisites": {"type": "array", "items": _TEXT}},
            },
        },
        "steward": {"type": "string", "description": "a fast_track_officer@CENTRE's username (专人)"},
        "lead_department": _TEXT,
    },
}


def project_paths() -> dict[str, Any]:
    code = path_param("code")
    return {
        "/projects": {
            "get": op(
                "The tracking board: every project the caller may see with each department's progress (the "
                "fast-track office, supervisors and admin see all; department staff the ones they review)",
                {"200": resp("projects", {"type": "array", "items": PROJECT})},
                401,
                403,
                params=[query("open")],
            ),
            "post": op(
                "快速通道窗口收件: register a key project's package (fast-track office); Location names it",
                {"201": resp("the project", PROJECT)},
                401,
                403,
                404,
                422,
                body=REGISTER,
            ),
        },
        "/projects/{code}": {
            "get": op(
                "A project with each department's review state, working days and warnings",
                {"200": resp("the project", PROJECT)},
                401,
                403,
                404,
                params=[code],
            )
        },
        "/projects/{code}/triage-options": {
            "get": op(
                "What triage may choose: catalogue items, stewards, departments (fast-track office)",
                {"200": resp("options", OBJ)},
                401,
                403,
                404,
                params=[code],
            )
        },
        "/projects/{code}/triage": {
            "post": op(
                "联审办分办: every department's review starts at once; the answer shows each case's query code once",
                {"200": resp("{project, query_codes: {case_no: code}}", OBJ)},
                401,
                403,
                404,
                409,
                422,
                params=[code],
                body=TRIAGE,
            )
        },
        "/projects/{code}/extension": {
            "post": op(
                "Extend the joint limit once by 15 working days with the approving head's name (fast-track office)",
                {"200": resp("the project", PROJECT)},
                401,
                403,
                404,
                409,
                422,
                params=[code],
                body={
                    "type": "object",
                    "required": ["reason", "approved_by"],
                    "properties": {"reason": _TEXT, "approved_by": _TEXT},
                },
            )
        },
        "/projects/{code}/messages": {
            "post": op(
                "The steward's note to a department reviewing the project (a comment on its case, on the timeline)",
                {"201": resp("timeline entry", OBJ)},
                401,
                403,
                404,
                422,
                params=[code],
                body={
                    "type": "object",
                    "required": ["department", "text"],
                    "properties": {"department": _TEXT, "text": {"type": "string", "maxLength": 2000}},
                },
            )
        },
        "/projects/{code}/timeline": {
            "get": op(
                "The project's events and its reviews' steps, oldest first",
                {"200": resp("timeline", ARR)},
                401,
                403,
                404,
                params=[code],
            )
        },
    }
