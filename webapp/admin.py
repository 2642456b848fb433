"""The administrator's pages: the instance list (filters, paging) and one instance (diagram, data, history,
timers) with suspend, resume, terminate and retry."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.domain.access import Principal
from engine.errors import (
    ConcurrencyConflict,
    FormValidationError,
    InvalidTransition,
    NotFound,
    OnestopError,
    PermissionDenied,
    ScriptError,
)
from webapp.auth import platform
from webapp.clerk import case_words
from webapp.form_render import errors_by_field
from webapp.instance_filters import STATUSES, instance_query
from webapp.security import login_required, signed_in_principal

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 25
MIGRATION_PAGE = "migration.migrate"  # the migration helper's page, linked when the app has it


def _admin() -> Principal | None:
    principal = signed_in_principal()
    return principal if principal is not None and principal.is_admin else None


def _refused(message: str, status: int) -> ResponseReturnValue:
    return render_template("pages/error.html", message=message), status


def status_labels() -> dict[str, str]:
    return {
        "running": _("运行中"),
        "suspended": _("已挂起"),
        "error": _("出错"),
        "completed": _("已完成"),
        "terminated": _("已终止"),
    }


@bp.get("/instances")
@login_required
def instances() -> ResponseReturnValue:
    principal = _admin()
    if principal is None:
        return _refused(_("只有管理员可以查看流程实例"), 403)
    services = platform()
    now = services.clock.now()
    errors: dict[str, str] = {}
    try:
        query = instance_query(request.args, now, services.calendar.calendar().zone, PAGE_SIZE)
    except FormValidationError as error:
        errors = errors_by_field(error.details or [])
        query = instance_query(request.args.__class__(), now, services.calendar.calendar().zone, PAGE_SIZE)
    rows, total = services.instances.list(principal, query)
    page = query.offset // query.limit + 1
    pages = max(1, -(-total // query.limit))
    kept = {k: v for k, v in request.args.items() if k not in {"page", "offset"} and v}
    return render_template(
        "pages/admin_instances.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        kept=kept,
        now=now,
        errors=errors,
        args=request.args,
        statuses=STATUSES,
        status_labels=status_labels(),
        items=services.catalogue.items(),
        departments=services.accounts.departments(),
        department_names=dict(services.accounts.departments()),
        processes=sorted({v.process_id for v in services.definitions.list_versions()}),
    ), 422 if errors else 200


def _diagram(principal: Principal, instance_id: int) -> str | None:
    """The instance's diagram with its state marked, or None when the diagram cannot be drawn (no DI)."""
    diagrams = getattr(platform(), "diagrams", None)
    if diagrams is None:
        return None
    try:
        return str(diagrams.instance_svg(principal, instance_id))
    except OnestopError:
        return None


@bp.get("/instances/<int:instance_id>")
@login_required
def instance(instance_id: int) -> ResponseReturnValue:
    principal = _admin()
    if principal is None:
        return _refused(_("只有管理员可以查看流程实例"), 403)
    services = platform()
    try:
        view = services.instances.show(principal, instance_id)
    except NotFound:
        return _refused(_("没有这个流程实例"), 404)
    now = services.clock.now()
    versions = [v.version for v in services.definitions.list_versions() if v.process_id == view.instance.process_id]
    newer = sorted(v for v in versions if v > view.instance.version)
    migrate_url = None
    if newer and MIGRATION_PAGE in current_app.view_functions:
        migrate_url = url_for(MIGRATION_PAGE, process_id=view.instance.process_id, to=newer[-1])
    return render_template(
        "pages/admin_instance.html",
        view=view,
        now=now,
        diagram=_diagram(principal, instance_id),
        data_json=json.dumps(view.data, ensure_ascii=False, indent=2, sort_keys=True, default=str),
        status_labels=status_labels(),
        action_labels=case_words()["action"],
        department_names=dict(services.accounts.departments()),
        newer_versions=newer,
        migrate_url=migrate_url,
    )


def _change(principal: Principal, instance_id: int, action: str) -> Any:
    service = platform().instances
    if action == "suspend":
        return service.suspend(principal, instance_id)
    if action == "resume":
        return service.resume(principal, instance_id)
    if action == "terminate":
        return service.terminate(principal, instance_id, request.form.get("reason", "").strip())
    raw = request.form.get("data", "").strip()
    patch = None
    if raw:
        try:
            patch = json.loads(raw)
        except json.JSONDecodeError as error:
            raise FormValidationError(_("数据不是有效的 JSON"), []) from error
        if not isinstance(patch, dict):
            raise FormValidationError(_("数据应为 JSON 对象"), [])
    return service.retry(principal, instance_id, patch)


@bp.post("/instances/<int:instance_id>/<any(suspend, resume, terminate, retry):action>")
@login_required
def change(instance_id: int, action: str) -> ResponseReturnValue:
    principal = _admin()
    if principal is None:
        return _refused(_("只有管理员可以操作流程实例"), 403)
    if action == "terminate" and not request.form.get("reason", "").strip():
        flash(_("终止流程实例须填写原因"), "error")
        return redirect(url_for("admin.instance", instance_id=instance_id)), 303
    try:
        _change(principal, instance_id, action)
    except NotFound:
        return _refused(_("没有这个流程实例"), 404)
    except PermissionDenied as error:
        return _refused(error.message, 403)
    except (InvalidTransition, ConcurrencyConflict) as error:
        return _refused(error.message, 409)
    except FormValidationError as error:
        flash(error.message, "error")
        return redirect(url_for("admin.instance", instance_id=instance_id)), 303
    except ScriptError as error:  # the retry failed again: the incident stays open with the new message
        flash(_("重试失败：%(message)s", message=error.message), "error")
        return redirect(url_for("admin.instance", instance_id=instance_id)), 303
    done = {"suspend": _("已挂起"), "resume": _("已恢复运行"), "terminate": _("已终止"), "retry": _("已重试")}
    flash(done[action], "ok")
    return redirect(url_for("admin.instance", instance_id=instance_id)), 303
