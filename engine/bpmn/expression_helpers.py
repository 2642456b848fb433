"""The calendar helpers published to BPMN expressions (``workdays_after(5)`` in a timer, for example)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from engine.clock import Clock
from engine.domain.calendar import WorkCalendar

RECIPE_KEY = "onestop_deadline"


class DeadlineValue(str):
    """An ISO instant that remembers how it was computed, so an imported holiday notice can recompute it."""

    recipe: dict[str, Any]

    def __new__(cls, iso: str, recipe: dict[str, Any]) -> DeadlineValue:
        value = super().__new__(cls, iso)
        value.recipe = recipe
        return value


def _instant(value: object, clock: Clock) -> datetime:
    if value is None:
        return clock.now()
    if isinstance(value, datetime):
        instant = value
    elif isinstance(value, str):
        instant = datetime.fromisoformat(value)
    else:
        raise TypeError(f"expected an ISO date-time string, got {type(value).__name__}")
    if instant.tzinfo is None:
        raise ValueError(f"date-time {value!r} has no time zone; write it with +08:00 or Z")
    return instant.astimezone(UTC)


def make_helpers(calendar: Callable[[], WorkCalendar], clock: Clock) -> dict[str, Any]:
    """Functions BPMN expressions may call; each returns plain JSON-friendly values."""

    def workdays_after(n: int, start: object = None) -> DeadlineValue:
        """The end of the n-th working day after ``start`` (default: now), as an ISO instant."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError("workdays_after(n) needs a whole number of working days >= 0")
        begin = _instant(start, clock)
        cal = calendar()
        deadline = cal.deadline_after(begin, n)
        recipe = {
            "workdays": n,
            "start": begin.isoformat(),
            "provisional": deadline.provisional,
            "calendar_version": cal.version,
        }
        return DeadlineValue(deadline.due_at.isoformat(), recipe)

    def end_of_working_day(start: object = None) -> str:
        return calendar().end_of_working_day(_instant(start, clock)).isoformat()

    def working_days_between(start: object, end: object) -> int:
        cal = calendar()
        zone = cal.zone
        return cal.working_days_between(
            _instant(start, clock).astimezone(zone).date(), _instant(end, clock).astimezone(zone).date()
        )

    def now() -> str:
        return clock.now().isoformat()

    return {
        "workdays_after": workdays_after,
        "end_of_working_day": end_of_working_day,
        "working_days_between": working_days_between,
        "now": now,
    }
