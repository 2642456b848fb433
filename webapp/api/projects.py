"""Key projects of the fast track (重点项目) over the API: register, the tracking board, one project with each
department's progress, triage, the one extension, the steward's notes and the timeline."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import jsonify, request, url_for
from flask.typing import ResponseReturnValue

from engine.errors import FieldError, FormValidationError
from engine.services.project_views import ChildProgress, ProjectProgress
from webapp.api import bp
from webapp.api.render import json_body
from webapp.auth import current_principal, platform

#: what another department's review hides from a viewer who sees it only as part of the project
_PRIVATE_CHILD_FIELDS = ("opinion", "instance_id")


def to_json(value: Any) -> Any:
    """Dates ISO, Decimal as a string (no float rounding of 万元), enums as {value, label}, dataclasses as
    objects."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        label = getattr(value, "label", None)
        return {"value": value.value, "label": label} if label is not None else value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(v) for v in value]
    return value


def child_json(child: ChildProgress) -> dict[str, Any]:
    body: dict[str, Any] = to_json(child)
    if not child.full:
        for name in _PRIVATE_CHILD_FIELDS:
            body[name] = None
    return body


def project_json(progress: ProjectProgress) -> dict[str, Any]:
    body: dict[str, Any] = to_json(progress)
    body["children"] = [child_json(c) for c in progress.children]
    # the derived readings the board shows, so clients need not recompute them
    body["worst_warning"] = to_json(progress.worst_warning)
    body["next_due"] = to_json(progress.next_due)
    body["has_waiting_child"] = progress.has_waiting_child
    return body


@bp.post("/projects")
def register_project() -> ResponseReturnValue:
    """快速通道窗口收件: {name, investor: {name, contact?, phone?, credit_code?}, location, investment (万元),
    stage, materials: [names]}."""
    principal = current_principal()
    services = platform()
    created = services.projects.register(principal, json_body())
    body = project_json(services.projects.show(principal, created.code))
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = url_for("api.show_project", code=created.code)
    return response


@bp.get("/projects")
def project_board() -> ResponseReturnValue:
    """The tracking board; ``?open=1`` leaves out concluded and withdrawn projects."""
    projects = platform().projects.board(current_principal(), include_closed=request.args.get("open") != "1")
    return jsonify([project_json(p) for p in projects])


@bp.get("/projects/<code>")
def show_project(code: str) -> ResponseReturnValue:
    return jsonify(project_json(platform().projects.show(current_principal(), code)))


@bp.get("/projects/<code>/triage-options")
def project_triage_options(code: str) -> ResponseReturnValue:
    options = platform().projects.triage_options(current_principal(), code)
    return jsonify(
        {
            "items": list(options.items),
            "stewards": [{"username": u, "display_name": n} for u, n in options.stewards],
            "departments": [{"code": c, "name": n} for c, n in options.departments],
        }
    )


def _check_prerequisites(reviews: object) -> None:
    """Each review's prerequisites are item codes (text): anything else was a 500 deeper down."""
    for index, review in enumerate(reviews if isinstance(reviews, list) else []):
        needs = review.get("prerequisites") if isinstance(review, dict) else None
        if isinstance(needs, list) and not all(isinstance(code, str) for code in needs):
            raise FormValidationError(
                "the triage is invalid",
                [FieldError(f"reviews[{index}].prerequisites", "a list of item codes (text)")],
            )


@bp.post("/projects/<code>/triage")
def triage_project(code: str) -> ResponseReturnValue:
    """{reviews: [{item_code, prerequisites: [item codes]}], steward, lead_department}; the answer carries each
    new case's query code once."""
    body = json_body()
    reviews = body.get("reviews")
    _check_prerequisites(reviews)
    result = platform().projects.triage(
        current_principal(),
        code,
        reviews if isinstance(reviews, list) else [],
        str(body.get("steward") or ""),
        str(body.get("lead_department") or ""),
    )
    return jsonify({"project": project_json(result.progress), "query_codes": dict(result.query_codes)})


@bp.post("/projects/<code>/extension")
def extend_project(code: str) -> ResponseReturnValue:
    """{reason, approved_by}: +15 working days, once."""
    body = json_body()
    progress = platform().projects.extend(
        current_principal(), code, str(body.get("reason") or ""), str(body.get("approved_by") or "")
    )
    return jsonify(project_json(progress))


@bp.post("/projects/<code>/messages")
def message_project_department(code: str) -> ResponseReturnValue:
    """{department, text}: the steward's note to a department reviewing the project."""
    body = json_body()
    entry = platform().projects.message(
        current_principal(), code, str(body.get("department") or ""), str(body.get("text") or "")
    )
    return jsonify(to_json(entry)), 201


@bp.get("/projects/<code>/timeline")
def project_timeline(code: str) -> ResponseReturnValue:
    return jsonify([to_json(e) for e in platform().projects.timeline(current_principal(), code)])
