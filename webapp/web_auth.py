"""Sign in and out of the workbench (session cookie; the JSON API keeps its bearer tokens)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.errors import AuthenticationFailed
from webapp.auth import platform
from webapp.security import csrf_token

bp = Blueprint("web_auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a login form must not bounce people to another site."""
    if not target or urlsplit(target).netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("clerk.inbox")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    error = None
    if request.method == "POST":
        try:
            principal = platform().accounts.authenticate(
                request.form.get("username", ""), request.form.get("password", "")
            )
        except AuthenticationFailed:
            error = _("用户名或密码错误")
        else:
            lang = session.get("lang")
            session.clear()  # a new session on sign-in: no fixation
            session["username"] = principal.username
            if lang:
                session["lang"] = lang
            csrf_token()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("pages/login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    session.clear()
    return redirect(url_for("web_auth.login"))
