"""Smoke test of benchmark 2 (bench/http_load.py): the real path at minimal scale — gunicorn serving the app on
the suite's database, two locust clerks for a few seconds — with its consistency checks asserted, so it cannot rot.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from engine.bootstrap import Platform

pytestmark = pytest.mark.slow  # ~15 s: a server boot, a locust boot and five seconds of load

if importlib.util.find_spec("gunicorn") is None or importlib.util.find_spec("locust") is None:
    pytest.skip("needs the bench extra (gunicorn, locust): pip install -e '.[bench]'", allow_module_level=True)


def test_two_clerks_complete_tasks_without_errors_or_lost_completions(platform: Platform, tmp_path: Path) -> None:
    from bench import http_load

    args = http_load.parse(
        ["--users", "2", "--workers", "2", "--duration", "5", "--think", "0.1", "--tasks-per-clerk", "60"]
        + ["--database", platform.settings.database_url]
    )
    printed: list[str] = []
    result = http_load.run(args, tmp_path, out=printed.append, reset=False)  # the suite's database: emptied already
    figures, checks = result["figures"], result["checks"]

    assert len(figures.completed) >= 5, "\n".join(printed)
    assert figures.errors == 0, dict(figures.statuses)
    assert figures.statuses.get(409, 0) == 0
    assert checks == {
        "acknowledged": len(figures.completed),
        "duplicate_acks": 0,
        "lost": 0,
        "unacknowledged": 0,
        "exhausted_clerks": 0,
    }
    # an independent look at the database: each task that got a 200 is completed, by the clerk who owns it
    with platform.ctx.uow() as uow:
        stored = [uow.instances.get_task(task_id) for task_id in figures.completed]
    assert all(task is not None and task.state.value == "completed" for task in stored)
    assert {task.completed_by for task in stored if task} == {"clerk001", "clerk002"}
    assert {task.department for task in stored if task} == {"BENCH001", "BENCH002"}
    report = "\n".join(printed)
    assert "errors       : 0 (409 conflicts: 0)" in report
    assert "0 lost" in report
