"""The OpenAPI description of the warning-card (黄牌/红牌) and notification routes."""

from __future__ import annotations

from typing import Any

from webapp.api.openapi_parts import ARR, OBJ, op, path_param, query, resp

TRIGGERS = ["refusal_without_reason", "fee_violation", "other"]
ISSUE = {
    "type": "object",
    "required": ["case_no", "trigger", "text"],
    "properties": {
        "case_no": {"type": "string"},
        "trigger": {"type": "string", "enum": TRIGGERS},
        "text": {"type": "string", "maxLength": 2000},
        "level": {"type": "string", "enum": ["yellow", "red"], "description": "default: red, yellow for other"},
        "handler": {"type": "string", "description": "the officer responsible, if known"},
        "step": {"type": "string", "description": "the step (element id); a trigger warns once per case and step"},
    },
}


def _text_body(name: str, required: bool) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [name] if required else [],
        "properties": {name: {"type": "string", "maxLength": 2000}},
    }


def warning_paths() -> dict[str, Any]:
    wid, nid = path_param("warning_id", "integer"), path_param("notification_id", "integer")
    return {
        "/warnings": {
            "get": op(
                "Warning cards, latest first: every card for the supervision window, a department's and one's own "
                "for staff",
                {"200": resp("cards", ARR)},
                401,
                403,
                params=[query("status"), query("level"), query("department"), query("case_no")],
            ),
            "post": op(
                "Issue a card after an inspection (supervision window); a red card is an accountability entry",
                {"201": resp("card", OBJ)},
                401,
                403,
                409,
                422,
                body=ISSUE,
            ),
        },
        "/warnings/{warning_id}": {
            "get": op("One card (who may see it)", {"200": resp("card", OBJ)}, 401, 404, params=[wid])
        },
        "/warnings/{warning_id}/appeal": {
            "post": op(
                "申诉: the handler or the department's chief representative appeals an issued card",
                {"200": resp("card", OBJ)},
                401,
                403,
                404,
                409,
                422,
                params=[wid],
                body=_text_body("text", True),
            )
        },
        "/warnings/{warning_id}/revoke": {
            "post": op(
                "撤销 with a reason (supervision window); a red card's accountability entry is marked revoked",
                {"200": resp("card", OBJ)},
                401,
                403,
                404,
                409,
                422,
                params=[wid],
                body=_text_body("reason", True),
            )
        },
        "/warnings/{warning_id}/escalate": {
            "post": op(
                "督办: escalate an issued or appealed card (supervision window)",
                {"200": resp("card", OBJ)},
                401,
                403,
                404,
                409,
                params=[wid],
                body=_text_body("note", False),
            )
        },
        "/notifications": {
            "get": op(
                "The caller's in-app notifications, latest first, with the unread count",
                {"200": resp("{unread, items}", OBJ)},
                401,
                params=[query("unread")],
            )
        },
        "/notifications/{notification_id}/read": {
            "post": op(
                "Mark one of one's notifications read", {"200": resp("{id, unread}", OBJ)}, 401, 404, params=[nid]
            )
        },
    }
