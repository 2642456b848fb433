"""The timer scheduler on the wall clock: it wakes at the due instant, and fires overdue timers at start-up."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from engine.bootstrap import build_platform
from engine.clock import SystemClock
from engine.scheduler import TimerScheduler
from engine.services.definitions import read_paths
from tests.conftest import DATA, WINDOW, _empty_all_tables, make_settings


def _platform(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    _empty_all_tables(database_url)
    platform = build_platform(make_settings(database_url, tmp_path), SystemClock())
    platform.calendar.ensure_years(range(2024, 2028))
    platform.accounts.add_department("CENTRE", "县政务服务管理局")
    platform.definitions.deploy(read_paths([DATA / "short_timer.bpmn"]))
    return platform


def _fired_at(platform, iid: int) -> datetime | None:  # type: ignore[no-untyped-def]
    with platform.ctx.uow() as uow:
        events = [e for e in uow.instances.history(iid) if e.action == "timer_fired"]
    return events[0].at if events else None


def test_short_timers_fire_within_a_second_of_due(database_url: str, tmp_path: Path) -> None:
    platform = _platform(database_url, tmp_path)
    scheduler = TimerScheduler(platform, safety_interval=60)  # the safety net must not be what fires them
    scheduler.start()
    try:
        ids = [
            platform.instances.start(
                WINDOW, "short_timer", {"wait": f"PT{1 + n * 0.3:.1f}S", "department": "CENTRE"}
            ).id
            for n in range(4)
        ]
        dues = {iid: platform.instances.get_record(iid).next_due_at for iid in ids}
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and not all(_fired_at(platform, i) for i in ids):
            time.sleep(0.1)
        for iid in ids:
            fired = _fired_at(platform, iid)
            assert fired is not None, f"timer of instance {iid} never fired"
            lateness = (fired - dues[iid]).total_seconds()
            assert 0 <= lateness < 1.0, f"instance {iid} fired {lateness:.3f} s after due"
    finally:
        scheduler.shutdown()
        platform.close()


def test_timers_due_while_nothing_ran_fire_once_at_start_up(database_url: str, tmp_path: Path) -> None:
    platform = _platform(database_url, tmp_path)
    iid = platform.instances.start(WINDOW, "short_timer", {"wait": "PT0.2S", "department": "CENTRE"}).id
    time.sleep(0.5)  # nobody is watching: the timer falls due unobserved
    assert _fired_at(platform, iid) is None
    scheduler = TimerScheduler(platform, safety_interval=60)
    scheduler.start()
    try:
        assert _fired_at(platform, iid) is not None  # start() ran the overdue tick synchronously
        scheduler.run_due()
        with platform.ctx.uow() as uow:
            fired = [e for e in uow.instances.history(iid) if e.action == "timer_fired"]
        assert len(fired) == 1
        assert platform.instances.get_record(iid).next_due_at is None
        assert datetime.now(UTC) > fired[0].at
    finally:
        scheduler.shutdown()
        platform.close()
