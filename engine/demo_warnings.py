"""Warning cards for the demo: the sample cases (engine/demo_cases.py) already scheduled their warning timers
as they moved on the simulated clock; this fires the ones due by now in time order, each at its own instant,
so every card carries the moment it was really due (not the moment the demo was loaded)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from engine.bootstrap import build_platform
from engine.clock import FrozenClock
from engine.config import Settings


def fire_demo_warnings(settings: Settings, out: Callable[[str], None], now: datetime | None = None) -> int:
    """Issue the demo cases' due warning cards; returns how many were issued. Idempotent: a trigger warns once."""
    now = now or datetime.now(ZoneInfo(settings.timezone))
    clock = FrozenClock(now)
    platform = build_platform(settings, clock)
    issued = 0
    try:
        # every pass takes all timers due at ``due`` (issued, dropped or moved past ``due``), so this ends
        while (due := platform.warnings.earliest_due()) is not None and due <= now:
            clock.set(due)
            issued += len(platform.warnings.fire_due(due).issued)
    finally:
        platform.close()
    out(f"demo: {issued} warning cards (黄牌/红牌) issued for the sample cases")
    return issued
