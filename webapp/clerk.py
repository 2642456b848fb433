"""The clerk workbench: the inbox (most urgent first, in working days) and the task page with its form, its case
(materials, notices), attachments, comments, history and transfer form. (The routes that add attachments and
comments, download files, show notices and transfer the task are in webapp.clerk_files.)"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.domain.attachments import ACCEPTED_LABELS, KINDS
from engine.domain.records import InstanceStatus, TaskState
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


def case_words() -> dict[str, dict[str, str]]:
    """Words for a case's status, channel and material states on the task page."""
    return {
        "status": {
            "received": _("已收件"), "correction_requested": _("待补正"), "accepted": _("已受理，办理中"),
            "paused": _("特别程序/中止"), "approved": _("准予许可"), "refused": _("不予许可"),
            "completed": _("已办结"), "delivered": _("已送达"), "not_accepted": _("不予受理"),
            "withdrawn": _("已撤回"), "terminated": _("已终止"),
        },
        "channel": {"window": _("窗口"), "online": _("网上申报"), "agent": _("代办"), "mail": _("邮寄")},
        "material": {"received": _("已收"), "missing": _("缺"), "not_submitted": _("未提交（非必要）")},
        "action": {
            "started": _("启动办理"), "task_completed": _("提交办理"), "element_completed": _("环节完成"),
            "attachment_added": _("添加附件"), "task_transferred": _("转办"), "timer_fired": _("时限到达"),
            "message_received": _("收到消息"), "suspended": _("已挂起"), "resumed": _("已恢复运行"),
            "terminated": _("已终止"), "case_withdraw": _("申请人撤回"), "case_terminate": _("终止办理"),
            "migrated": _("版本迁移"), "retried": _("故障后重试"), "incident": _("流程出错"),
            "deadlines_recomputed": _("重算时限"),
        },
    }  # fmt: skip


def last_day(due_at: datetime | None) -> datetime | None:
    """A deadline as the instant within its last day: one at local midnight belongs to the day before."""
    return due_at - _EPSILON if due_at is not None else None


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
    departments = dict(platform().accounts.departments())
    return render_template("pages/inbox.html", rows=rows, departments=departments)


def task_page(
    task_id: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status: int = 200,
    **panels: Any,
) -> ResponseReturnValue:
    """The task page; ``panels`` carries what a refused side form needs back (``file_errors``,
    ``comment_errors`` and ``comment_body``, ``transfer_errors`` and ``transfer``)."""
    principal = signed_in_principal()
    assert principal is not None
    services = platform()
    view = services.tasks.show(principal, task_id)
    fields = render_fields(
        view.form_schema or {"type": "object", "properties": {}},
        values if values is not None else view.data.get(view.task.element_id, {}),
        errors or {},
    )
    case = services.tasks.case_panel(principal, task_id)
    departments = services.accounts.departments()
    context: dict[str, Any] = {
        "view": view,
        "fields": fields,
        "errors": errors or {},
        "message": message,
        "history": services.instances.show(principal, view.task.instance_id).history,
        "case": case,
        "case_urgency": urgency(case.due_at, services.clock.now()) if case else None,
        "case_last_day": last_day(case.due_at) if case else None,
        "words": case_words(),
        "attachments": services.task_files.attachments(principal, task_id),
        "comments": services.task_files.comments(principal, task_id),
        "department_names": dict(departments),
        "transfer_targets": [(code, name) for code, name in departments if code != view.task.department],
        "may_act": view.task.state == TaskState.READY and view.instance_status == InstanceStatus.RUNNING,
        "may_add": view.instance_status.is_open,
        "accepted_labels": ACCEPTED_LABELS,
        "accept": ",".join(KINDS),
        "max_attachment_mb": f"{services.settings.max_attachment_bytes / (1024 * 1024):g}",
        "file_errors": {},
        "comment_errors": {},
        "comment_body": "",
        "transfer_errors": {},
        "transfer": {},
    }
    context.update(panels)
    return render_template("pages/task.html", **context), status


@bp.get("/tasks/<task_id>")
@login_required
def task(task_id: str) -> ResponseReturnValue:
    try:
        return task_page(task_id)
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
        return task_page(task_id, data, errors_by_field(error.details or []), _("请更正标红的字段"), 422)
    except (ConcurrencyConflict, InvalidTransition, PermissionDenied) as error:
        return task_page(task_id, data, {}, error.message, 409)
    if result.incident:
        return render_template("pages/error.html", message=_("已提交，但流程后续步骤出错，已通知管理员")), 202
    return redirect(url_for("clerk.inbox"))
