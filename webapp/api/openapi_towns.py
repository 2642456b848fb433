"""The OpenAPI description of the town-centre routes (乡镇为民服务中心: items, 值班表, off-hours intake)."""

from __future__ import annotations

from typing import Any

from webapp.api.openapi_parts import ARR, OBJ, op, path_param, query, resp

GENERATE = {
    "type": "object",
    "required": ["year", "month"],
    "properties": {
        "year": {"type": "integer"},
        "month": {"type": "integer", "minimum": 1, "maximum": 12},
        "off_hours": {
            "type": "boolean",
            "description": "also each working day's off-hours (default: the town's off_hours_duty, true)",
        },
        "leave": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
}
SWAP = {
    "type": "object",
    "required": ["day", "shift", "username", "reason"],
    "properties": {
        "day": {"type": "string", "format": "date"},
        "shift": {"type": "string", "enum": ["rest_day", "off_hours"]},
        "username": {"type": "string"},
        "reason": {"type": "string"},
    },
}
CASE = {
    "type": "object",
    "required": ["item_code", "applicant"],
    "properties": {
        "item_code": {"type": "string"},
        "applicant": OBJ,
        "materials": {"type": "array", "items": {"type": "string"}},
        "channel": {"type": "string"},
    },
}


def town_paths() -> dict[str, Any]:
    code = path_param("code")
    month = [query("year", "integer"), query("month", "integer")]
    return {
        "/public/towns": {
            "get": op("Town centres: windows by category, items received and decided, staff, agents",
                      {"200": resp("towns", ARR)}, public=True)
        },
        "/public/towns/{code}/on-duty": {
            "get": op("Who takes intake now (or ?at=) and the next two weeks' rest-day duties",
                      {"200": resp("{open, duty, upcoming}", OBJ)}, 404, 422,
                      params=[code, query("at", "string")], public=True)
        },
        "/public/towns/{code}/roster": {
            "get": op("A month's duty roster as posted: days, shifts and display names", {"200": resp("roster", OBJ)},
                      404, 422, params=[code, *month], public=True)
        },
        "/towns/{code}/roster": {
            "get": op("The full month: logins, swaps with their reasons, each person's counts (signed in)",
                      {"200": resp("roster", OBJ)}, 401, 404, 422, params=[code, *month]),
            "post": op("Generate a month's fair rotation (the town's own staff, town_officer, or an administrator)",
                       {"201": resp("roster", OBJ)}, 401, 403, 404, 422, body=GENERATE, params=[code])
        },
        "/towns/{code}/roster/swap": {
            "post": op("Hand one duty slot to a colleague, with the reason", {"200": resp("duty", OBJ)},
                       401, 403, 404, 409, 422, body=SWAP, params=[code])
        },
        "/towns/{code}/cases": {
            "post": op("Receive a case at a town; off-hours with the officer on duty, clocks from the next opening",
                       {"201": resp("case and receipt", OBJ)}, 401, 403, 404, 409, 422, body=CASE, params=[code])
        },
        "/towns/{code}/intakes": {
            "get": op("The town's off-hours intakes with the officer on duty", {"200": resp("receipts", ARR)},
                      401, 403, 404, params=[code])
        },
        "/cases/{case_no}/town-receipt": {
            "get": op("How a case was received at a town", {"200": resp("receipt", OBJ)}, 401, 404,
                      params=[path_param("case_no")])
        },
    }  # fmt: skip
