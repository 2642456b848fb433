"""The administrator's migration page: choose a target version, see which running instances can move to it
(and which elements block the others), move the chosen ones and see what happened to each."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.domain.access import Principal
from engine.errors import FormValidationError, MigrationRefused, NotFound, PermissionDenied
from webapp.auth import platform
from webapp.security import login_required, signed_in_principal

bp = Blueprint("migration", __name__, url_prefix="/admin/processes")


def reason_labels() -> dict[str, str]:
    """Why an element or an instance cannot move, as the page says it."""
    return {
        "removed": _("新版本中没有这个环节"),
        "type_changed": _("新版本中该环节的类型已改变"),
        "arrival_changed": _("新版本中进入该环节的连线或边界事件已改变"),
        "unreachable_branch": _("新版本中该汇聚网关将等待一条无法到达的分支"),
        "cannot_move": _("无法在新版本上接续该环节"),
        "not_found": _("没有这个流程实例"),
        "other_process": _("该实例属于其他流程"),
        "not_open": _("只有运行中或已挂起的实例可以迁移"),
        "not_older": _("该实例已在目标版本或更新的版本上"),
    }


def state_labels() -> dict[str, str]:
    return {"ready": _("待办"), "waiting": _("等待"), "started": _("进行中")}


def _refused(message: str, status: int) -> ResponseReturnValue:
    return render_template("pages/error.html", message=message), status


def _admin() -> Principal | None:
    principal = signed_in_principal()
    return principal if principal is not None and principal.is_admin else None


def _versions(process_id: str) -> list[int]:
    return sorted(v.version for v in platform().definitions.list_versions() if v.process_id == process_id)


def _target(raw: str | None, versions: list[int]) -> int:
    if raw is None or raw == "":
        return versions[-1]
    if not raw.isdigit() or int(raw) < 1:
        raise FormValidationError(_("版本号须为正整数"), [])
    return int(raw)


def _chosen_ids() -> list[int]:
    ids = [int(v) for v in request.form.getlist("instance_ids") if v.isdigit()]
    if not ids:
        raise FormValidationError(_("请选择要迁移的实例"), [])
    return ids


def _migrate(principal: Principal, process_id: str, to_version: int) -> list[dict[str, Any]]:
    """Move the chosen instances; one line per instance saying what happened."""
    ids = _chosen_ids()
    try:
        result = platform().migration.migrate(principal, process_id, to_version, ids)
    except MigrationRefused as refused:  # a single instance that cannot move: the same line as in a batch
        return [
            {"instance_id": ids[0], "migrated": False, "blocking": refused.details or [], "message": refused.message}
        ]
    return [
        {
            "instance_id": o.instance_id,
            "migrated": o.migrated,
            "reason": o.reason,
            "blocking": [b.as_dict() for b in o.blocking],
            "message": o.message,
        }
        for o in result.outcomes
    ]


@bp.route("/<process_id>/migrate", methods=["GET", "POST"])
@login_required
def migrate(process_id: str) -> ResponseReturnValue:
    principal = _admin()
    if principal is None:
        return _refused(_("只有管理员可以迁移流程实例"), 403)
    versions = _versions(process_id)
    if not versions:
        return _refused(_("没有这个流程"), 404)
    error, results = None, None
    try:
        to_version = _target(request.form.get("to") if request.method == "POST" else request.args.get("to"), versions)
    except FormValidationError as invalid:
        error, to_version = invalid.message, versions[-1]
    if error is None and to_version not in versions:
        return _refused(_("没有这个版本"), 404)
    if error is None and request.method == "POST":
        try:
            results = _migrate(principal, process_id, to_version)
        except FormValidationError as invalid:
            error = invalid.message
        except NotFound:
            return _refused(_("没有这个流程实例"), 404)
        except PermissionDenied as denied:
            return _refused(denied.message, 403)
    return render_template(
        "pages/migration.html",
        process_id=process_id,
        versions=versions,
        to_version=to_version,
        preview=platform().migration.preview(principal, process_id, to_version),
        results=results,
        error=error,
        reasons=reason_labels(),
        states=state_labels(),
        statuses={"running": _("运行中"), "suspended": _("已挂起")},
    ), (422 if error else 200)
