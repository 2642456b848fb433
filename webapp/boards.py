"""Public boards (no sign-in): the window board (窗口工作人员信息公示栏: each window's officer on duty with name,
staff number, items handled and office phone) and the announcements board (政务信息公开栏)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from webapp.auth import platform

bp = Blueprint("boards", __name__, url_prefix="/public")


@bp.get("/windows")
def windows() -> ResponseReturnValue:
    return render_template("pages/public_windows.html", windows=platform().discipline.public_windows())


@bp.get("/announcements")
def announcements() -> ResponseReturnValue:
    return render_template("pages/public_announcements.html", rows=platform().disclosure.announcements())
