"""The OpenAPI description of the joint-review meeting routes (联审会: agenda, meetings, minutes, 督办)."""

from __future__ import annotations

from typing import Any

from webapp.api.openapi_parts import ARR, OBJ, op, path_param, query, resp

ACTION = {
    "type": "object",
    "required": ["description", "department", "workdays"],
    "properties": {
        "description": {"type": "string", "maxLength": 1000},
        "department": {"type": "string"},
        "workdays": {"type": "integer", "minimum": 1, "maximum": 60},
        "project_code": {"type": "string"},
        "assignee": {"type": "string", "description": "a case officer of the department; the task waits claimed"},
    },
}
MINUTES = {
    "type": "object",
    "required": ["minutes"],
    "properties": {
        "minutes": {"type": "string"},
        "decisions": {"type": "array", "items": {"type": "string"}},
        "actions": {"type": "array", "items": ACTION},
    },
}


def meeting_paths() -> dict[str, Any]:
    mid = path_param("meeting_id", "integer")
    return {
        "/meetings/agenda": {
            "get": op(
                "The next joint-review meeting and its agenda: projects with blocked, yellow or red reviews (staff)",
                {"200": resp("{next: meeting day, time, chair, convened, entries} or null", OBJ)},
                401,
                403,
            )
        },
        "/meetings": {
            "get": op("Joint-review meetings, latest first (staff)", {"200": resp("meetings", ARR)}, 401, 403)
        },
        "/meetings/actions": {
            "get": op(
                "会议督办: action items not yet done, earliest due first, overdue marked (staff; others' departments "
                "for the joint-review office and supervisors)",
                {"200": resp("action items", ARR)},
                401,
                403,
                params=[query("department")],
            )
        },
        "/meetings/{meeting_id}": {
            "get": op(
                "A meeting: agenda as convened, minutes, decisions, action items (staff)",
                {"200": resp("meeting", OBJ)},
                401,
                403,
                404,
                params=[mid],
            )
        },
        "/meetings/{meeting_id}/minutes": {
            "post": op(
                "Record the minutes (joint-review office): the meeting is held and every action item becomes a task "
                "in its department's inbox, due in its working days",
                {"200": resp("meeting", OBJ)},
                401,
                403,
                404,
                409,
                422,
                params=[mid],
                body=MINUTES,
            )
        },
    }
