"""Public feedback on a real database: 好差评 ratings once per case, stage and channel (after acceptance and after
completion, never before acceptance), the lookup's own 404 for a wrong code, bad reviews flagged without storing
who rated, and complaints numbered uniquely under concurrency with a 10-working-day reply deadline."""

from __future__ import annotations

import threading
from datetime import date, datetime
from typing import Any

import pytest

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from engine.domain.access import Principal
from engine.errors import (
    ConcurrencyConflict,
    FormValidationError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
)
from engine.services.catalogue import plain
from engine.services.definitions import read_paths
from tests.conftest import ADMIN, CST, DATA, ENV, principal

ITEM = {
    "code": "TEST-CASE-001",
    "name": "测试许可",
    "type": "行政许可",
    "department": "LAND",
    "window": "W05",
    "process_id": "item_test_case",
    "promised_days": 5,
    "statutory_days": 20,
    "instant": False,
}
LAND_WINDOW = principal("landwin", ("window_officer", "LAND"))
OFFICER = principal("officer", ("case_officer", "LAND"))
DECIDER = principal("decider", ("approver", "LAND"))
COMPLAINT_DESK = principal("complaint", ("complaint_officer", "CENTRE"))
SUPERVISOR = principal("supervisor", ("supervisor", None))
APPLICANT = {"name": "张小明", "id_number": "530125199001011234", "phone": "13812345678"}


@pytest.fixture
def cases(platform: Platform) -> Platform:
    platform.definitions.deploy(read_paths([DATA / "item_test_case.bpmn"]))
    with platform.ctx.uow(write=True) as uow:
        uow.catalogue.upsert({**ITEM, "guide": plain(ITEM)}, platform.clock.now())
        uow.commit()
    return platform


def open_case(platform: Platform) -> tuple[str, str]:
    created = platform.cases.create(LAND_WINDOW, {"item_code": ITEM["code"], "applicant": APPLICANT})
    return created.case_no, created.query_code


def step(platform: Platform, who: Principal, case_no: str, element: str, data: dict[str, Any]) -> None:
    task = next(t for t in platform.tasks.inbox(who) if t.business_key == case_no and t.element_id == element)
    platform.tasks.complete(who, task.task_id, data)


def finish(platform: Platform, case_no: str) -> None:
    step(platform, OFFICER, case_no, "examination", {"opinion": "符合条件"})
    step(platform, DECIDER, case_no, "decision", {"approved": True})
    step(platform, LAND_WINDOW, case_no, "delivery", {"method": "窗口领取"})


def test_a_case_is_rated_once_at_acceptance_and_once_at_completion(cases: Platform) -> None:
    case_no, code = open_case(cases)
    with pytest.raises(InvalidTransition):  # nothing to rate before acceptance
        cases.feedback.evaluate_public(case_no, code, 5, "")
    step(cases, LAND_WINDOW, case_no, "acceptance", {"decision": "accept"})
    first = cases.feedback.evaluate_public(case_no, code, 5, "窗口热情")
    assert (first["stage"], first["channel"], first["level"]) == ("acceptance", "web", 5)
    assert first["handled_by"] == "landwin" and first["department"] == "LAND" and first["window"] == "W05"
    with pytest.raises(ConcurrencyConflict, match="已评价"):
        cases.feedback.evaluate_public(case_no, code, 4, "")
    # the window's rating device is another channel: one rating there too
    at_window = cases.feedback.evaluate_at_window(LAND_WINDOW, case_no, "4", "")
    assert (at_window["stage"], at_window["channel"], at_window["handled_by"]) == ("acceptance", "window", "landwin")
    with pytest.raises(ConcurrencyConflict):
        cases.feedback.evaluate_at_window(LAND_WINDOW, case_no, 3, "")
    finish(cases, case_no)
    last = cases.feedback.evaluate_public(case_no, code, 4, "")
    assert last["stage"] == "completion" and last["handled_by"] == "landwin"  # who delivered it
    with pytest.raises(ConcurrencyConflict):
        cases.feedback.evaluate_public(case_no, code, 1, "")
    listed = cases.feedback.evaluations(ADMIN)["evaluations"]
    assert sorted((e["stage"], e["channel"], e["level"]) for e in listed) == [
        ("acceptance", "web", 5),
        ("acceptance", "window", 4),
        ("completion", "web", 4),
    ]


