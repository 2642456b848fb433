"""Task extras in the JSON API: attachments (multipart upload, list, download), comments, 转办 transfer, and
the case beside a task."""

from __future__ import annotations

import io
from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from webapp.api import bp
from webapp.api.render import json_body, jsonable
from webapp.api.tasks import _inbox_item
from webapp.auth import current_principal, platform
from webapp.clerk_files import download_response

ATTACHMENT_FIELDS = ("id", "task_id", "case_no", "filename", "content_type", "size", "sha256", "uploaded_by")


def _attachment(attachment: Any) -> dict[str, Any]:
    body = {name: getattr(attachment, name) for name in ATTACHMENT_FIELDS}
    body["uploaded_at"] = attachment.uploaded_at.isoformat()
    return body


def _comment(comment: Any) -> dict[str, Any]:
    return {
        "id": comment.id,
        "task_id": comment.task_id,
        "author": comment.author,
        "body": comment.body,
        "created_at": comment.created_at.isoformat(),
    }


@bp.get("/tasks/<task_id>/attachments")
def task_attachments(task_id: str) -> ResponseReturnValue:
    """Every attachment of the task's case, oldest first."""
    return jsonify([_attachment(a) for a in platform().task_files.attachments(current_principal(), task_id)])


@bp.post("/tasks/<task_id>/attachments")
def upload_attachment(task_id: str) -> ResponseReturnValue:
    """multipart/form-data with one ``file``: 201; 422 ``details: [{field: "file", message}]`` when refused."""
    file = request.files.get("file")
    name, stream = (file.filename or "", file.stream) if file is not None else ("", io.BytesIO())
    return jsonify(_attachment(platform().task_files.upload(current_principal(), task_id, name, stream))), 201


@bp.get("/attachments/<int:attachment_id>")
def download_attachment(attachment_id: int) -> ResponseReturnValue:
    attachment, path = platform().task_files.open(current_principal(), attachment_id)
    return download_response(attachment, path)


@bp.get("/tasks/<task_id>/comments")
def task_comments(task_id: str) -> ResponseReturnValue:
    return jsonify([_comment(c) for c in platform().task_files.comments(current_principal(), task_id)])


@bp.post("/tasks/<task_id>/comments")
def add_comment(task_id: str) -> ResponseReturnValue:
    """``{"body": "..."}``: 201 with the comment."""
    body = json_body().get("body")
    text = body if isinstance(body, str) else ""
    return jsonify(_comment(platform().task_files.add_comment(current_principal(), task_id, text))), 201


@bp.post("/tasks/<task_id>/transfer")
def transfer_task(task_id: str) -> ResponseReturnValue:
    """``{"department", "reason"}``: the task in its new department (unclaimed)."""
    body = json_body()
    department, reason = body.get("department"), body.get("reason")
    moved = platform().tasks.transfer(
        current_principal(),
        task_id,
        department if isinstance(department, str) else "",
        reason if isinstance(reason, str) else "",
    )
    return jsonify(_inbox_item(moved))


@bp.get("/tasks/<task_id>/case")
def task_case(task_id: str) -> ResponseReturnValue:
    """The task's case with the applicant masked, its materials checklist and notices; null without a case."""
    panel = platform().tasks.case_panel(current_principal(), task_id)
    if panel is None:
        return jsonify(None)
    body = jsonable(panel.__dict__)
    body["materials"] = [{**jsonable(m.__dict__), "state": m.state} for m in panel.materials]
    body["notices"] = [jsonable(n.__dict__) for n in panel.notices]
    return jsonify(body)
