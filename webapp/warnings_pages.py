"""Warning-card pages (黄牌/红牌): the cards a user may see with the moves open to them (appeal for the handler
and the department's chief representative; issue, revoke and escalate for the supervision window), the
user's notifications, and the unread count the page header shows."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.domain.access import Principal
from engine.domain.warning_cards import MANUAL_TRIGGERS as MANUAL
from engine.domain.warning_cards import Level, WarningStatus
from engine.errors import FormValidationError, InvalidTransition, NotFound, OnestopError, PermissionDenied
from engine.services.warnings import is_supervisor
from webapp.auth import platform
from webapp.security import login_required, signed_in_principal

bp = Blueprint("warnings", __name__)

FILTERS = ("status", "level", "department", "case_no")
STATUSES = {s.value: s.label for s in WarningStatus}
LEVELS = {level.value: level.label for level in Level}
MANUAL_TRIGGERS = {t.value: t.label for t in sorted(MANUAL, key=lambda t: t.value)}


@bp.app_context_processor
def _bell() -> dict[str, Any]:
    def notification_bell() -> int | None:
        """The signed-in user's unread count (None when nobody is signed in)."""
        principal = signed_in_principal()
        return None if principal is None else platform().notifications.unread_count(principal)

    return {"notification_bell": notification_bell}


def _principal() -> Principal:
    principal = signed_in_principal()
    assert principal is not None  # login_required ran first
    return principal


def _may_appeal(principal: Principal, card: dict[str, Any]) -> bool:
    return card["status"] == "issued" and (
        card["handler"] == principal.username or principal.holds("approver", card["department"])
    )


@bp.get("/warnings")
@login_required
def index() -> ResponseReturnValue:
    principal = _principal()
    filters = {name: (request.args.get(name) or "").strip() for name in FILTERS}
    try:
        cards = platform().warnings.find(principal, filters)
    except PermissionDenied:
        return render_template("pages/error.html", message=_("只有工作人员可以查看预警")), 403
    return render_template(
        "pages/warnings_list.html",
        cards=cards,
        filters=filters,
        supervisor=is_supervisor(principal),
        may_appeal={c["id"]: _may_appeal(principal, c) for c in cards},
        departments=dict(platform().accounts.departments()),
        statuses=STATUSES,
        levels=LEVELS,
        manual_triggers=MANUAL_TRIGGERS,
    )


def _back() -> ResponseReturnValue:
    case_no = request.form.get("back_case_no") or None
    return redirect(url_for("warnings.index", case_no=case_no))


def _act(action: Any) -> ResponseReturnValue:
    """Run a move and come back to the list with what happened (refusals are told, not raised)."""
    try:
        action()
    except PermissionDenied:
        flash(_("您无权进行此操作"), "error")
    except FormValidationError:
        flash(_("请填写说明或理由"), "error")
    except (InvalidTransition, NotFound):
        flash(_("该预警当前状态不允许此操作"), "error")
    except OnestopError as error:
        flash(str(error), "error")
    else:
        flash(_("已保存"), "ok")
    return _back()


@bp.post("/warnings/issue")
@login_required
def issue() -> ResponseReturnValue:
    body = {name: request.form.get(name, "").strip() for name in ("case_no", "trigger", "text", "handler", "step")}
    body = {k: v for k, v in body.items() if v or k in {"case_no", "trigger", "text"}}
    if request.form.get("level"):
        body["level"] = request.form["level"]
    return _act(lambda: platform().warnings.issue(_principal(), body))


@bp.post("/warnings/<int:warning_id>/<any(appeal, revoke, escalate):move>")
@login_required
def move(warning_id: int, move: str) -> ResponseReturnValue:
    text = request.form.get("text", "")
    return _act(lambda: getattr(platform().warnings, move)(_principal(), warning_id, text))


@bp.get("/notifications")
@login_required
def notifications() -> ResponseReturnValue:
    items = platform().notifications.mine(_principal())
    return render_template("pages/notifications.html", items=items)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read(notification_id: int) -> ResponseReturnValue:
    try:
        platform().notifications.mark_read(_principal(), notification_id)
    except NotFound:
        return render_template("pages/error.html", message=_("没有这条通知")), 404
    target = request.form.get("next", "")
    # only a path inside this site: never an open redirect
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for(".notifications"))
