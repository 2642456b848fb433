"""Window discipline and public disclosure over the API: signing in and out, leaving and returning to the post,
approving an absence, the live window view (supervision), the public window and announcements boards, and
editing announcements and staff cards."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue

from webapp.api import bp
from webapp.api.render import json_body, jsonable
from webapp.auth import current_principal, platform

ANNOUNCEMENT_FIELDS = ("id", "title", "body", "category", "published_at", "pinned", "author", "updated_at",
                       "withdrawn_at")  # fmt: skip
PUBLIC_ANNOUNCEMENT_FIELDS = ("id", "title", "body", "category", "published_at", "pinned")


def _fields(row: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: jsonable(row.get(name)) for name in names}


@bp.post("/attendance/sign-in")
def attendance_sign_in() -> ResponseReturnValue:
    """Sign in at the caller's window for the session under way (or the next one today)."""
    return jsonify(jsonable(platform().discipline.sign_in(current_principal()))), 201


@bp.post("/attendance/sign-out")
def attendance_sign_out() -> ResponseReturnValue:
    return jsonify(jsonable(platform().discipline.sign_out(current_principal())))


@bp.post("/attendance/leave")
def attendance_leave() -> ResponseReturnValue:
    """{reason}: leave the post (离岗) while signed in."""
    reason = json_body().get("reason")
    row = platform().discipline.leave_post(current_principal(), reason if isinstance(reason, str) else "")
    return jsonify(jsonable(row)), 201


@bp.post("/attendance/return")
def attendance_return() -> ResponseReturnValue:
    return jsonify(jsonable(platform().discipline.return_to_post(current_principal())))


@bp.post("/attendance/leaves/<int:leave_id>/approve")
def attendance_approve_leave(leave_id: int) -> ResponseReturnValue:
    return jsonify(jsonable(platform().discipline.approve_leave(current_principal(), leave_id)))


@bp.get("/attendance/today")
def attendance_today() -> ResponseReturnValue:
    """The caller's window, sessions and absences today."""
    mine = platform().discipline.my_day(current_principal())
    mine.pop("rules")
    return jsonify(jsonable(mine))


@bp.get("/windows/live")
def windows_live() -> ResponseReturnValue:
    """Every window now: staffed, away, unstaffed or closed, with its officers and today's breaches."""
    return jsonify(jsonable(platform().discipline.live_windows(current_principal())))


@bp.get("/public/windows")
def public_windows() -> ResponseReturnValue:
    return jsonify(jsonable(platform().discipline.public_windows()))


@bp.get("/public/announcements")
def public_announcements() -> ResponseReturnValue:
    rows = platform().disclosure.announcements()
    return jsonify([_fields(r, PUBLIC_ANNOUNCEMENT_FIELDS) for r in rows])


@bp.get("/announcements")
def list_announcements() -> ResponseReturnValue:
    rows = platform().disclosure.all_announcements(current_principal())
    return jsonify([_fields(r, ANNOUNCEMENT_FIELDS) for r in rows])


@bp.post("/announcements")
def publish_announcement() -> ResponseReturnValue:
    row = platform().disclosure.publish(current_principal(), json_body())
    return jsonify(_fields(row, ANNOUNCEMENT_FIELDS)), 201


@bp.patch("/announcements/<int:announcement_id>")
def change_announcement(announcement_id: int) -> ResponseReturnValue:
    row = platform().disclosure.update(current_principal(), announcement_id, json_body())
    return jsonify(_fields(row, ANNOUNCEMENT_FIELDS))


@bp.get("/staff-cards")
def list_staff_cards() -> ResponseReturnValue:
    return jsonify(jsonable(platform().disclosure.staff_cards(current_principal())))


@bp.put("/staff-cards/<username>")
def set_staff_card(username: str) -> ResponseReturnValue:
    return jsonify(jsonable(platform().disclosure.set_card(current_principal(), username, json_body())))
