"""The rules of the bad-review rectification loop (差评整改, domain §7.3): the classifications a department may
give a bad review, the states of its work order, the three levels of the evaluator's rating of the fix, the
default time limits, and when a call back or a rectification counts as on time.

Pure: engine.services.rectification stores and follows the process; this module only says what the rules are.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime

__all__ = [
    "CALLBACK_WORKDAYS", "CLASSIFICATIONS", "FIX_RATINGS", "RATING_WORKDAYS", "RECTIFICATION_WORKDAYS",
    "Classification", "WorkOrderStatus", "business_key", "on_time",
]  # fmt: skip

#: call the evaluator back within 1 working day (domain §7.3, proposed default)
CALLBACK_WORKDAYS = 1
#: rectify within 5 working days by default (德州, 项城); ONESTOP_RECTIFICATION_DAYS changes it (5/7/15)
RECTIFICATION_WORKDAYS = 5
#: how long the evaluator has to rate the fix before the work order closes unrated (voluntary: no reminder)
RATING_WORKDAYS = 5


class Classification(enum.StrEnum):
    """How the department handles the review after calling back and verifying (domain §7.3)."""

    FIX_NOW = "fix_now"  # facts clear, request reasonable: 立行立改
    LEDGER = "ledger"  # complex: 台账 with a deadline
    EXPLAIN = "explain"  # no legal basis for the request: 解释说明
    APPEAL = "appeal"  # mistaken or malicious: 申诉复核 to exclude the review

    @property
    def label(self) -> str:
        return CLASSIFICATIONS[self]


CLASSIFICATIONS: Mapping[Classification, str] = {
    Classification.FIX_NOW: "立行立改",
    Classification.LEDGER: "列入台账限期整改",
    Classification.EXPLAIN: "解释说明",
    Classification.APPEAL: "申诉复核",
}


class WorkOrderStatus(enum.StrEnum):
    """Where a work order stands; each is the step its process waits in (or how it ended)."""

    CALLBACK = "callback"  # waiting for the call back
    CLASSIFY = "classify"  # called back, waiting for the classification
    LEDGER = "ledger"  # being rectified under a deadline
    FEEDBACK = "feedback"  # waiting for the feedback to the evaluator
    APPEAL = "appeal"  # an appeal to exclude the review waits for the centre
    RATING = "rating"  # fed back: the evaluator may rate the fix
    CLOSED = "closed"  # done (rated, or the rating window passed)
    EXCLUDED = "excluded"  # the appeal was upheld: the review is excluded

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def open(self) -> bool:
        return self not in {WorkOrderStatus.CLOSED, WorkOrderStatus.EXCLUDED}


_STATUS_LABELS = {
    WorkOrderStatus.CALLBACK: "待回访", WorkOrderStatus.CLASSIFY: "待定性", WorkOrderStatus.LEDGER: "台账整改中",
    WorkOrderStatus.FEEDBACK: "待反馈", WorkOrderStatus.APPEAL: "申诉复核中", WorkOrderStatus.RATING: "待评价整改",
    WorkOrderStatus.CLOSED: "已办结", WorkOrderStatus.EXCLUDED: "已剔除",
}  # fmt: skip

#: the evaluator's rating of the fix (满意 / 基本满意 / 不满意, domain §7.3)
FIX_RATINGS: Mapping[str, str] = {"satisfied": "满意", "basically": "基本满意", "dissatisfied": "不满意"}


def business_key(evaluation_id: int) -> str:
    """The work order's number as its process and inbox show it: CP-<evaluation id> (差评)."""
    return f"CP-{evaluation_id:06d}"


def on_time(done_at: datetime | None, due_at: datetime) -> bool:
    """Done no later than the deadline (a deadline is the end of its working day, so equal is on time)."""
    return done_at is not None and done_at <= due_at
