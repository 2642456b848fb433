"""The OpenAPI description of the agency routes (代办: 委托书, 驻点包村, the village → town → county relay)."""

from __future__ import annotations

from typing import Any

from webapp.api.openapi_parts import ARR, OBJ, op, path_param, query, resp

STR = {"type": "string"}
NAMES = {"type": "array", "items": STR}
MANDATE = {
    "type": "object",
    "required": ["principal", "valid_to"],
    "properties": {
        "kind": {"type": "string", "enum": ["full", "authorised"], "description": "全程代办 or 授权代办"},
        "principal": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": STR, "id_number": STR, "phone": STR},
        },
        "items": NAMES,
        "scope_all": {"type": "boolean", "description": "every item (全程代办 only)"},
        "valid_from": {"type": "string", "format": "date"},
        "valid_to": {"type": "string", "format": "date"},
    },
}
REASON = {"type": "object", "required": ["reason"], "properties": {"reason": STR}}
RENEW = {"type": "object", "required": ["reason"], "properties": {"reason": STR, "valid_to": STR}}
ASSIGN = {"type": "object", "required": ["station", "username"], "properties": {"station": STR, "username": STR}}
RELAY = {
    "type": "object",
    "required": ["mandate", "item_code"],
    "properties": {"mandate": STR, "item_code": STR, "materials": NAMES, "note": STR},
}
HANDOVER = {"type": "object", "properties": {"materials": NAMES, "note": STR}}
SIGNATURES = {
    "town_receipt": "The town signs for the village's hand-over (for an item the town decides it opens the case)",
    "town_forward": "The town hands the application to the county window, with its materials",
    "county_receipt": "The county window signs and opens the case (channel agent); returns its query code once",
    "village_receipt": "The village agent signs for the result",
}


def agency_paths() -> dict[str, Any]:
    number, relay_id = path_param("number"), path_param("relay_id", "integer")
    paths: dict[str, Any] = {
        "/agency/mandates": {
            "get": op("Mandates: the agent's own, the town's villages' (principal protected), all for admins",
                      {"200": resp("mandates", ARR)}, 401, 403),
            "post": op("Record a signed mandate (委托书) for the principal of the agent's station",
                       {"201": resp("mandate", OBJ)}, 401, 403, 422, body=MANDATE),
        },
        "/agency/mandates/{number}": {
            "get": op("One mandate in full (its agent, the town's staff, admins)", {"200": resp("mandate", OBJ)},
                      401, 403, 404, params=[number])
        },
        "/agency/mandates/{number}/suspend": {
            "post": op("中止单: suspend an active mandate, with the reason", {"200": resp("mandate", OBJ)},
                       401, 403, 404, 409, 422, body=REASON, params=[number])
        },
        "/agency/mandates/{number}/renew": {
            "post": op("续办委托书: resume or extend a mandate (valid_to: the new last day)",
                       {"200": resp("mandate", OBJ)}, 401, 403, 404, 409, 422, body=RENEW, params=[number])
        },
        "/agency/mandates/{number}/terminate": {
            "post": op("终止单: end a mandate for good, with the reason", {"200": resp("mandate", OBJ)},
                       401, 403, 404, 409, 422, body=REASON, params=[number])
        },
        "/agency/assignments": {
            "get": op("Current village assignments (驻点包村), for staff", {"200": resp("assignments", ARR)},
                      401, 403, params=[query("town")]),
            "post": op("Station a town service-team member in a village (administrators)",
                       {"201": resp("assignment", OBJ)}, 401, 403, 409, 422, body=ASSIGN),
        },
        "/agency/assignments/{assignment_id}/end": {
            "post": op("End a village assignment (administrators)", {"200": resp("assignment", OBJ)},
                       401, 403, 404, 409, params=[path_param("assignment_id", "integer")])
        },
        "/agency/relays": {
            "get": op("The relays the viewer works on, with hand-overs and the time per level",
                      {"200": resp("relays", ARR)}, 401),
            "post": op("The village agent files under a mandate and hands the application to the town",
                       {"201": resp("relay", OBJ)}, 401, 403, 404, 422, body=RELAY),
        },
        "/agency/relays/{relay_id}": {
            "get": op("One relay: hand-overs (materials, time, signer), time per level, total since village "
                      "intake, the deciding window's statutory clock", {"200": resp("relay", OBJ)},
                      401, 403, 404, params=[relay_id])
        },
        "/agency/relays/{relay_id}/cancel": {
            "post": op("The agent cancels the relay before a window opened its case, with the reason",
                       {"200": resp("relay", OBJ)}, 401, 403, 404, 409, 422, body=REASON, params=[relay_id])
        },
    }  # fmt: skip
    for action, summary in SIGNATURES.items():
        paths[f"/agency/relays/{{relay_id}}/{action}"] = {
            "post": op(summary, {"200": resp("relay", OBJ)}, 401, 403, 404, 409, 422, body=HANDOVER, params=[relay_id])
        }
    return paths
