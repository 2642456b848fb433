"""Consultations (咨询) and first-inquiry responsibility (首问负责制): every inquiry is logged with its first
responder; a transfer is followed until it is closed; one left open past its follow-up time is a violation
against the first responder, and such a violation vetoes the annual evaluation (一票否决)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from engine.domain.calendar import WorkCalendar
from engine.errors import InvalidTransition

CHANNELS = {
    "desk": "咨询台",
    "window": "窗口",
    "phone": "电话",
    "hotline": "96128热线",
    "online": "网上咨询",
}
#: a transferred inquiry must be closed by the end of this many working days after it was asked
DEFAULT_FOLLOW_UP_WORKDAYS = 1


class Outcome(enum.StrEnum):
    ANSWERED = "answered"  # 当场答复
    TRANSFERRED = "transferred"  # 转窗口/部门办理, followed until closed
    REFERRED = "referred"  # 告知到中心以外的机关办理

    @property
    def label(self) -> str:
        return {"answered": "当场答复", "transferred": "转办", "referred": "引导至外单位"}[self.value]


@dataclass
class Consultation:
    id: int
    channel: str
    asked_at: datetime
    first_responder: str
    department: str | None
    subject: str
    question: str
    outcome: Outcome
    item_code: str | None = None
    transferred_to: str | None = None  # department code that must follow up
    referred_to: str | None = None  # the outside body named to the inquirer
    answer: str = ""
    follow_up_due: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    violation_at: datetime | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


def open_consultation(
    channel: str,
    asked_at: datetime,
    first_responder: str,
    department: str | None,
    subject: str,
    question: str,
    outcome: Outcome,
    calendar: WorkCalendar,
    *,
    answer: str = "",
    transferred_to: str | None = None,
    referred_to: str | None = None,
    item_code: str | None = None,
    follow_up_workdays: int = DEFAULT_FOLLOW_UP_WORKDAYS,
) -> Consultation:
    """Log an inquiry; answered or referred ones close at once, a transfer stays open with a follow-up time."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; one of {', '.join(CHANNELS)}")
    record = Consultation(
        0,
        channel,
        asked_at,
        first_responder,
        department,
        subject,
        question,
        outcome,
        item_code=item_code,
        answer=answer,
    )
    if outcome is Outcome.TRANSFERRED:
        if not transferred_to:
            raise InvalidTransition("转办须写明接办部门 / a transfer names the department that takes it over")
        record.transferred_to = transferred_to
        record.follow_up_due = calendar.deadline_after(asked_at, follow_up_workdays).due_at
    else:
        if outcome is Outcome.REFERRED and not referred_to:
            raise InvalidTransition("须告知申请人到何处办理 / a referral names where to go")
        record.referred_to = referred_to
        record.closed_at, record.closed_by = asked_at, first_responder
    return record


def close(record: Consultation, at: datetime, by: str, answer: str) -> None:
    """The receiving department (or the first responder) closes a transferred inquiry with its answer."""
    if not record.is_open:
        raise InvalidTransition(f"咨询 {record.id} 已办结 / consultation {record.id} is already closed")
    if not answer.strip():
        raise InvalidTransition("办结须填写答复内容 / closing needs the answer given")
    record.closed_at, record.closed_by, record.answer = at, by, answer.strip()


def is_breached(record: Consultation, now: datetime) -> bool:
    """Open past its follow-up time and not yet recorded as a violation."""
    return (
        record.is_open
        and record.violation_at is None
        and record.follow_up_due is not None
        and now >= record.follow_up_due
    )
