"""The bundled three-department parallel review, end to end through the service layer."""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.bootstrap import Platform
from engine.domain.records import InstanceStatus, TaskState
from engine.errors import ConcurrencyConflict, FormValidationError, InvalidTransition, PermissionDenied
from tests.conftest import ADMIN, APPROVER, CST, ENV, HOUSING, LAND, WINDOW

INTAKE = {"applicant_name": "张三", "materials_complete": True, "accepted": True}
YES = {"approved": True, "opinion": "符合规划要求"}


def start(platform: Platform, case_no: str = "C-0001") -> int:
    return platform.instances.start(WINDOW, "parallel_review", {"department": "CENTRE", "case_no": case_no}).id


def task_of(platform: Platform, who, instance_id: int) -> str:  # type: ignore[no-untyped-def]
    mine = [t for t in platform.tasks.inbox(who) if t.instance_id == instance_id]
    assert len(mine) == 1, f"{who.username} sees {len(mine)} tasks of instance {instance_id}"
    return mine[0].task_id


def test_three_departments_review_at_once_and_each_opinion_survives(deployed: Platform) -> None:
    iid = start(deployed)
    deployed.tasks.complete(WINDOW, task_of(deployed, WINDOW, iid), INTAKE)
    reviews = {who.username: task_of(deployed, who, iid) for who in (LAND, HOUSING, ENV)}
    assert len(set(reviews.values())) == 3
    deployed.tasks.complete(LAND, reviews["land"], {"approved": True, "opinion": "用地符合规划"})
    deployed.tasks.complete(ENV, reviews["env"], {"approved": True, "opinion": "环评已通过"})
    deployed.tasks.complete(HOUSING, reviews["housing"], {"approved": True, "opinion": "设计方案合格"})
    approve = task_of(deployed, APPROVER, iid)
    data = deployed.instances.show(ADMIN, iid).data
    assert data["review_land"]["opinion"] == "用地符合规划"
    assert data["review_env"]["opinion"] == "环评已通过"
    assert data["review_housing"]["opinion"] == "设计方案合格"
    assert data["all_approved"] is True
    deployed.tasks.complete(APPROVER, approve, {"decision": "准予许可"})
    view = deployed.instances.show(ADMIN, iid)
    assert view.instance.status == InstanceStatus.COMPLETED
    assert {"intake", "review_land", "review_housing", "review_env", "summarize", "approve", "end_ok"} <= set(
        view.completed_elements
    )
    actions = [e.action for e in view.history]
    assert actions.count("task_completed") == 5 and actions[0] == "started"
    assert all(t.state == TaskState.COMPLETED for t in view.tasks)


def test_a_refusal_by_one_department_takes_the_refusal_path(deployed: Platform) -> None:
    iid = start(deployed)
    deployed.tasks.complete(WINDOW, task_of(deployed, WINDOW, iid), INTAKE)
    deployed.tasks.complete(LAND, task_of(deployed, LAND, iid), {"approved": False, "opinion": "占用基本农田"})
    deployed.tasks.complete(HOUSING, task_of(deployed, HOUSING, iid), YES)
    deployed.tasks.complete(ENV, task_of(deployed, ENV, iid), YES)
    view = deployed.instances.show(ADMIN, iid)
    assert view.instance.status == InstanceStatus.COMPLETED
    assert "end_refused" in view.completed_elements and "approve" not in view.completed_elements
    assert view.data["decision"] == "不予许可"


def test_review_tasks_carry_a_five_working_day_deadline_from_the_calendar(deployed: Platform, clock) -> None:  # type: ignore[no-untyped-def]
    # accepted on Thursday 2026-02-12: the clock starts the next day; 2/14 (Sat) is a 调休 working day,
    # 2/15-2/23 is the Spring Festival break, so five working days are 2/13, 2/14, 2/24, 2/25, 2/26
    clock.set(datetime(2026, 2, 12, 10, 0, tzinfo=CST))
    iid = start(deployed)
    deployed.tasks.complete(WINDOW, task_of(deployed, WINDOW, iid), INTAKE)
    review = next(t for t in deployed.tasks.inbox(LAND) if t.instance_id == iid)
    assert review.due_at == datetime(2026, 2, 27, 0, 0, tzinfo=CST)
    assert review.due_provisional is False
    timers = deployed.instances.show(ADMIN, iid).timers
    assert len(timers) == 3 and {t.due_at for t in timers} == {review.due_at}


