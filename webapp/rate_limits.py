"""Per-client-IP rate limits on the public endpoints (Flask-Limiter), so nobody can guess query codes or flood
the public forms; staff pages and the staff API are never limited.

The limits live here, in one table by endpoint, and are applied to the registered views after every blueprint
is in place, so the public modules stay free of limiter code and a new public endpoint is limited by adding one
line. The page and the API count together (a shared scope), so switching between them buys no extra guesses.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import Flask, Response, current_app, request
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from engine.config import Settings
from webapp.security import signed_in_principal

LOOKUP, LOOKUP_MISS, PUBLIC_FORMS = "public-lookup", "public-lookup-miss", "public-forms"


@dataclass(frozen=True)
class Rule:
    scope: str
    endpoints: tuple[str, ...]
    methods: tuple[str, ...]
    only_misses: bool = False  # count a request only when its answer is "no such case" (404)


#: which endpoints each limit guards; the limit values come from the settings (engine.config)
LOOKUP_PAGE, LOOKUP_API = ("public.lookup",), ("api.public_case", "api.public_notices", "api.public_notice_html")
RULES: tuple[Rule, ...] = (
    # the case lookup by case number + query code: the page's POST (its GET only shows the empty form) and the API
    Rule(LOOKUP, LOOKUP_PAGE, ("POST",)),
    Rule(LOOKUP, LOOKUP_API, ("GET",)),
    Rule(LOOKUP_MISS, LOOKUP_PAGE, ("POST",), only_misses=True),
    Rule(LOOKUP_MISS, LOOKUP_API, ("GET",), only_misses=True),
    # what the public can post: 好差评, the rating of a rectification, complaints, survey answers (pages and API)
    Rule(
        PUBLIC_FORMS,
        (
            "feedback.evaluate",
            "feedback.complaint",
            "rectification.rate_fix",
            "surveys.answer",
            "api.evaluate_case",
            "api.rate_fix_public",
            "api.file_complaint",
            "api.public_response",
        ),
        ("POST",),
    ),
)


def _limit_of(settings: Settings, scope: str) -> str:
    return {
        LOOKUP: settings.ratelimit_lookup,
        LOOKUP_MISS: settings.ratelimit_lookup_miss,
        PUBLIC_FORMS: settings.ratelimit_public_forms,
    }[scope]


def _missed(response: Response) -> bool:
    return response.status_code == 404


def _staff_signed_in() -> bool:
    """A signed-in officer looking a case up for an applicant at the window is not a guesser."""
    return signed_in_principal() is not None


def register(app: Flask, settings: Settings) -> Limiter:
    """Wrap the public views in their limits; call after every blueprint is registered."""
    if settings.trusted_proxy_hops > 0:
        # only then is X-Forwarded-For believed: the last `hops` entries were written by proxies we run
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxy_hops)  # type: ignore[method-assign]
    app.config.setdefault("RATELIMIT_ENABLED", settings.ratelimit_enabled)
    limiter = Limiter(
        key_func=get_remote_address,
        app=app,
        storage_uri=settings.ratelimit_storage_uri,
        headers_enabled=True,  # Retry-After on a 429 (and X-RateLimit-* on limited answers)
        strategy="fixed-window",
        key_prefix="onestop",
    )
    app.extensions["onestop_limiter"] = limiter
    for rule in RULES:
        limit = limiter.shared_limit(
            _limit_of(settings, rule.scope),
            scope=rule.scope,
            methods=list(rule.methods),
            deduct_when=_missed if rule.only_misses else None,
            exempt_when=_staff_signed_in,
        )
        for endpoint in rule.endpoints:
            view = app.view_functions.get(endpoint)
            if view is not None:  # an area left out of this app has nothing to limit
                app.view_functions[endpoint] = limit(view)  # type: ignore[assignment]
    return limiter


def refusal() -> tuple[str, int]:
    """The words for a refused (429) request and the seconds until the breached limit's window ends."""
    limiter = current_app.extensions.get("onestop_limiter")
    current = limiter.current_limit if limiter is not None else None
    seconds = max(1, int(current.reset_at - time.time())) if current is not None else 60
    if request.endpoint in LOOKUP_PAGE + LOOKUP_API:
        return _("查询过于频繁，请稍后再试（约 %(seconds)s 秒后）。", seconds=seconds), seconds
    return _("提交过于频繁，请稍后再试（约 %(seconds)s 秒后）。", seconds=seconds), seconds
