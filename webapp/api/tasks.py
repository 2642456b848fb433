"""Tasks: my inbox, one task with its form schema, claim/unclaim, complete (200/403/409/422)."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from engine.errors import FieldError, FormValidationError
from webapp.api import bp
from webapp.api.render import int_arg, json_body, jsonable, pick
from webapp.auth import current_principal, platform

INBOX = (
    "task_id",
    "instance_id",
    "element_id",
    "name",
    "lane",
    "role",
    "department",
    "due_at",
    "due_provisional",
    "claimed_by",
    "business_key",
    "process_id",
    "created_at",
)


def _inbox_item(task: object) -> dict[str, object]:
    item = pick(task, *INBOX)
    item["id"] = item.pop("task_id")
    item["case_no"] = item.pop("business_key")
    return item


@bp.get("/tasks")
def my_tasks() -> ResponseReturnValue:
    tasks = platform().tasks.inbox(current_principal(), limit=int_arg("limit", 200, 1, 1000))
    return jsonify([_inbox_item(t) for t in tasks])


@bp.get("/tasks/<task_id>")
def show_task(task_id: str) -> ResponseReturnValue:
    view = platform().tasks.show(current_principal(), task_id)
    body = _inbox_item(view.task)
    body.update(
        state=view.task.state.value,
        form=view.task.form_ref,
        schema=view.form_schema,
        instance_status=view.instance_status.value,
        data=jsonable(view.data),
    )
    return jsonify(body)


@bp.post("/tasks/<task_id>/claim")
def claim(task_id: str) -> ResponseReturnValue:
    return jsonify(_inbox_item(platform().tasks.claim(current_principal(), task_id)))


@bp.post("/tasks/<task_id>/unclaim")
def unclaim(task_id: str) -> ResponseReturnValue:
    return jsonify(_inbox_item(platform().tasks.unclaim(current_principal(), task_id)))


@bp.post("/tasks/<task_id>/complete")
def complete(task_id: str) -> ResponseReturnValue:
    body = json_body()
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise FormValidationError("invalid request", [FieldError("data", "must be an object")])
    result = platform().tasks.complete(current_principal(), task_id, data)
    return jsonify(
        {
            "instance_id": result.instance_id,
            "instance_status": result.instance_status.value,
            "output_key": result.output_key,
            "next_tasks": result.next_tasks,
            "incident": result.incident,
        }
    )
