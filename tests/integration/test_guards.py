"""Refusals and edge cases: forged tokens, message scoping, department checks, unsavable script data,
message incidents, stale calendars, and what an inbox leaves out."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from itsdangerous import URLSafeTimedSerializer

from engine.bootstrap import Platform
from engine.config import Settings
from engine.domain.access import Principal, RoleGrant
from engine.domain.records import InstanceStatus
from engine.errors import AuthenticationFailed, FormValidationError, PermissionDenied
from engine.services.definitions import SourceFile, read_paths
from tests.conftest import ADMIN, DATA, WINDOW, principal

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' id="d" targetNamespace="t">'
)


def test_a_token_signed_with_a_guessable_key_is_refused(platform: Platform) -> None:
    forged = URLSafeTimedSerializer("onestop-demo-secret", salt="onestop-api-token").dumps({"u": "admin"})
    with pytest.raises(AuthenticationFailed):
        platform.accounts.principal_for_token(forged)


def test_without_a_configured_key_a_private_random_one_is_generated(tmp_path: Path) -> None:
    settings = Settings.from_env(env={}, instance_dir=tmp_path, database_url="sqlite://")
    first, second = settings.with_secret_key(), settings.with_secret_key()
    assert first.secret_key and first.secret_key == second.secret_key and len(first.secret_key) >= 40
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    other = Settings.from_env(env={}, instance_dir=tmp_path / "other", database_url="sqlite://").with_secret_key()
    assert other.secret_key != first.secret_key


def test_messages_need_a_correlation_and_stay_in_the_senders_departments(platform: Platform) -> None:
    platform.definitions.deploy(read_paths([DATA / "documents_message.bpmn"]))
    iid = platform.instances.start(WINDOW, "documents_message", {"case_no": "M-1", "department": "CENTRE"}).id
    with pytest.raises(FormValidationError):
        platform.messages.send(WINDOW, "documents_received", "", {})
    outsider = principal("land", ("reviewer", "LAND"))
    assert platform.messages.send(outsider, "documents_received", "M-1", {}) == []
    assert platform.messages.send(WINDOW, "documents_received", "M-1", {}) == [iid]


THROWER = f"""{HEAD}
  <bpmn:message id="m" name="documents_received"/>
  <bpmn:process id="thrower" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:intermediateThrowEvent id="t"><bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateThrowEvent>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/><bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_thrown_message_reaches_only_its_own_case(platform: Platform) -> None:
    platform.definitions.deploy(
        [*read_paths([DATA / "documents_message.bpmn"]), SourceFile("t.bpmn", THROWER.encode())]
    )
    a = platform.instances.start(WINDOW, "documents_message", {"case_no": "A", "department": "CENTRE"}).id
    b = platform.instances.start(WINDOW, "documents_message", {"case_no": "B", "department": "CENTRE"}).id
    platform.instances.start(WINDOW, "thrower", {"department": "CENTRE"})  # no case number: goes nowhere
    platform.instances.start(WINDOW, "thrower", {"department": "CENTRE", "case_no": "B"})
    waiting = {t.instance_id for t in platform.tasks.inbox(WINDOW)}
    assert waiting == {b} and a not in waiting


def test_the_department_must_exist_and_the_starter_must_work_there(deployed: Platform) -> None:
    with pytest.raises(FormValidationError):
        deployed.instances.start(WINDOW, "parallel_review", {})
    with pytest.raises(FormValidationError):
        deployed.instances.start(WINDOW, "parallel_review", {"department": "NOPE"})
    with pytest.raises(FormValidationError):
        deployed.instances.start(WINDOW, "parallel_review", {"department": ["CENTRE"]})
    with pytest.raises(FormValidationError):
        deployed.instances.start(WINDOW, "parallel_review", {"department": "CENTRE", "case_no": "x" * 65})
    with pytest.raises(PermissionDenied):
        deployed.instances.start(WINDOW, "parallel_review", {"department": "LAND"})


def test_a_task_without_a_department_is_only_for_centre_wide_holders() -> None:
    scoped = Principal("env", grants=frozenset({RoleGrant("reviewer", "ENV")}))
    centre = Principal("chief", grants=frozenset({RoleGrant("reviewer", None)}))
    assert not scoped.holds("reviewer", None)
    assert centre.holds("reviewer", None) and centre.holds("reviewer", "ENV")