def test_a_wrong_query_code_is_the_same_not_found_as_a_missing_case(cases: Platform) -> None:
    case_no, code = open_case(cases)
    step(cases, LAND_WINDOW, case_no, "acceptance", {"decision": "accept"})
    wrong_code = "000000" if code != "000000" else "111111"
    with pytest.raises(NotFound) as wrong:
        cases.feedback.evaluate_public(case_no, wrong_code, 5, "")
    with pytest.raises(NotFound) as missing:
        cases.feedback.evaluate_public("NO-SUCH-CASE", code, 5, "")
    with pytest.raises(NotFound) as lookup:
        cases.cases.public_status(case_no, wrong_code)
    assert wrong.value.message == missing.value.message == lookup.value.message
    assert cases.feedback.evaluations(ADMIN)["evaluations"] == []


def test_a_bad_review_is_flagged_for_rectification_and_nothing_identifies_the_evaluator(cases: Platform) -> None:
    case_no, code = open_case(cases)
    step(cases, LAND_WINDOW, case_no, "acceptance", {"decision": "accept"})
    bad = cases.feedback.evaluate_public(case_no, code, "2", "要求提供指南之外的材料")
    assert bad["needs_rectification"] is True and bad["instance_id"] is None
    other, other_code = open_case(cases)
    step(cases, LAND_WINDOW, other, "acceptance", {"decision": "accept"})
    fair = cases.feedback.evaluate_public(other, other_code, 3, "")
    assert fair["needs_rectification"] is False
    with cases.ctx.uow() as uow:
        stored = uow.feedback.evaluations()
    assert len(stored) == 2
    text = repr(stored)
    for personal in (*APPLICANT.values(), code, other_code):
        assert personal not in text
    result = cases.feedback.evaluations(SUPERVISOR, bad_only=True)
    assert [e["case_no"] for e in result["evaluations"]] == [case_no]
    assert result["summary"]["bad"] == 1 and result["summary"]["count"] == 2


def test_a_rating_needs_a_level_and_a_short_comment(cases: Platform) -> None:
    case_no, code = open_case(cases)
    with pytest.raises(FormValidationError) as error:
        cases.feedback.evaluate_public(case_no, code, 9, "长" * 501)
    assert {e.field for e in error.value.field_errors} == {"level", "comment"}


def test_only_a_window_of_the_case_records_a_window_rating(cases: Platform) -> None:
    case_no, _code = open_case(cases)
    step(cases, LAND_WINDOW, case_no, "acceptance", {"decision": "accept"})
    with pytest.raises(PermissionDenied):
        cases.feedback.evaluate_at_window(ENV, case_no, 5, "")
    with pytest.raises(PermissionDenied):
        cases.feedback.evaluate_at_window(principal("envwin", ("window_officer", "ENV")), case_no, 5, "")
    with pytest.raises(NotFound):
        cases.feedback.evaluate_at_window(LAND_WINDOW, "NO-SUCH-CASE", 5, "")


COMPLAINT = {"name": "王小红", "phone": "13900001111", "category": "delay", "content": "审批超过承诺时限仍无答复。"}


def test_two_complaints_filed_at_once_get_different_numbers(platform: Platform) -> None:
    barrier = threading.Barrier(2)
    numbers: list[str] = []
    failures: list[BaseException] = []

    def file() -> None:
        try:
            barrier.wait()
            numbers.append(platform.feedback.file_complaint(dict(COMPLAINT))["number"])
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=file) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(numbers) == ["TS-2026-000001", "TS-2026-000002"]
    assert platform.feedback.file_complaint(dict(COMPLAINT))["number"] == "TS-2026-000003"


