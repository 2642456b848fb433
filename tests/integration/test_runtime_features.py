"""Call activities, DMN business rules, messages, script failures with retry, and timers under a frozen clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from engine.bootstrap import Platform
from engine.domain.records import InstanceStatus, TaskState
from engine.errors import ConcurrencyConflict, FormValidationError, ProcessDefinitionError
from engine.services.definitions import SourceFile, read_paths
from tests.conftest import ADMIN, APPROVER, CST, DATA, WINDOW, principal
from tests.integration.helpers import deploy_workday_timer

REVIEWER = principal("rev", ("reviewer", "CENTRE"))


def deploy(platform: Platform, *names: str) -> None:
    platform.definitions.deploy(read_paths([DATA / n for n in names]), actor="test")


def only_task(platform: Platform, who, iid: int):  # type: ignore[no-untyped-def]
    tasks = [t for t in platform.tasks.inbox(who) if t.instance_id == iid]
    assert len(tasks) == 1
    return tasks[0]


def test_call_activity_and_dmn_rule_run_in_one_instance(platform: Platform) -> None:
    deploy(platform, "main_with_call.bpmn", "delivery.bpmn", "fee_decision.dmn")
    iid = platform.instances.start(WINDOW, "main_with_call", {"kind": "new", "department": "CENTRE"}).id
    decide = only_task(platform, APPROVER, iid)
    assert platform.tasks.show(APPROVER, decide.task_id).data["fee"] == 10
    platform.tasks.complete(APPROVER, decide.task_id, {"ok": True})
    deliver = only_task(platform, WINDOW, iid)
    assert deliver.element_id == "deliver" and deliver.process_id == "main_with_call"
    platform.tasks.complete(WINDOW, deliver.task_id, {})
    assert platform.instances.get_record(iid).status == InstanceStatus.COMPLETED


def test_a_caller_deployed_alone_finds_its_deployed_callee(platform: Platform) -> None:
    deploy(platform, "delivery.bpmn")
    deploy(platform, "fee_decision.dmn", "main_with_call.bpmn")
    iid = platform.instances.start(WINDOW, "main_with_call", {"kind": "renew", "department": "CENTRE"}).id
    assert platform.tasks.show(APPROVER, only_task(platform, APPROVER, iid).task_id).data["fee"] == 0


def test_redeploying_identical_files_creates_no_new_version(platform: Platform) -> None:
    deploy(platform, "delivery.bpmn")
    again = platform.definitions.deploy(read_paths([DATA / "delivery.bpmn"]))
    assert [d.created for d in again] == [False]
    changed = (DATA / "delivery.bpmn").read_bytes().replace("送达决定书".encode(), "送达许可证".encode())
    newer = platform.definitions.deploy([SourceFile("delivery.bpmn", changed)])
    assert newer[0].created and newer[0].version.version == 2


def test_redeploying_an_older_bundle_is_a_rollback_and_unrelated_files_do_not_count(platform: Platform) -> None:
    original = (DATA / "delivery.bpmn").read_bytes()
    changed = original.replace("送达决定书".encode(), "送达许可证".encode())
    assert platform.definitions.deploy([SourceFile("delivery.bpmn", original)])[0].version.version == 1
    assert platform.definitions.deploy([SourceFile("delivery.bpmn", changed)])[0].version.version == 2
    back = platform.definitions.deploy([SourceFile("delivery.bpmn", original)])[0]
    assert back.created and back.version.version == 3
    assert platform.definitions.get_version("delivery").version == 3
    with_other = platform.definitions.deploy(
        [SourceFile("delivery.bpmn", original), *read_paths([DATA / "documents_message.bpmn"])]
    )
    assert {(d.version.process_id, d.version.version, d.created) for d in with_other} == {
        ("delivery", 3, False),
        ("documents_message", 1, True),
    }


def test_running_instances_stay_on_their_version(platform: Platform) -> None:
    deploy(platform, "delivery.bpmn")
    iid = platform.instances.start(WINDOW, "delivery", {"department": "CENTRE"}).id
    changed = (
        (DATA / "delivery.bpmn")
        .read_bytes()
        .replace(b'name="\xe9\x80\x81\xe8\xbe\xbe\xe5\x86\xb3\xe5\xae\x9a\xe4\xb9\xa6"', 'name="新任务名"'.encode())
    )
    platform.definitions.deploy([SourceFile("delivery.bpmn", changed)])
    assert platform.instances.get_record(iid).version == 1
    assert only_task(platform, WINDOW, iid).name == "送达决定书"
    newer = platform.instances.start(WINDOW, "delivery", {"department": "CENTRE"}).id
    assert only_task(platform, WINDOW, newer).name == "新任务名"


def test_message_reaches_the_instance_waiting_under_its_case_number(platform: Platform) -> None:
    deploy(platform, "documents_message.bpmn")
    a = platform.instances.start(WINDOW, "documents_message", {"case_no": "A-1", "department": "CENTRE"}).id
    b = platform.instances.start(WINDOW, "documents_message", {"case_no": "B-2", "department": "CENTRE"}).id
    assert platform.messages.send(WINDOW, "documents_received", "B-2", {"id_card": "ok"}) == [b]
    assert [t.instance_id for t in platform.tasks.inbox(WINDOW)] == [b]
    assert platform.messages.send(WINDOW, "documents_received", "B-2", {}) == []  # no longer waiting
    assert platform.instances.get_record(a).status == InstanceStatus.RUNNING


def test_script_failure_opens_an_incident_and_retry_with_a_fix_clears_it(platform: Platform) -> None:
    deploy(platform, "script_failure.bpmn")
    iid = platform.instances.start(WINDOW, "script_failure", {"department": "CENTRE"}).id
    fill = only_task(platform, WINDOW, iid)
    saved_before = platform.instances.get_record(iid).state
    result = platform.tasks.complete(WINDOW, fill.task_id, {"area": 120})
    assert result.instance_status == InstanceStatus.ERROR and "base_fee" in (result.incident or "")
    record = platform.instances.get_record(iid)
    assert record.status == InstanceStatus.ERROR
    assert record.state == saved_before  # the half-advanced engine state was never saved
    view = platform.instances.show(ADMIN, iid)
    assert view.incident is not None and view.incident.element_id == "fee"
    assert [t.state for t in view.tasks] == [TaskState.SUBMITTED]  # the clerk's input is kept, not lost
    with pytest.raises(ConcurrencyConflict):  # submitted already: the same 409 as a double completion
        platform.tasks.complete(WINDOW, fill.task_id, {"area": 120})
    with pytest.raises(Exception, match="base_fee"):
        platform.instances.retry(ADMIN, iid)  # the same failure again: still an incident
    platform.instances.retry(ADMIN, iid, {"base_fee": 2})
    after = only_task(platform, WINDOW, iid)
    assert after.element_id == "after"
    assert platform.tasks.show(WINDOW, after.task_id).data["fee"] == 240
    assert platform.instances.show(ADMIN, iid).incident is None
    assert platform.instances.get_record(iid).status == InstanceStatus.RUNNING


def test_boundary_timer_fires_when_the_frozen_clock_passes_it(platform: Platform, clock) -> None:  # type: ignore[no-untyped-def]
    deploy(platform, "short_timer.bpmn")
    iid = platform.instances.start(WINDOW, "short_timer", {"wait": "PT2H", "department": "CENTRE"}).id
    due = platform.instances.get_record(iid).next_due_at
    assert due == clock.now() + timedelta(hours=2)
    assert platform.timers.fire_due().fired == []
    clock.advance(timedelta(hours=2, seconds=1))
    assert platform.timers.fire_due().fired == [iid]
    assert only_task(platform, REVIEWER, iid).element_id == "escalated"
    assert platform.timers.fire_due().fired == []  # fires once
    assert platform.instances.get_record(iid).next_due_at is None


def test_suspended_instances_keep_their_timers_until_resumed(platform: Platform, clock) -> None:  # type: ignore[no-untyped-def]
    deploy(platform, "short_timer.bpmn")
    iid = platform.instances.start(WINDOW, "short_timer", {"wait": "PT1H", "department": "CENTRE"}).id
    platform.instances.suspend(ADMIN, iid)
    clock.advance(timedelta(hours=3))
    assert platform.timers.fire_due().fired == []
    platform.instances.resume(ADMIN, iid)
    assert platform.timers.fire_due().fired == [iid]


def test_a_deadline_into_2027_is_provisional_until_the_notice_is_imported(platform: Platform, clock) -> None:  # type: ignore[no-untyped-def]
    process_id = deploy_workday_timer(platform, 10)
    clock.set(datetime(2026, 12, 28, 10, 0, tzinfo=CST))  # accepted now, due in a year without its notice
    december = platform.instances.start(WINDOW, process_id, {"department": "CENTRE"}).id
    clock.set(datetime(2027, 1, 28, 10, 0, tzinfo=CST))  # a deadline across the 2027 Spring Festival
    january = platform.instances.start(WINDOW, process_id, {"department": "CENTRE"}).id
    first, second = only_task(platform, REVIEWER, december), only_task(platform, REVIEWER, january)
    # statutory rules only: 1/1 off; 12/29-31, 1/4-8, 1/11, 1/12 are the ten days -> end of 2027-01-12
    assert (first.due_at, first.due_provisional) == (datetime(2027, 1, 13, 0, 0, tzinfo=CST), True)
    # statutory: 2/5-2/10 off, no make-up days -> 1/29, 2/1-2/4, 2/11, 2/12, 2/15-2/17 -> end of 2/17
    assert (second.due_at, second.due_provisional) == (datetime(2027, 2, 18, 0, 0, tzinfo=CST), True)
    assert platform.instances.show(ADMIN, december).timers[0].provisional is True

    notice = (DATA.parent / "unit" / "data" / "notice_2027.txt").read_text(encoding="utf-8")
    result = platform.calendar.import_notice(ADMIN, notice)
    assert (result.year, result.deadlines_moved) == (2027, 2)
    first, second = only_task(platform, REVIEWER, december), only_task(platform, REVIEWER, january)
    assert (first.due_at, first.due_provisional) == (datetime(2027, 1, 13, 0, 0, tzinfo=CST), False)
    # the notice closes 2/5-2/13 and makes Sunday 1/31 a working day -> 1/29, 1/31, 2/1-2/4, 2/15-2/18
    assert (second.due_at, second.due_provisional) == (datetime(2027, 2, 19, 0, 0, tzinfo=CST), False)
    assert platform.instances.get_record(january).next_due_at == second.due_at
    assert platform.instances.show(ADMIN, january).timers[0].provisional is False


def test_malformed_bpmn_is_refused_with_file_and_line(platform: Platform) -> None:
    broken = (
        b'<?xml version="1.0"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">\n'
        b'<bpmn:process id="p">\n</bpmn:definitions>\n'
    )
    with pytest.raises(ProcessDefinitionError) as caught:
        platform.definitions.deploy([SourceFile("broken.bpmn", broken)])
    problem = caught.value.problems[0]
    assert problem.file == "broken.bpmn" and problem.line >= 3
    assert str(problem).startswith("broken.bpmn:")


TIMER_THEN_SCRIPT = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="timer_then_script" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="reviewer"><bpmn:flowNodeRef>done</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="s"/>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>
      <bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="compute"><bpmn:script>result = factor * 2</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="done" name="复核"/>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="compute"/>
    <bpmn:sequenceFlow id="f3" sourceRef="compute" targetRef="done"/>
    <bpmn:sequenceFlow id="f4" sourceRef="done" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_failing_timer_instance_becomes_an_incident_and_the_others_still_fire(platform: Platform, clock) -> None:  # type: ignore[no-untyped-def]
    platform.definitions.deploy([SourceFile("timer_then_script.bpmn", TIMER_THEN_SCRIPT.encode())])
    broken = platform.instances.start(WINDOW, "timer_then_script", {"department": "CENTRE"}).id
    healthy = platform.instances.start(WINDOW, "timer_then_script", {"department": "CENTRE", "factor": 21}).id
    clock.advance(timedelta(hours=1, seconds=1))
    report = platform.timers.fire_due()
    assert report.incidents == [broken] and report.fired == [healthy]
    assert platform.instances.get_record(broken).status == InstanceStatus.ERROR
    assert platform.timers.fire_due().fired == []  # the broken one is not ticked again and again
    task = only_task(platform, REVIEWER, healthy)
    assert platform.tasks.show(REVIEWER, task.task_id).data["result"] == 42
    platform.instances.retry(ADMIN, broken, {"factor": 5})
    assert platform.tasks.show(REVIEWER, only_task(platform, REVIEWER, broken).task_id).data["result"] == 10


def test_a_called_process_task_is_validated_against_its_own_form(platform: Platform) -> None:
    deploy(platform, "licence_with_inspection.bpmn", "site_inspection.bpmn", "inspection.json")
    officer = principal("officer", ("case_officer", "CENTRE"))
    iid = platform.instances.start(WINDOW, "licence_with_inspection", {"department": "CENTRE"}).id
    task = only_task(platform, officer, iid)
    assert platform.tasks.show(officer, task.task_id).form_schema["title"] == "现场核查记录"
    with pytest.raises(FormValidationError):
        platform.tasks.complete(officer, task.task_id, {})
    platform.tasks.complete(officer, task.task_id, {"findings": "场地与申报一致"})
    assert platform.instances.get_record(iid).status == InstanceStatus.COMPLETED
