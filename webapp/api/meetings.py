"""Joint-review meetings (联审会) over the API: the next meeting's agenda, the meetings, one meeting with its
action items, recording the minutes, and the open action items (会议督办)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from engine.services.meeting_views import ActionView, AgendaPreview, MeetingView
from webapp.api import bp
from webapp.api.render import json_body, pick
from webapp.auth import current_principal, platform

ACTION_FIELDS = (
    "id", "meeting_id", "held_on", "number", "business_key", "description", "department", "project_code",
    "assignee", "due_at", "status", "overdue", "created_at", "done_at", "done_by", "done_note", "instance_id",
    "task_id",
)  # fmt: skip
MEETING_FIELDS = (
    "id", "held_on", "scheduled_at", "chair", "status", "agenda", "minutes", "decisions", "created_at", "held_at",
    "recorded_by",
)  # fmt: skip


def action_json(action: ActionView) -> dict[str, Any]:
    return pick(action, *ACTION_FIELDS)


def meeting_json(meeting: MeetingView, *, with_actions: bool = True) -> dict[str, Any]:
    body = pick(meeting, *MEETING_FIELDS)
    if with_actions:
        body["actions"] = [action_json(a) for a in meeting.actions]
    return body


def preview_json(preview: AgendaPreview | None) -> dict[str, Any] | None:
    if preview is None:
        return None
    return pick(preview, "held_on", "scheduled_at", "chair", "convened", "meeting_id", "entries")


@bp.get("/meetings/agenda")
def meeting_agenda() -> ResponseReturnValue:
    """The next meeting and its agenda (as convened, or built live from the projects board until then)."""
    preview = platform().meetings.agenda_preview(current_principal())
    return jsonify({"next": preview_json(preview)})


@bp.get("/meetings")
def list_meetings() -> ResponseReturnValue:
    """Meetings, latest first (staff)."""
    meetings = platform().meetings.list(current_principal())
    return jsonify([meeting_json(m, with_actions=False) for m in meetings])


@bp.get("/meetings/actions")
def open_meeting_actions() -> ResponseReturnValue:
    """Action items not yet done, earliest due first, overdue ones marked (all departments for the joint-review
    office and supervisors, else the caller's own)."""
    department = request.args.get("department") or None
    actions = platform().meetings.open_actions(current_principal(), department)
    return jsonify([action_json(a) for a in actions])


@bp.get("/meetings/<int:meeting_id>")
def show_meeting(meeting_id: int) -> ResponseReturnValue:
    return jsonify(meeting_json(platform().meetings.show(current_principal(), meeting_id)))


@bp.post("/meetings/<int:meeting_id>/minutes")
def record_meeting_minutes(meeting_id: int) -> ResponseReturnValue:
    """{minutes, decisions: [text], actions: [{description, department, workdays, project_code?, assignee?}]}"""
    body = json_body()
    meeting = platform().meetings.record_minutes(
        current_principal(), meeting_id, body.get("minutes"), body.get("decisions", []), body.get("actions", [])
    )
    return jsonify(meeting_json(meeting))
