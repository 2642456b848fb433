"""Fault test 8, short version of faults/pg_restart.py: the PostgreSQL server stopped and started again under
HTTP load; the platform recovers without manual action. It restarts the server only when
ONESTOP_TEST_PG_RESTART names the restart command (.ci/run sets it), and waits until the server answers again
before it ends, so the tests after it are unaffected."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

from faults.pg_restart import report, run, wait_for_database
from tests.conftest import _empty_all_tables, require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _restart_command() -> str:
    command = os.environ.get("ONESTOP_TEST_PG_RESTART", "").strip()
    if not command:
        if os.environ.get("ONESTOP_REQUIRE_POSTGRES"):
            pytest.fail("ONESTOP_REQUIRE_POSTGRES is set but ONESTOP_TEST_PG_RESTART (the restart command) is not")
        pytest.skip('restarts the server: set ONESTOP_TEST_PG_RESTART, e.g. "pg_ctlcluster 15 main restart"')
    return command


def _ensure_up(url: str, command: str) -> None:
    """Whatever happened, leave the server running for the tests after this one."""
    try:
        wait_for_database(url, timeout=5)
    except Exception:
        words = shlex.split(command)
        if words and words[-1] == "restart":
            subprocess.run([*words[:-1], "start"], check=False, timeout=120)
        wait_for_database(url, timeout=60)


def test_platform_recovers_from_a_postgresql_restart_under_load(database_url: str, tmp_path: Path) -> None:
    require_postgres()
    command = _restart_command()
    if not database_url.startswith("postgresql"):
        pytest.skip("run the suite with ONESTOP_TEST_DATABASE_URL set to the PostgreSQL URL")
    url = database_url
    _empty_all_tables(url)
    try:
        outcome = run(url, tmp_path, command, duration=10.0, restarts=1, outage=2.0, clerks=3, out=lambda _l: None)
    finally:
        _ensure_up(url, command)
    text = report(outcome, duration=10.0, clerks=3, outage=2.0)
    assert len(outcome.outages) == 1, text
    assert outcome.during > 0, f"no request met the outage: the test did not exercise it\n{text}"
    assert not outcome.unclean and not outcome.outside, text
    assert outcome.record.hung == 0 and not outcome.stuck_clients and not outcome.processes_died, text
    assert outcome.outages[0].first_ok_after is not None, text
    assert outcome.findings.due_in_window > 0, f"no timer fell due during the outage\n{text}"
    assert outcome.findings.due_in_window == outcome.findings.due_in_window_fired_once, text
    assert outcome.findings.ok and outcome.ok, text
