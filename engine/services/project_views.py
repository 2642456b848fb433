"""What the fast track's use cases answer: a registered project, its progress board, its timeline, the
triage form's options (plain frozen dataclasses the webapp renders and the API serialises)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from engine.domain.projects import ProjectStatus, ReviewState, WarningLevel, worst


@dataclass(frozen=True)
class KeyProjectView:
    """What registering a project answers."""

    code: str
    name: str
    status: ProjectStatus
    instance_id: int
    received_at: datetime


@dataclass(frozen=True)
class TriageResult:
    """What triage answers: the project's progress and, once, each new case's query code (查询密码) for the
    investor's receipt; the codes are stored only as hashes."""

    progress: ProjectProgress
    query_codes: dict[str, str]  # case number -> query code


@dataclass(frozen=True)
class PrerequisiteLink:
    """One prerequisite of a child: the item it needs and where that item's review stands."""

    item_code: str
    item_name: str
    case_no: str
    state: ReviewState


@dataclass(frozen=True)
class ChildProgress:
    """One department's review of one item of a project (a child case)."""

    item_code: str
    item_name: str
    department: str
    department_name: str
    case_no: str
    instance_id: int | None
    state: ReviewState
    result: str | None  # approved / refused once decided
    opinion: str  # the decision's opinion, once decided
    promised_days: int
    used_days: int
    remaining_days: int  # working days left after today; negative: days overdue
    accepted_at: datetime | None
    due_at: datetime | None
    warning: WarningLevel
    prerequisites: tuple[PrerequisiteLink, ...]
    forwarded: bool  # the prerequisites' results reached this review (补送)
    full: bool  # False: the viewer sees this child only as part of the project (another department's)

    @property
    def is_waiting(self) -> bool:
        return self.state is ReviewState.WAITING


@dataclass(frozen=True)
class ProjectProgress:
    """A project with its children's progress, read at one instant (board, project page, API, agenda)."""

    code: str
    name: str
    investor: dict[str, str]
    location: str
    investment: Decimal
    stage: str
    stage_label: str
    status: ProjectStatus
    steward: str | None
    lead_department: str | None
    received_at: datetime
    triaged_at: datetime | None
    due_at: datetime | None  # the joint limit (45 working days, +15 once extended)
    statutory_days: int
    extended: bool
    used_days: int
    remaining_days: int
    warning: WarningLevel  # of the project's own limit
    statutory_fees_only: bool
    materials: tuple[str, ...]
    instance_id: int | None
    children: tuple[ChildProgress, ...]
    next_meeting: datetime | None = None

    @property
    def has_waiting_child(self) -> bool:
        """A review blocked on its prerequisites (等待前置): agenda material for the joint-review meeting."""
        return any(child.is_waiting for child in self.children)

    @property
    def can_extend(self) -> bool:
        """The joint limit may still be extended: under review, not yet extended, some review still undecided."""
        undecided = any(not c.state.is_decided and c.state is not ReviewState.ENDED for c in self.children)
        return self.status is ProjectStatus.IN_REVIEW and not self.extended and undecided

    @property
    def worst_warning(self) -> WarningLevel:
        """The worst of the project's own warning and its children's."""
        return worst([self.warning, *(child.warning for child in self.children)])

    @property
    def next_due(self) -> datetime | None:
        """The earliest deadline still running: an undecided child's, or the project's."""
        dues = [c.due_at for c in self.children if c.due_at is not None and not c.state.is_decided]
        if self.due_at is not None and self.status is ProjectStatus.IN_REVIEW:
            dues.append(self.due_at)
        return min(dues, default=None)


@dataclass(frozen=True)
class TimelineEntry:
    """One dated event of a project or of one of its children (the project page's timeline)."""

    at: datetime
    actor: str | None
    action: str  # registered, triaged, extended, task_completed, message_received, note, ...
    label: str  # what happened, in Chinese
    case_no: str | None  # None: the project itself
    item_code: str | None
    text: str = ""  # a note's text, a reason


@dataclass(frozen=True)
class TriageOptions:
    """What the triage form offers: the catalogue's items (code, name, department, promised days), the people
    who may steward (username, display name) and the departments (code, name)."""

    items: tuple[dict[str, Any], ...]
    stewards: tuple[tuple[str, str], ...]
    departments: tuple[tuple[str, str], ...]
