"""Window discipline pages (窗口考勤): the officer's sign-in, sign-out and leaving-post buttons, the supervision
window's live view of every window (refreshing itself during working hours), the announcements editor
(政务信息公开栏) and the staff cards the public window board shows."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from engine.domain.access import SUPERVISOR, Principal
from engine.errors import FormValidationError, InvalidTransition, NotFound, PermissionDenied
from engine.services.disclosure import CATEGORIES
from webapp.auth import platform
from webapp.security import login_required, signed_in_principal

bp = Blueprint("discipline", __name__, url_prefix="/discipline")

#: seconds between refreshes of the live view while the windows are open
REFRESH_SECONDS = 60
STATE_CLASSES = {"on_duty": "green", "away": "yellow", "signed_out": "none", "not_signed_in": "red"}
WINDOW_CLASSES = {"staffed": "green", "away": "yellow", "unstaffed": "red", "closed": "none"}


def _principal() -> Principal:
    principal = signed_in_principal()
    assert principal is not None  # login_required ran first
    return principal


def _overseer(principal: Principal) -> bool:
    return principal.is_admin or principal.has_role(SUPERVISOR)


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    principal = _principal()
    service = platform().discipline
    mine = service.my_day(principal)
    live = service.live_windows(principal) if _overseer(principal) else None
    response = make_response(
        render_template(
            "pages/discipline.html",
            mine=mine,
            live=live,
            state_classes=STATE_CLASSES,
            window_classes=WINDOW_CLASSES,
        )
    )
    if live is not None and live["working"]:
        response.headers["Refresh"] = str(REFRESH_SECONDS)  # the 8-hour monitoring keeps itself current
    return response


def _act(action: Any, done: str) -> ResponseReturnValue:
    try:
        action()
    except (InvalidTransition, FormValidationError, PermissionDenied, NotFound) as error:
        flash(error.message, "error")
    else:
        flash(done, "ok")
    return redirect(url_for("discipline.index"))


@bp.post("/sign-in")
@login_required
def sign_in() -> ResponseReturnValue:
    return _act(lambda: platform().discipline.sign_in(_principal()), _("已签到"))


@bp.post("/sign-out")
@login_required
def sign_out() -> ResponseReturnValue:
    return _act(lambda: platform().discipline.sign_out(_principal()), _("已签退"))


@bp.post("/leave")
@login_required
def leave() -> ResponseReturnValue:
    reason = request.form.get("reason", "")
    return _act(lambda: platform().discipline.leave_post(_principal(), reason), _("已登记离岗"))


@bp.post("/return")
@login_required
def return_to_post() -> ResponseReturnValue:
    return _act(lambda: platform().discipline.return_to_post(_principal()), _("已登记返岗"))


@bp.post("/leaves/<int:leave_id>/approve")
@login_required
def approve(leave_id: int) -> ResponseReturnValue:
    return _act(lambda: platform().discipline.approve_leave(_principal(), leave_id), _("已批准离岗"))


# -- the announcements board (政务信息公开栏) ------------------------------------------------------------------
def _announcements_page(status: int = 200, **extra: Any) -> ResponseReturnValue:
    rows = platform().disclosure.all_announcements(_principal())
    return render_template("pages/discipline_announcements.html", rows=rows, categories=CATEGORIES, **extra), status


@bp.get("/announcements")
@login_required
def announcements() -> ResponseReturnValue:
    return _announcements_page()


@bp.post("/announcements")
@login_required
def publish() -> ResponseReturnValue:
    values = {k: request.form.get(k, "") for k in ("title", "body", "category")}
    try:
        platform().disclosure.publish(_principal(), {**values, "pinned": bool(request.form.get("pinned"))})
    except FormValidationError as error:
        errors = {e.field: e.message for e in error.field_errors}
        return _announcements_page(422, errors=errors, values=values)
    flash(_("公告已发布"), "ok")
    return redirect(url_for("discipline.announcements"))


ANNOUNCEMENT_ACTIONS: dict[str, tuple[dict[str, bool], Any]] = {
    "pin": ({"pinned": True}, lazy_gettext("已置顶")),
    "unpin": ({"pinned": False}, lazy_gettext("已取消置顶")),
    "withdraw": ({"withdrawn": True}, lazy_gettext("已撤下")),
    "restore": ({"withdrawn": False}, lazy_gettext("已恢复发布")),
}


@bp.post("/announcements/<int:announcement_id>")
@login_required
def change_announcement(announcement_id: int) -> ResponseReturnValue:
    action = ANNOUNCEMENT_ACTIONS.get(request.form.get("action", ""))
    if action is None:
        flash(_("未知操作"), "error")
        return redirect(url_for("discipline.announcements"))
    platform().disclosure.update(_principal(), announcement_id, action[0])
    flash(str(action[1]), "ok")
    return redirect(url_for("discipline.announcements"))


# -- staff cards (what the public window board shows) -------------------------------------------------------
@bp.get("/cards")
@login_required
def cards() -> ResponseReturnValue:
    rows = platform().disclosure.staff_cards(_principal())
    return render_template("pages/discipline_cards.html", rows=rows)


@bp.post("/cards/<username>")
@login_required
def set_card(username: str) -> ResponseReturnValue:
    values = {k: request.form.get(k, "") for k in ("staff_number", "title", "public_phone")}
    try:
        platform().disclosure.set_card(_principal(), username, values)
    except FormValidationError as error:
        flash(f"{username}: " + "；".join(f"{e.field} {e.message}" for e in error.field_errors), "error")
    else:
        flash(_("已保存 %(username)s 的公示信息", username=username), "ok")
    return redirect(url_for("discipline.cards"))
