"""Instances: start, list, show, suspend/resume/terminate, retry an incident."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from engine.errors import FieldError, FormValidationError
from webapp.api import bp
from webapp.api.render import json_body, jsonable, pick
from webapp.auth import current_principal, platform
from webapp.instance_filters import instance_query

SUMMARY = (
    "id",
    "process_id",
    "version",
    "status",
    "department",
    "business_key",
    "started_by",
    "started_at",
    "updated_at",
    "ended_at",
    "next_due_at",
)
TASK_FIELDS = (
    "task_id",
    "element_id",
    "name",
    "lane",
    "role",
    "department",
    "state",
    "claimed_by",
    "due_at",
    "due_provisional",
    "completed_at",
    "completed_by",
)


def summary(instance: Any) -> dict[str, Any]:
    return pick(instance, *SUMMARY)


@bp.post("/instances")
def start_instance() -> ResponseReturnValue:
    body = json_body()
    process_id = body.get("process_id")
    data = body.get("data", {})
    errors = []
    if not isinstance(process_id, str) or not process_id:
        errors.append(FieldError("process_id", "required"))
    if not isinstance(data, dict):
        errors.append(FieldError("data", "must be an object"))
    if errors:
        raise FormValidationError("invalid request", errors)
    version = body.get("version")
    instance = platform().instances.start(
        current_principal(),
        process_id,
        data,
        version=version if isinstance(version, int) else None,
        business_key=body.get("business_key"),
    )
    return jsonify({"id": instance.id, "status": instance.status.value}), 201


@bp.get("/instances")
def list_instances() -> ResponseReturnValue:
    """Filters: status, process_id, item, department, overdue=1, from/to (local dates), limit/offset or page."""
    services = platform()
    query = instance_query(request.args, services.clock.now(), services.calendar.calendar().zone)
    rows, total = services.instances.list(current_principal(), query)
    items = []
    for row in rows:
        entry = summary(row.instance)
        entry.update(
            case_no=row.case_no,
            item_code=row.item_code,
            open_tasks=[pick(t, "task_id", "name", "department", "due_at") for t in row.open_tasks],
            earliest_due=jsonable(row.earliest_due()),
            incident=row.has_incident,
        )
        items.append(entry)
    return jsonify({"total": total, "limit": query.limit, "offset": query.offset, "items": items})


@bp.get("/instances/<int:instance_id>")
def show_instance(instance_id: int) -> ResponseReturnValue:
    view = platform().instances.show(current_principal(), instance_id)
    body = summary(view.instance)
    body.update(
        data=jsonable(view.data),
        tasks=[pick(t, *TASK_FIELDS) for t in view.tasks],
        timers=[
            {
                "name": t.name,
                "element_id": t.element_id,
                "due_at": jsonable(t.due_at),
                "provisional": t.provisional,
                "interrupting": t.interrupting,
            }
            for t in view.timers
        ],
        history=[
            pick(e, "at", "actor", "action", "task_id", "element_id", "element_name", "details") for e in view.history
        ],
        completed_elements=view.completed_elements,
        incident=pick(view.incident, "id", "created_at", "element_id", "message") if view.incident else None,
    )
    return jsonify(body)


def _status_change(instance_id: int, action: str) -> ResponseReturnValue:
    service = platform().instances
    principal = current_principal()
    if action == "suspend":
        instance = service.suspend(principal, instance_id)
    elif action == "resume":
        instance = service.resume(principal, instance_id)
    elif action == "terminate":
        body = request.get_json(silent=True) or {}
        instance = service.terminate(principal, instance_id, str(body.get("reason", "")))
    else:
        body = request.get_json(silent=True) or {}
        patch = body.get("data")
        if patch is not None and not isinstance(patch, dict):
            raise FormValidationError("invalid request", [FieldError("data", "must be an object")])
        instance = service.retry(principal, instance_id, patch)
    return jsonify({"id": instance.id, "status": instance.status.value})


@bp.post("/instances/<int:instance_id>/<any(suspend, resume, terminate, retry):action>")
def change_status(instance_id: int, action: str) -> ResponseReturnValue:
    return _status_change(instance_id, action)
