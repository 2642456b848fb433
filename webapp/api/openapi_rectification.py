"""The OpenAPI description of the bad-review rectification routes (差评工单 and the rating of the fix)."""

from __future__ import annotations

from typing import Any

from webapp.api.openapi_parts import ARR, OBJ, op, path_param, query, resp

RATING = {
    "type": "object",
    "required": ["rating"],
    "properties": {
        "rating": {"type": "string", "enum": ["satisfied", "basically", "dissatisfied"]},
        "comment": {"type": "string", "maxLength": 500},
    },
}
PUBLIC_RATING = {
    "type": "object",
    "required": ["query_code", "rating"],
    "properties": {
        "query_code": {"type": "string"},
        "rating": {"type": "string", "enum": ["satisfied", "basically", "dissatisfied"]},
        "comment": {"type": "string", "maxLength": 500},
    },
}


def rectification_paths() -> dict[str, Any]:
    case_no = path_param("case_no")
    return {
        "/rectifications": {
            "get": op(
                "差评工单: bad-review work orders, newest first, the evaluator masked (supervision and the complaint "
                "desk: every department; case officers and approvers: their own)",
                {"200": resp("work orders", ARR)},
                401,
                403,
                422,
                params=[query("status"), query("department"), query("limit", "integer")],
            )
        },
        "/rectifications/{order_id}": {
            "get": op(
                "One work order: call back, classification, deadline, feedback, the rating of the fix",
                {"200": resp("work order", OBJ)},
                401,
                404,
                params=[path_param("order_id", "integer")],
            )
        },
        "/public/cases/{case_no}/rectification-rating": {
            "post": op(
                "The evaluator rates the fix of their bad review with the case's query code (public; once)",
                {"201": resp("{number, status, fix_rating}", OBJ)},
                404,
                409,
                422,
                body=PUBLIC_RATING,
                params=[case_no],
                public=True,
            )
        },
        "/cases/{case_no}/rectification-rating": {
            "post": op(
                "The window records the evaluator's rating of the fix (the case's window or the centre's)",
                {"201": resp("work order", OBJ)},
                401,
                403,
                404,
                409,
                422,
                body=RATING,
                params=[case_no],
            )
        },
    }
