"""The OpenAPI description of the accountability routes (效能问责: entries, window patrols, complaint findings,
the annual evaluation with 一票否决)."""

from __future__ import annotations

from typing import Any

from webapp.api.openapi_parts import ARR, OBJ, op, path_param, query, resp

PATROL = {
    "type": "object",
    "required": ["findings"],
    "properties": {
        "window": {"type": "string", "maxLength": 32, "description": "the window patrolled (its department is the "
                   "default department)"},
        "department": {"type": "string", "description": "required unless the window belongs to one"},
        "findings": {"type": "string", "maxLength": 2000},
        "category": {
            "type": "string",
            "enum": ["discipline", "conduct", "dress", "hygiene", "attitude", "business"],
            "description": "纪律/作风/着装/卫生/服务态度/业务; omit when the patrol found nothing",
        },
        "officer": {"type": "string", "description": "the window officer concerned (a username)"},
        "severity": {"type": "string", "enum": ["minor", "serious", "veto"], "description": "default minor; veto "
                     "disqualifies the officer and department in the annual evaluation"},
    },
}  # fmt: skip
COMPLAINT_FINDING = {
    "type": "object",
    "required": ["complaint_id", "upheld"],
    "properties": {
        "complaint_id": {"type": "integer"},
        "upheld": {"type": "boolean", "description": "查实: only an upheld complaint becomes an entry"},
        "username": {"type": "string", "description": "the officer concerned (none: the department as a whole)"},
        "department": {"type": "string", "description": "default: the complaint's department"},
        "note": {"type": "string", "maxLength": 2000},
        "veto": {"type": "boolean", "description": "a veto-level finding (一票否决)"},
    },
}
YEAR = query("year", "integer")


def accountability_paths() -> dict[str, Any]:
    pid = path_param("patrol_id", "integer")
    return {
        "/accountability/entries": {
            "get": op(
                "Accountability entries (ledger rows of every source: red_card, attendance, leaving_post, patrol, "
                "complaint, first_inquiry, second_correction), newest first, with kind_label, revoked, veto_level and "
                "deduction (supervision and admin: all; a department's approver: their department)",
                {"200": resp("entries", ARR)},
                401,
                403,
                422,
                params=[YEAR, query("kind"), query("department"), query("username"), query("limit", "integer")],
            )
        },
        "/accountability/complaints": {
            "post": op(
                "Supervision's finding on a complaint: upheld writes a 'complaint' entry (once per complaint)",
                {"201": resp("recorded, with its entry", OBJ), "200": resp("not upheld: no entry", OBJ)},
                401,
                403,
                404,
                409,
                422,
                body=COMPLAINT_FINDING,
            )
        },
        "/patrols": {
            "get": op(
                "The patrol log (巡查), newest first", {"200": resp("patrols", ARR)}, 401, 403, 422, params=[YEAR]
            ),
            "post": op(
                "Log a window patrol (supervision): a finding takes the department's next ladder step this year — "
                "1 政务服务催办单, 2 建议更换窗口工作人员, 3 约谈部门负责人 — with a numbered document and a "
                "'patrol' entry",
                {"201": resp("patrol with step, step_label, document_number, violation_id", OBJ)},
                401,
                403,
                422,
                body=PATROL,
            ),
        },
        "/patrols/{patrol_id}": {
            "get": op("One patrol", {"200": resp("patrol", OBJ)}, 401, 403, 404, params=[pid]),
        },
        "/patrols/{patrol_id}/follow-up": {
            "post": op(
                "The department's rectification reply to a finding (supervision or the department's approver)",
                {"200": resp("patrol", OBJ)},
                401,
                403,
                404,
                422,
                params=[pid],
                body={"type": "object", "required": ["follow_up"], "properties": {"follow_up": {"type": "string"}}},
            )
        },
        "/evaluation/{year}": {
            "get": op(
                "The annual evaluation: people and departments keyed (violations, veto, kinds, score, deductions, "
                "counts by source, revoked, veto_reason, rank), 'ranking' best first with the disqualified (一票否决) "
                "last and unranked, and the scoring rules",
                {"200": resp("evaluation", OBJ)},
                401,
                403,
                params=[path_param("year", "integer")],
            )
        },
    }
