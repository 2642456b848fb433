"""Browser safety for the workbench pages: session login, CSRF tokens on every form, security headers."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue

from engine.domain.access import Principal
from engine.errors import AuthenticationFailed

F = TypeVar("F", bound=Callable[..., Any])
CSRF_FIELD = "csrf_token"


def csrf_token() -> str:
    token = session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return str(token)


def _check_csrf() -> None:
    """Every state-changing browser request carries the session's token (the JSON API uses bearer tokens)."""
    if request.method in {"GET", "HEAD", "OPTIONS"} or request.path.startswith("/api/"):
        return
    sent = request.form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token") or ""
    expected = session.get(CSRF_FIELD) or ""
    if not expected or not hmac.compare_digest(str(sent), str(expected)):
        abort(400, description="表单已过期或来源不明，请刷新页面后重试 / CSRF token missing or wrong")


def _headers(response: Any) -> Any:
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def register(app: Flask) -> None:
    app.before_request(_check_csrf)
    app.after_request(_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token


def signed_in_principal() -> Principal | None:
    from webapp.auth import platform

    cached = g.get("web_principal")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    username = session.get("username")
    if not username:
        return None
    try:
        principal = platform().accounts.principal(str(username))
    except AuthenticationFailed:
        session.clear()
        return None
    g.web_principal = principal
    return principal


def login_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if signed_in_principal() is None:
            return redirect(url_for("web_auth.login", next=request.full_path))
        return view(*args, **kwargs)  # type: ignore[no-any-return]

    return wrapper  # type: ignore[return-value]
