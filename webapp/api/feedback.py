"""Public feedback over the API: the applicant's 好差评 rating, the complaint form, and the lists the complaint
desk, supervision and administrators read."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from webapp.api import bp
from webapp.api.render import int_arg, json_body, jsonable
from webapp.auth import current_principal, platform

EVALUATION_FIELDS = (
    "id", "case_no", "stage", "stage_label", "channel", "level", "level_label", "comment", "department", "window",
    "handled_by", "evaluated_at", "needs_rectification", "instance_id",
)  # fmt: skip
COMPLAINT_FIELDS = (
    "number", "source", "source_label", "category", "category_label", "department", "case_no", "subject",
    "content", "complainant", "masked", "received_at", "due_at", "reply_by", "status", "status_label", "instance_id",
    "closed_at", "outcome", "overdue",
)  # fmt: skip


def _only(record: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: jsonable(record[name]) for name in fields if name in record}


@bp.post("/public/cases/<case_no>/evaluation")
def evaluate_case(case_no: str) -> ResponseReturnValue:
    """好差评 (public): {query_code, level 1–5, comment}; once per case and stage; a wrong code is a 404."""
    body = json_body()
    query_code = body.get("query_code")
    rating = platform().feedback.evaluate_public(
        case_no, query_code if isinstance(query_code, str) else "", body.get("level"), body.get("comment", "")
    )
    return jsonify(_only(rating, EVALUATION_FIELDS)), 201


@bp.post("/public/complaints")
def file_complaint() -> ResponseReturnValue:
    """投诉 (public): {name, phone, category, department?, case_no?, subject?, content} -> number and deadline."""
    filed = platform().feedback.file_complaint(json_body(), source="web")
    return jsonify(
        {
            "number": filed["number"],
            "status": filed["status"],
            "received_at": jsonable(filed["received_at"]),
            "due_at": jsonable(filed["due_at"]),
            "reply_workdays": filed["reply_workdays"],
            "reply_by": jsonable(filed["reply_by"]),
        }
    ), 201


@bp.post("/complaints")
def record_complaint() -> ResponseReturnValue:
    """The complaint desk records a complaint from the desk, the phone or the opinion book ({source, ...})."""
    body = json_body()
    source = body.get("source", "desk")
    filed = platform().feedback.file_complaint(body, source=str(source), principal=current_principal())
    return jsonify(_only(filed, COMPLAINT_FIELDS)), 201


@bp.get("/complaints")
def list_complaints() -> ResponseReturnValue:
    """Complaints, newest first; the complainant is masked for all but the complaint desk."""
    rows = platform().feedback.complaints(
        current_principal(),
        status=request.args.get("status") or None,
        category=request.args.get("category") or None,
        limit=int_arg("limit", 200, 1, 1000),
    )
    return jsonify([_only(r, COMPLAINT_FIELDS) for r in rows])


@bp.get("/evaluations")
def list_evaluations() -> ResponseReturnValue:
    """Ratings, newest first, with a summary (counts by level, bad reviews, satisfaction rate, 10-point mean)."""
    result = platform().feedback.evaluations(
        current_principal(),
        stage=request.args.get("stage") or None,
        bad_only=request.args.get("bad") == "1",
        department=request.args.get("department") or None,
        limit=int_arg("limit", 200, 1, 1000),
    )
    return jsonify(
        {
            "evaluations": [_only(r, EVALUATION_FIELDS) for r in result["evaluations"]],
            "summary": jsonable(result["summary"]),
        }
    )
