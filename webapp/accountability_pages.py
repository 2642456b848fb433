"""Accountability pages (效能问责): the ledger's entries with filters and supervision's finding on a complaint,
the patrol log (巡查) with the new-patrol form and each finding's printable document (政务服务催办单 …), and the
annual evaluation (ranking, 一票否决)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.domain.access import SUPERVISOR, Principal
from engine.domain.accountability import CATEGORIES, KIND_LABELS, SEVERITIES
from engine.errors import ConcurrencyConflict, FormValidationError, NotFound, PermissionDenied
from webapp.auth import platform
from webapp.security import login_required, signed_in_principal

bp = Blueprint("accountability", __name__, url_prefix="/accountability")


def _principal() -> Principal:
    principal = signed_in_principal()
    assert principal is not None  # login_required ran first
    return principal


def _supervises(principal: Principal) -> bool:
    return principal.is_admin or principal.has_role(SUPERVISOR)


def _year(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and 2000 <= int(raw) <= 2100 else None


def _this_year() -> int:
    return int(platform().clock.now().astimezone(platform().ctx.runtime_calendar().zone).year)


def _common() -> dict[str, Any]:
    return {
        "departments": dict(platform().accounts.departments()),
        "kind_labels": KIND_LABELS,
        "categories": CATEGORIES,
        "severities": SEVERITIES,
    }


def _errors(error: FormValidationError) -> dict[str, str]:
    return {e.field: e.message for e in error.field_errors}


# -- entries ---------------------------------------------------------------------------------------------------
@bp.get("/")
@login_required
def entries() -> ResponseReturnValue:
    return _entries_page()


def _entries_page(status: int = 200, **extra: Any) -> ResponseReturnValue:
    principal = _principal()
    filters = {
        "year": _year(request.args.get("year")) or _this_year(),
        "kind": request.args.get("kind") or None,
        "department": request.args.get("department") or None,
        "username": (request.args.get("username") or "").strip() or None,
    }
    rows = platform().accountability.entries(principal, **filters)
    complaints: list[dict[str, Any]] = []
    if _supervises(principal):
        complaints = platform().feedback.complaints(principal, limit=100)
    return render_template(
        "pages/accountability_entries.html",
        rows=rows,
        filters=filters,
        complaints=complaints,
        may_record=_supervises(principal),
        **_common(),
        **extra,
    ), status


@bp.post("/complaints")
@login_required
def complaint() -> ResponseReturnValue:
    form = request.form
    raw_id = form.get("complaint_id", "")
    if not raw_id.isdigit():
        return _entries_page(422, errors={"complaint_id": _("请选择投诉")}, values=form)
    try:
        platform().accountability.record_complaint(
            _principal(),
            int(raw_id),
            form.get("upheld") == "1",
            form.get("username", ""),
            form.get("department", ""),
            form.get("note", ""),
            veto=form.get("veto") == "1",
        )
    except FormValidationError as error:
        return _entries_page(422, errors=_errors(error), values=form)
    except ConcurrencyConflict:
        return _entries_page(409, message=_("该投诉已记入问责。"), values=form)
    return redirect(url_for("accountability.entries"))


# -- patrols ---------------------------------------------------------------------------------------------------
@bp.get("/patrols")
@login_required
def patrols() -> ResponseReturnValue:
    return _patrols_page()


def _patrols_page(status: int = 200, **extra: Any) -> ResponseReturnValue:
    principal = _principal()
    year = _year(request.args.get("year")) or _this_year()
    rows = platform().accountability.patrols(principal, year=year)
    return render_template(
        "pages/accountability_patrols.html",
        rows=rows,
        year=year,
        may_record=_supervises(principal),
        **_common(),
        **extra,
    ), status


@bp.post("/patrols")
@login_required
def new_patrol() -> ResponseReturnValue:
    body = {name: request.form.get(name, "") for name in ("window", "department", "findings", "category", "officer")}
    body["severity"] = request.form.get("severity", "") if body["category"] else ""
    try:
        created = platform().accountability.record_patrol(_principal(), body)
    except FormValidationError as error:
        return _patrols_page(422, errors=_errors(error), values=body)
    return redirect(url_for("accountability.patrols", created=created["id"]))


@bp.post("/patrols/<int:patrol_id>/follow-up")
@login_required
def follow_up(patrol_id: int) -> ResponseReturnValue:
    try:
        platform().accountability.record_follow_up(_principal(), patrol_id, request.form.get("follow_up", ""))
    except FormValidationError:
        return _patrols_page(422, message=_("请填写整改情况"))
    return redirect(url_for("accountability.patrols"))


@bp.get("/patrols/<int:patrol_id>/document")
@login_required
def document(patrol_id: int) -> ResponseReturnValue:
    try:
        notice = platform().accountability.patrol_document(_principal(), patrol_id)
    except NotFound:
        return render_template("pages/error.html", message=_("没有该巡查文书")), 404
    return render_template("notices/patrol_notice.html", notice=notice)


# -- the annual evaluation -------------------------------------------------------------------------------------
@bp.get("/evaluation")
@login_required
def evaluation_now() -> ResponseReturnValue:
    return redirect(url_for("accountability.evaluation", year=_this_year()))


@bp.get("/evaluation/<int:year>")
@login_required
def evaluation(year: int) -> ResponseReturnValue:
    try:
        view = platform().accountability.annual_evaluation(_principal(), year)
    except PermissionDenied:
        return render_template("pages/error.html", message=_("只有监察室、管理员和部门首席代表可以查看考核")), 403
    return render_template("pages/accountability_evaluation.html", view=view, year=year, **_common())
