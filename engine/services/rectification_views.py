"""How a bad-review work order (差评工单) reads in lists and on its page: labels, lateness and the evaluator
masked (the call back reaches the case's applicant; staff never see more than a masked name and phone)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.domain.feedback import Level, Stage, mask_name, mask_phone
from engine.domain.rectification import (
    CLASSIFICATIONS,
    FIX_RATINGS,
    Classification,
    WorkOrderStatus,
    business_key,
    on_time,
)

#: what a view carries (the API's fields, too); the applicant's stored data never leaves this module unmasked
FIELDS = (
    "id", "number", "evaluation_id", "case_no", "department", "instance_id", "status", "status_label", "open",
    "level", "level_label", "stage", "stage_label", "channel", "comment", "evaluated_at", "evaluator",
    "issued_at", "callback_due_at", "called_back_at", "called_back_by", "callback_note", "callback_on_time",
    "callback_late", "classification", "classification_label", "classified_at", "classified_by", "measures",
    "due_at", "result", "rectified_at", "feedback_at", "feedback_by", "feedback", "rectified_on_time",
    "rectification_late", "appeal_reason", "appeal_decided_at", "appeal_decided_by", "appeal_approved",
    "excluded", "fix_rating", "fix_rating_label", "fix_rated_at", "fix_rating_channel", "fix_comment", "closed_at",
)  # fmt: skip


def masked_evaluator(applicant: dict[str, Any] | None) -> dict[str, str]:
    person = applicant or {}
    return {"name": mask_name(str(person.get("name") or "")), "phone": mask_phone(str(person.get("phone") or ""))}


def _late(done_at: datetime | None, due_at: datetime, now: datetime) -> bool:
    """Done after the deadline, or not done and the deadline has passed."""
    return (done_at is None and due_at <= now) or (done_at is not None and done_at > due_at)


def work_order_view(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    status = WorkOrderStatus(row["status"])
    classification = Classification(row["classification"]) if row.get("classification") else None
    view = {name: row.get(name) for name in FIELDS}
    view.update(
        number=business_key(row["evaluation_id"]),
        status_label=status.label,
        open=status.open,
        level_label=Level(row["level"]).label,
        stage_label=Stage(row["stage"]).label,
        evaluator=masked_evaluator(row.get("applicant")),
        callback_on_time=on_time(row["called_back_at"], row["callback_due_at"]),
        callback_late=_late(row["called_back_at"], row["callback_due_at"], now),
        classification_label=CLASSIFICATIONS[classification] if classification else "",
        rectified_on_time=on_time(row["feedback_at"], row["due_at"]),
        # an excluded review or one still under appeal has nothing to be late with
        rectification_late=status is not WorkOrderStatus.EXCLUDED and _late(row["feedback_at"], row["due_at"], now),
        excluded=bool(row.get("excluded")),
        fix_rating_label=FIX_RATINGS.get(row.get("fix_rating") or "", ""),
    )
    return view
