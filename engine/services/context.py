"""What every service needs: settings, clock, units of work, the BPMN runtime, forms and change hooks."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from engine.clock import Clock
from engine.config import Settings
from engine.domain.records import InstanceRecord, Snapshot
from engine.errors import ConcurrentUpdate

log = logging.getLogger("onestop")


Retryable = ConcurrentUpdate  # the name the services use for "run the use case again"


class UnitOfWorkLike(Protocol):
    instances: Any
    definitions: Any
    accounts: Any
    calendar: Any
    catalogue: Any
    cases: Any
    notices: Any
    consultations: Any
    violations: Any
    organisation: Any
    feedback: Any
    task_files: Any
    meetings: Any
    projects: Any
    discipline: Any
    stats: Any
    warnings: Any
    notifications: Any
    accountability: Any
    supervision_board: Any
    case_colours: Any
    rectifications: Any
    agency: Any
    complaints: Any
    surveys: Any
    roster: Any
    skip_locked: bool

    def __enter__(self) -> UnitOfWorkLike: ...
    def __exit__(self, *args: Any) -> None: ...
    def commit(self) -> None: ...


@dataclass(frozen=True)
class AdvanceEvent:
    """What an instance just did, handed to advance hooks inside the transaction that saves it."""

    uow: UnitOfWorkLike
    instance: InstanceRecord
    snapshot: Snapshot
    now: datetime
    actor: str | None
    completed_task_id: str | None
    form_data: Any


@dataclass
class ServiceContext:
    settings: Settings
    clock: Clock
    uow: Callable[..., UnitOfWorkLike]  # uow(write=True) for use cases that write
    runtime: Any  # engine.bpmn.runtime.BpmnRuntime (typed loosely: services do not import SpiffWorkflow)
    forms: Any  # engine.services.forms.FormRegistry
    #: called after a commit that may have moved the earliest timer (the scheduler wakes up for it)
    due_listeners: list[Callable[[datetime | None], None]] = field(default_factory=list)
    #: called inside the transaction after an instance advanced (e.g. the case lifecycle follows its process)
    advance_hooks: list[Callable[[AdvanceEvent], None]] = field(default_factory=list)
    #: the current work calendar (engine.services.calendar.CalendarService.calendar)
    calendar: Callable[[], Any] | None = None

    def runtime_calendar(self) -> Any:
        if self.calendar is None:
            raise RuntimeError("the work calendar is not wired (see engine.bootstrap)")
        return self.calendar()

    def now(self) -> datetime:
        return self.clock.now()

    def notify_due(self, due: datetime | None) -> None:
        for listener in list(self.due_listeners):
            try:
                listener(due)
            except Exception:  # a listener must never undo a committed use case
                log.exception("timer listener failed")


def with_retry(attempts: int, operation: Callable[[], Any]) -> Any:
    """Run a use case again when it lost an optimistic-lock race (nothing was saved by the loser).

    A short random back-off keeps two losers from colliding again in lockstep.
    """
    for attempt in range(attempts):
        try:
            return operation()
        except Retryable:
            if attempt == attempts - 1:
                raise
            time.sleep(random.uniform(0, 0.005 * (attempt + 1)))  # noqa: S311 - jitter, not cryptography
    raise AssertionError("unreachable")
