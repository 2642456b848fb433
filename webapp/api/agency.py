"""Agency (代办) over the API: mandates (委托书) and their suspension, renewal and termination; the town staff
stationed in villages (驻点包村); relays village → town → county with their hand-overs and times, each level's
signature, and the agent's cancellation. Permissions are the agency service's (the agent, the town's team, the
deciding window, administrators)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from webapp.api import bp
from webapp.api.render import json_body, jsonable
from webapp.auth import current_principal, platform

RELAY_ACTIONS = "any(town_receipt,town_forward,county_receipt,village_receipt)"
MANDATE_CHANGES = "any(suspend,renew,terminate)"


def _optional_body() -> dict[str, Any]:
    """A signature needs no body: none is {} (a body that is not a JSON object is still refused)."""
    return json_body() if request.get_data() else {}


def _reason(body: dict[str, object]) -> str:
    reason = body.get("reason")
    return reason if isinstance(reason, str) else ""


# -- mandates ----------------------------------------------------------------------------------------------------
@bp.get("/agency/mandates")
def list_mandates() -> ResponseReturnValue:
    """The agent's own mandates; the town's staff see their villages' with the principal protected."""
    return jsonify(platform().agency.mandates(current_principal()))


@bp.post("/agency/mandates")
def create_mandate() -> ResponseReturnValue:
    """Record a signed 委托书: {kind, principal: {name, id_number?, phone?}, items | scope_all, valid_from?,
    valid_to} (the village agent, for their station)."""
    return jsonify(platform().agency.create_mandate(current_principal(), json_body())), 201


@bp.get("/agency/mandates/<number>")
def show_mandate(number: str) -> ResponseReturnValue:
    return jsonify(platform().agency.mandate(current_principal(), number))


@bp.post(f"/agency/mandates/<number>/<{MANDATE_CHANGES}:change>")
def change_mandate(number: str, change: str) -> ResponseReturnValue:
    """中止 / 续办 / 终止 with the reason ({reason, valid_to?} — a renewal's new last day)."""
    body, service, principal = json_body(), platform().agency, current_principal()
    if change == "renew":
        changed = service.renew_mandate(principal, number, _reason(body), body.get("valid_to"))
    elif change == "suspend":
        changed = service.suspend_mandate(principal, number, _reason(body))
    else:
        changed = service.terminate_mandate(principal, number, _reason(body))
    return jsonify(changed)


# -- 驻点包村 ------------------------------------------------------------------------------------------------------
@bp.get("/agency/assignments")
def list_assignments() -> ResponseReturnValue:
    """The current village assignments (?town=), for staff."""
    rows = platform().agency.assignments(current_principal(), request.args.get("town") or None)
    return jsonify(jsonable(rows))


@bp.post("/agency/assignments")
def create_assignment() -> ResponseReturnValue:
    """Station a town service-team member in a village: {station, username} (administrators)."""
    body = json_body()
    station, username = body.get("station"), body.get("username")
    row = platform().agency.assign(
        current_principal(), station if isinstance(station, str) else "", username if isinstance(username, str) else ""
    )
    return jsonify(jsonable(row)), 201


@bp.post("/agency/assignments/<int:assignment_id>/end")
def end_assignment(assignment_id: int) -> ResponseReturnValue:
    """End a stationing (administrators)."""
    return jsonify(jsonable(platform().agency.end_assignment(current_principal(), assignment_id)))


# -- relays ------------------------------------------------------------------------------------------------------
@bp.get("/agency/relays")
def list_relays() -> ResponseReturnValue:
    """The relays the viewer works on, with their hand-overs and the time per level, newest first."""
    return jsonify(platform().agency.relays(current_principal()))


@bp.post("/agency/relays")
def start_relay() -> ResponseReturnValue:
    """The village agent files under a mandate: {mandate, item_code, materials, note?}."""
    return jsonify(platform().agency.start_relay(current_principal(), json_body())), 201


@bp.get("/agency/relays/<int:relay_id>")
def show_relay(relay_id: int) -> ResponseReturnValue:
    """One relay: hand-overs (materials, time, signer), time per level, the total since village intake and
    the deciding window's statutory clock."""
    return jsonify(platform().agency.relay(current_principal(), relay_id))


@bp.post(f"/agency/relays/<int:relay_id>/<{RELAY_ACTIONS}:action>")
def sign_relay(relay_id: int, action: str) -> ResponseReturnValue:
    """Sign a hand-over: {materials?, note?}; the receipt that opens the case returns its query code once."""
    return jsonify(platform().agency.act(current_principal(), relay_id, action, _optional_body()))


@bp.post("/agency/relays/<int:relay_id>/cancel")
def cancel_relay(relay_id: int) -> ResponseReturnValue:
    """The agent withdraws the relay before a window opened its case: {reason}."""
    return jsonify(platform().agency.cancel(current_principal(), relay_id, _reason(json_body())))
