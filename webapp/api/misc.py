"""Tokens, messages and the OpenAPI description."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from engine.errors import FieldError, FormValidationError
from webapp.api import bp
from webapp.api.openapi import document
from webapp.api.render import json_body
from webapp.auth import current_principal, platform


@bp.post("/auth/token")
def issue_token() -> ResponseReturnValue:
    body = json_body()
    accounts = platform().accounts
    principal = accounts.authenticate(str(body.get("username", "")), str(body.get("password", "")))
    return jsonify(
        {
            "token": accounts.issue_token(principal),
            "username": principal.username,
            "roles": [{"role": r, "department": d} for r, d in principal.roles_by_department()],
        }
    )


@bp.post("/messages")
def send_message() -> ResponseReturnValue:
    body = json_body()
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise FormValidationError("a message needs a name", [FieldError("name", "required")])
    correlation = body.get("correlation_key")
    if not isinstance(correlation, str | int) or isinstance(correlation, bool) or str(correlation) == "":
        raise FormValidationError("a message needs a correlation key", [FieldError("correlation_key", "required")])
    delivered = platform().messages.send(current_principal(), name, str(correlation), body.get("payload"))
    return jsonify({"delivered_to": delivered})


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(document())
