"""Consultations (首问负责制) and the centre's statistics."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from webapp import report_args
from webapp.api import bp
from webapp.api.render import json_body, pick
from webapp.auth import current_principal, platform

FIELDS = (
    "id",
    "channel",
    "asked_at",
    "first_responder",
    "department",
    "subject",
    "question",
    "item_code",
    "outcome",
    "transferred_to",
    "referred_to",
    "answer",
    "follow_up_due",
    "closed_at",
    "closed_by",
    "violation_at",
)


def _consultation(record: Any) -> dict[str, Any]:
    return pick(record, *FIELDS)


@bp.post("/consultations")
def log_consultation() -> ResponseReturnValue:
    return jsonify(_consultation(platform().consultations.log(current_principal(), json_body()))), 201


@bp.get("/consultations")
def list_consultations() -> ResponseReturnValue:
    records = platform().consultations.list(current_principal(), open_only=request.args.get("open") == "1")
    return jsonify([_consultation(r) for r in records])


@bp.post("/consultations/<int:consultation_id>/close")
def close_consultation(consultation_id: int) -> ResponseReturnValue:
    answer = json_body().get("answer", "")
    record = platform().consultations.close(current_principal(), consultation_id, str(answer))
    return jsonify(_consultation(record))


# GET /evaluation/<year> (the annual evaluation, 一票否决) is served by webapp/api/accountability.py


@bp.get("/stats")
def stats() -> ResponseReturnValue:
    principal = current_principal()  # who is asking comes first: a stranger learns nothing, not even about dates
    start, end = report_args.period(request.args)  # both required; at most 366 days
    # every figure from engine/domain/metrics.py, read once; with group_by, every metric per group under `groups`
    return jsonify(platform().stats.period(principal, start, end, report_args.groupings(request.args)))
