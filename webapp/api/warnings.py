"""Warning cards (黄牌/红牌) and in-app notifications over the API: list and issue cards, appeal, revoke and
escalate them; a user's own notifications and marking one read."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from webapp.api import bp
from webapp.api.render import json_body, jsonable
from webapp.auth import current_principal, platform

WARNING_FIELDS = (
    "id", "case_no", "item_code", "department", "handler", "step", "level", "level_label", "trigger",
    "trigger_label", "status", "status_label", "issued_at", "issued_by", "text", "appeal_text", "appealed_by",
    "appealed_at", "revoked_reason", "revoked_by", "revoked_at", "escalated_by", "escalated_at", "violation_id",
)  # fmt: skip
NOTIFICATION_FIELDS = ("id", "at", "kind", "text", "link", "read_at")
FILTERS = ("status", "level", "department", "case_no")


def warning_json(row: dict[str, Any]) -> dict[str, Any]:
    return {name: jsonable(row.get(name)) for name in WARNING_FIELDS}


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    return value if isinstance(value, str) else ""


@bp.get("/warnings")
def list_warnings() -> ResponseReturnValue:
    """Cards, latest first: all for the supervision window, a department's and one's own for staff."""
    filters = {name: request.args.get(name) for name in FILTERS}
    return jsonify([warning_json(w) for w in platform().warnings.find(current_principal(), filters)])


@bp.post("/warnings")
def issue_warning() -> ResponseReturnValue:
    """The supervision window issues a card after an inspection: {case_no, trigger, text, level?, handler?, step?}"""
    return jsonify(warning_json(platform().warnings.issue(current_principal(), json_body()))), 201


@bp.get("/warnings/<int:warning_id>")
def show_warning(warning_id: int) -> ResponseReturnValue:
    return jsonify(warning_json(platform().warnings.get(current_principal(), warning_id)))


@bp.post("/warnings/<int:warning_id>/appeal")
def appeal_warning(warning_id: int) -> ResponseReturnValue:
    """申诉 by the handler or the department's chief representative: {text}"""
    card = platform().warnings.appeal(current_principal(), warning_id, _text(json_body(), "text"))
    return jsonify(warning_json(card))


@bp.post("/warnings/<int:warning_id>/revoke")
def revoke_warning(warning_id: int) -> ResponseReturnValue:
    """撤销 with a reason (supervision window): {reason}; a red card's accountability entry is marked revoked."""
    card = platform().warnings.revoke(current_principal(), warning_id, _text(json_body(), "reason"))
    return jsonify(warning_json(card))


@bp.post("/warnings/<int:warning_id>/escalate")
def escalate_warning(warning_id: int) -> ResponseReturnValue:
    """督办 (supervision window): {note?}"""
    body = request.get_json(silent=True)
    note = _text(body, "note") if isinstance(body, dict) else ""
    return jsonify(warning_json(platform().warnings.escalate(current_principal(), warning_id, note)))


@bp.get("/notifications")
def list_notifications() -> ResponseReturnValue:
    """The caller's own notifications, latest first (?unread=1: unread only), with the unread count."""
    principal = current_principal()
    service = platform().notifications
    unread_only = request.args.get("unread") in {"1", "true"}
    items = service.mine(principal, unread_only=unread_only)
    return jsonify(
        {
            "unread": service.unread_count(principal),
            "items": [{name: jsonable(n.get(name)) for name in NOTIFICATION_FIELDS} for n in items],
        }
    )


@bp.post("/notifications/<int:notification_id>/read")
def read_notification(notification_id: int) -> ResponseReturnValue:
    principal = current_principal()
    platform().notifications.mark_read(principal, notification_id)
    return jsonify({"id": notification_id, "unread": platform().notifications.unread_count(principal)})
