"""Agency pages (代办): the agent's mandates (委托书) and relays with the forms to sign a mandate and file under
it, one relay's timeline with its hand-overs and the sign buttons of the town and the county, the mandate's
printout, and (for administrators) the town staff stationed in villages (驻点包村)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.domain.access import Principal
from engine.errors import FormValidationError, InvalidTransition, NotFound, OnestopError, PermissionDenied
from webapp.agency_words import agency_words
from webapp.auth import platform
from webapp.security import login_required, signed_in_principal

bp = Blueprint("agency", __name__, url_prefix="/agency")

MANDATE_CHANGES = ("suspend", "renew", "terminate")


@bp.app_context_processor
def _words() -> dict[str, Any]:
    # every template: the public lookup (webapp/public.py) includes the relay's times as well
    return {"agency_words": agency_words}


def _principal() -> Principal:
    principal = signed_in_principal()
    assert principal is not None  # login_required ran first
    return principal


def _error(error: OnestopError) -> ResponseReturnValue:
    status = {PermissionDenied: 403, NotFound: 404}.get(type(error), 409)
    return render_template("pages/error.html", message=error.message), status


def _index(status: int = 200, **extra: Any) -> ResponseReturnValue:
    principal = _principal()
    service = platform().agency
    mandates = service.mandates(principal)
    usable = [m for m in mandates if m["agent"] == principal.username and m["status"] == "active"]
    items = platform().catalogue.items()
    assignments = service.assignments(principal) if principal.is_admin else []
    return render_template(
        "pages/agency_index.html",
        mandates=mandates,
        usable=usable,
        relays=service.relays(principal),
        items=items,
        assignments=assignments,
        is_admin=principal.is_admin,
        **extra,
    ), status


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    if not _principal().grants:
        return render_template("pages/error.html", message=_("只有工作人员和代办员可以使用代办")), 403
    return _index()


@bp.post("/mandates")
@login_required
def new_mandate() -> ResponseReturnValue:
    form = request.form
    body = {
        "kind": form.get("kind", "full"),
        "principal": {k: form.get(k, "") for k in ("name", "id_number", "phone")},
        "scope_all": form.get("scope_all") == "on",
        "items": form.getlist("items"),
        "valid_from": form.get("valid_from", ""),
        "valid_to": form.get("valid_to", ""),
    }
    try:
        created = platform().agency.create_mandate(_principal(), body)
    except FormValidationError as error:
        return _index(422, errors={e.field: e.message for e in error.field_errors}, values=form)
    except OnestopError as error:
        return _error(error)
    flash(_("委托书 %(number)s 已登记", number=created["number"]), "ok")
    return redirect(url_for("agency.index"))


@bp.post("/mandates/<number>/<change>")
@login_required
def change_mandate(number: str, change: str) -> ResponseReturnValue:
    if change not in MANDATE_CHANGES:
        return render_template("pages/error.html", message=_("没有这项操作")), 404
    service, reason = platform().agency, request.form.get("reason", "")
    try:
        if change == "renew":
            service.renew_mandate(_principal(), number, reason, request.form.get("valid_to") or None)
        else:
            getattr(service, f"{change}_mandate")(_principal(), number, reason)
    except FormValidationError as error:
        flash(error.field_errors[0].message if error.field_errors else error.message, "error")
    except InvalidTransition as error:
        flash(error.message, "error")
    except OnestopError as error:
        return _error(error)
    return redirect(url_for("agency.index"))


@bp.get("/mandates/<number>/print")
@login_required
def print_mandate(number: str) -> ResponseReturnValue:
    try:
        mandate = platform().agency.mandate(_principal(), number)
    except OnestopError as error:
        return _error(error)
    return render_template("notices/mandate.html", mandate=mandate, centre_name=platform().settings.centre_name)


@bp.post("/relays")
@login_required
def new_relay() -> ResponseReturnValue:
    body = {k: request.form.get(k, "") for k in ("mandate", "item_code", "materials", "note")}
    try:
        relay = platform().agency.start_relay(_principal(), body)
    except FormValidationError as error:
        return _index(422, errors={e.field: e.message for e in error.field_errors}, values=request.form)
    except OnestopError as error:
        return _error(error)
    return redirect(url_for("agency.relay", relay_id=relay["id"]))


def _relay_page(relay: dict[str, Any], status: int = 200) -> ResponseReturnValue:
    return render_template("pages/agency_relay.html", relay=relay), status


@bp.get("/relays/<int:relay_id>")
@login_required
def relay(relay_id: int) -> ResponseReturnValue:
    try:
        return _relay_page(platform().agency.relay(_principal(), relay_id))
    except OnestopError as error:
        return _error(error)


@bp.post("/relays/<int:relay_id>/<action>")
@login_required
def act(relay_id: int, action: str) -> ResponseReturnValue:
    body = {k: request.form.get(k, "") for k in ("materials", "note")}
    try:
        relay = platform().agency.act(_principal(), relay_id, action, body)
    except OnestopError as error:
        return _error(error)
    if "query_code" in relay:  # the case opened: the code is shown this once, for the receipt to the applicant
        return _relay_page(relay)
    return redirect(url_for("agency.relay", relay_id=relay_id))


@bp.post("/relays/<int:relay_id>/cancel")
@login_required
def cancel(relay_id: int) -> ResponseReturnValue:
    """The agent withdraws the relay before a window opened its case (the reason is required)."""
    try:
        platform().agency.cancel(_principal(), relay_id, request.form.get("reason", ""))
    except (FormValidationError, InvalidTransition) as error:
        flash(error.field_errors[0].message if isinstance(error, FormValidationError) else error.message, "error")
    except OnestopError as error:
        return _error(error)
    return redirect(url_for("agency.relay", relay_id=relay_id))


@bp.post("/assignments/<int:assignment_id>/end")
@login_required
def end_assignment(assignment_id: int) -> ResponseReturnValue:
    try:
        platform().agency.end_assignment(_principal(), assignment_id)
        flash(_("驻点安排已结束"), "ok")
    except InvalidTransition as error:
        flash(error.message, "error")
    except OnestopError as error:
        return _error(error)
    return redirect(url_for("agency.index"))


@bp.post("/assignments")
@login_required
def assign() -> ResponseReturnValue:
    try:
        platform().agency.assign(_principal(), request.form.get("station", ""), request.form.get("username", ""))
    except FormValidationError as error:
        flash(error.field_errors[0].message if error.field_errors else error.message, "error")
    except InvalidTransition as error:
        flash(error.message, "error")
    except OnestopError as error:
        return _error(error)
    return redirect(url_for("agency.index"))
