"""A scheduler process for the multi-process tests: the real TimerScheduler on the wall clock, firing at most CAP
timers, until nothing is due any more (or a deadline); prints how many timers it fired.

    python -m tests.integration.scheduler_worker URL CAP DEADLINE_SECONDS

The cap is what makes sharing certain rather than likely: when CAP x (processes - 1) < timers, every timer can
only have fired if every process took part. It prints "ready" once its scheduler has started, then its count; it
may stop early (nothing left due) only after a line on stdin says every timer has been created.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from engine.bootstrap import build_platform
from engine.clock import SystemClock
from engine.scheduler import TimerScheduler
from engine.services.timers import TickReport
from tests.conftest import make_settings


def main(url: str, cap: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        platform = build_platform(make_settings(url, Path(tmp)), SystemClock())
        fired: list[int] = []
        fire_due = platform.timers.fire_due

        def capped(now: Any = None, limit: int = 1000) -> TickReport:
            # the scheduler's own call, with its limit lowered to what is left of this process's cap
            left = cap - len(fired)
            report = fire_due(now, min(limit, left)) if left > 0 else TickReport()
            fired.extend(report.fired)
            return report

        platform.timers.fire_due = capped  # type: ignore[method-assign]
        scheduler = TimerScheduler(platform)
        scheduler.start()
        print("ready", flush=True)
        created = threading.Event()

        def wait_for_creation() -> None:
            sys.stdin.readline()
            created.set()

        threading.Thread(target=wait_for_creation, daemon=True).start()
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline and len(fired) < cap:
                time.sleep(0.1)
                if created.is_set() and platform.instances.earliest_due() is None:
                    break  # every timer has fired (by some process)
        finally:
            scheduler.shutdown()
            platform.close()
        print(len(fired), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
