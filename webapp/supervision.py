"""The supervision window's pages (电子监察): the live board of departments and windows, which reloads itself
during working hours; one case drilled down with its colour reading, history and diagram; and the efficiency
tables of a period."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.domain.access import Principal
from engine.errors import FormValidationError, NotFound, OnestopError, PermissionDenied
from engine.services.supervision import require_supervisor
from webapp.api.supervision import period_args
from webapp.auth import platform
from webapp.clerk import case_words, last_day
from webapp.security import login_required, signed_in_principal
from webapp.supervision_words import COLOUR_CLASSES, case_action_words, colour_words, role_words, waited

bp = Blueprint("supervision", __name__, url_prefix="/supervision")
DEFAULT_REFRESH, MIN_REFRESH, MAX_REFRESH = 60, 30, 600
#: app.config key: a smaller floor for the reload interval (a test only; never a public query parameter)
MIN_REFRESH_SETTING = "SUPERVISION_MIN_REFRESH"


@bp.context_processor
def _words() -> dict[str, Any]:
    return {
        "colour_words": colour_words(),
        "colour_classes": COLOUR_CLASSES,
        "role_words": role_words(),
        "status_words": case_words()["status"],
        "action_words": case_action_words(),
        "waited": waited,
        "last_day": last_day,  # a limit ends at midnight: show the last working day it includes
    }


def _supervisor() -> Principal | None:
    principal = signed_in_principal()
    if principal is None:
        return None
    try:
        require_supervisor(principal)
    except PermissionDenied:
        return None
    return principal


def _refused(message: str, status: int) -> ResponseReturnValue:
    return render_template("pages/error.html", message=message), status


def refresh_seconds() -> int:
    """The reload interval: 60 s, or ``?refresh=`` bounded to 30..600 s (a wall screen). Each reload reads every
    open case, so nobody may ask for more than one every 30 s; only the app's configuration (a test) may lower
    the floor."""
    floor = int(current_app.config.get(MIN_REFRESH_SETTING, MIN_REFRESH))
    try:
        wanted = int(request.args.get("refresh", DEFAULT_REFRESH))
    except ValueError:
        wanted = DEFAULT_REFRESH
    return max(floor, min(MAX_REFRESH, wanted))


@bp.get("")
@login_required
def dashboard() -> ResponseReturnValue:
    principal = _supervisor()
    if principal is None:
        return _refused(_("只有电子监察窗口和管理员可以查看监察看板"), 403)
    services = platform()
    board = services.supervision.dashboard(principal)
    return render_template(
        "pages/supervision_dashboard.html",
        board=board,
        # the server decides: the board reloads itself only on working days in office hours
        refresh=refresh_seconds() if board.working_hours else None,
        department_names=dict(services.accounts.departments()),
    )


def _diagram(principal: Principal, instance_id: int | None) -> str | None:
    if instance_id is None:
        return None
    try:
        return str(platform().diagrams.instance_svg(principal, instance_id))
    except OnestopError:
        return None


@bp.get("/cases/<case_no>")
@login_required
def case(case_no: str) -> ResponseReturnValue:
    principal = _supervisor()
    if principal is None:
        return _refused(_("只有电子监察窗口和管理员可以查看监察看板"), 403)
    services = platform()
    try:
        drill = services.supervision.case(principal, case_no)
    except NotFound:
        return _refused(_("没有这个办件"), 404)
    return render_template(
        "pages/supervision_case.html",
        case=drill,
        diagram=_diagram(principal, drill.instance_id),
        department_names=dict(services.accounts.departments()),
    )


def _page_number() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


@bp.get("/warned")
@login_required
def warned() -> ResponseReturnValue:
    """The full, paged list behind the board's capped lists (one colour and/or department if asked)."""
    principal = _supervisor()
    if principal is None:
        return _refused(_("只有电子监察窗口和管理员可以查看监察看板"), 403)
    services = platform()
    colour = request.args.get("colour") or None
    department = request.args.get("department") or None
    try:
        listing = services.supervision.warned_page(principal, colour=colour, department=department, page=_page_number())
    except FormValidationError:
        return _refused(_("没有这种预警颜色"), 404)
    return render_template(
        "pages/supervision_warned.html", listing=listing, department_names=dict(services.accounts.departments())
    )


@bp.get("/efficiency")
@login_required
def efficiency() -> ResponseReturnValue:
    principal = _supervisor()
    if principal is None:
        return _refused(_("只有电子监察窗口和管理员可以查看监察看板"), 403)
    services = platform()
    today = services.clock.now().astimezone(services.calendar.calendar().zone).date()
    try:
        start, end = period_args(today)
        report = services.supervision.efficiency(principal, start, end)
    except FormValidationError:
        start, end = today.replace(day=1), today
        report = services.supervision.efficiency(principal, start, end)
        return render_template("pages/supervision_efficiency.html", report=report, invalid=True), 422
    return render_template("pages/supervision_efficiency.html", report=report, invalid=False)
