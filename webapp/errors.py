"""Map the engine's error tree to HTTP statuses, in one place, as ``{"error": {code, message, details}}``."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from engine.errors import (
    AuthenticationFailed,
    CalendarError,
    ConcurrencyConflict,
    DatabaseUnavailable,
    FormValidationError,
    InvalidTransition,
    NotFound,
    OnestopError,
    PermissionDenied,
    ProcessDefinitionError,
    ScriptError,
    UnstorableValue,
)
from webapp import request_limits

log = logging.getLogger("onestop.web")

STATUS: list[tuple[type[OnestopError], int]] = [
    (NotFound, 404),
    (AuthenticationFailed, 401),
    (PermissionDenied, 403),
    (ConcurrencyConflict, 409),
    (InvalidTransition, 409),
    (FormValidationError, 422),
    (ProcessDefinitionError, 422),
    (ScriptError, 422),
    (CalendarError, 422),
    (UnstorableValue, 422),
    (DatabaseUnavailable, 503),
]


def status_of(error: OnestopError) -> int:
    return next((status for cls, status in STATUS if isinstance(error, cls)), 400)


def error_body(code: str, message: str, details: object = None) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "details": details}}


def _wants_page() -> bool:
    """Browser pages get an HTML error page; the JSON API always gets the JSON error body."""
    return not request.path.startswith("/api/")


def register(app: Flask) -> None:
    request_limits.register(app)  # before the blueprints add their <int:...> routes

    @app.errorhandler(OnestopError)
    def _domain(error: OnestopError) -> ResponseReturnValue:
        if _wants_page():
            return render_template("pages/error.html", message=error.message), status_of(error)
        return jsonify(error_body(error.code, error.message, error.details)), status_of(error)

    @app.errorhandler(429)
    def _too_many_requests(error: HTTPException) -> ResponseReturnValue:
        """A public rate limit was hit (webapp.rate_limits); the limiter adds Retry-After to this answer."""
        from webapp.rate_limits import refusal

        message, seconds = refusal()
        if _wants_page():
            return render_template("pages/rate_limited.html", message=message), 429
        return jsonify(error_body("rate_limited", message, {"retry_after": seconds})), 429

    @app.errorhandler(DatabaseUnavailable)
    def _database_unavailable(error: DatabaseUnavailable) -> ResponseReturnValue:
        """The database server is down or restarting (faults/pg_restart.py): a clear 503 the caller may retry,
        never a hung worker or a bare 500; the driver's words stay in the log."""
        log.warning("%s", error.message)
        message = _("数据库暂时不可用，请稍后重试。")
        headers = {"Retry-After": "5"}
        if _wants_page():
            return render_template("pages/error.html", message=message), 503, headers
        return jsonify(error_body(error.code, message)), 503, headers

    @app.errorhandler(413)
    def _too_large(_error: HTTPException) -> ResponseReturnValue:
        """A body over MAX_CONTENT_LENGTH, refused before any view read it: name the limit, page or JSON."""
        limit = int(app.config.get("MAX_CONTENT_LENGTH") or 0)
        size = f"{limit / (1024 * 1024):.3g}"
        message = _("上传内容过大：一次请求不得超过 %(size)s MiB，请缩小文件或分次上传", size=size)
        if _wants_page():
            return render_template("pages/error.html", message=message), 413
        return jsonify(error_body("too_large", message, {"limit_bytes": limit})), 413

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        if _wants_page():
            return render_template("pages/error.html", message=error.description or error.name), error.code or 500
        code = (error.name or "error").lower().replace(" ", "_")
        return jsonify(error_body(code, error.description or error.name)), error.code or 500

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> ResponseReturnValue:
        log.exception("unhandled error")
        return jsonify(error_body("internal_error", "internal server error; nothing was saved")), 500
