"""Bad-review rectification pages: the work-order list (/feedback/rectifications) for the responsible
departments and supervision, the public page where the evaluator rates the fix with the case's query code, and
the window's form (/feedback/rectifications/rate) recording a rating the evaluator gives at the window.

The work orders themselves are ordinary tasks in the department's inbox; this list is for following them (督办).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.domain.rectification import FIX_RATINGS, WorkOrderStatus
from engine.errors import FormValidationError, InvalidTransition, NotFound, PermissionDenied
from webapp.auth import platform
from webapp.security import login_required, signed_in_principal

bp = Blueprint("rectification", __name__)


@bp.get("/feedback/rectifications")
@login_required
def work_orders() -> ResponseReturnValue:
    principal = signed_in_principal()
    assert principal is not None
    known = {s.value for s in WorkOrderStatus}
    status = request.args.get("status") if request.args.get("status") in known else None
    try:
        rows = platform().rectification.work_orders(principal, status=status)
    except PermissionDenied:
        message = _("只有责任部门、监察、投诉台和管理员可以查看差评整改")
        return render_template("pages/error.html", message=message), 403
    return render_template(
        "pages/rectifications.html",
        rows=rows,
        status=status or "",
        statuses=[(s.value, s.label) for s in WorkOrderStatus],
        departments=dict(platform().accounts.departments()),
    )


def _rate_page(values: dict[str, str], status: int = 200, **extra: Any) -> ResponseReturnValue:
    return render_template("pages/rate_fix.html", ratings=FIX_RATINGS, values=values, **extra), status


@bp.route("/evaluate/rectification", methods=["GET", "POST"])
def rate_fix() -> ResponseReturnValue:
    """The evaluator rates the fix of their bad review (voluntary); the query code travels only in the body."""
    if request.method == "GET":
        return _rate_page({"case_no": request.args.get("case_no", "").strip()[:64]})
    values = {name: request.form.get(name, "").strip() for name in ("case_no", "query_code", "rating", "comment")}
    errors = {
        name: message
        for name, message in (
            ("case_no", _("请填写办件编号")),
            ("query_code", _("请填写查询码")),
            ("rating", _("请选择对整改的评价")),
        )
        if not values[name]
    }
    if errors:
        return _rate_page(values, 422, errors=errors)
    try:
        rated = platform().rectification.rate_fix_public(
            values["case_no"], values["query_code"], values["rating"], values["comment"]
        )
    except FormValidationError:
        return _rate_page(values, 422, errors={"rating": _("请选择对整改的评价")})
    except NotFound as error:  # the lookup's own words: a wrong code reads exactly like a missing case
        return _rate_page(values, 404, message=error.message)
    except InvalidTransition:
        return _rate_page(values, 409, message=_("该办件没有待评价的整改。"))
    return _rate_page({}, 200, done=rated)


def _window_page(values: dict[str, str], status: int = 200, **extra: Any) -> ResponseReturnValue:
    return render_template("pages/rate_fix_window.html", ratings=FIX_RATINGS, values=values, **extra), status


@bp.route("/feedback/rectifications/rate", methods=["GET", "POST"])
@login_required
def rate_fix_at_window() -> ResponseReturnValue:
    """The window records the rating of the fix the evaluator gives in person (the case's window or the
    centre's); no query code: the officer has the applicant in front of them."""
    principal = signed_in_principal()
    assert principal is not None
    if not (principal.is_admin or principal.has_role("window_officer")):
        return render_template("pages/error.html", message=_("只有窗口工作人员可以登记整改评价")), 403
    if request.method == "GET":
        return _window_page({"case_no": request.args.get("case_no", "").strip()[:64]})
    values = {name: request.form.get(name, "").strip() for name in ("case_no", "rating", "comment")}
    errors = {
        name: message
        for name, message in (("case_no", _("请填写办件编号")), ("rating", _("请选择对整改的评价")))
        if not values[name]
    }
    if errors:
        return _window_page(values, 422, errors=errors)
    try:
        rated = platform().rectification.rate_fix_at_window(
            principal, values["case_no"], values["rating"], values["comment"]
        )
    except FormValidationError as error:
        messages = {"rating": _("请选择对整改的评价"), "comment": _("意见最多 500 字")}
        return _window_page(values, 422, errors={e.field: messages.get(e.field, e.message) for e in error.field_errors})
    except NotFound:
        return _window_page(values, 404, errors={"case_no": _("没有该办件编号")})
    except PermissionDenied:
        return _window_page(values, 403, message=_("只有该办件的窗口或中心综合窗口可以登记整改评价。"))
    except InvalidTransition:
        return _window_page(values, 409, message=_("该办件没有待评价的整改。"))
    return _window_page({}, 200, done=rated)
