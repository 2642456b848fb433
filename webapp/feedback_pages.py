"""Public feedback pages: the 好差评 form and the complaint form (no sign-in); the complaint desk's form for a
complaint received at the desk, by the complaint phone or written in the opinion book (意见簿); and the complaint
(with each open one's current step) and evaluation lists for the complaint desk, supervision and administrators.

The query code never travels in a URL: the lookup result posts it to /evaluate (so it stays out of server and
proxy logs and browser history), and GET /evaluate prefills only the case number.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.domain.feedback import (
    COMPLAINT_CATEGORIES,
    COMPLAINT_REPLY_WORKDAYS,
    COMPLAINT_SOURCES,
    LEVELS,
    ComplaintStatus,
    parse_level,
)
from engine.errors import ConcurrencyConflict, FormValidationError, InvalidTransition, NotFound, PermissionDenied
from webapp.auth import platform
from webapp.security import login_required, signed_in_principal

bp = Blueprint("feedback", __name__)


def _field_messages() -> dict[str, str]:
    """What to say under each field (in the user's language); the engine's message is the fallback."""
    return {
        "case_no": _("请填写办件编号"),
        "query_code": _("请填写查询码"),
        "level": _("请选择评价等级"),
        "comment": _("评价内容最多 500 字"),
        "name": _("请填写姓名（最多 50 字）"),
        "phone": _("请填写手机号或带区号的固定电话"),
        "category": _("请选择投诉类别"),
        "department": _("请选择被投诉部门"),
        "content": _("请填写投诉内容（最多 4000 字）"),
        "subject": _("标题最多 100 字"),
    }


def _errors_of(error: FormValidationError) -> dict[str, str]:
    messages = _field_messages()
    return {e.field: messages.get(e.field, e.message) for e in error.field_errors}


# -- 好差评 ----------------------------------------------------------------------------------------------------
def _evaluate_page(values: dict[str, str], status: int = 200, **extra: Any) -> ResponseReturnValue:
    return render_template("pages/evaluate.html", levels=LEVELS, values=values, **extra), status


@bp.route("/evaluate", methods=["GET", "POST"])
def evaluate() -> ResponseReturnValue:
    if request.method == "GET":
        return _evaluate_page({"case_no": request.args.get("case_no", "").strip()[:64]})
    values = {name: request.form.get(name, "").strip() for name in ("case_no", "query_code", "level", "comment")}
    if request.form.get("start"):  # from the lookup result: the form, filled in, nothing submitted yet
        return _evaluate_page({**values, "level": "", "comment": ""})
    missing = {name: _field_messages()[name] for name in ("case_no", "query_code") if not values[name]}
    if missing:
        if parse_level(values["level"]) is None:
            missing["level"] = _field_messages()["level"]
        return _evaluate_page(values, 422, errors=missing)
    try:
        rating = platform().feedback.evaluate_public(
            values["case_no"], values["query_code"], values["level"], values["comment"]
        )
    except FormValidationError as error:
        return _evaluate_page(values, 422, errors=_errors_of(error))
    except NotFound as error:  # the lookup's own words: a wrong code reads exactly like a missing case
        return _evaluate_page(values, 404, message=error.message)
    except InvalidTransition:
        return _evaluate_page(values, 409, message=_("办件尚未受理，受理后才能评价。"))
    except ConcurrencyConflict:
        return render_template("pages/evaluate.html", already=True, values=values), 409
    return render_template("pages/evaluate.html", done=rating, values={}), 200


# -- 投诉 -----------------------------------------------------------------------------------------------------
COMPLAINT_FIELDS = ("name", "phone", "category", "department", "case_no", "content")


def _complaint_page(values: dict[str, str], status: int = 200, **extra: Any) -> ResponseReturnValue:
    return render_template(
        "pages/complaint.html",
        values=values,
        categories=COMPLAINT_CATEGORIES,
        departments=platform().accounts.departments(),
        reply_workdays=COMPLAINT_REPLY_WORKDAYS,
        **extra,
    ), status


@bp.route("/complaint", methods=["GET", "POST"])
def complaint() -> ResponseReturnValue:
    if request.method == "GET":
        return _complaint_page({"case_no": request.args.get("case_no", "").strip()[:64]})
    values = {name: request.form.get(name, "").strip() for name in COMPLAINT_FIELDS}
    try:
        filed = platform().feedback.file_complaint(dict(values), source="web")
    except FormValidationError as error:
        return _complaint_page(values, 422, errors=_errors_of(error))
    return _complaint_page({}, 200, filed=filed)


# -- the complaint desk ---------------------------------------------------------------------------------------
DESK_FIELDS = ("source", "category", "department", "case_no", "subject", "content", "name", "phone")
#: what the desk writes down: a visit to the desk, a call to the complaint phone, an opinion-book entry (web: the
#: public form)
DESK_SOURCES = tuple((code, label) for code, label in COMPLAINT_SOURCES.items() if code != "web")


def _desk_page(values: dict[str, str], status: int = 200, **extra: Any) -> ResponseReturnValue:
    return render_template(
        "pages/complaint_desk_new.html",
        values=values,
        sources=DESK_SOURCES,
        categories=COMPLAINT_CATEGORIES,
        departments=platform().accounts.departments(),
        **extra,
    ), status


@bp.route("/complaints/new", methods=["GET", "POST"])
@login_required
def record_complaint() -> ResponseReturnValue:
    """The complaint desk records a complaint; the complainant's name and phone are masked everywhere after."""
    principal = signed_in_principal()
    assert principal is not None
    if not (principal.is_admin or principal.has_role("complaint_officer")):
        return render_template("pages/error.html", message=_("只有投诉台可以登记投诉")), 403
    if request.method == "GET":
        return _desk_page({"source": "desk", "case_no": request.args.get("case_no", "").strip()[:64]})
    values = {name: request.form.get(name, "").strip() for name in DESK_FIELDS}
    if values["source"] not in dict(DESK_SOURCES):
        return _desk_page(values, 422, errors={"source": _("请选择投诉来源")})
    body = {k: v for k, v in values.items() if k != "source"}
    try:
        filed = platform().feedback.file_complaint(body, source=values["source"], principal=principal)
    except PermissionDenied:
        return render_template("pages/error.html", message=_("只有投诉台可以登记投诉")), 403
    except FormValidationError as error:
        errors = _errors_of(error)
        if "case_no" in errors:  # the desk wrote a number: the only way it fails is that no such case exists
            errors["case_no"] = _("没有该办件编号")
        return _desk_page(values, 422, errors=errors)
    return redirect(url_for("hotline.complaint", complaint_id=filed["id"], filed=1))


# -- staff lists ----------------------------------------------------------------------------------------------
def _forbidden() -> ResponseReturnValue:
    return render_template("pages/error.html", message=_("只有投诉台、监察和管理员可以查看")), 403


@bp.get("/complaints")
@login_required
def complaints() -> ResponseReturnValue:
    principal = signed_in_principal()
    assert principal is not None
    known = {s.value for s in ComplaintStatus}
    status = request.args.get("status") if request.args.get("status") in known else None
    open_only = request.args.get("open") == "1"
    try:
        rows = platform().feedback.complaints(principal, status=status)
        if open_only:  # answered (反馈) closes a complaint: what is left is the desk's to follow
            rows = [row for row in rows if row["closed_at"] is None]
        steps = platform().complaints.current_steps(principal, [r["instance_id"] for r in rows if r["instance_id"]])
    except PermissionDenied:
        return _forbidden()
    statuses = [(s.value, s.label) for s in ComplaintStatus]
    departments = dict(platform().accounts.departments())
    return render_template(
        "pages/complaints.html",
        rows=rows,
        steps=steps,
        status=status or "",
        open_only=open_only,
        statuses=statuses,
        departments=departments,
        recording=principal.is_admin or principal.has_role("complaint_officer"),
    )


@bp.get("/evaluations")
@login_required
def evaluations() -> ResponseReturnValue:
    principal = signed_in_principal()
    assert principal is not None
    stage = request.args.get("stage") if request.args.get("stage") in ("acceptance", "completion") else None
    bad_only = request.args.get("bad") == "1"
    try:
        result = platform().feedback.evaluations(principal, stage=stage, bad_only=bad_only)
    except PermissionDenied:
        return _forbidden()
    return render_template(
        "pages/evaluations.html",
        rows=result["evaluations"],
        summary=result["summary"],
        stage=stage or "",
        bad_only=bad_only,
        departments=dict(platform().accounts.departments()),
    )
