"""One-time tokens for forms whose double submission would create a record twice (a case, a project)."""

from __future__ import annotations

import secrets

from flask import session


def new_nonce(key: str, keep: int = 20) -> str:
    """A fresh token for one rendering of the form, remembered in the session (the last ``keep`` of them)."""
    nonce = secrets.token_urlsafe(16)
    session[key] = [*session.get(key, [])[-(keep - 1) :], nonce]
    return nonce


def spend_nonce(key: str, nonce: str) -> bool:
    """True the first time ``nonce`` comes back; False for an unknown or already spent one."""
    known = list(session.get(key, []))
    if nonce not in known:
        return False
    known.remove(nonce)
    session[key] = known
    return True
