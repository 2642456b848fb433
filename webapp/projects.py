"""The key-project pages (重点项目快速通道): the tracking board, registering a project at the fast-track window,
and the project page with its triage, extension and steward's-note forms."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.domain.access import Principal
from engine.domain.projects import STAGES, ProjectStatus
from engine.errors import FormValidationError, InvalidTransition, NotFound, PermissionDenied
from engine.services.project_flow import may_steward
from engine.services.project_views import ProjectProgress, TimelineEntry
from webapp.auth import platform
from webapp.clerk import last_day
from webapp.form_nonces import new_nonce, spend_nonce
from webapp.form_render import errors_by_field
from webapp.project_forms import register_body, triage_errors, triage_values
from webapp.project_words import STATE_CLASSES, STATUS_CLASSES, WARNING_COLOURS, project_words
from webapp.security import login_required, signed_in_principal

bp = Blueprint("projects", __name__, url_prefix="/projects")
_NONCES = "project_nonces"


@bp.context_processor
def _words() -> dict[str, Any]:
    return {
        "words": project_words(),
        "warning_colours": WARNING_COLOURS,
        "state_classes": STATE_CLASSES,
        "status_classes": STATUS_CLASSES,
        "last_day": last_day,  # a limit ends at midnight: show the last working day it includes
    }


def _viewer() -> Principal:
    principal = signed_in_principal()
    assert principal is not None  # login_required ran first
    return principal


def _refused(message: str, status: int) -> ResponseReturnValue:
    return render_template("pages/error.html", message=message), status


@bp.get("")
@login_required
def board() -> ResponseReturnValue:
    show = "all" if request.args.get("show") == "all" else "open"
    viewer = _viewer()
    try:
        projects = platform().projects.board(viewer, include_closed=show == "all")
    except PermissionDenied as error:
        return _refused(error.message, 403)
    return render_template(
        "pages/projects_board.html", projects=projects, show=show, may_register=may_steward(viewer), ready=ready
    )


def ready(project: ProjectProgress) -> dict[str, str]:
    """Department names by item code, to say whom a review waits for (等待 自然资源局 用地预审)."""
    return {child.item_code: child.department_name for child in project.children}


def timeline_rows(timeline: list[TimelineEntry], project: ProjectProgress) -> list[tuple[TimelineEntry, str]]:
    """Each entry with its words; a review's step names its department by code (``LAND 完成…``): say its name."""
    names = {child.case_no: (child.department, child.department_name) for child in project.children}
    rows = []
    for entry in timeline:
        label = entry.label
        code, name = names.get(entry.case_no or "", ("", ""))
        if code and label.startswith(code + " "):
            label = name + label[len(code) :]
        rows.append((entry, label))
    return rows


def _register_form(values: dict[str, Any], errors: dict[str, str], status: int = 200) -> ResponseReturnValue:
    return render_template(
        "pages/projects_new.html", values=values, errors=errors, stages=STAGES, nonce=new_nonce(_NONCES, keep=10)
    ), status


@bp.get("/new")
@login_required
def new() -> ResponseReturnValue:
    if not may_steward(_viewer()):
        return _refused(_("只有快速通道窗口（联审办）可以登记重点项目"), 403)
    return _register_form({"stage": "construction_permit"}, {})


@bp.post("/new")
@login_required
def register() -> ResponseReturnValue:
    viewer = _viewer()
    if not may_steward(viewer):
        return _refused(_("只有快速通道窗口（联审办）可以登记重点项目"), 403)
    values = {key: request.form.get(key, "").strip() for key in request.form if key not in {"csrf_token", "nonce"}}
    if not spend_nonce(_NONCES, request.form.get("nonce", "")):
        return _refused(_("该表单已提交过，请在重点项目跟踪中查看"), 409)
    try:
        created = platform().projects.register(viewer, register_body(values))
    except FormValidationError as error:
        errors = {key.replace(".", "_"): text for key, text in errors_by_field(error.details or []).items()}
        return _register_form(values, errors, 422)
    flash(_("已登记重点项目 %(code)s，请分办", code=created.code), "ok")
    return redirect(url_for("projects.show", code=created.code))


def _page(
    code: str,
    *,
    triage: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    query_codes: dict[str, str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    viewer = _viewer()
    services = platform()
    try:
        project = services.projects.show(viewer, code)
        timeline = services.projects.timeline(viewer, code)
    except NotFound:
        return _refused(_("没有该重点项目"), 404)
    except PermissionDenied as error:
        return _refused(error.message, 403)
    steward = may_steward(viewer)
    options = None
    if steward and project.status is ProjectStatus.RECEIVED:
        options = services.projects.triage_options(viewer, code)
    departments = dict(services.accounts.departments())
    return render_template(
        "pages/projects_show.html",
        project=project,
        timeline=timeline_rows(timeline, project),
        steward=steward,
        options=options,
        triage=triage or {"items": set(), "prerequisites": {}, "steward": viewer.username},
        errors=errors or {},
        values=values or {},
        query_codes=query_codes or {},
        departments=departments,
        names=ready(project),
        in_review=project.status is ProjectStatus.IN_REVIEW,
        project_departments=sorted({(c.department, c.department_name) for c in project.children}),
    ), status


@bp.get("/<code>")
@login_required
def show(code: str) -> ResponseReturnValue:
    return _page(code)


@bp.post("/<code>/triage")
@login_required
def triage(code: str) -> ResponseReturnValue:
    values = triage_values(request.form)
    try:
        result = platform().projects.triage(
            _viewer(), code, values["reviews"], values["steward"], values["lead_department"]
        )
    except PermissionDenied as error:
        return _refused(error.message, 403)
    except InvalidTransition as error:  # a reload of the receipt, or another officer was quicker
        flash(error.message, "error")
        return redirect(url_for("projects.show", code=code))
    except FormValidationError as error:
        return _page(code, triage=values, errors=triage_errors(error, values), status=422)
    # the query codes are shown on this answer only: they are stored as hashes
    return _page(code, query_codes=result.query_codes)


@bp.post("/<code>/extension")
@login_required
def extend(code: str) -> ResponseReturnValue:
    reason, approved_by = request.form.get("reason", ""), request.form.get("approved_by", "")
    try:
        platform().projects.extend(_viewer(), code, reason, approved_by)
    except PermissionDenied as error:
        return _refused(error.message, 403)
    except InvalidTransition as error:
        flash(error.message, "error")
        return redirect(url_for("projects.show", code=code))
    except FormValidationError as error:
        errors = {f"extension_{k}": v for k, v in errors_by_field(error.details or []).items()}
        return _page(code, errors=errors, values=dict(request.form), status=422)
    flash(_("联合办理时限已延长 15 个工作日"), "ok")
    return redirect(url_for("projects.show", code=code))


@bp.post("/<code>/messages")
@login_required
def message(code: str) -> ResponseReturnValue:
    department, text = request.form.get("department", ""), request.form.get("text", "")
    try:
        platform().projects.message(_viewer(), code, department, text)
    except PermissionDenied as error:
        return _refused(error.message, 403)
    except FormValidationError as error:
        errors = {f"message_{k}": v for k, v in errors_by_field(error.details or []).items()}
        return _page(code, errors=errors, values=dict(request.form), status=422)
    flash(_("留言已发送"), "ok")
    return redirect(url_for("projects.show", code=code))
