"""Window intake (窗口收件): find an item, record the applicant and the materials checklist, issue the receipt;
for an instant item (即办件), accept and complete on the same screen."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.domain.access import Principal
from engine.errors import ConcurrencyConflict, FormValidationError, InvalidTransition, NotFound, PermissionDenied
from webapp.auth import platform
from webapp.form_nonces import new_nonce, spend_nonce
from webapp.form_render import errors_by_field
from webapp.notices import render_notice
from webapp.public import TYPES
from webapp.security import login_required, signed_in_principal

bp = Blueprint("intake", __name__, url_prefix="/intake")
CHANNELS = ("window", "agent", "mail")
DELIVERY_METHODS = ("窗口领取", "邮寄", "电子送达")
_NONCES = "intake_nonces"


def channel_labels() -> dict[str, str]:
    return {"window": _("窗口"), "agent": _("代办"), "mail": _("邮寄")}


def _officer() -> Principal:
    principal = signed_in_principal()
    assert principal is not None  # login_required ran first
    return principal


@bp.get("")
@login_required
def search() -> ResponseReturnValue:
    words = request.args.get("q", "").strip()[:50]
    kind = request.args.get("type", "")
    department = request.args.get("department", "")
    items = platform().intake.items_for(_officer(), words, kind, department)
    return render_template(
        "pages/intake_search.html",
        items=items,
        words=words,
        kind=kind,
        department=department,
        departments=dict(platform().accounts.departments()),
        types=TYPES,
    )


def _form(
    item: dict[str, Any], values: dict[str, Any], errors: dict[str, str], status: int = 200, message: str = ""
) -> ResponseReturnValue:
    return render_template(
        "pages/intake_form.html",
        item=item,
        materials=item["guide"].get("materials", []),
        values=values,
        errors=errors,
        message=message,
        nonce=new_nonce(_NONCES, keep=20),
        channels=channel_labels(),
        delivery_methods=DELIVERY_METHODS,
        department_name=dict(platform().accounts.departments()).get(item["department"], item["department"]),
    ), status


def _item_or_404(code: str) -> dict[str, Any] | None:
    try:
        return platform().catalogue.item(code)
    except NotFound:
        return None


@bp.get("/<code>")
@login_required
def form(code: str) -> ResponseReturnValue:
    item = _item_or_404(code)
    if item is None:
        return render_template("pages/error.html", message=_("没有该事项")), 404
    checked = {m["name"] for m in item["guide"].get("materials", [])}
    return _form(item, {"channel": "window", "materials": checked}, {})


def _values() -> dict[str, Any]:
    return {
        "name": request.form.get("name", "").strip(),
        "id_number": request.form.get("id_number", "").strip(),
        "phone": request.form.get("phone", "").strip(),
        "channel": request.form.get("channel", "window"),
        "materials": set(request.form.getlist("materials")),
        "delivery": request.form.get("delivery", ""),
    }


@bp.post("/<code>")
@login_required
def receive(code: str) -> ResponseReturnValue:
    item = _item_or_404(code)
    if item is None:
        return render_template("pages/error.html", message=_("没有该事项")), 404
    values = _values()
    instant = request.form.get("action") == "instant"
    errors: dict[str, str] = {}
    if instant and not item["instant"]:
        errors["action"] = _("该事项是承诺件，不能当场办结")
    if instant and values["delivery"] not in DELIVERY_METHODS:
        errors["delivery"] = _("请选择送达方式")
    if errors:
        return _form(item, values, errors, 422, _("请更正标红的字段"))
    if not spend_nonce(_NONCES, request.form.get("nonce", "")):
        return render_template("pages/error.html", message=_("该表单已提交过，请在我的待办或办件中查看")), 409
    names = [m["name"] for m in item["guide"].get("materials", [])]
    body = {
        "item_code": code,
        "applicant": {"name": values["name"], "id_number": values["id_number"], "phone": values["phone"]},
        "materials": [{"name": name, "received": name in values["materials"]} for name in names],
        "channel": values["channel"],
    }
    officer = _officer()
    services = platform()
    try:
        created = services.cases.create(officer, body)
    except FormValidationError as error:
        field_errors = errors_by_field(error.details or [])
        # the API names applicant fields "applicant.name"; the form names them "name"
        field_errors = {key.removeprefix("applicant."): text for key, text in field_errors.items()}
        return _form(item, values, field_errors, 422, _("请更正标红的字段"))
    except PermissionDenied as error:
        return render_template("pages/error.html", message=error.message), 403
    completed, problem = False, ""
    if instant:
        try:
            services.intake.complete_instantly(officer, created.case_no, {"method": values["delivery"]})
            completed = True
        except (InvalidTransition, ConcurrencyConflict, FormValidationError, PermissionDenied) as error:
            problem = error.message  # the case is open and waits in the inbox; say so instead of failing
    case = services.cases.show(officer, created.case_no)
    notices = services.cases.notices(officer, created.case_no)
    return render_template(
        "pages/intake_receipt.html",
        item=item,
        created=created,
        case=case,
        notices=notices,
        completed=completed,
        problem=problem,
        missing=[name for name in names if name not in values["materials"]],
    ), 201


@bp.get("/cases/<case_no>/notices/<int:notice_id>")
@login_required
def notice(case_no: str, notice_id: int) -> ResponseReturnValue:
    """A notice of a case the officer may see, as the printable page handed to the applicant."""
    try:
        content = platform().cases.notice(_officer(), case_no, notice_id)["content"]
    except NotFound:
        return render_template("pages/error.html", message=_("没有该文书")), 404
    except PermissionDenied as error:
        return render_template("pages/error.html", message=error.message), 403
    return Response(render_notice(content, timezone=platform().settings.timezone), mimetype="text/html")
