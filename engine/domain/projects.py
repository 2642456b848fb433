"""Key projects of the fast track (重点项目并联审批): the project record, its children's review states, the
deadline warning (green / yellow / red / overdue in working days) and the prerequisite rules.

Pure: standard library and the work calendar only; the services store, number and advance projects.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from engine.domain.calendar import WorkCalendar

__all__ = [
    "JOINT_STATUTORY_DAYS",
    "STAGES",
    "KeyProject",
    "ProjectStatus",
    "ReviewState",
    "WarningLevel",
    "WarningReading",
    "find_cycle",
    "read_warning",
    "worst",
]

#: 第42条 with 第26条: joint handling ends within 45 working days, +15 once with the government head's approval
JOINT_STATUTORY_DAYS = 45

#: the four stages of the 工程建设项目审批制度改革
STAGES: dict[str, str] = {
    "land_planning": "立项用地规划许可",
    "construction_permit": "工程建设许可",
    "building_permit": "施工许可",
    "completion": "竣工验收",
}


class ProjectStatus(enum.StrEnum):
    RECEIVED = "received"  # the package is in; the joint-review office has not yet triaged it
    IN_REVIEW = "in_review"  # triaged: every department reviews at once
    CONCLUDED = "concluded"  # every review decided and the office issued the joint result
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    ProjectStatus.RECEIVED: "已收件待分办",
    ProjectStatus.IN_REVIEW: "并联审查中",
    ProjectStatus.CONCLUDED: "已办结",
    ProjectStatus.WITHDRAWN: "已撤回",
}


class ReviewState(enum.StrEnum):
    """Where a child's review stands, derived from its process."""

    PRE_REVIEW = "pre_review"  # 预审: reviewing (early intervention while prerequisites are open)
    WAITING = "waiting"  # 等待前置: pre-review done, waiting for the prerequisites' results
    DECIDING = "deciding"  # 待决定: the decision step is ready
    APPROVED = "approved"  # 已决定: 准予
    REFUSED = "refused"  # 已决定: 不予许可
    ENDED = "ended"  # withdrawn or terminated before a decision

    @property
    def label(self) -> str:
        return _REVIEW_LABELS[self]

    @property
    def is_decided(self) -> bool:
        return self in (ReviewState.APPROVED, ReviewState.REFUSED)


_REVIEW_LABELS = {
    ReviewState.PRE_REVIEW: "预审",
    ReviewState.WAITING: "等待前置",
    ReviewState.DECIDING: "待决定",
    ReviewState.APPROVED: "已决定（准予）",
    ReviewState.REFUSED: "已决定（不予许可）",
    ReviewState.ENDED: "已终止",
}


class WarningLevel(enum.StrEnum):
    """Deadline warning (预警), ordered from calm to late."""

    NONE = "none"  # nothing running (not started, or decided)
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    OVERDUE = "overdue"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @property
    def label(self) -> str:
        return _WARNING_LABELS[self]


_RANKS = {
    WarningLevel.NONE: 0,
    WarningLevel.GREEN: 1,
    WarningLevel.YELLOW: 2,
    WarningLevel.RED: 3,
    WarningLevel.OVERDUE: 4,
}
_WARNING_LABELS = {
    WarningLevel.NONE: "—",
    WarningLevel.GREEN: "正常",
    WarningLevel.YELLOW: "黄色预警",
    WarningLevel.RED: "红色预警",
    WarningLevel.OVERDUE: "已超期",
}

YELLOW_SHARE = Decimal("0.5")
RED_SHARE = Decimal("0.9")


@dataclass(frozen=True)
class WarningReading:
    """A deadline read at one instant: working days used and left, and the warning they make."""

    warning: WarningLevel
    used_days: int
    remaining_days: int  # working days left after today; negative: working days overdue
    due_at: datetime


def read_warning(
    started_at: datetime, limit_days: int, due_at: datetime, now: datetime, calendar: WorkCalendar
) -> WarningReading:
    """The warning of a limit of ``limit_days`` working days counted from ``started_at`` (the clock starts the
    next working day) and ending at ``due_at``: yellow when half of it is used or at most one working day is
    left, red when 90 % is used, overdue from the due instant on."""
    zone = calendar.zone
    start_day, today = started_at.astimezone(zone).date(), now.astimezone(zone).date()
    used = max(calendar.working_days_between(start_day, today), 0) if today > start_day else 0
    # the due instant is the END of the last working day (midnight after it): that day is the last one counted
    due_day: date = (due_at - timedelta(microseconds=1)).astimezone(zone).date()
    remaining = calendar.working_days_between(today, due_day)
    if now >= due_at:
        warning = WarningLevel.OVERDUE
    elif limit_days > 0 and Decimal(used) >= RED_SHARE * limit_days:
        warning = WarningLevel.RED
    elif remaining <= 1 or (limit_days > 0 and Decimal(used) >= YELLOW_SHARE * limit_days):
        warning = WarningLevel.YELLOW
    else:
        warning = WarningLevel.GREEN
    return WarningReading(warning, used, remaining, due_at)


def worst(warnings: Sequence[WarningLevel]) -> WarningLevel:
    return max(warnings, key=lambda w: w.rank, default=WarningLevel.NONE)


def find_cycle(prerequisites: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A cycle among prerequisites as the item codes along it (first repeated at the end), or None."""
    visiting: set[str] = set()
    done: set[str] = set()
    path: list[str] = []

    def visit(code: str) -> list[str] | None:
        if code in done:
            return None
        if code in visiting:
            return [*path[path.index(code) :], code]
        visiting.add(code)
        path.append(code)
        for needed in prerequisites.get(code, ()):
            found = visit(needed)
            if found is not None:
                return found
        path.pop()
        visiting.discard(code)
        done.add(code)
        return None

    for code in prerequisites:
        found = visit(code)
        if found is not None:
            return found
    return None


@dataclass
class KeyProject:
    """A key project (重点项目) ``KP-<year>-<NNN>`` and its one shared package of materials."""

    code: str
    name: str
    investor: dict[str, str]  # name, contact, phone
    location: str
    investment: Decimal  # 万元
    stage: str  # a key of STAGES
    received_at: datetime
    received_by: str
    materials: list[str] = field(default_factory=list)
    status: ProjectStatus = ProjectStatus.RECEIVED
    steward: str | None = None  # 专人 of the joint-review office
    lead_department: str | None = None
    triaged_at: datetime | None = None
    due_at: datetime | None = None
    statutory_days: int = JOINT_STATUTORY_DAYS
    extended: bool = False
    statutory_fees_only: bool = True  # always, in the fast track
    instance_id: int | None = None

    @property
    def stage_label(self) -> str:
        return STAGES.get(self.stage, self.stage)
