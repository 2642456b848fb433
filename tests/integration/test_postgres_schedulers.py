"""Several scheduler processes on one PostgreSQL database fire each due timer exactly once (FOR UPDATE SKIP
LOCKED), and share the work: each process runs the real TimerScheduler (tests/integration/scheduler_worker.py)
with a cap on its own fires so low that the timers can only all fire if every process took part."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from engine.bootstrap import build_platform
from engine.clock import SystemClock
from engine.services.definitions import read_paths
from tests.conftest import DATA, ROOT, WINDOW, _empty_all_tables, make_settings, require_postgres

pytestmark = pytest.mark.postgres
TIMERS = 150
DEADLINE_SECONDS = 60  # generous: only a hung process comes near it


def _spawn(url: str, cap: int) -> subprocess.Popen[str]:
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.scheduler_worker", url, str(cap), str(DEADLINE_SECONDS)],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    assert worker.stdout.readline().strip() == "ready", "a scheduler process did not start"
    return worker


@pytest.mark.parametrize("processes", [2, 3])
def test_scheduler_processes_fire_each_timer_exactly_once_and_share_the_work(
    database_url: str, tmp_path: Path, processes: int
) -> None:
    url = require_postgres()
    if not database_url.startswith("postgresql"):
        pytest.skip("run the suite with ONESTOP_TEST_DATABASE_URL set to the PostgreSQL URL")
    _empty_all_tables(database_url)
    platform = build_platform(make_settings(url, tmp_path), SystemClock())
    platform.calendar.ensure_years(range(2024, 2028))
    platform.accounts.add_department("CENTRE", "县政务服务管理局")
    platform.definitions.deploy(read_paths([DATA / "short_timer.bpmn"]))
    # a fifth over an even share: (processes - 1) caps leave timers over, so the last process must fire some
    cap = math.ceil(1.2 * TIMERS / processes)
    assert cap * (processes - 1) < TIMERS <= cap * processes
    # started one after another (their start-up jobs are not what this test is about), all running before
    # any timer exists: they learn of the timers the way a separate scheduler process does, from the database
    workers = [_spawn(url, cap) for _ in range(processes)]
    try:
        ids = [
            platform.instances.start(WINDOW, "short_timer", {"wait": "PT1S", "department": "CENTRE"}).id
            for _ in range(TIMERS)
        ]
        for w in workers:  # now, and only now, may a process stop when nothing is left due
            assert w.stdin is not None
            w.stdin.write("created\n")
            w.stdin.flush()
        outputs = [w.communicate(timeout=DEADLINE_SECONDS + 60)[0] for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
    assert all(w.returncode == 0 for w in workers), outputs
    counts = [int(o.strip().splitlines()[-1]) for o in outputs]
    with platform.ctx.uow() as uow:
        fired = Counter(e.instance_id for iid in ids for e in uow.instances.history(iid) if e.action == "timer_fired")
    platform.close()
    assert all(fired[iid] == 1 for iid in ids), {i: fired[i] for i in ids if fired[i] != 1}
    assert sum(counts) == TIMERS, counts  # what the processes say they fired is what the history holds
    assert min(counts) >= TIMERS - cap * (processes - 1), counts  # every process did its share
