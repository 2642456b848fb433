"""The clerk workbench: the inbox (most urgent first, in working days) and the task page with its form."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.errors import ConcurrencyConflict, FormValidationError, InvalidTransition, NotFound, PermissionDenied
from webapp.auth import platform
from webapp.form_render import errors_by_field, parse_form, render_fields
from webapp.security import login_required, signed_in_principal

bp = Blueprint("clerk", __name__)


def urgency(due_at: datetime | None, now: datetime) -> tuple[str, str]:
    """(colour, words) for a task's deadline, counted in working days on the centre's calendar."""
    if due_at is None:
        return "none", _("无时限")
    if due_at <= now:
        return "red", _("已超期")
    calendar = platform().calendar.calendar()
    zone = calendar.zone
    # a deadline at local midnight ends the day before: count the working days up to that last day
    last_day = (due_at.astimezone(zone) - _EPSILON).date()
    left = calendar.working_days_between(now.astimezone(zone).date(), last_day)
    colour = "red" if left <= 1 else "yellow" if left <= 2 else "green"
    return colour, _("剩余 %(days)s 个工作日", days=left) if left > 0 else _("今日到期")


_EPSILON = timedelta(microseconds=1)


@bp.get("/inbox")
@login_required
def inbox() -> ResponseReturnValue:
    principal = signed_in_principal()
    assert principal is not None
    now = platform().clock.now()
    rows = []
    for task in platform().tasks.inbox(principal):
        colour, words = urgency(task.due_at, now)
        rows.append({"task": task, "colour": colour, "left": words})
    return render_template("pages/inbox.html", rows=rows)


def _task_page(
    task_id: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    principal = signed_in_principal()
    assert principal is not None
    view = platform().tasks.show(principal, task_id)
    fields = render_fields(
        view.form_schema or {"type": "object", "properties": {}},
        values if values is not None else view.data.get(view.task.element_id, {}),
        errors or {},
    )
    history = platform().instances.show(principal, view.task.instance_id).history
    return render_template(
        "pages/task.html", view=view, fields=fields, errors=errors or {}, message=message, history=history
    ), status


@bp.get("/tasks/<task_id>")
@login_required
def task(task_id: str) -> ResponseReturnValue:
    try:
        return _task_page(task_id)
    except (NotFound, PermissionDenied) as error:
        return render_template("pages/error.html", message=error.message), 404 if isinstance(error, NotFound) else 403


@bp.post("/tasks/<task_id>/<any(claim, unclaim):action>")
@login_required
def claim(task_id: str, action: str) -> ResponseReturnValue:
    principal = signed_in_principal()
    assert principal is not None
    tasks = platform().tasks
    try:
        (tasks.claim if action == "claim" else tasks.unclaim)(principal, task_id)
    except (NotFound, PermissionDenied, ConcurrencyConflict) as error:
        return render_template("pages/error.html", message=error.message), 409
    return redirect(url_for("clerk.task", task_id=task_id))


@bp.post("/tasks/<task_id>")
@login_required
def complete(task_id: str) -> ResponseReturnValue:
    principal = signed_in_principal()
    assert principal is not None
    view = platform().tasks.show(principal, task_id)
    data = parse_form(view.form_schema or {"type": "object", "properties": {}}, request.form)
    try:
        result = platform().tasks.complete(principal, task_id, data)
    except FormValidationError as error:
        return _task_page(task_id, data, errors_by_field(error.details or []), _("请更正标红的字段"), 422)
    except (ConcurrencyConflict, InvalidTransition, PermissionDenied) as error:
        return _task_page(task_id, data, {}, error.message, 409)
    if result.incident:
        return render_template("pages/error.html", message=_("已提交，但流程后续步骤出错，已通知管理员")), 202
    return redirect(url_for("clerk.inbox"))