UNSAVABLE = f"""{HEAD}
  <bpmn:process id="unsavable" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="window_officer"><bpmn:flowNodeRef>u</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="s"/>
    <bpmn:userTask id="u" name="填报"/>
    <bpmn:scriptTask id="odd"><bpmn:script>value = 1j</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="u"/><bpmn:sequenceFlow id="f2" sourceRef="u" targetRef="odd"/>
    <bpmn:sequenceFlow id="f3" sourceRef="odd" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_script_leaving_unsavable_data_is_an_incident_not_a_server_error(platform: Platform) -> None:
    platform.definitions.deploy([SourceFile("unsavable.bpmn", UNSAVABLE.encode())])
    iid = platform.instances.start(WINDOW, "unsavable", {"department": "CENTRE"}).id
    task = next(t for t in platform.tasks.inbox(WINDOW) if t.instance_id == iid)
    result = platform.tasks.complete(WINDOW, task.task_id, {})
    assert result.instance_status == InstanceStatus.ERROR and result.incident
    assert platform.instances.show(ADMIN, iid).incident is not None


FAILING_RECEIVER = f"""{HEAD}
  <bpmn:message id="m" name="fee_paid"/>
  <bpmn:process id="receiver" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="window_officer"><bpmn:flowNodeRef>u</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="s"/>
    <bpmn:intermediateCatchEvent id="c"><bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="book"><bpmn:script>receipt = prefix + "-001"</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="u" name="出具收据"/>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="c"/><bpmn:sequenceFlow id="f2" sourceRef="c" targetRef="book"/>
    <bpmn:sequenceFlow id="f3" sourceRef="book" targetRef="u"/><bpmn:sequenceFlow id="f4" sourceRef="u" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_retrying_a_failed_message_delivers_it_again(platform: Platform) -> None:
    platform.definitions.deploy([SourceFile("receiver.bpmn", FAILING_RECEIVER.encode())])
    iid = platform.instances.start(WINDOW, "receiver", {"department": "CENTRE", "case_no": "F-1"}).id
    assert platform.messages.send(WINDOW, "fee_paid", "F-1", {"amount": 10}) == [iid]
    assert platform.instances.get_record(iid).status == InstanceStatus.ERROR
    platform.instances.retry(ADMIN, iid, {"prefix": "SM"})
    task = next(t for t in platform.tasks.inbox(WINDOW) if t.instance_id == iid)
    assert platform.tasks.show(WINDOW, task.task_id).data["receipt"] == "SM-001"


def test_inbox_leaves_out_tasks_nobody_can_act_on(deployed: Platform) -> None:
    iid = deployed.instances.start(WINDOW, "parallel_review", {"department": "CENTRE"}).id
    assert [t.instance_id for t in deployed.tasks.inbox(WINDOW)] == [iid]
    deployed.instances.suspend(ADMIN, iid)
    assert deployed.tasks.inbox(WINDOW) == []
    deployed.instances.resume(ADMIN, iid)
    assert [t.instance_id for t in deployed.tasks.inbox(WINDOW)] == [iid]


def test_deadlines_computed_with_an_older_calendar_are_found_and_recomputed(platform: Platform, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import date, datetime

    from engine.domain.calendar import DayRule
    from tests.conftest import CST
    from tests.integration.helpers import deploy_workday_timer

    process_id = deploy_workday_timer(platform, 3)
    clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=CST))  # Monday: 3/10, 3/11, 3/12 -> ends 3/13 00:00
    iid = platform.instances.start(WINDOW, process_id, {"department": "CENTRE"}).id
    assert platform.instances.get_record(iid).next_due_at == datetime(2026, 3, 13, 0, 0, tzinfo=CST)
    # another process marks 3/11 a rest day (simulated: straight into the table, bypassing this service)
    with platform.ctx.uow(write=True) as uow:
        uow.calendar.set_day(DayRule(date(2026, 3, 11), False, "停电休息", "admin"), clock.now())
        uow.commit()
    platform.calendar.invalidate()
    assert platform.calendar.recompute_stale_deadlines() == 1
    # 3/10, (3/11 now a rest day), 3/12, 3/13 -> ends at the end of Friday 3/13
    assert platform.instances.get_record(iid).next_due_at == datetime(2026, 3, 14, 0, 0, tzinfo=CST)
    assert platform.calendar.recompute_stale_deadlines() == 0  # nothing stale any more
