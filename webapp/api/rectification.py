"""Bad-review work orders (差评工单) over the API: the list for the department and supervision, one work order,
and the evaluator's rating of the fix (public with the case's query code, or recorded at the window)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from engine.services.rectification_views import FIELDS
from webapp.api import bp
from webapp.api.render import int_arg, json_body, jsonable
from webapp.auth import current_principal, platform


def _fields(order: dict[str, Any]) -> dict[str, Any]:
    return {name: jsonable(order[name]) for name in FIELDS if name in order}


@bp.get("/rectifications")
def list_rectifications() -> ResponseReturnValue:
    """Work orders, newest first: every department's for supervision, else the viewer's departments'."""
    rows = platform().rectification.work_orders(
        current_principal(),
        status=request.args.get("status") or None,
        department=request.args.get("department") or None,
        limit=int_arg("limit", 200, 1, 1000),
    )
    return jsonify([_fields(r) for r in rows])


@bp.get("/rectifications/<int:order_id>")
def show_rectification(order_id: int) -> ResponseReturnValue:
    return jsonify(_fields(platform().rectification.show(current_principal(), order_id)))


@bp.post("/public/cases/<case_no>/rectification-rating")
def rate_fix_public(case_no: str) -> ResponseReturnValue:
    """The evaluator rates the fix of their bad review: {query_code, rating: satisfied|basically|dissatisfied}."""
    body = json_body()
    code = body.get("query_code")
    rated = platform().rectification.rate_fix_public(
        case_no, code if isinstance(code, str) else "", body.get("rating"), body.get("comment", "")
    )
    return jsonify({"number": rated["number"], "status": rated["status"], "fix_rating": rated["fix_rating"]}), 201


@bp.post("/cases/<case_no>/rectification-rating")
def rate_fix_at_window(case_no: str) -> ResponseReturnValue:
    """The window records the evaluator's rating of the fix: {rating, comment?}."""
    body = json_body()
    rated = platform().rectification.rate_fix_at_window(
        current_principal(), case_no, body.get("rating"), body.get("comment", "")
    )
    return jsonify(_fields(rated)), 201
