"""What the supervision window (电子监察) reads: the live board of departments and windows, the warned and
overdue cases, one case drilled down, and the efficiency tables of a period. Plain dataclasses, no logic."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from engine.domain.cases import Transition
from engine.domain.warnings import Colour, ColourReading

#: the live colours a board counts, worst last
COLOURS = (Colour.GREEN, Colour.YELLOW, Colour.RED, Colour.OVERDUE)


@dataclass
class BoardRow:
    """One department or window (or the centre's total) on the board."""

    code: str
    name: str
    open_cases: int = 0  # undecided: received, correction requested, accepted, paused
    awaiting_acceptance: int = 0  # received or waiting for a correction: no promised clock yet
    paused: int = 0  # special procedure / suspension: the clock stands still
    open_tasks: int = 0  # ready human tasks (department: the task's; window: of the window's cases)
    oldest_task_at: datetime | None = None
    oldest_waiting_minutes: int | None = None
    colours: dict[str, int] = field(default_factory=lambda: {c.value: 0 for c in COLOURS})

    def wait_since(self, created_at: datetime, now: datetime) -> None:
        if self.oldest_task_at is None or created_at < self.oldest_task_at:
            self.oldest_task_at = created_at
            self.oldest_waiting_minutes = max(0, int((now - created_at).total_seconds() // 60))


@dataclass(frozen=True)
class StepNow:
    """A ready task of a case: the step it waits in and who holds it (or which role may take it)."""

    name: str
    department: str | None
    role: str | None
    claimed_by: str | None
    waiting_since: datetime


@dataclass(frozen=True)
class LiveCase:
    """An accepted (or paused) case read against its promised limit at the board's instant."""

    case_no: str
    item_code: str
    item_name: str
    department: str
    window: str | None
    status: str
    colour: Colour
    limit_days: int
    used_days: int
    remaining_days: int
    due_at: datetime
    paused: bool
    steps: tuple[StepNow, ...]

    @property
    def days_overdue(self) -> int:
        """Working days past the promised limit (0 on a rest day right after it ran out)."""
        return max(0, -self.remaining_days)


@dataclass(frozen=True)
class InquiryBreach:
    """A first-inquiry violation (首问负责制) from the accountability ledger."""

    id: int
    username: str
    department: str | None
    at: datetime
    veto: bool
    reference: str
    details: dict[str, Any]


@dataclass(frozen=True)
class Dashboard:
    now: datetime
    working_hours: bool  # a working day between the board's opening and closing hour, local time
    departments: list[BoardRow]
    windows: list[BoardRow]
    total: BoardRow
    warned: list[LiveCase]  # yellow, red and overdue, worst first: the first ``list_limit`` of ``warned_total``
    overdue: list[LiveCase]  # most working days overdue first: the first ``list_limit`` of ``overdue_total``
    first_inquiry: list[InquiryBreach]  # this year's, latest first: the first ``list_limit`` of the total
    year: int
    warned_total: int = 0
    overdue_total: int = 0
    first_inquiry_total: int = 0
    list_limit: int = 0


@dataclass(frozen=True)
class WarnedPage:
    """One page of the warned cases (optionally of one colour and/or department), worst first."""

    now: datetime
    cases: list[LiveCase]
    total: int
    page: int  # from 1
    per_page: int
    colour: str | None
    department: str | None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class CaseDrill:
    """One case for the supervisor: facts, its colour reading and coming changes, steps, history."""

    case_no: str
    item_code: str
    item_name: str
    department: str
    window: str | None
    status: str
    applicant: str
    received_at: datetime
    accepted_at: datetime | None
    decided_at: datetime | None
    completed_at: datetime | None
    statutory_days: int | None
    promised_days: int
    instance_id: int | None
    reading: ColourReading | None
    changes: dict[str, datetime]  # colour -> when it is (or was) reached, while the clock runs
    steps: tuple[StepNow, ...]
    history: tuple[Transition, ...]


@dataclass
class EfficiencyRow:
    """Completed (decided) cases of one department or officer in a period and how fast they were."""

    key: str
    name: str
    completed: int = 0
    on_time: int = 0
    instant: int = 0
    promised_cases: int = 0  # non-instant: the average and the speed-up are over these
    working_days_total: int = 0
    speed_up_cases: int = 0  # promised cases with a statutory limit
    speed_up_sum: float = 0.0

    @property
    def on_time_rate(self) -> float | None:
        return round(100.0 * self.on_time / self.completed, 2) if self.completed else None

    @property
    def average_working_days(self) -> float | None:
        return round(self.working_days_total / self.promised_cases, 2) if self.promised_cases else None

    @property
    def speed_up_rate(self) -> float | None:
        return round(100.0 * self.speed_up_sum / self.speed_up_cases, 2) if self.speed_up_cases else None


@dataclass(frozen=True)
class Efficiency:
    start: date
    end: date  # inclusive
    departments: list[EfficiencyRow]
    officers: list[EfficiencyRow]
    total: EfficiencyRow
    definitions: dict[str, str]
