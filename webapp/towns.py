"""Town 为民服务中心 pages: the towns (each town's four windows with the items received and decided there, its
staff, agents and this weekend's 值班), one town's page with who is on duty now (public), and the month's
duty roster with generate and swap for the town's own staff (town_officer) or an administrator (signed in)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.domain.access import Principal
from engine.domain.roster import SHIFT_LABELS, SHIFTS
from engine.errors import ConcurrencyConflict, FormValidationError, NotFound, PermissionDenied
from webapp.auth import platform
from webapp.security import login_required, signed_in_principal

bp = Blueprint("towns", __name__, url_prefix="/towns")


def _me() -> Principal:
    found = signed_in_principal()
    assert found is not None  # the views are login_required
    return found


def _month() -> tuple[int, int]:
    today = platform().clock.now().date()
    try:
        year, month = int(request.values.get("year", today.year)), int(request.values.get("month", today.month))
    except ValueError:
        return today.year, today.month
    return (year, month) if 2000 <= year <= 2100 and 1 <= month <= 12 else (today.year, today.month)


@bp.get("/")
def index() -> ResponseReturnValue:
    towns = platform().towns.overview()
    duty = {t["code"]: platform().roster.upcoming_rest_days(t["code"]) for t in towns}
    return render_template("pages/towns.html", towns=towns, duty=duty)


@bp.get("/<code>")
def town(code: str) -> ResponseReturnValue:
    try:
        found = platform().towns.town(code)
    except NotFound:
        return render_template("pages/error.html", message=_("没有这个乡镇为民服务中心")), 404
    roster = platform().roster
    return render_template(
        "pages/town.html",
        town=found,
        now=roster.on_duty_at(code),
        upcoming=roster.upcoming_rest_days(code),
        hours=roster.directory().hours.texts(),
    )


@bp.get("/<code>/roster")
@login_required
def roster(code: str, status: int = 200, errors: dict[str, str] | None = None) -> ResponseReturnValue:
    year, month = _month()
    try:
        shown = platform().roster.month(code, year, month)
        manages = platform().roster.directory().town(code).manages_roster(_me())
    except NotFound:
        return render_template("pages/error.html", message=_("没有这个乡镇为民服务中心")), 404
    return render_template(
        "pages/town_roster.html", roster=shown, manages=manages, shifts=SHIFTS, labels=SHIFT_LABELS,
        errors=errors or {},
    ), status  # fmt: skip


@bp.post("/<code>/roster")
@login_required
def generate(code: str) -> ResponseReturnValue:
    year, month = _month()
    leave: dict[str, list[str]] = {}
    for line in request.form.get("leave", "").splitlines():  # "username 2026-10-01 2026-10-02"
        parts = line.split()
        if parts:
            leave.setdefault(parts[0], []).extend(parts[1:])
    try:
        platform().roster.generate(_me(), code, year, month, off_hours=bool(request.form.get("off_hours")), leave=leave)
    except PermissionDenied:
        return render_template("pages/error.html", message=_("只有本镇窗口工作人员或管理员可以排班")), 403
    except FormValidationError as error:
        return roster(code, 422, {e.field: e.message for e in error.field_errors})
    flash(_("已生成%(year)s年%(month)s月值班表", year=year, month=month))
    return redirect(url_for("towns.roster", code=code, year=year, month=month))


@bp.post("/<code>/roster/swap")
@login_required
def swap(code: str) -> ResponseReturnValue:
    year, month = _month()
    try:
        day = date.fromisoformat(request.form.get("day", ""))
        platform().roster.swap(
            _me(), code, day, request.form.get("shift", ""), request.form.get("username", ""),
            request.form.get("reason", ""),
        )  # fmt: skip
    except ValueError:
        return roster(code, 422, {"day": _("请选择日期")})
    except PermissionDenied:
        return render_template("pages/error.html", message=_("只有本镇窗口工作人员或管理员可以排班")), 403
    except NotFound:
        return roster(code, 404, {"day": _("这一天没有值班安排")})
    except FormValidationError as error:
        return roster(code, 422, {e.field: e.message for e in error.field_errors})
    except ConcurrencyConflict:
        return roster(code, 409, {"day": _("值班已被他人调整，请刷新后重试")})
    flash(_("已调班"))
    return redirect(url_for("towns.roster", code=code, year=year, month=month))
