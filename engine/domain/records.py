"""Plain records that cross the boundary between persistence, the BPMN runtime and the services."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class InstanceStatus(enum.StrEnum):
    RUNNING = "running"
    SUSPENDED = "suspended"
    ERROR = "error"  # an open incident: a script or expression failed; retry after a fix
    COMPLETED = "completed"
    TERMINATED = "terminated"

    @property
    def is_open(self) -> bool:
        return self in {InstanceStatus.RUNNING, InstanceStatus.SUSPENDED, InstanceStatus.ERROR}


class TaskState(enum.StrEnum):
    READY = "ready"
    COMPLETED = "completed"
    CANCELLED = "cancelled"  # left READY without being completed (boundary timer, termination …)
    SUBMITTED = "submitted"  # completed by a person, but the engine failed afterwards (incident open)


@dataclass(frozen=True)
class ReadyTask:
    """A READY human task as the runtime sees it, before authorisation data is attached."""

    task_id: str
    element_id: str
    name: str
    lane: str | None
    form_ref: str | None
    form_ui_ref: str | None
    due_at: datetime | None
    due_provisional: bool
    bpmn_process_id: str


@dataclass(frozen=True)
class PendingTimer:
    task_id: str
    element_id: str
    name: str
    due_at: datetime
    provisional: bool
    interrupting: bool
    recipe: dict[str, Any] | None = None  # how a working-day deadline was computed, to recompute it

    @property
    def calendar_version(self) -> int | None:
        return int(self.recipe["calendar_version"]) if self.recipe and "calendar_version" in self.recipe else None


@dataclass(frozen=True)
class AwaitedMessage:
    name: str
    correlation: str | None


@dataclass(frozen=True)
class CompletedElement:
    task_id: str
    element_id: str
    name: str
    kind: str
    #: the element's extension properties (e.g. ``caseStep``), so services can react to what happened
    properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ThrownMessage:
    name: str
    payload: Any


@dataclass
class Snapshot:
    """Everything the platform persists after advancing one instance: state plus its projections."""

    state: str
    serializer_version: str
    completed: bool
    ready_tasks: list[ReadyTask]
    timers: list[PendingTimer]
    awaited_messages: list[AwaitedMessage]
    completed_elements: list[CompletedElement]
    thrown_messages: list[ThrownMessage] = field(default_factory=list)
    #: the projections before this advance, so persistence writes only what changed
    previous_ready_ids: frozenset[str] = frozenset()
    previous_timers: tuple[tuple[str, datetime], ...] = ()
    previous_awaited: tuple[str, ...] = ()
    #: rewrite timer and message projections even if they look unchanged (termination, recomputation)
    force_projection: bool = False

    @property
    def timers_changed(self) -> bool:
        return self.force_projection or tuple((t.task_id, t.due_at) for t in self.timers) != self.previous_timers

    @property
    def awaited_changed(self) -> bool:
        return self.force_projection or tuple(m.name for m in self.awaited_messages) != self.previous_awaited

    @property
    def next_due_at(self) -> datetime | None:
        return min((t.due_at for t in self.timers), default=None)


@dataclass(frozen=True)
class DefinitionFile:
    id: int
    name: str
    kind: str  # bpmn | dmn | form
    sha256: str
    content: bytes


@dataclass(frozen=True)
class ProcessVersion:
    id: int
    process_id: str
    version: int
    name: str
    sha256: str
    bundle_sha256: str
    file_ids: tuple[int, ...]
    forms: dict[str, int]  # form file name -> definition file id
    deployed_at: datetime
    deployed_by: str | None
    department: str | None
    starter_roles: tuple[str, ...]

    @property
    def spec_key(self) -> str:
        return f"{self.process_id}@{self.version}"


@dataclass
class InstanceRecord:
    id: int
    process_version_id: int
    process_id: str
    version: int  # process version number
    status: InstanceStatus
    department: str | None
    business_key: str | None
    state: str
    serializer_version: str
    next_due_at: datetime | None
    row_version: int
    started_by: str | None
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def spec_key(self) -> str:
        return f"{self.process_id}@{self.version}"


@dataclass(frozen=True)
class HumanTaskRecord:
    task_id: str
    instance_id: int
    element_id: str
    name: str
    lane: str | None
    role: str | None
    department: str | None
    form_ref: str | None
    form_ui_ref: str | None
    state: TaskState
    claimed_by: str | None
    due_at: datetime | None
    due_provisional: bool
    created_at: datetime
    completed_at: datetime | None
    completed_by: str | None
    business_key: str | None
    process_id: str


@dataclass(frozen=True)
class TimerRecord:
    instance_id: int
    task_id: str
    element_id: str
    name: str
    due_at: datetime
    provisional: bool
    interrupting: bool
    recipe: dict[str, Any] | None
    calendar_version: int | None = None


@dataclass(frozen=True)
class AuditEvent:
    instance_id: int
    at: datetime
    actor: str | None
    action: str
    task_id: str | None = None
    element_id: str | None = None
    element_name: str | None = None
    details: dict[str, Any] | None = None


@dataclass(frozen=True)
class Incident:
    id: int
    instance_id: int
    created_at: datetime
    element_id: str | None
    message: str
    action: dict[str, Any]
    resolved_at: datetime | None
    resolved_by: str | None
