"""Chinese first, English available: Flask-Babel with Chinese source strings and an English catalogue.

Each area of the workbench keeps its own catalogue (webapp/translations/en/LC_MESSAGES/<area>.po, so parallel
work on different pages never edits one file); all of a language's catalogues are merged and compiled into one
messages.mo in the instance folder when the app is created, so no generated .mo file lives in the repository.
Two catalogues translating one message differently is an error, not a silent pick.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request, session
from flask_babel import Babel, get_locale

SOURCE = Path(__file__).resolve().parent / "translations"
LANGUAGES = {"zh": "中文", "en": "English"}


def merged_catalog(language_dir: Path) -> Catalog:
    """All of one language's area catalogues as one; a message translated two ways raises ValueError."""
    merged = Catalog(locale=language_dir.name)
    for po_path in sorted((language_dir / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        for message in catalog:
            if not message.id:
                continue
            known = merged.get(message.id)
            if known is not None and known.string != message.string:
                raise ValueError(f"{po_path.name}: {message.id!r} is translated differently in another catalogue")
            merged[message.id] = message
    return merged


def _compile(target: Path) -> None:
    for language_dir in SOURCE.iterdir():
        if not (language_dir / "LC_MESSAGES").is_dir():
            continue
        mo_path = target / language_dir.name / "LC_MESSAGES" / "messages.mo"
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, merged_catalog(language_dir))


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
