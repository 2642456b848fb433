"""Map the engine's error tree to HTTP statuses, in one place, as ``{"error": {code, message, details}}``."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from engine.errors import (
    AuthenticationFailed,
    CalendarError,
    ConcurrencyConflict,
    FormValidationError,
    InvalidTransition,
    NotFound,
    OnestopError,
    PermissionDenied,
    ProcessDefinitionError,
    ScriptError,
)

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
]


def status_of(error: OnestopError) -> int:
    return next((status for cls, status in STATUS if isinstance(error, cls)), 400)


def error_body(code: str, message: str, details: object = None) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "details": details}}


def _wants_page() -> bool:
    """Browser pages get an HTML error page; the JSON API always gets the JSON error body."""
    return not request.path.startswith("/api/")


def register(app: Flask) -> None:
    @app.errorhandler(OnestopError)
    def _domain(error: OnestopError) -> ResponseReturnValue:
        if _wants_page():
            return render_template("pages/error.html", message=error.message), status_of(error)
        return jsonify(error_body(error.code, error.message, error.details)), status_of(error)

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
