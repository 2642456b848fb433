"""Two scheduler processes on one PostgreSQL database never fire one timer twice (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

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


def test_two_scheduler_processes_fire_each_timer_exactly_once(database_url: str, tmp_path: Path) -> None:
    url = require_postgres()
    if not database_url.startswith("postgresql"):
        pytest.skip("run the suite with ONESTOP_TEST_DATABASE_URL set to the PostgreSQL URL")
    _empty_all_tables(database_url)
    platform = build_platform(make_settings(url, tmp_path), SystemClock())
    platform.calendar.ensure_years(range(2024, 2028))
    platform.accounts.add_department("CENTRE", "县政务服务管理局")
    platform.definitions.deploy(read_paths([DATA / "short_timer.bpmn"]))
    ids = [
        platform.instances.start(WINDOW, "short_timer", {"wait": "PT2S", "department": "CENTRE"}).id for _ in range(120)
    ]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.integration.scheduler_worker", url, "6"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=60)[0] for w in workers]
    assert all(w.returncode == 0 for w in workers)
    counts = [int(o.strip().splitlines()[-1]) for o in outputs]
    with platform.ctx.uow() as uow:
        fired = Counter(e.instance_id for iid in ids for e in uow.instances.history(iid) if e.action == "timer_fired")
    assert sum(counts) == len(ids), counts
    assert all(fired[iid] == 1 for iid in ids), {i: n for i, n in fired.items() if n != 1}
    assert min(counts) > 0, f"one process did all the work ({counts}); the test did not exercise sharing"
    platform.close()
