"""Make SpiffWorkflow's timers read the platform clock instead of the wall clock.

SpiffWorkflow 3.2 calls ``datetime.now(timezone.utc)`` inside its timer event definitions. We replace the
``datetime`` name in that one module with a subclass whose ``now()`` asks the clock bound to the current
context, so a frozen test clock (or a simulated year) drives timers without sleeping. Installed by the
runtime on first use, never at import time.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo

from engine.clock import Clock

_current_clock: contextvars.ContextVar[Clock | None] = contextvars.ContextVar("onestop_clock", default=None)
_installed = False


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _ClockedDatetime:
        clock = _current_clock.get()
        instant = clock.now() if clock is not None else datetime.now(UTC)
        local = instant.astimezone(tz) if tz is not None else instant.astimezone().replace(tzinfo=None)
        return cls.fromisoformat(local.isoformat())


def install() -> None:
    global _installed
    if _installed:
        return
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    timer.datetime = _ClockedDatetime
    _installed = True


@contextlib.contextmanager
def using(clock: Clock) -> Iterator[None]:
    """Bind ``clock`` for the engine calls made inside the block (thread- and context-local)."""
    token = _current_clock.set(clock)
    try:
        yield
    finally:
        _current_clock.reset(token)
