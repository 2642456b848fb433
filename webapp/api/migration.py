"""Moving running instances to a newer version of their process: preview what moves, then migrate (admin)."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue

from engine.errors import FieldError, FormValidationError
from engine.services.migration import InstanceOutcome, InstancePlan
from webapp.api import bp
from webapp.api.render import json_body
from webapp.auth import current_principal, platform

MAX_INSTANCES = 1000


def _version(body: dict[str, Any]) -> int:
    value = body.get("to_version")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FormValidationError("invalid request", [FieldError("to_version", "a deployed version number")])
    return value


def _instance_ids(body: dict[str, Any], *, required: bool) -> list[int] | None:
    value = body.get("instance_ids")
    if value is None and not required:
        return None
    if (
        not isinstance(value, list)
        or not value
        or len(value) > MAX_INSTANCES
        or any(isinstance(i, bool) or not isinstance(i, int) for i in value)
    ):
        message = f"a list of 1 to {MAX_INSTANCES} instance ids"
        raise FormValidationError("invalid request", [FieldError("instance_ids", message)])
    return value


def plan_json(plan: InstancePlan) -> dict[str, Any]:
    return {
        "instance_id": plan.instance_id,
        "business_key": plan.business_key,
        "status": plan.status,
        "from_version": plan.from_version,
        "movable": plan.movable,
        "reason": plan.reason,
        "active": [a.as_dict() for a in plan.active],
        "blocking": [b.as_dict() for b in plan.blocking],
    }


def outcome_json(outcome: InstanceOutcome) -> dict[str, Any]:
    return {
        "instance_id": outcome.instance_id,
        "business_key": outcome.business_key,
        "from_version": outcome.from_version,
        "to_version": outcome.to_version,
        "result": "migrated" if outcome.migrated else "refused",
        "reason": outcome.reason,
        "message": outcome.message,
        "blocking": [b.as_dict() for b in outcome.blocking],
    }


@bp.post("/process-definitions/<process_id>/migrations/preview")
def preview_migration(process_id: str) -> ResponseReturnValue:
    principal = current_principal()  # who asks comes first: 401 before any complaint about the body
    body = json_body()
    preview = platform().migration.preview(
        principal, process_id, _version(body), instance_ids=_instance_ids(body, required=False)
    )
    return jsonify(
        {
            "process_id": preview.process_id,
            "to_version": preview.to_version,
            "movable": len(preview.movable),
            "blocked": len(preview.blocked),
            "instances": [plan_json(p) for p in preview.instances],
        }
    )


@bp.post("/process-definitions/<process_id>/migrations")
def migrate_instances(process_id: str) -> ResponseReturnValue:
    principal = current_principal()
    body = json_body()
    to_version = _version(body)
    ids = _instance_ids(body, required=True) or []
    result = platform().migration.migrate(principal, process_id, to_version, ids)
    return jsonify(
        {
            "process_id": result.process_id,
            "to_version": result.to_version,
            "migrated": len(result.migrated),
            "refused": len(result.refused),
            "instances": [outcome_json(o) for o in result.outcomes],
        }
    )