def test_a_complaint_is_answered_within_ten_working_days_across_the_spring_festival(
    platform: Platform, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 2, 12, 10, 0, tzinfo=CST))  # Thursday before the Spring Festival
    filed = platform.feedback.file_complaint(dict(COMPLAINT))
    # 2/13, 2/14 (调休), [2/15–2/23 holiday], 2/24, 2/25, 2/26, 2/27, 2/28 (调休), 3/2, 3/3, 3/4
    assert filed["due_at"] == datetime(2026, 3, 5, 0, 0, tzinfo=CST)
    assert filed["reply_by"] == date(2026, 3, 4)  # the last day, as the complainant is told
    assert filed["reply_workdays"] == 10 and filed["status"] == "received"
    assert filed["number"].startswith("TS-2026-")


def test_the_complaint_desk_sees_the_complainant_and_others_see_them_masked(cases: Platform) -> None:
    case_no, _code = open_case(cases)
    cases.feedback.file_complaint({**COMPLAINT, "case_no": case_no})
    [full] = cases.feedback.complaints(COMPLAINT_DESK)
    assert full["complainant"] == {"name": "王小红", "phone": "13900001111"} and full["masked"] is False
    assert full["department"] == "LAND"  # the related case's department, when none was chosen
    for reader in (SUPERVISOR, ADMIN):
        [masked] = cases.feedback.complaints(reader)
        assert masked["complainant"] == {"name": "王**", "phone": "139****1111"} and masked["masked"] is True
    for outsider in (LAND_WINDOW, ENV):
        with pytest.raises(PermissionDenied):
            cases.feedback.complaints(outsider)
        with pytest.raises(PermissionDenied):
            cases.feedback.evaluations(outsider)


def test_a_web_complaint_is_checked_field_by_field(cases: Platform) -> None:
    with pytest.raises(FormValidationError) as empty:
        cases.feedback.file_complaint({})
    assert {e.field for e in empty.value.field_errors} == {"name", "phone", "category", "content"}
    with pytest.raises(FormValidationError) as wrong:
        cases.feedback.file_complaint({**COMPLAINT, "phone": "12345", "category": "weather"})
    assert {e.field for e in wrong.value.field_errors} == {"phone", "category"}
    with pytest.raises(FormValidationError) as unknown:
        cases.feedback.file_complaint({**COMPLAINT, "department": "NOPE", "case_no": "NO-SUCH-CASE"})
    assert {e.field for e in unknown.value.field_errors} == {"department", "case_no"}
    assert cases.feedback.complaints(ADMIN) == []


def test_desk_phone_and_opinion_book_complaints_are_recorded_by_the_complaint_desk(platform: Platform) -> None:
    entry = {"category": "conduct", "content": "意见簿：窗口工作人员态度生硬。"}
    with pytest.raises(PermissionDenied):
        platform.feedback.file_complaint(entry, source="opinion_book")
    with pytest.raises(PermissionDenied):
        platform.feedback.file_complaint(entry, source="phone", principal=LAND_WINDOW)
    recorded = platform.feedback.file_complaint(entry, source="opinion_book", principal=COMPLAINT_DESK)
    assert recorded["recorded_by"] == "complaint" and recorded["source"] == "opinion_book"
    assert recorded["subject"] == "意见簿：窗口工作人员态度生硬。"  # no subject given: the first line
    with pytest.raises(FormValidationError):
        platform.feedback.file_complaint(entry, source="fax", principal=COMPLAINT_DESK)


def test_two_ratings_sent_at_once_for_one_stage_and_channel_keep_only_one(cases: Platform) -> None:
    case_no, code = open_case(cases)
    step(cases, LAND_WINDOW, case_no, "acceptance", {"decision": "accept"})
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def rate(level: int) -> None:
        barrier.wait()
        try:
            cases.feedback.evaluate_public(case_no, code, level, "")
            outcomes.append("saved")
        except ConcurrencyConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=rate, args=(level,)) for level in (5, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    assert len(cases.feedback.evaluations(ADMIN)["evaluations"]) == 1
