"""English is available for every page: each message the workbench marks for translation has an English entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from webapp.i18n import SOURCE, merged_catalog

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.do"}}


def _marked_messages() -> dict[str, str]:
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(WEBAPP), METHODS, OPTIONS, keywords={"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}
    ):
        text = message[0] if isinstance(message, tuple) else message
        if text:
            found.setdefault(text, f"webapp/{filename}:{lineno}")
    return found


def test_every_marked_message_has_an_english_translation() -> None:
    english = merged_catalog(SOURCE / "en")
    missing = []
    for text, where in sorted(_marked_messages().items()):
        entry = english.get(text)
        if entry is None or not entry.string:
            missing.append(f"{where}: {text}")
    assert not missing, "add these to an area catalogue under webapp/translations/en/LC_MESSAGES/:\n" + "\n".join(
        missing
    )


def test_catalogues_that_disagree_on_a_message_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    entry = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "办件"\nmsgstr "{}"\n'
    (folder / "a.po").write_text(entry.format("Case"), encoding="utf-8")
    (folder / "b.po").write_text(entry.format("File"), encoding="utf-8")
    with pytest.raises(ValueError, match="translated differently"):
        merged_catalog(tmp_path / "en")
