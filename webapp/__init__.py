"""Thin Flask app over the engine services: the JSON API now, the workbench pages as they come."""

from __future__ import annotations

from typing import Any

from flask import Flask

from engine.bootstrap import Platform, build_platform
from engine.config import Settings


def create_app(
    platform: Platform | None = None, settings: Settings | None = None, config: dict[str, Any] | None = None
) -> Flask:
    app = Flask(__name__)
    platform = platform or build_platform(settings or Settings.from_env())
    secret = platform.settings.secret_key
    app.config.update(
        SECRET_KEY=secret, MAX_CONTENT_LENGTH=platform.settings.max_definition_bytes * 4, JSON_AS_ASCII=False
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.config.update(config or {})
    app.extensions["onestop"] = platform

    from webapp import clerk, errors, i18n, pages, public, security, web_auth
    from webapp.api import bp as api_bp

    errors.register(app)
    security.register(app)
    i18n.register(app, platform.settings.instance_dir, platform.settings.timezone)
    app.register_blueprint(api_bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(web_auth.bp)
    app.register_blueprint(clerk.bp)
    app.register_blueprint(public.bp)
    return app
