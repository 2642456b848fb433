"""Accountability (效能问责) in the API: ledger entries, window patrols with their ladder step, supervision's
finding on a complaint, and the annual evaluation (一票否决)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from engine.errors import FieldError, FormValidationError
from webapp.api import bp
from webapp.api.render import int_arg, json_body, jsonable
from webapp.auth import current_principal, platform


def _year_arg() -> int | None:
    raw = request.args.get("year")
    if not raw:
        return None
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise FormValidationError("invalid year", [FieldError("year", "a year between 2000 and 2100")])
    return int(raw)


@bp.get("/accountability/entries")
def accountability_entries() -> ResponseReturnValue:
    entries = platform().accountability.entries(
        current_principal(),
        year=_year_arg(),
        kind=request.args.get("kind") or None,
        department=request.args.get("department") or None,
        username=request.args.get("username") or None,
        limit=int_arg("limit", 500, 1, 2000),
    )
    return jsonify(jsonable(entries))


@bp.post("/accountability/complaints")
def accountability_complaint() -> ResponseReturnValue:
    principal = current_principal()
    body = json_body()
    complaint_id, upheld = body.get("complaint_id"), body.get("upheld")
    errors = []
    if not isinstance(complaint_id, int) or isinstance(complaint_id, bool):
        errors.append(FieldError("complaint_id", "an integer"))
    if not isinstance(upheld, bool):
        errors.append(FieldError("upheld", "true or false"))
    if not isinstance(body.get("veto", False), bool):
        errors.append(FieldError("veto", "true or false"))
    if errors:
        raise FormValidationError("the finding is invalid", errors)
    result = platform().accountability.record_complaint(
        principal,
        int(complaint_id),  # type: ignore[arg-type]
        bool(upheld),
        body.get("username"),
        body.get("department"),
        body.get("note") or "",
        veto=bool(body.get("veto", False)),
    )
    return jsonify(jsonable(result)), 201 if result["entry"] else 200


@bp.get("/patrols")
def list_patrols() -> ResponseReturnValue:
    return jsonify(jsonable(platform().accountability.patrols(current_principal(), year=_year_arg())))


@bp.post("/patrols")
def record_patrol() -> ResponseReturnValue:
    principal = current_principal()
    return jsonify(jsonable(platform().accountability.record_patrol(principal, json_body()))), 201


@bp.get("/patrols/<int:patrol_id>")
def show_patrol(patrol_id: int) -> ResponseReturnValue:
    return jsonify(jsonable(platform().accountability.patrol(current_principal(), patrol_id)))


@bp.post("/patrols/<int:patrol_id>/follow-up")
def patrol_follow_up(patrol_id: int) -> ResponseReturnValue:
    principal = current_principal()
    text = json_body().get("follow_up", "")
    return jsonify(jsonable(platform().accountability.record_follow_up(principal, patrol_id, str(text))))


def _keyed(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in rows}


@bp.get("/evaluation/<int:year>")
def evaluation(year: int) -> ResponseReturnValue:
    """The annual evaluation. ``people`` and ``departments`` keep their earlier shape (keyed, with violations,
    veto and kinds) and gain score, counts, veto_reason and rank; ``ranking`` lists them best first."""
    view = platform().accountability.annual_evaluation(current_principal(), year)
    return jsonify(
        {
            "year": view["year"],
            "people": _keyed(view["people"]),
            "departments": _keyed(view["departments"]),
            "ranking": {"departments": view["departments"], "people": view["people"]},
            "rules": view["rules"],
        }
    )
