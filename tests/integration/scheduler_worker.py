"""A scheduler process for the multi-process test: ticks due timers against one database for a while."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from engine.bootstrap import build_platform
from engine.clock import SystemClock
from tests.conftest import make_settings


def main(url: str, seconds: float) -> None:
    platform = build_platform(make_settings(url, Path("/tmp")), SystemClock())
    fired = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        fired += len(platform.timers.fire_due().fired)
        time.sleep(0.02)
    print(fired)
    platform.close()


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
