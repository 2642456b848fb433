"""The task page's side forms: upload and download attachments, add comments, transfer the task to another
department (转办), and open the case's notices (文书) as printable pages. A refused form shows the task page
again with the field error (422); strangers get the error page (403/404 via webapp.errors)."""

from __future__ import annotations

import io
from pathlib import PurePath
from urllib.parse import quote

from flask import Blueprint, Response, flash, redirect, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.domain.access import Principal
from engine.domain.attachments import Attachment
from engine.errors import ConcurrencyConflict, FormValidationError, InvalidTransition
from webapp.auth import platform
from webapp.clerk import task_page
from webapp.form_render import errors_by_field
from webapp.notices import render_notice
from webapp.security import login_required, signed_in_principal

bp = Blueprint("clerk_files", __name__)


def _clerk() -> Principal:
    principal = signed_in_principal()
    assert principal is not None  # login_required ran first
    return principal


def _back_to(task_id: str, anchor: str) -> ResponseReturnValue:
    return redirect(url_for("clerk.task", task_id=task_id, _anchor=anchor), 303)


@bp.post("/tasks/<task_id>/attachments")
@login_required
def upload(task_id: str) -> ResponseReturnValue:
    file = request.files.get("file")
    name, stream = (file.filename or "", file.stream) if file is not None else ("", io.BytesIO())
    try:
        platform().task_files.upload(_clerk(), task_id, name, stream)
    except FormValidationError as error:
        return task_page(task_id, status=422, file_errors=errors_by_field(error.details or []))
    return _back_to(task_id, "attachments")


def content_disposition(attachment: Attachment) -> str:
    """``attachment`` with an ASCII fallback name and the real name per RFC 5987 (Chinese names survive)."""
    name = attachment.filename
    plain = name.isascii() and name.isprintable() and not any(c in name for c in '"\\;')
    fallback = name if plain else f"attachment-{attachment.id}{PurePath(name).suffix.lower()}"
    if not fallback.isascii():
        fallback = f"attachment-{attachment.id}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_response(attachment: Attachment, path: object) -> Response:
    """The file as a download: never rendered inline, never sniffed, never cached by shared caches."""
    response = send_file(str(path), mimetype=attachment.content_type, conditional=False, max_age=0)
    response.headers["Content-Disposition"] = content_disposition(attachment)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int) -> ResponseReturnValue:
    attachment, path = platform().task_files.open(_clerk(), attachment_id)
    return download_response(attachment, path)


@bp.post("/tasks/<task_id>/comments")
@login_required
def comment(task_id: str) -> ResponseReturnValue:
    body = request.form.get("body", "")
    try:
        platform().task_files.add_comment(_clerk(), task_id, body)
    except FormValidationError as error:
        return task_page(task_id, status=422, comment_errors=errors_by_field(error.details or []), comment_body=body)
    return _back_to(task_id, "comments")


@bp.post("/tasks/<task_id>/transfer")
@login_required
def transfer(task_id: str) -> ResponseReturnValue:
    department, reason = request.form.get("department", ""), request.form.get("reason", "")
    try:
        moved = platform().tasks.transfer(_clerk(), task_id, department, reason)
    except FormValidationError as error:
        values = {"department": department, "reason": reason}
        return task_page(task_id, status=422, transfer_errors=errors_by_field(error.details or []), transfer=values)
    except (ConcurrencyConflict, InvalidTransition) as error:
        return task_page(task_id, message=error.message, status=409)
    names = dict(platform().accounts.departments())
    flash(_("「%(task)s」已转办至%(department)s", task=moved.name, department=names.get(department, department)))
    return redirect(url_for("clerk.inbox"), 303)


@bp.get("/tasks/<task_id>/notices/<int:notice_id>")
@login_required
def notice(task_id: str, notice_id: int) -> ResponseReturnValue:
    """A notice of the task's case as its printable page, for whoever may work on the task."""
    content = platform().tasks.case_notice(_clerk(), task_id, notice_id)["content"]
    return Response(render_notice(content, timezone=platform().settings.timezone), mimetype="text/html")
