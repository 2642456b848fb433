"""Bearer-token authentication for the JSON API: who is calling, or 401."""

from __future__ import annotations

from flask import current_app, g, request

from engine.bootstrap import Platform
from engine.domain.access import Principal
from engine.errors import AuthenticationFailed


def platform() -> Platform:
    return current_app.extensions["onestop"]  # type: ignore[no-any-return]


def current_principal() -> Principal:
    cached = g.get("principal")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("send Authorization: Bearer <token> (POST /api/v1/auth/token)")
    principal = platform().accounts.principal_for_token(token.strip())
    g.principal = principal
    return principal
