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

    from webapp import admin, clerk, designer, errors, i18n, intake, navigation, pages, public, security, web_auth
    from webapp.accountability_pages import bp as accountability_bp
    from webapp.agency import bp as agency_bp
    from webapp.api import bp as api_bp
    from webapp.boards import bp as boards_bp
    from webapp.clerk_files import bp as clerk_files_bp
    from webapp.discipline import bp as discipline_bp
    from webapp.feedback_pages import bp as feedback_bp
    from webapp.hotline_pages import bp as hotline_bp
    from webapp.meetings import bp as meetings_bp
    from webapp.migration_pages import bp as migration_bp
    from webapp.projects import bp as projects_bp
    from webapp.rate_limits import register as register_rate_limits
    from webapp.rectification_pages import bp as rectification_bp
    from webapp.reports import bp as reports_bp
    from webapp.supervision import bp as supervision_bp
    from webapp.surveys_pages import bp as surveys_bp
    from webapp.towns import bp as towns_bp
    from webapp.warnings_pages import bp as warnings_bp

    errors.register(app)
    security.register(app)
    navigation.register(app)
    i18n.register(app, platform.settings.instance_dir, platform.settings.timezone)
    app.register_blueprint(api_bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(web_auth.bp)
    app.register_blueprint(clerk.bp)
    app.register_blueprint(clerk_files_bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(feedback_bp)
    app.register_blueprint(rectification_bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(intake.bp)
    app.register_blueprint(designer.bp)
    app.register_blueprint(migration_bp)
    app.register_blueprint(projects_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(discipline_bp)
    app.register_blueprint(boards_bp)
    app.register_blueprint(warnings_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(accountability_bp)
    app.register_blueprint(supervision_bp)
    app.register_blueprint(hotline_bp)
    app.register_blueprint(surveys_bp)
    app.register_blueprint(agency_bp)
    app.register_blueprint(towns_bp)
    register_rate_limits(app, platform.settings)  # after every blueprint: it wraps public views
    return app
