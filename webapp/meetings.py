"""Joint-review meeting pages (联审会): the meetings with the next one's agenda, one meeting with its agenda
and the minutes form for the joint-review office, and the open action items (会议督办)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.domain.access import Principal
from engine.errors import ConcurrencyConflict, FormValidationError, InvalidTransition, NotFound, PermissionDenied
from webapp.auth import platform
from webapp.security import login_required, signed_in_principal

bp = Blueprint("meetings", __name__, url_prefix="/meetings")

#: blank action rows the minutes form offers (rows left empty are ignored)
ACTION_ROWS = 5
WARNING_CLASSES = {"overdue": "red", "red": "red", "yellow": "yellow"}
REASON_LABELS = {"blocked": "等待前置", "yellow": "黄色预警", "red": "红色预警", "overdue": "已超期"}


def _principal() -> Principal:
    principal = signed_in_principal()
    assert principal is not None  # login_required ran first
    return principal


def _may_record(principal: Principal) -> bool:
    return principal.is_admin or principal.holds("fast_track_officer", "CENTRE")


def _forbidden() -> ResponseReturnValue:
    return render_template("pages/error.html", message=_("只有工作人员可以查看联审会")), 403


def _common() -> dict[str, Any]:
    return {
        "departments": dict(platform().accounts.departments()),
        "warning_classes": WARNING_CLASSES,
        "reason_labels": REASON_LABELS,
    }


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    principal = _principal()
    service = platform().meetings
    try:
        preview = service.agenda_preview(principal)
        meetings = service.list(principal)
    except PermissionDenied:
        return _forbidden()
    return render_template("pages/meetings_list.html", preview=preview, meetings=meetings, **_common())


def _action_rows() -> list[dict[str, str]]:
    """The minutes form's action rows as posted; a row with nothing in it is no action item."""
    fields = ("description", "department", "workdays", "project_code", "assignee")
    columns = {name: request.form.getlist(f"action_{name}") for name in fields}
    rows = []
    for index in range(max((len(c) for c in columns.values()), default=0)):
        row = {name: (values[index] if index < len(values) else "").strip() for name, values in columns.items()}
        if row["description"] or row["project_code"] or row["assignee"]:
            rows.append(row)
    return rows


def _meeting_page(meeting_id: int, status: int = 200, **extra: Any) -> ResponseReturnValue:
    principal = _principal()
    try:
        meeting = platform().meetings.show(principal, meeting_id)
    except PermissionDenied:
        return _forbidden()
    except NotFound:
        return render_template("pages/error.html", message=_("没有这次会议")), 404
    return render_template(
        "pages/meetings_show.html",
        meeting=meeting,
        may_record=_may_record(principal) and meeting.status.value == "planned",
        action_rows=ACTION_ROWS,
        **_common(),
        **extra,
    ), status


@bp.get("/<int:meeting_id>")
@login_required
def show(meeting_id: int) -> ResponseReturnValue:
    return _meeting_page(meeting_id)


@bp.post("/<int:meeting_id>/minutes")
@login_required
def minutes(meeting_id: int) -> ResponseReturnValue:
    actions = _action_rows()
    decisions = [line.strip() for line in request.form.get("decisions", "").splitlines() if line.strip()]
    values = {"minutes": request.form.get("minutes", ""), "decisions": "\n".join(decisions), "actions": actions}
    try:
        platform().meetings.record_minutes(
            _principal(), meeting_id, request.form.get("minutes", ""), decisions, actions
        )
    except PermissionDenied:
        return render_template("pages/error.html", message=_("只有联审办可以记录会议纪要")), 403
    except FormValidationError as error:
        errors = {e.field: e.message for e in error.field_errors}
        return _meeting_page(meeting_id, 422, errors=errors, values=values)
    except (InvalidTransition, ConcurrencyConflict):
        return _meeting_page(meeting_id, 409, message=_("会议纪要已由他人记录，请查看。"))
    return redirect(url_for("meetings.show", meeting_id=meeting_id))


@bp.get("/actions")
@login_required
def actions() -> ResponseReturnValue:
    try:
        rows = platform().meetings.open_actions(_principal())
    except PermissionDenied:
        return _forbidden()
    return render_template("pages/meetings_actions.html", rows=rows, **_common())
