"""Concurrent completions: N clients on one task give one success and N-1 conflicts (409); parallel branches
all survive.

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
from tests.conftest import ADMIN, APPROVER, ENV, HOUSING, LAND, WINDOW, principal

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


@pytest.mark.parametrize(("clients", "rounds"), [(2, 6), (8, 3)])
def test_same_task_completed_by_n_clients_at_once_one_wins_the_rest_conflict(
    deployed: Platform, clients: int, rounds: int
) -> None:
    """N reviewers of one department press 'complete' on one task at the same moment: exactly one completion is
    saved (the winner's opinion, by the winner), every other gets ConcurrencyConflict (HTTP 409), and the
    instance carries on intact from the winner's completion."""
    reviewers = [principal(f"land-{i}", ("reviewer", "LAND")) for i in range(clients)]
    for n in range(rounds):
        iid = accepted_instance(deployed, n)
        task = review_task(deployed, LAND, iid)
        outcomes = race(
            *[
                lambda who=who, task=task: deployed.tasks.complete(
                    who, task, {"approved": True, "opinion": f"{who.username}的意见"}
                )
                for who in reviewers
            ]
        )
        winners = [i for i, o in enumerate(outcomes) if not isinstance(o, Exception)]
        conflicts = [o for o in outcomes if isinstance(o, ConcurrencyConflict)]
        assert len(winners) == 1 and len(conflicts) == clients - 1, outcomes
        winner = reviewers[winners[0]].username
        view = deployed.instances.show(ADMIN, iid)
        completions = [e for e in view.history if e.action == "task_completed" and e.task_id == task]
        assert [e.actor for e in completions] == [winner]
        assert view.data["review_land"]["opinion"] == f"{winner}的意见"
        assert view.instance.status == InstanceStatus.RUNNING
        land = next(t for t in view.tasks if t.task_id == task)
        assert land.state.value == "completed" and land.completed_by == winner
        ready = sorted(t.element_id for t in view.tasks if t.state.value == "ready")
        assert ready == ["review_env", "review_housing"]  # the other branches untouched, nothing advanced twice
        # the saved state still works: the remaining reviews complete and the process reaches the approval
        for who in (HOUSING, ENV):
            deployed.tasks.complete(who, review_task(deployed, who, iid), {"approved": True, "opinion": "同意"})
        assert [t.element_id for t in deployed.tasks.inbox(APPROVER) if t.instance_id == iid] == ["approve"]


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
