"""How the timer scheduler plans its next wake-up and runs its jobs, on a frozen clock (no sleeping, no timing):
the next timer is woken for at its own due instant even when it is due very soon, a run that made progress and
finds more due goes again at once (the retry back-off is only for a run that fired nothing although something is
due), and the wake-up and safety-net jobs never run at the same time."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from engine.scheduler import TimerScheduler
from engine.services.definitions import read_paths
from engine.services.timers import TickReport
from tests.conftest import DATA, WINDOW


def _deployed(platform: Platform) -> Platform:
    platform.definitions.deploy(read_paths([DATA / "short_timer.bpmn"]))
    return platform


def test_a_timer_due_within_the_back_off_is_woken_for_at_its_due_instant(platform: Platform) -> None:
    _deployed(platform)
    iid = platform.instances.start(WINDOW, "short_timer", {"wait": "PT0.05S", "department": "CENTRE"}).id
    due = platform.instances.get_record(iid).next_due_at
    assert due is not None
    scheduler = TimerScheduler(platform, safety_interval=60)  # not started: only its planning is looked at
    scheduler.run_due()
    assert scheduler._next_wake == due  # not now + the 200 ms back-off


def test_a_timer_still_due_after_a_run_is_retried_after_the_back_off(platform: Platform, clock: FrozenClock) -> None:
    _deployed(platform)
    platform.instances.start(WINDOW, "short_timer", {"wait": "PT1S", "department": "CENTRE"})
    clock.advance(timedelta(seconds=2))
    platform.timers.fire_due = lambda *a, **k: TickReport()  # type: ignore[method-assign]  # a run that fails
    scheduler = TimerScheduler(platform, safety_interval=60)
    scheduler.run_due()
    assert scheduler._next_wake == clock.now() + timedelta(milliseconds=200)  # no spinning on it


def test_a_run_that_fired_something_and_finds_more_due_goes_again_at_once(
    platform: Platform, clock: FrozenClock
) -> None:
    _deployed(platform)
    for _ in range(2):
        platform.instances.start(WINDOW, "short_timer", {"wait": "PT1S", "department": "CENTRE"})
    clock.advance(timedelta(seconds=2))
    fire_due = platform.timers.fire_due
    platform.timers.fire_due = lambda *a, **k: fire_due(limit=1)  # type: ignore[method-assign]  # one per run
    scheduler = TimerScheduler(platform, safety_interval=60)
    scheduler.run_due()
    assert scheduler._next_wake == clock.now()  # progress was made: no back-off for the next one


def test_a_timer_that_fell_due_while_a_run_went_on_is_fired_at_once(platform: Platform, clock: FrozenClock) -> None:
    _deployed(platform)
    platform.instances.start(WINDOW, "short_timer", {"wait": "PT1S", "department": "CENTRE"})

    def run_while_time_passes(*args: Any, **kwargs: Any) -> TickReport:
        clock.advance(timedelta(seconds=2))  # nothing was due when the run looked; the timer falls due meanwhile
        return TickReport()

    platform.timers.fire_due = run_while_time_passes  # type: ignore[method-assign]
    scheduler = TimerScheduler(platform, safety_interval=60)
    scheduler.run_due()
    assert scheduler._next_wake == clock.now()  # not a failure: no back-off


def test_runs_of_the_wake_up_and_the_safety_net_take_turns(platform: Platform) -> None:
    inside, most = [0], [0]
    lock = threading.Lock()

    def slow_fire(*args: Any, **kwargs: Any) -> TickReport:
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.05)  # long enough for the other thread to arrive while this run is inside
        with lock:
            inside[0] -= 1
        return TickReport()

    platform.timers.fire_due = slow_fire  # type: ignore[method-assign]
    scheduler = TimerScheduler(platform, safety_interval=60)
    threads = [threading.Thread(target=scheduler.run_due) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert most[0] == 1
