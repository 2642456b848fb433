"""The JSON API under /api/v1 (see ../shared/design/api-contract.md)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from webapp.api import cases, centre, definitions, instances, misc, organisation, tasks  # noqa: E402,F401  (routes register on bp)
