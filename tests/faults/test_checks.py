"""The drills' checks can fail: a broken projection, a lost completion and a timer left overdue are each found
(so a passing drill means something)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete

from engine.domain.access import Principal, RoleGrant
from engine.persistence.tables import human_tasks
from faults.checks import check
from faults.load import Record
from faults.stack import DEPARTMENT, PROCESS_ID, prepare
from tests.conftest import _empty_all_tables

CLERK = Principal("drill_clerk_1", grants=frozenset({RoleGrant("window_officer", DEPARTMENT)}))


def test_checks_find_broken_projections_lost_completions_and_overdue_timers(database_url: str, tmp_path: Path) -> None:
    _empty_all_tables(database_url)
    platform = prepare(database_url, tmp_path, clerks=1)
    since = datetime.now(UTC) - timedelta(seconds=1)
    data = {"wait": "PT1S", "limit": "PT3S", "department": DEPARTMENT}
    waiting = platform.instances.start(CLERK, PROCESS_ID, data)
    broken = platform.instances.start(CLERK, PROCESS_ID, data)
    receive = platform.tasks.inbox(CLERK)
    first = next(t for t in receive if t.instance_id == waiting.id)
    platform.tasks.complete(CLERK, first.task_id, {"ok": True})  # its "wait" timer now waits
    record = Record(completed=[(first.task_id, waiting.id)], started=[waiting.id, broken.id])
    soon = datetime.now(UTC) - timedelta(minutes=1)

    clean = check(platform, since, record, overdue_before=soon)
    assert clean.ok, clean.summary()
    assert clean.instances == 2 and clean.completions_checked == 1 and clean.starts_checked == 2

    lost_task = next(t for t in receive if t.instance_id == broken.id)
    with platform.database.begin() as conn:
        conn.execute(delete(human_tasks).where(human_tasks.c.task_id == lost_task.task_id))
    record.completed.append((lost_task.task_id, broken.id))  # as if a 200 had been answered for it
    found = check(platform, since, record, overdue_before=datetime.now(UTC) + timedelta(hours=1))
    text = "\n".join(found.problems)
    assert f"instance {broken.id}: READY rows [] != ready tasks of the state" in text
    assert f"completion of task {lost_task.task_id} (instance {broken.id}) answered 200 but lost" in text
    assert f"instance {waiting.id}: timer wait due" in text and "never fired" in text
    platform.close()
