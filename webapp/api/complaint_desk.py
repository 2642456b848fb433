"""The complaint desk's API beyond filing (webapp.api.feedback): one complaint's GB/T 36113 progress, the
96128 hotline call log, and satisfaction questionnaires (define, open/close, answer on the web or at the
window, results)."""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from webapp.api import bp
from webapp.api.render import json_body, jsonable
from webapp.auth import current_principal, platform


@bp.get("/complaints/<int:complaint_id>/progress")
def complaint_progress(complaint_id: int) -> ResponseReturnValue:
    """The complaint (without the complainant), its open tasks and the steps done (desk, supervision, admin)."""
    return jsonify(jsonable(platform().complaints.progress(current_principal(), complaint_id)))


@bp.get("/hotline/calls")
def hotline_calls() -> ResponseReturnValue:
    open_only = request.args.get("open") in ("1", "true")
    return jsonify(jsonable(platform().hotline.calls(current_principal(), open_only=open_only)))


@bp.post("/hotline/calls")
def log_hotline_call() -> ResponseReturnValue:
    """A 96128 call: caller (optional), subject, question, answer / transfer; the consultant is first responder."""
    return jsonify(jsonable(platform().hotline.log_call(current_principal(), json_body()))), 201


@bp.get("/surveys")
def surveys() -> ResponseReturnValue:
    return jsonify(jsonable(platform().surveys.overview(current_principal())))


@bp.post("/surveys")
def create_survey() -> ResponseReturnValue:
    return jsonify(jsonable(platform().surveys.create(current_principal(), json_body()))), 201


@bp.post("/surveys/<int:survey_id>/<any(open, closed):to>")
def move_survey(survey_id: int, to: str) -> ResponseReturnValue:
    return jsonify(jsonable(platform().surveys.move(current_principal(), survey_id, to)))


@bp.get("/surveys/<int:survey_id>/results")
def survey_results(survey_id: int) -> ResponseReturnValue:
    return jsonify(jsonable(platform().surveys.results(current_principal(), survey_id)))


@bp.post("/surveys/<int:survey_id>/responses")
def window_response(survey_id: int) -> ResponseReturnValue:
    """A questionnaire filled in at the window, entered by staff: {answers, case_no?}."""
    body = json_body()
    answers = body.get("answers") if isinstance(body.get("answers"), dict) else {}
    case_no = body.get("case_no") if isinstance(body.get("case_no"), str) else None
    response_id = platform().surveys.respond_at_window(current_principal(), survey_id, answers, case_no)
    return jsonify({"id": response_id}), 201


@bp.get("/public/surveys/<int:survey_id>")
def public_survey(survey_id: int) -> ResponseReturnValue:
    survey = platform().surveys.get(survey_id)
    return jsonify(jsonable({k: survey[k] for k in ("id", "title", "description", "questions", "status")}))


@bp.post("/public/surveys/<int:survey_id>/responses")
def public_response(survey_id: int) -> ResponseReturnValue:
    """An anonymous answer: {answers: {q1: …}}; each answer checked against its question."""
    body = json_body()
    answers = body.get("answers") if isinstance(body.get("answers"), dict) else {}
    return jsonify({"id": platform().surveys.respond(survey_id, answers)}), 201
