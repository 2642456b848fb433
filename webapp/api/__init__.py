"""The JSON API under /api/v1 (see ../shared/design/api-contract.md).

Every route needs a bearer token except the few public ones below; the token is checked before the route reads
its arguments, so a caller without one learns nothing, not even which arguments a route would refuse.
"""

from __future__ import annotations

from flask import Blueprint, request

from webapp.auth import current_principal

bp = Blueprint("api", __name__, url_prefix="/api/v1")

#: routes anyone may call: signing in, the API description, the service guide, and the applicant's own case
PUBLIC_RULES = frozenset({"/api/v1/auth/token", "/api/v1/openapi.json", "/api/v1/items", "/api/v1/items/<code>"})
PUBLIC_PREFIX = "/api/v1/public/"


@bp.before_request
def _authenticate() -> None:
    rule = request.url_rule.rule if request.url_rule is not None else ""
    if rule in PUBLIC_RULES or rule.startswith(PUBLIC_PREFIX):
        return
    current_principal()  # raises AuthenticationFailed → 401


# the modules register their routes on bp
from webapp.api import (  # noqa: E402,F401
    accountability,
    agency,
    cases,
    centre,
    complaint_desk,
    definitions,
    diagrams,
    discipline,
    feedback,
    instances,
    meetings,
    migration,
    misc,
    organisation,
    projects,
    rectification,
    stats,
    supervision,
    task_files,
    tasks,
    towns,
    warnings,
)
