"""A warning card (黄牌 / 红牌) as a record with a lifecycle (domain §5.3): what can trigger one, its level, and
which moves its status allows — issued → appealed (申诉) → revoked with a reason (撤销) or escalated (督办).

Pure: the services store the record and decide who may make each move.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from engine.domain.warnings import Colour
from engine.errors import InvalidTransition

__all__ = [
    "COLOUR_OF",
    "MANUAL_TRIGGERS",
    "TIMER_TRIGGERS",
    "Level",
    "Trigger",
    "WarningFilter",
    "WarningStatus",
    "level_of",
    "require_move",
    "trigger_for",
]


class Level(enum.StrEnum):
    YELLOW = "yellow"  # 黄牌: 警告
    RED = "red"  # 红牌: 问责 (an accountability entry)

    @property
    def label(self) -> str:
        return "黄牌" if self is Level.YELLOW else "红牌"


class Trigger(enum.StrEnum):
    PROMISED_YELLOW = "promised_yellow"  # half the promised working days used (or 1 day left of a short limit)
    PROMISED_RED = "promised_red"  # 90 % used
    PROMISED_OVERDUE = "promised_overdue"  # the promised limit passed
    STEP_OVERDUE = "step_overdue"  # a step (环节) exceeded its own limit (the process's <step>_deadline timer)
    SECOND_CORRECTION = "second_correction"  # 一次性告知制 broken: a second correction naming what was visible
    REFUSAL_WITHOUT_REASON = "refusal_without_reason"  # 无法定理由不予受理/不予许可 (found on inspection)
    FEE_VIOLATION = "fee_violation"  # 擅自收费、超标准收费 (found on inspection)
    OTHER = "other"  # other irregular approvals

    @property
    def label(self) -> str:
        return _TRIGGER_LABELS[self]


_TRIGGER_LABELS = {
    Trigger.PROMISED_YELLOW: "临近承诺时限", Trigger.PROMISED_RED: "即将超过承诺时限",
    Trigger.PROMISED_OVERDUE: "超过承诺时限", Trigger.STEP_OVERDUE: "环节超时",
    Trigger.SECOND_CORRECTION: "二次补正", Trigger.REFUSAL_WITHOUT_REASON: "无法定理由不予受理或不予许可",
    Trigger.FEE_VIOLATION: "违规收费", Trigger.OTHER: "其他违规审批",
}  # fmt: skip

#: the triggers the case's warning timers fire, by the colour that fires them
TIMER_TRIGGERS = {
    Colour.YELLOW: Trigger.PROMISED_YELLOW,
    Colour.RED: Trigger.PROMISED_RED,
    Colour.OVERDUE: Trigger.PROMISED_OVERDUE,
}
#: what the supervision window issues after an inspection (the platform refuses the acts themselves)
MANUAL_TRIGGERS = frozenset({Trigger.REFUSAL_WITHOUT_REASON, Trigger.FEE_VIOLATION, Trigger.OTHER})
#: the colour a timer trigger needs the case to show when it fires
COLOUR_OF = {trigger: colour for colour, trigger in TIMER_TRIGGERS.items()}


def level_of(trigger: Trigger) -> Level:
    """Only approaching the limit is a yellow card; every other trigger is red (domain §5.3)."""
    return Level.YELLOW if trigger is Trigger.PROMISED_YELLOW else Level.RED


def trigger_for(colour: Colour) -> Trigger | None:
    return TIMER_TRIGGERS.get(colour)


class WarningStatus(enum.StrEnum):
    ISSUED = "issued"
    APPEALED = "appealed"
    REVOKED = "revoked"
    ESCALATED = "escalated"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    WarningStatus.ISSUED: "已发出",
    WarningStatus.APPEALED: "申诉中",
    WarningStatus.REVOKED: "已撤销",
    WarningStatus.ESCALATED: "已督办",
}
_MOVES = {
    "appeal": frozenset({WarningStatus.ISSUED}),
    "revoke": frozenset({WarningStatus.ISSUED, WarningStatus.APPEALED}),
    "escalate": frozenset({WarningStatus.ISSUED, WarningStatus.APPEALED}),
}
_MOVE_LABELS = {"appeal": "申诉", "revoke": "撤销", "escalate": "督办"}
TARGET = {"appeal": WarningStatus.APPEALED, "revoke": WarningStatus.REVOKED, "escalate": WarningStatus.ESCALATED}


def require_move(move: str, status: WarningStatus, warning_id: int) -> WarningStatus:
    """The status after ``move``; refuses a move the current status does not allow (a revoked or escalated
    card is settled; a card is appealed once)."""
    if status not in _MOVES[move]:
        raise InvalidTransition(
            f"预警{warning_id}当前状态为「{status.label}」，不能{_MOVE_LABELS[move]}; "
            f"cannot {move} warning {warning_id} in status {status}",
            {"warning_id": warning_id, "status": str(status), "action": move},
        )
    return TARGET[move]


@dataclass(frozen=True)
class WarningFilter:
    """Which cards a list shows: the filters asked for, and whose cards the reader may see."""

    status: str | None = None
    level: str | None = None
    department: str | None = None
    case_no: str | None = None
    #: restrict to these departments' cards, or those whose handler is ``handler`` (None: no restriction)
    departments: frozenset[str] | None = None
    handler: str | None = None
    limit: int = 200
