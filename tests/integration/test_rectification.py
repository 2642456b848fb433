"""The bad-review rectification loop on a real database with a frozen clock: a bad review opens the responsible
department's work order in the rating's transaction; call back, classification, a ledger whose 5-working-day
deadline crosses the Qingming holiday, feedback and the evaluator's rating of the fix; an upheld appeal excludes
the review from the satisfaction figures; a late call back shows in the rates; the evaluator stays masked."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from engine.domain.access import Principal
from engine.domain.records import InstanceStatus
from engine.errors import FormValidationError, InvalidTransition, NotFound, PermissionDenied
from engine.services.catalogue import plain
from engine.services.definitions import read_paths
from tests.conftest import CST, DATA, ROOT, principal

ITEM = {
    "code": "TEST-CASE-001", "name": "测试许可", "type": "行政许可", "department": "LAND", "window": "W05",
    "process_id": "item_test_case", "promised_days": 5, "statutory_days": 20, "instant": False,
}  # fmt: skip
LAND_WINDOW = principal("landwin", ("window_officer", "LAND"))
OFFICER = principal("officer", ("case_officer", "LAND"))
HEAD = principal("head", ("approver", "LAND"))
ENV_OFFICER = principal("envofficer", ("case_officer", "ENV"))
SUPERVISOR = principal("supervisor", ("supervisor", None))
APPLICANT = {"name": "张小明", "id_number": "530125199001011234", "phone": "13812345678"}
THURSDAY = datetime(2026, 4, 2, 10, 0, tzinfo=CST)  # before 清明 (Sat 4 – Mon 6 April 2026)


@pytest.fixture
def loop(platform: Platform) -> Platform:
    forms = sorted((ROOT / "forms").glob("rectification_*.json"))
    platform.definitions.deploy(
        read_paths([DATA / "item_test_case.bpmn", ROOT / "processes" / "rectification.bpmn", *forms]), actor="test"
    )
    with platform.ctx.uow(write=True) as uow:
        uow.catalogue.upsert({**ITEM, "guide": plain(ITEM)}, platform.clock.now())
        uow.commit()
    return platform


def accepted_case(platform: Platform) -> tuple[str, str]:
    created = platform.cases.create(LAND_WINDOW, {"item_code": ITEM["code"], "applicant": APPLICANT})
    complete(platform, LAND_WINDOW, created.case_no, "acceptance", {"decision": "accept"})
    return created.case_no, created.query_code


def complete(platform: Platform, who: Principal, key: str, element: str, data: dict[str, Any]) -> Any:
    task = next(t for t in platform.tasks.inbox(who) if t.business_key == key and t.element_id == element)
    platform.tasks.complete(who, task.task_id, data)
    return task


def order_of(platform: Platform, case_no: str) -> dict[str, Any]:
    return next(o for o in platform.rectification.work_orders(SUPERVISOR) if o["case_no"] == case_no)


def local_day(instant: datetime) -> date:
    """The working day a deadline (the local midnight after it) ends."""
    return (instant - timedelta(microseconds=1)).astimezone(CST).date()


def rates(platform: Platform) -> dict[str, float]:
    return platform.stats.report(SUPERVISOR, date(2026, 4, 1), date(2026, 4, 30))["totals"]


def test_a_bad_review_runs_the_whole_loop_with_a_ledger_deadline_in_working_days(
    loop: Platform, clock: FrozenClock
) -> None:
    clock.set(THURSDAY)
    case_no, code = accepted_case(loop)
    bad = loop.feedback.evaluate_public(case_no, code, 1, "窗口要求提供指南之外的材料")
    order = order_of(loop, case_no)
    assert bad["instance_id"] == order["instance_id"] is not None  # one transaction: rating and work order
    assert (order["status"], order["department"], order["number"]) == ("callback", "LAND", f"CP-{bad['id']:06d}")
    assert local_day(order["callback_due_at"]) == date(2026, 4, 3)  # within 1 working day: Friday
    # the work order is an ordinary task in the department's inbox, not in another department's
    task = next(t for t in loop.tasks.inbox(OFFICER) if t.business_key == order["number"])
    assert (task.element_id, task.department) == ("call_back", "LAND")
    assert not [t for t in loop.tasks.inbox(ENV_OFFICER) if t.business_key == order["number"]]

    clock.set(datetime(2026, 4, 3, 9, 0, tzinfo=CST))
    complete(loop, OFFICER, order["number"], "call_back", {"reached": True, "method": "phone", "findings": "属实"})
    clock.set(datetime(2026, 4, 3, 10, 0, tzinfo=CST))
    complete(loop, HEAD, order["number"], "classify", {"classification": "ledger", "measures": "修订一次性告知单"})
    order = order_of(loop, case_no)
    assert (order["status"], order["classification"], order["callback_on_time"]) == ("ledger", "ledger", True)
    # 5 working days after Friday 3 April: 清明 (4–6 April) and the weekend skipped -> Monday 13 April
    assert local_day(order["due_at"]) == date(2026, 4, 13)
    ledger = next(t for t in loop.tasks.inbox(OFFICER) if t.business_key == order["number"])
    assert ledger.element_id == "ledger" and ledger.due_at == order["due_at"]

    clock.set(datetime(2026, 4, 13, 16, 0, tzinfo=CST))  # the last day: still on time
    assert order["instance_id"] not in loop.timers.fire_due().fired  # the ledger's limit has not passed
    complete(loop, OFFICER, order["number"], "ledger", {"result": "已修订并培训窗口人员"})
    complete(loop, OFFICER, order["number"], "feedback", {"method": "phone", "content": "已整改，感谢监督"})
    order = order_of(loop, case_no)
    assert (order["status"], order["rectified_on_time"], order["rectification_late"]) == ("rating", True, False)

    with pytest.raises(NotFound):
        loop.rectification.rate_fix_public(case_no, "000000" if code != "000000" else "111111", "satisfied")
    with pytest.raises(FormValidationError):
        loop.rectification.rate_fix_public(case_no, code, "great")
    rated = loop.rectification.rate_fix_public(case_no, code, "satisfied", "态度很好")
    assert (rated["status"], rated["fix_rating"], rated["fix_rating_label"]) == ("closed", "satisfied", "满意")
    with pytest.raises(InvalidTransition):  # rated once
        loop.rectification.rate_fix_public(case_no, code, "dissatisfied")
    with loop.ctx.uow() as uow:
        assert uow.instances.get(order["instance_id"]).status is InstanceStatus.COMPLETED

    figures = rates(loop)
    assert (figures["bad_reviews"], figures["callback_rate"], figures["rectification_on_time_rate"]) == (1, 100, 100)
    assert figures["satisfaction_rate"] == 0


def test_staff_see_the_evaluator_masked_and_only_their_own_department(loop: Platform, clock: FrozenClock) -> None:
    clock.set(THURSDAY)
    case_no, code = accepted_case(loop)
    loop.feedback.evaluate_public(case_no, code, 2, "")
    [order] = loop.rectification.work_orders(OFFICER)
    assert order["evaluator"] == {"name": "张**", "phone": "138****5678"}
    text = repr(order) + repr(loop.rectification.work_orders(SUPERVISOR))
    for personal in (APPLICANT["phone"], APPLICANT["id_number"], "张小明", code):
        assert personal not in text
    assert loop.rectification.work_orders(ENV_OFFICER) == []
    with pytest.raises(PermissionDenied):
        loop.rectification.work_orders(ENV_OFFICER, department="LAND")
    with pytest.raises(PermissionDenied):
        loop.rectification.work_orders(LAND_WINDOW)
    with pytest.raises(NotFound):
        loop.rectification.show(ENV_OFFICER, order["id"])
    # a good review opens nothing
    other, other_code = accepted_case(loop)
    loop.feedback.evaluate_public(other, other_code, 3, "")
    assert [o["case_no"] for o in loop.rectification.work_orders(SUPERVISOR)] == [case_no]


def test_an_upheld_appeal_excludes_the_review_from_satisfaction_and_a_refused_one_goes_back(
    loop: Platform, clock: FrozenClock
) -> None:
    clock.set(THURSDAY)
    case_no, code = accepted_case(loop)
    loop.feedback.evaluate_public(case_no, code, 5, "")  # one good rating at acceptance on the web
    loop.feedback.evaluate_at_window(LAND_WINDOW, case_no, 1, "恶意差评")
    assert rates(loop)["satisfaction_rate"] == 50
    number = order_of(loop, case_no)["number"]
    complete(loop, OFFICER, number, "call_back", {"reached": False, "method": "phone", "findings": "无法联系"})
    complete(loop, HEAD, number, "classify", {"classification": "appeal", "measures": "评价时段无人办理"})
    assert order_of(loop, case_no)["status"] == "appeal"
    assert not [t for t in loop.tasks.inbox(OFFICER) if t.business_key == number]
    complete(loop, SUPERVISOR, number, "review_appeal", {"approved": False, "opinion": "证据不足"})
    assert order_of(loop, case_no)["status"] == "classify"  # refused: back to the department
    complete(loop, HEAD, number, "classify", {"classification": "appeal", "measures": "补充监控录像"})
    complete(loop, SUPERVISOR, number, "review_appeal", {"approved": True, "opinion": "监控显示系误评"})
    order = order_of(loop, case_no)
    assert (order["status"], order["excluded"], order["appeal_approved"]) == ("excluded", True, True)
    figures = rates(loop)
    assert (figures["evaluations"], figures["excluded_reviews"], figures["bad_reviews"]) == (2, 1, 0)
    assert figures["satisfaction_rate"] == 100
    assert figures["callback_rate"] == 0  # nothing left to judge: the excluded review is out of it too


def test_a_late_call_back_shows_as_late_in_the_rates(loop: Platform, clock: FrozenClock) -> None:
    clock.set(THURSDAY)
    late_case, late_code = accepted_case(loop)
    timely_case, timely_code = accepted_case(loop)
    loop.feedback.evaluate_public(late_case, late_code, 2, "")
    loop.feedback.evaluate_public(timely_case, timely_code, 2, "")
    late, timely = order_of(loop, late_case), order_of(loop, timely_case)
    complete(loop, OFFICER, timely["number"], "call_back", {"reached": True, "method": "sms", "findings": "已核实"})
    clock.set(datetime(2026, 4, 7, 9, 0, tzinfo=CST))  # after the holiday: Friday's limit has passed
    loop.timers.fire_due()  # the warning timer fires: the call-back task stays with the department
    assert order_of(loop, late_case)["callback_late"] is True
    complete(loop, OFFICER, late["number"], "call_back", {"reached": True, "method": "phone", "findings": "已核实"})
    late = order_of(loop, late_case)
    assert (late["status"], late["callback_on_time"], late["callback_late"]) == ("classify", False, True)
    assert rates(loop)["callback_rate"] == 50
    # fix now, fed back in time: on time; the other never fed back and past its deadline: late
    complete(loop, HEAD, late["number"], "classify", {"classification": "fix_now", "measures": "当场补办"})
    complete(loop, OFFICER, late["number"], "feedback", {"method": "phone", "content": "已补办"})
    clock.set(datetime(2026, 4, 14, 9, 0, tzinfo=CST))
    assert rates(loop)["rectification_on_time_rate"] == 50


def test_the_window_records_the_rating_of_the_fix(loop: Platform, clock: FrozenClock) -> None:
    clock.set(THURSDAY)
    case_no, code = accepted_case(loop)
    loop.feedback.evaluate_public(case_no, code, 2, "")
    number = order_of(loop, case_no)["number"]
    with pytest.raises(InvalidTransition):  # nothing fed back yet
        loop.rectification.rate_fix_at_window(LAND_WINDOW, case_no, "satisfied")
    complete(loop, OFFICER, number, "call_back", {"reached": True, "method": "visit", "findings": "诉求无法律依据"})
    complete(loop, HEAD, number, "classify", {"classification": "explain", "measures": "依据条例第十条解释"})
    complete(loop, OFFICER, number, "feedback", {"method": "visit", "content": "已当面解释"})
    with pytest.raises(PermissionDenied):
        loop.rectification.rate_fix_at_window(ENV_OFFICER, case_no, "basically")
    # town staff are no county window, whatever stale window_officer@CENTRE grant an old demo database left them
    stale_town_officer = principal("songyang_sh", ("agent", None), ("town_officer", None), ("window_officer", "CENTRE"))
    listed_town_staff = principal("yanglin_jj", ("window_officer", "CENTRE"))  # in towns.toml's staff
    for town_staff in (stale_town_officer, listed_town_staff):
        with pytest.raises(PermissionDenied):
            loop.rectification.rate_fix_at_window(town_staff, case_no, "basically")
    rated = loop.rectification.rate_fix_at_window(LAND_WINDOW, case_no, "basically")
    assert (rated["status"], rated["fix_rating_channel"], rated["classification_label"]) == (
        "closed",
        "window",
        "解释说明",
    )


def test_a_fix_left_unrated_closes_when_the_rating_window_passes(loop: Platform, clock: FrozenClock) -> None:
    clock.set(THURSDAY)
    case_no, code = accepted_case(loop)
    loop.feedback.evaluate_public(case_no, code, 1, "")
    number = order_of(loop, case_no)["number"]
    complete(loop, OFFICER, number, "call_back", {"reached": True, "method": "phone", "findings": "属实"})
    complete(loop, HEAD, number, "classify", {"classification": "fix_now", "measures": "立即更正"})
    complete(loop, OFFICER, number, "feedback", {"method": "phone", "content": "已更正"})
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=CST))
    loop.timers.fire_due()
    order = order_of(loop, case_no)
    assert (order["status"], order["fix_rating"]) == ("closed", None)
    with pytest.raises(InvalidTransition):
        loop.rectification.rate_fix_public(case_no, code, "satisfied")


def test_the_demo_opens_and_follows_four_work_orders(loop: Platform) -> None:
    from engine.demo_rectification import generate_rectification

    for _ in range(4):
        accepted_case(loop)
    said: list[str] = []
    assert generate_rectification(loop.settings, said.append) == 4, said
    orders = {o["status"] for o in loop.rectification.work_orders(SUPERVISOR)}
    assert orders == {"closed", "rating", "excluded", "callback"}


def test_the_ledger_deadline_follows_the_configured_working_days(loop: Platform, clock: FrozenClock) -> None:
    loop.rectification.days = 7  # ONESTOP_RECTIFICATION_DAYS=7, passed to the process as data
    clock.set(THURSDAY)
    case_no, code = accepted_case(loop)
    loop.feedback.evaluate_public(case_no, code, 2, "")
    number = order_of(loop, case_no)["number"]
    complete(loop, OFFICER, number, "call_back", {"reached": True, "method": "phone", "findings": "属实"})
    complete(loop, HEAD, number, "classify", {"classification": "ledger", "measures": "列入台账"})
    # Thursday 2 April + 7 working days, 清明 and the weekend skipped: Tuesday 14 April
    assert local_day(order_of(loop, case_no)["due_at"]) == date(2026, 4, 14)


def test_the_rectification_days_come_from_the_environment() -> None:
    from engine.config import Settings

    assert Settings.from_env(env={}).rectification_days == 5
    assert Settings.from_env(env={"ONESTOP_RECTIFICATION_DAYS": "15"}).rectification_days == 15
