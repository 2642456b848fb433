"""Concurrent completions: the same task twice gives one success and one 409; parallel branches both survive.

These run on whichever database the suite runs on; .ci/run runs the whole suite on PostgreSQL as well.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from engine.bootstrap import Platform
from engine.domain.records import InstanceStatus
from engine.errors import ConcurrencyConflict, ConcurrentUpdate
from engine.services.advance import apply_snapshot
from tests.conftest import ADMIN, ENV, HOUSING, LAND, WINDOW

INTAKE = {"applicant_name": "王五", "materials_complete": True, "accepted": True}


def accepted_instance(platform: Platform, n: int) -> int:
    iid = platform.instances.start(WINDOW, "parallel_review", {"department": "CENTRE", "case_no": f"K-{n}"}).id
    task = next(t for t in platform.tasks.inbox(WINDOW) if t.instance_id == iid)
    platform.tasks.complete(WINDOW, task.task_id, INTAKE)
    return iid


def review_task(platform: Platform, who: Any, iid: int) -> str:
    return next(t.task_id for t in platform.tasks.inbox(who) if t.instance_id == iid)


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment in threads; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # collected and asserted by the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_a_stale_save_is_refused_not_lost(deployed: Platform) -> None:
    """Deterministic: load, let another request complete a branch, then try to save the stale copy."""
    iid = accepted_instance(deployed, 0)
    land, housing = review_task(deployed, LAND, iid), review_task(deployed, HOUSING, iid)
    ctx = deployed.ctx
    with ctx.uow() as uow:
        stale = uow.instances.get(iid)
        snapshot, _ = ctx.runtime.complete(stale.state, land, {"approved": True, "opinion": "用地同意"})
    deployed.tasks.complete(HOUSING, housing, {"approved": True, "opinion": "住建同意"})
    with ctx.uow() as uow, pytest.raises(ConcurrentUpdate):
        apply_snapshot(
            ctx, uow, stale, snapshot, now=ctx.now(), actor="land", action="task_completed", completed_task_id=land
        )
    deployed.tasks.complete(LAND, land, {"approved": True, "opinion": "用地同意"})  # the retry path
    data = deployed.instances.show(ADMIN, iid).data
    assert data["review_land"]["opinion"] == "用地同意" and data["review_housing"]["opinion"] == "住建同意"


@pytest.mark.parametrize("rounds", [6])
def test_same_task_completed_twice_at_once_one_wins_one_conflicts(deployed: Platform, rounds: int) -> None:
    for n in range(rounds):
        iid = accepted_instance(deployed, n)
        task = review_task(deployed, LAND, iid)
        outcomes = race(
            *[
                lambda op=op, task=task: deployed.tasks.complete(LAND, task, {"approved": True, "opinion": op})
                for op in ("甲意见", "乙意见")
            ]
        )
        wins = [o for o in outcomes if not isinstance(o, Exception)]
        conflicts = [o for o in outcomes if isinstance(o, ConcurrencyConflict)]
        assert len(wins) == 1 and len(conflicts) == 1, outcomes
        history = [
            e for e in deployed.instances.show(ADMIN, iid).history if e.action == "task_completed" and e.task_id == task
        ]
        assert len(history) == 1


@pytest.mark.parametrize("rounds", [6])
def test_parallel_branches_completed_at_once_keep_every_opinion(deployed: Platform, rounds: int) -> None:
    for n in range(rounds):
        iid = accepted_instance(deployed, n)
        calls = [
            lambda who=who, dept=dept, iid=iid: deployed.tasks.complete(
                who, review_task(deployed, who, iid), {"approved": True, "opinion": f"{dept}同意"}
            )
            for who, dept in ((LAND, "自然资源"), (HOUSING, "住建"), (ENV, "生态环境"))
        ]
        outcomes = race(*calls)
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        view = deployed.instances.show(ADMIN, iid)
        assert view.data["review_land"]["opinion"] == "自然资源同意"
        assert view.data["review_housing"]["opinion"] == "住建同意"
        assert view.data["review_env"]["opinion"] == "生态环境同意"
        assert view.data["all_approved"] is True
        assert view.instance.status == InstanceStatus.RUNNING
        assert [t.element_id for t in view.tasks if t.state.value == "ready"] == ["approve"]
