"""The 96128 hotline call log for the consultation desk: log a call (caller, question, answer or transfer) with
the signed-in consultant as its first responder, and read the log with callers masked; and one complaint's
progress through its GB/T 36113 process (the link the reply-deadline warning sends)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.errors import FormValidationError, NotFound, PermissionDenied
from webapp.auth import platform
from webapp.security import login_required, signed_in_principal

bp = Blueprint("hotline", __name__)
FIELDS = ("caller_name", "caller_phone", "subject", "question", "answer", "outcome", "transferred_to", "referred_to")


def _forbidden() -> ResponseReturnValue:
    return render_template("pages/error.html", message=_("没有权限查看此页面")), 403


def _field_messages() -> dict[str, str]:
    return {
        "caller_phone": _("请填写手机号或带区号的固定电话"),
        "subject": _("请填写咨询事项"),
        "question": _("请填写来电问题"),
        "transferred_to": _("转办须选择接办部门"),
        "referred_to": _("须告知来电人到何处办理"),
    }


@bp.route("/hotline", methods=["GET", "POST"])
@login_required
def calls() -> ResponseReturnValue:
    principal = signed_in_principal()
    assert principal is not None
    values = {name: "" for name in FIELDS}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {name: request.form.get(name, "").strip() for name in FIELDS}
        try:
            platform().hotline.log_call(principal, {k: v for k, v in values.items() if v})
        except PermissionDenied:
            return _forbidden()
        except FormValidationError as error:
            messages = _field_messages()
            errors = {e.field: messages.get(e.field, e.message) for e in error.field_errors}
        else:
            return redirect(url_for("hotline.calls"))
    open_only = request.args.get("open") == "1"
    try:
        rows = platform().hotline.calls(principal, open_only=open_only)
    except PermissionDenied:
        return _forbidden()
    answering = principal.is_admin or principal.has_role("consultant")
    return render_template(
        "pages/hotline.html",
        rows=rows,
        values=values,
        errors=errors,
        open_only=open_only,
        answering=answering,
        departments=platform().accounts.departments(),
    ), (422 if errors else 200)


@bp.get("/complaints/<int:complaint_id>")
@login_required
def complaint(complaint_id: int) -> ResponseReturnValue:
    principal = signed_in_principal()
    assert principal is not None
    try:
        progress = platform().complaints.progress(principal, complaint_id)
    except PermissionDenied:
        return _forbidden()
    except NotFound:
        return render_template("pages/error.html", message=_("没有该投诉")), 404
    return render_template("pages/complaint_progress.html", filed=request.args.get("filed") == "1", **progress)
