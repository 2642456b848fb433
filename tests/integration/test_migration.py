"""Moving running instances to a newer version: compatible changes move (and the instance finishes on the new
version), incompatible ones are refused naming the blocking elements and leave the instance as it was."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from engine.domain.records import HumanTaskRecord, InstanceStatus, TaskState
from engine.errors import MigrationRefused, NotFound, PermissionDenied
from engine.services.definitions import SourceFile, read_paths
from tests.conftest import ADMIN, APPROVER, DATA, WINDOW, principal
from tests.integration.migration_processes import (
    APPROVE,
    ESCALATE,
    PERMIT_RENAMED_ID,
    PERMIT_V1,
    PERMIT_V2,
    RECHECK,
    REVIEW,
    Boundary,
    Chain,
    User,
    Wait,
)

REVIEWER = principal("rev", ("reviewer", "CENTRE"))


def start(platform: Platform, process_id: str = "permit") -> int:
    return platform.instances.start(WINDOW, process_id, {"department": "CENTRE", "applicant": "张三"}).id


def open_tasks(platform: Platform, iid: int) -> list[HumanTaskRecord]:
    return [t for t in platform.instances.show(ADMIN, iid).tasks if t.state == TaskState.READY]


def only_task(platform: Platform, iid: int) -> HumanTaskRecord:
    tasks = open_tasks(platform, iid)
    assert len(tasks) == 1, tasks
    return tasks[0]


def finish(platform: Platform, iid: int) -> list[str]:
    """Complete whatever is ready until the instance ends; returns the element ids in the order done."""
    done = []
    for _ in range(10):
        if platform.instances.get_record(iid).status == InstanceStatus.COMPLETED:
            return done
        task = only_task(platform, iid)
        platform.tasks.complete(ADMIN, task.task_id, {"ok": True})
        done.append(task.element_id)
    raise AssertionError(f"instance {iid} did not finish: {done}")


def test_a_compatible_version_moves_and_the_instance_finishes_through_the_new_task(platform: Platform) -> None:
    PERMIT_V1.deploy(platform)
    iid = start(platform)
    before = only_task(platform, iid)
    platform.tasks.claim(REVIEWER, before.task_id)
    assert PERMIT_V2.deploy(platform) == 2

    preview = platform.migration.preview(ADMIN, "permit", 2)
    [plan] = preview.instances
    assert (plan.instance_id, plan.from_version, plan.movable) == (iid, 1, True)
    assert [(a.element_id, a.state) for a in plan.active] == [("review", "ready")]

    result = platform.migration.migrate(ADMIN, "permit", 2, [iid])
    assert [(o.instance_id, o.migrated, o.from_version, o.to_version) for o in result.outcomes] == [(iid, True, 1, 2)]
    record = platform.instances.get_record(iid)
    assert record.version == 2
    assert record.process_version_id == platform.definitions.get_version("permit", 2).id
    after = only_task(platform, iid)
    # the same task, claim kept, now shown as the new version names it
    assert (after.task_id, after.claimed_by, after.name) == (before.task_id, "rev", "初审")
    history = platform.instances.show(ADMIN, iid).history
    assert [(e.action, e.details) for e in history if e.action == "migrated"] == [
        ("migrated", {"from_version": 1, "to_version": 2})
    ]

    assert finish(platform, iid) == ["review", "recheck", "approve"]
    completed = {e.element_id for e in platform.instances.show(ADMIN, iid).history if e.action == "element_completed"}
    assert "recheck" in completed


def test_a_task_moved_to_another_lane_is_released_for_its_new_role(platform: Platform) -> None:
    PERMIT_V1.deploy(platform)
    iid = start(platform)
    task = only_task(platform, iid)
    platform.tasks.claim(REVIEWER, task.task_id)
    Chain("permit", (User("review", "审查", "approver"), APPROVE)).deploy(platform)
    platform.migration.migrate(ADMIN, "permit", 2, [iid])
    moved = only_task(platform, iid)
    assert (moved.task_id, moved.role, moved.department, moved.claimed_by) == (task.task_id, "approver", "CENTRE", None)
    assert [t.task_id for t in platform.tasks.inbox(APPROVER) if t.instance_id == iid] == [task.task_id]


def test_an_incompatible_version_is_refused_naming_the_element_and_changes_nothing(platform: Platform) -> None:
    PERMIT_V1.deploy(platform)
    iid = start(platform)
    PERMIT_RENAMED_ID.deploy(platform)
    saved = platform.instances.get_record(iid)
    tasks_before = open_tasks(platform, iid)

    [plan] = platform.migration.preview(ADMIN, "permit", 2).instances
    assert not plan.movable
    assert [(b.element_id, b.name, b.reason) for b in plan.blocking] == [("review", "审查", "removed")]

    with pytest.raises(MigrationRefused) as refused:
        platform.migration.migrate(ADMIN, "permit", 2, [iid])
    assert refused.value.details == [
        {"process_id": "permit", "element_id": "review", "name": "审查", "state": "ready", "reason": "removed"}
    ]
    unchanged = platform.instances.get_record(iid)
    assert (unchanged.version, unchanged.process_version_id, unchanged.row_version, unchanged.state) == (
        1,
        saved.process_version_id,
        saved.row_version,
        saved.state,
    )
    assert open_tasks(platform, iid) == tasks_before
    assert not [e for e in platform.instances.show(ADMIN, iid).history if e.action == "migrated"]
    assert finish(platform, iid) == ["review", "approve"]  # still runs on version 1


def test_a_batch_moves_what_can_move_and_reports_the_rest(platform: Platform) -> None:
    PERMIT_V1.deploy(platform)
    at_review = start(platform)
    at_approve = start(platform)
    platform.tasks.complete(REVIEWER, only_task(platform, at_approve).task_id, {"ok": True})
    finished = start(platform)
    finish(platform, finished)
    # version 2 keeps the review but replaces the approval with a differently named element
    Chain("permit", (REVIEW, User("sign", "签发", "approver"))).deploy(platform)

    preview = platform.migration.preview(ADMIN, "permit", 2)
    assert {p.instance_id: p.movable for p in preview.instances} == {at_review: True, at_approve: False}
    assert [p.instance_id for p in preview.movable] == [at_review]

    result = platform.migration.migrate(ADMIN, "permit", 2, [at_review, at_approve, finished])
    outcome = {o.instance_id: o for o in result.outcomes}
    assert outcome[at_review].migrated
    assert not outcome[at_approve].migrated
    assert [(b.element_id, b.name) for b in outcome[at_approve].blocking] == [("approve", "审批")]
    assert (outcome[finished].migrated, outcome[finished].reason) == (False, "not_open")
    assert [o.instance_id for o in result.migrated] == [at_review]
    assert platform.instances.get_record(at_approve).version == 1
    assert finish(platform, at_review) == ["review", "sign"]
    assert finish(platform, at_approve) == ["approve"]


def test_a_timer_waiting_instance_moves_with_its_due_time_kept(platform: Platform, clock: FrozenClock) -> None:
    v1 = Chain("waiting", (Wait("cool_off", "冷静期", '"PT4H"'), REVIEW))
    v1.deploy(platform)
    iid = start(platform, "waiting")
    due = platform.instances.get_record(iid).next_due_at
    assert due == clock.now() + timedelta(hours=4)
    clock.advance(timedelta(hours=1))  # a timer restarted by the move would now be due an hour later
    Chain("waiting", (Wait("cool_off", "法定冷静期", '"PT4H"'), RECHECK, REVIEW)).deploy(platform)

    [plan] = platform.migration.preview(ADMIN, "waiting", 2).instances
    assert [(a.element_id, a.state, a.reason) for a in plan.active] == [("cool_off", "waiting", None)]
    platform.migration.migrate(ADMIN, "waiting", 2, [iid])
    record = platform.instances.get_record(iid)
    assert (record.version, record.next_due_at) == (2, due)
    [timer] = platform.instances.show(ADMIN, iid).timers
    assert (timer.element_id, timer.name, timer.due_at) == ("cool_off", "法定冷静期", due)

    clock.set(due + timedelta(seconds=1))
    assert platform.timers.fire_due().fired == [iid]
    assert finish(platform, iid) == ["recheck", "review"]


def test_a_boundary_deadline_is_kept_and_a_new_one_starts_waiting(platform: Platform, clock: FrozenClock) -> None:
    Chain("guarded", (REVIEW, APPROVE), (Boundary("late", "review", '"PT8H"', ESCALATE),)).deploy(platform)
    iid = start(platform, "guarded")
    due = platform.instances.get_record(iid).next_due_at
    clock.advance(timedelta(hours=1))
    reminder = Boundary("remind", "review", '"PT2H"', User("remind_task", "催办", "approver"), interrupting=False)
    Chain("guarded", (REVIEW, RECHECK, APPROVE), (Boundary("late", "review", '"PT8H"', ESCALATE), reminder)).deploy(
        platform
    )

    platform.migration.migrate(ADMIN, "guarded", 2, [iid])
    timers = {t.element_id: t.due_at for t in platform.instances.show(ADMIN, iid).timers}
    # the old deadline keeps its instant; the reminder new in version 2 counts from the move
    assert timers == {"late": due, "remind": clock.now() + timedelta(hours=2)}
    assert only_task(platform, iid).due_at == due

    clock.advance(timedelta(hours=2, seconds=1))
    assert platform.timers.fire_due().fired == [iid]
    assert {t.element_id for t in open_tasks(platform, iid)} == {"review", "remind_task"}
    review = next(t for t in open_tasks(platform, iid) if t.element_id == "review")
    platform.tasks.complete(REVIEWER, review.task_id, {})
    assert {t.element_id for t in open_tasks(platform, iid)} == {"remind_task", "recheck"}


def test_a_boundary_event_new_on_the_active_task_blocks_the_move(platform: Platform) -> None:
    PERMIT_V1.deploy(platform)
    iid = start(platform)
    Chain("permit", (REVIEW, APPROVE), (Boundary("late", "review", '"PT8H"', ESCALATE),)).deploy(platform)
    [plan] = platform.migration.preview(ADMIN, "permit", 2).instances
    assert [(b.element_id, b.reason) for b in plan.blocking] == [("review", "arrival_changed")]
    with pytest.raises(MigrationRefused):
        platform.migration.migrate(ADMIN, "permit", 2, [iid])


def test_history_the_new_version_dropped_does_not_stop_the_move(platform: Platform) -> None:
    Chain("permit", (User("intake", "收件", "reviewer"), REVIEW, APPROVE)).deploy(platform)
    iid = start(platform)
    platform.tasks.complete(REVIEWER, only_task(platform, iid).task_id, {"ok": True})
    PERMIT_V1.deploy(platform)  # version 2 no longer has the intake step the instance passed
    platform.migration.migrate(ADMIN, "permit", 2, [iid])
    assert platform.instances.get_record(iid).version == 2
    assert platform.instances.show(ADMIN, iid).data["intake"] == {"ok": True}  # its data stays
    assert finish(platform, iid) == ["review", "approve"]


def test_a_suspended_instance_moves_and_stays_suspended(platform: Platform) -> None:
    PERMIT_V1.deploy(platform)
    iid = start(platform)
    platform.instances.suspend(ADMIN, iid)
    PERMIT_V2.deploy(platform)
    platform.migration.migrate(ADMIN, "permit", 2, [iid])
    record = platform.instances.get_record(iid)
    assert (record.version, record.status) == (2, InstanceStatus.SUSPENDED)
    platform.instances.resume(ADMIN, iid)
    assert finish(platform, iid) == ["review", "recheck", "approve"]


def test_a_join_would_wait_for_a_branch_no_token_can_reach(platform: Platform) -> None:
    split = """<bpmn:parallelGateway id="split"/><bpmn:parallelGateway id="join"/>
      <bpmn:userTask id="land" name="国土审查"/><bpmn:userTask id="env" name="环保审查"/>{extra}
      <bpmn:sequenceFlow id="a" sourceRef="start" targetRef="split"/>
      <bpmn:sequenceFlow id="b" sourceRef="split" targetRef="land"/>
      <bpmn:sequenceFlow id="c" sourceRef="split" targetRef="env"/>
      <bpmn:sequenceFlow id="d" sourceRef="land" targetRef="join"/>
      <bpmn:sequenceFlow id="e" sourceRef="env" targetRef="join"/>
      <bpmn:sequenceFlow id="f" sourceRef="join" targetRef="end"/>"""
    third = """<bpmn:userTask id="fire" name="消防审查"/>
      <bpmn:sequenceFlow id="g" sourceRef="split" targetRef="fire"/>
      <bpmn:sequenceFlow id="h" sourceRef="fire" targetRef="join"/>"""

    def xml(extra: str) -> bytes:
        refs = "".join(
            f"<bpmn:flowNodeRef>{i}</bpmn:flowNodeRef>" for i in ("land", "env", "fire") if i in extra + split
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
            ' id="defs" targetNamespace="t"><bpmn:process id="parallel" isExecutable="true">'
            f'<bpmn:laneSet id="ls"><bpmn:lane id="l" name="reviewer">{refs}</bpmn:lane></bpmn:laneSet>'
            f'<bpmn:startEvent id="start"/><bpmn:endEvent id="end"/>{split.format(extra=extra)}</bpmn:process>'
            "</bpmn:definitions>"
        ).encode()

    platform.definitions.deploy([SourceFile("parallel.bpmn", xml(""))])
    iid = start(platform, "parallel")
    land = next(t for t in open_tasks(platform, iid) if t.element_id == "land")
    platform.tasks.complete(REVIEWER, land.task_id, {})
    platform.definitions.deploy([SourceFile("parallel.bpmn", xml(third))])  # a third branch after the split
    [plan] = platform.migration.preview(ADMIN, "parallel", 2).instances
    assert [(b.element_id, b.reason) for b in plan.blocking] == [("join", "unreachable_branch")]
    assert {a.element_id for a in plan.active if a.movable} == {"env"}


def test_an_instance_inside_a_called_process_moves_with_it(platform: Platform) -> None:
    platform.definitions.deploy(
        read_paths([DATA / n for n in ("main_with_call.bpmn", "delivery.bpmn", "fee_decision.dmn")])
    )
    iid = platform.instances.start(WINDOW, "main_with_call", {"kind": "new", "department": "CENTRE"}).id
    platform.tasks.complete(APPROVER, only_task(platform, iid).task_id, {"ok": True})
    deliver = only_task(platform, iid)
    assert deliver.element_id == "deliver"
    changed = (DATA / "main_with_call.bpmn").read_bytes().replace("作出决定".encode(), "审批决定".encode())
    platform.definitions.deploy([SourceFile("main_with_call.bpmn", changed)])
    [plan] = platform.migration.preview(ADMIN, "main_with_call", 2).instances
    assert {(a.process_id, a.element_id, a.state) for a in plan.active} == {
        ("main_with_call", "call_delivery", "started"),
        ("delivery", "deliver", "ready"),
    }
    platform.migration.migrate(ADMIN, "main_with_call", 2, [iid])
    assert only_task(platform, iid).task_id == deliver.task_id
    assert finish(platform, iid) == ["deliver"]


def test_only_administrators_move_instances_and_the_target_must_exist(platform: Platform) -> None:
    PERMIT_V1.deploy(platform)
    iid = start(platform)
    PERMIT_V2.deploy(platform)
    with pytest.raises(PermissionDenied):
        platform.migration.preview(REVIEWER, "permit", 2)
    with pytest.raises(PermissionDenied):
        platform.migration.migrate(WINDOW, "permit", 2, [iid])
    with pytest.raises(NotFound):
        platform.migration.preview(ADMIN, "permit", 9)
    with pytest.raises(NotFound):
        platform.migration.migrate(ADMIN, "permit", 2, [iid + 1000])
    assert platform.instances.get_record(iid).version == 1


def test_an_instance_already_on_the_target_is_not_moved_again(platform: Platform) -> None:
    PERMIT_V1.deploy(platform)
    PERMIT_V2.deploy(platform)
    iid = start(platform)  # starts on version 2
    assert platform.migration.preview(ADMIN, "permit", 2).instances == ()
    with pytest.raises(MigrationRefused, match="already on this version"):
        platform.migration.migrate(ADMIN, "permit", 2, [iid])
