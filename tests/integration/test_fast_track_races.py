"""Two departments' steps at the same moment: neither may leave the project waiting forever. On PostgreSQL the
two transactions are made to meet right before the project lock, the interleaving that lost the release before
the lock existed (each saw the other's decision as not yet made); on SQLite writers take turns anyway."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from engine.bootstrap import Platform
from engine.services.context import AdvanceEvent
from tests.integration.test_concurrency import race
from tests.integration.test_fast_track import (  # noqa: F401 - the fixture
    APPROVERS,
    DEPENDENT,
    OFFICE,
    OFFICERS,
    PREREQUISITE,
    fast_track,
    ready,
    register,
)


def meet_before_the_project_lock(platform: Platform, monkeypatch: pytest.MonkeyPatch, steps: set[str]) -> None:
    if platform.database.dialect.name != "postgresql":
        return
    barrier = threading.Barrier(2)
    hook = platform.projects.flow.on_advance

    def meeting(event: AdvanceEvent) -> None:
        done = {e.element_id for e in event.snapshot.completed_elements}
        if event.instance.process_id == "fast_track_review" and done & steps:
            barrier.wait(timeout=10)
        hook(event)

    hooks = [meeting if h == hook else h for h in platform.ctx.advance_hooks]
    monkeypatch.setattr(platform.ctx, "advance_hooks", hooks)


def finish_pre_reviews(platform: Platform, *departments: str) -> None:
    for department in departments:
        (task_id,) = ready(platform, OFFICERS[department], "pre_review")
        platform.tasks.complete(OFFICERS[department], task_id, {"opinion": "预审完毕"})


def test_the_last_two_decisions_at_once_release_the_joint_result(
    fast_track: Platform,  # noqa: F811 - the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code = register(fast_track)
    reviews = [{"item_code": PREREQUISITE}, {"item_code": "XK-STHJ-001"}]
    fast_track.projects.triage(OFFICE, code, reviews, "fasttrack", "LAND")
    finish_pre_reviews(fast_track, "LAND", "ENV")
    (land,) = ready(fast_track, APPROVERS["LAND"], "decision")
    (env,) = ready(fast_track, APPROVERS["ENV"], "decision")
    meet_before_the_project_lock(fast_track, monkeypatch, {"decision"})
    results: list[Any] = race(
        lambda: fast_track.tasks.complete(APPROVERS["LAND"], land, {"approved": True}),
        lambda: fast_track.tasks.complete(APPROVERS["ENV"], env, {"approved": False, "reasons": "排放不达标"}),
    )
    assert not [r for r in results if isinstance(r, Exception)]
    assert len(ready(fast_track, OFFICE, "conclusion")) == 1


def test_a_pre_review_and_its_prerequisite_s_decision_at_once_forward_the_result(
    fast_track: Platform,  # noqa: F811 - the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code = register(fast_track)
    reviews = [{"item_code": PREREQUISITE}, {"item_code": DEPENDENT, "prerequisites": [PREREQUISITE]}]
    fast_track.projects.triage(OFFICE, code, reviews, "fasttrack", "LAND")
    finish_pre_reviews(fast_track, "LAND")
    (decision,) = ready(fast_track, APPROVERS["LAND"], "decision")
    (pre_review,) = ready(fast_track, OFFICERS["HOUSING"], "pre_review")
    meet_before_the_project_lock(fast_track, monkeypatch, {"decision", "pre_review"})
    results: list[Any] = race(
        lambda: fast_track.tasks.complete(APPROVERS["LAND"], decision, {"approved": True}),
        lambda: fast_track.tasks.complete(OFFICERS["HOUSING"], pre_review, {"opinion": "预审完毕"}),
    )
    assert not [r for r in results if isinstance(r, Exception)]
    assert len(ready(fast_track, APPROVERS["HOUSING"], "decision")) == 1
