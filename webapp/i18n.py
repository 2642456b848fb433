"""Chinese first, English available: Flask-Babel with Chinese source strings and an English catalogue.

The catalogue (webapp/translations/en/LC_MESSAGES/messages.po) is compiled when the app is created, into the
instance folder, so no generated .mo file lives in the repository.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request, session
from flask_babel import Babel, get_locale

SOURCE = Path(__file__).resolve().parent / "translations"
LANGUAGES = {"zh": "中文", "en": "English"}


def _compile(target: Path) -> None:
    for po_path in SOURCE.glob("*/LC_MESSAGES/messages.po"):
        mo_path = target / po_path.relative_to(SOURCE).with_suffix(".mo")
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)


def select_locale() -> str:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return str(session.get("lang", "zh"))


def register(app: Flask, instance_dir: Path, timezone: str = "Asia/Shanghai") -> None:
    """Babel with the compiled catalogues; a ``local`` filter shows instants in the centre's time zone."""
    target = instance_dir / "translations"
    _compile(target)
    app.config.update(BABEL_DEFAULT_LOCALE="zh", BABEL_TRANSLATION_DIRECTORIES=str(target))
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, current_locale=get_locale)
    zone = ZoneInfo(timezone)
    app.jinja_env.filters["local"] = lambda instant, fmt="%Y-%m-%d %H:%M": (
        instant.astimezone(zone).strftime(fmt) if instant else "—"
    )
