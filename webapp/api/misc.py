"""Tokens, messages and the OpenAPI description."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

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
        from engine.errors import FieldError, FormValidationError

        raise FormValidationError("a message needs a name", [FieldError("name", "required")])
    correlation = body.get("correlation_key")
    delivered = platform().messages.send(
        current_principal(), name, None if correlation is None else str(correlation), body.get("payload")
    )
    return jsonify({"delivered_to": delivered})


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(document())