def test_wrong_department_or_role_is_refused(deployed: Platform) -> None:
    iid = start(deployed)
    deployed.tasks.complete(WINDOW, task_of(deployed, WINDOW, iid), INTAKE)
    land_task = task_of(deployed, LAND, iid)
    with pytest.raises(PermissionDenied):
        deployed.tasks.complete(HOUSING, land_task, YES)  # a reviewer, but of another department
    with pytest.raises(PermissionDenied):
        deployed.tasks.complete(APPROVER, land_task, YES)  # right department? no: wrong role
    assert land_task not in {t.task_id for t in deployed.tasks.inbox(HOUSING)}


def test_invalid_form_data_names_each_field(deployed: Platform) -> None:
    iid = start(deployed)
    intake = task_of(deployed, WINDOW, iid)
    with pytest.raises(FormValidationError) as caught:
        deployed.tasks.complete(WINDOW, intake, {"applicant_name": "", "accepted": "yes"})
    fields = {e.field for e in caught.value.field_errors}
    assert {"applicant_name", "accepted", "materials_complete"} <= fields
    assert task_of(deployed, WINDOW, iid) == intake  # nothing moved


def test_completing_twice_is_a_conflict(deployed: Platform) -> None:
    iid = start(deployed)
    intake = task_of(deployed, WINDOW, iid)
    deployed.tasks.complete(WINDOW, intake, INTAKE)
    with pytest.raises(ConcurrencyConflict):
        deployed.tasks.complete(WINDOW, intake, INTAKE)


def test_claims_are_exclusive_and_released_by_their_holder(deployed: Platform) -> None:
    iid = start(deployed)
    other = WINDOW.__class__("window2", grants=WINDOW.grants)
    intake = task_of(deployed, WINDOW, iid)
    assert deployed.tasks.claim(WINDOW, intake).claimed_by == "window"
    with pytest.raises(ConcurrencyConflict):
        deployed.tasks.claim(other, intake)
    with pytest.raises(PermissionDenied):
        deployed.tasks.complete(other, intake, INTAKE)
    with pytest.raises(PermissionDenied):
        deployed.tasks.unclaim(other, intake)
    assert deployed.tasks.unclaim(WINDOW, intake).claimed_by is None
    deployed.tasks.complete(other, intake, INTAKE)


def test_suspended_instances_refuse_work_until_resumed(deployed: Platform) -> None:
    iid = start(deployed)
    intake = task_of(deployed, WINDOW, iid)
    deployed.instances.suspend(ADMIN, iid)
    with pytest.raises(InvalidTransition):
        deployed.tasks.complete(WINDOW, intake, INTAKE)
    with pytest.raises(PermissionDenied):
        deployed.instances.resume(WINDOW, iid)
    deployed.instances.resume(ADMIN, iid)
    deployed.tasks.complete(WINDOW, intake, INTAKE)


def test_terminate_cancels_open_tasks_and_timers(deployed: Platform) -> None:
    iid = start(deployed)
    deployed.tasks.complete(WINDOW, task_of(deployed, WINDOW, iid), INTAKE)
    deployed.instances.terminate(ADMIN, iid, "申请人撤回申请")
    view = deployed.instances.show(ADMIN, iid)
    assert view.instance.status == InstanceStatus.TERMINATED
    assert view.timers == [] and view.instance.next_due_at is None
    assert not [t for t in view.tasks if t.state == TaskState.READY]
    with pytest.raises(InvalidTransition):
        deployed.instances.terminate(ADMIN, iid)
