"""The OpenAPI description of the supervision window's routes (电子监察: live board, efficiency)."""

from __future__ import annotations

from typing import Any

from webapp.api.openapi_parts import ARR, OBJ, op, query, resp

COLOURS = {
    "type": "object",
    "description": "accepted and paused cases by live colour",
    "properties": {c: {"type": "integer"} for c in ("green", "yellow", "red", "overdue")},
}
BOARD_ROW = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "open_cases": {"type": "integer", "description": "undecided: received, correction requested, accepted, paused"},
        "awaiting_acceptance": {"type": "integer"},
        "paused": {"type": "integer"},
        "open_tasks": {"type": "integer", "description": "ready human tasks"},
        "oldest_task_at": {"type": ["string", "null"], "format": "date-time"},
        "oldest_waiting_minutes": {"type": ["integer", "null"]},
        "colours": COLOURS,
    },
}
LIVE_CASE = {
    "type": "object",
    "properties": {
        "case_no": {"type": "string"},
        "item_code": {"type": "string"},
        "item_name": {"type": "string"},
        "department": {"type": "string"},
        "window": {"type": ["string", "null"]},
        "status": {"type": "string"},
        "colour": {"enum": ["green", "yellow", "red", "overdue"]},
        "limit_days": {"type": "integer"},
        "used_days": {"type": "integer"},
        "remaining_days": {"type": "integer"},
        "days_overdue": {"type": "integer"},
        "due_at": {"type": "string", "format": "date-time"},
        "paused": {"type": "boolean"},
        "steps": {"type": "array", "items": OBJ, "description": "ready tasks: name, role, department, claimed_by"},
    },
}
EFFICIENCY_ROW = {
    "type": "object",
    "properties": {
        "key": {"type": "string"},
        "name": {"type": "string"},
        "completed": {"type": "integer"},
        "on_time": {"type": "integer"},
        "instant": {"type": "integer"},
        "promised_cases": {"type": "integer"},
        "on_time_rate": {"type": ["number", "null"]},
        "average_working_days": {"type": ["number", "null"]},
        "speed_up_cases": {"type": "integer"},
        "speed_up_rate": {"type": ["number", "null"]},
    },
}


def supervision_paths() -> dict[str, Any]:
    return {
        "/supervision/dashboard": {
            "get": op(
                "The live supervision board (supervisor, admin): per department and window the open cases, ready "
                "tasks and the oldest wait, live colour counts; warned and overdue cases with their current step "
                "and handler; this year's first-inquiry violations",
                {
                    "200": resp(
                        "board",
                        {
                            "type": "object",
                            "properties": {
                                "now": {"type": "string", "format": "date-time"},
                                "working_hours": {"type": "boolean"},
                                "year": {"type": "integer"},
                                "total": BOARD_ROW,
                                "departments": {"type": "array", "items": BOARD_ROW},
                                "windows": {"type": "array", "items": BOARD_ROW},
                                "warned": {"type": "array", "items": LIVE_CASE},
                                "overdue": {"type": "array", "items": LIVE_CASE},
                                "first_inquiry": ARR,
                            },
                        },
                    )
                },
                401,
                403,
            )
        },
        "/supervision/efficiency": {
            "get": op(
                "Efficiency of a period per department and officer (supervisor, admin): cases decided in the "
                "period, on-time rate, average working days, speed-up against the statutory limit; "
                "`definitions` says how each is computed",
                {
                    "200": resp(
                        "efficiency",
                        {
                            "type": "object",
                            "properties": {
                                "from": {"type": "string", "format": "date"},
                                "to": {"type": "string", "format": "date"},
                                "total": EFFICIENCY_ROW,
                                "departments": {"type": "array", "items": EFFICIENCY_ROW},
                                "officers": {"type": "array", "items": EFFICIENCY_ROW},
                                "definitions": OBJ,
                            },
                        },
                    )
                },
                401,
                403,
                422,
                params=[
                    query("from") | {"description": "first day, YYYY-MM-DD (default: the 1st of this month)"},
                    query("to") | {"description": "last day included, YYYY-MM-DD (default: today)"},
                ],
            )
        },
    }
