"""The landing page (the centre's front door: public services first, staff sign-in) and the health check."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from webapp.auth import platform
from webapp.security import signed_in_principal

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> ResponseReturnValue:
    if signed_in_principal() is not None:
        return redirect(url_for("clerk.inbox"))
    services = platform()
    items = services.catalogue.items()
    return render_template(
        "pages/home.html",
        centre_name=services.settings.centre_name,
        item_count=len(items),
        instant_count=sum(1 for item in items if item["instant"]),
    )


@bp.get("/healthz")
def health() -> ResponseReturnValue:
    return {"status": "ok"}
