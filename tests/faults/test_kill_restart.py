"""Fault test 6, short version of faults/kill_restart.py: SIGKILL of ``onestop serve`` (web + in-process
scheduler) and a separate ``onestop scheduler`` under HTTP load, once, then restart; every check must hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from faults.kill_restart import report, run
from tests.conftest import _empty_all_tables

pytestmark = pytest.mark.slow


def test_kill_minus_nine_under_load_then_restart_loses_nothing(database_url: str, tmp_path: Path) -> None:
    _empty_all_tables(database_url)
    outcome = run(database_url, tmp_path, duration=10.0, kills=1, clerks=3, seed=61, out=lambda _line: None)
    text = report(outcome, duration=10.0, clerks=3)
    assert outcome.kills == 1 and outcome.processes_killed == 2, text
    # the kill hit a platform under load, and the restarted one took load again
    assert outcome.completed_before_first_kill > 0 and outcome.completed_after_last_restart > 0, text
    assert outcome.findings.timer_fires > 0 and outcome.findings.instances > 0, text
    assert outcome.findings.ok, text
    assert outcome.ok, text
