"""The case (办件) lifecycle and its clock, on the real 2025–2027 work calendar (2027 provisional)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

import pytest

from engine.domain.calendar import WorkCalendar
from engine.domain.case_clock import JOINT_EXTENSION_DAYS, CaseClock, Pause, acceptance_due
from engine.domain.cases import Case, CaseResult, CaseStatus, new_case_no, new_query_code
from engine.errors import CalendarError, InvalidTransition
from engine.holiday_sources import seed_years

CST = timezone(timedelta(hours=8))


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CST)


def end_of(month: int, day: int, year: int = 2026) -> datetime:
    """The calendar's end of a working day (24:00 local = midnight starting the next day)."""
    return datetime(year, month, day, tzinfo=CST) + timedelta(days=1)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    rules, years = seed_years(range(2025, 2028))
    return WorkCalendar(rules, years)


def new_case(
    received: datetime | None = None, promised: int = 20, statutory_days: int | None = None, instant: bool = False
) -> Case:
    """Received Monday 2026-03-02 09:00 with three materials submitted."""
    materials = {"申请书": True, "营业执照复印件": True, "身份证复印件": True}
    received = received or at(3, 2, 9)
    return Case("XK0001202603020001", "XK0001", received, promised, statutory_days, instant, materials=materials)


def accepted_case(promised: int = 20, statutory: int | None = 20) -> Case:
    case = new_case(promised=promised, statutory_days=statutory)
    case.accept(at(3, 2, 9, 30), "window-1")  # Monday; the clock starts Tuesday 3/3
    return case


def clock_of(case: Case) -> CaseClock:
    assert case.clock is not None
    return case.clock


# -- statuses and identifiers ---------------------------------------------------------------------------------


def test_every_status_has_its_own_chinese_label() -> None:
    labels = {status: status.label for status in CaseStatus}
    assert len(set(labels.values())) == len(CaseStatus) == 11
    assert CaseStatus.ACCEPTED.label == "受理/办理中"
    assert CaseStatus.NOT_ACCEPTED.label == "不予受理"
    assert CaseStatus.PAUSED.label == "特别程序/中止"
    assert str(CaseStatus.CORRECTION_REQUESTED) == "correction_requested"


def test_case_number_is_item_code_date_and_four_digit_sequence() -> None:
    assert new_case_no("530183-XK-0001", at(3, 10, 9), 7) == "530183-XK-0001202603100007"
    with pytest.raises(ValueError):
        new_case_no("530183-XK-0001", at(3, 10), 10000)
    with pytest.raises(ValueError):
        new_case_no("XK 1", at(3, 10), 1)


def test_query_code_is_six_random_digits() -> None:
    codes = {new_query_code() for _ in range(50)}
    assert all(re.fullmatch(r"\d{6}", code) for code in codes)
    assert len(codes) > 1


def test_a_naive_receipt_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        new_case(received=datetime(2026, 3, 2, 9))


# -- acceptance (第32条) ---------------------------------------------------------------------------------------


def test_accept_starts_the_clock_the_next_working_day(cal: WorkCalendar) -> None:
    case = new_case(promised=1)
    case.accept(at(3, 6, 16), "window-1")  # Friday afternoon
    assert case.status is CaseStatus.ACCEPTED and case.accepted_at == at(3, 6, 16)
    assert clock_of(case).promised_due(cal).due_at == end_of(3, 9)  # Monday, not Friday
    assert clock_of(case).used_working_days(cal, at(3, 6, 17)) == 0
    assert case.history[-1].from_status is CaseStatus.RECEIVED and case.history[-1].actor == "window-1"


def test_refusing_acceptance_needs_reasons_and_ends_the_case() -> None:
    case = new_case()
    with pytest.raises(InvalidTransition, match="needs reasons"):
        case.refuse_acceptance(at(3, 3), "window-1", ["  "])
    assert case.status is CaseStatus.RECEIVED
    case.refuse_acceptance(at(3, 3), "window-1", ["不属于本机关职权范围，请向市市场监管局申请"])
    assert case.status is CaseStatus.NOT_ACCEPTED and case.result is CaseResult.NOT_ACCEPTED
    assert case.completed_at == at(3, 3) and case.status.is_final
    assert case.reasons == ("不属于本机关职权范围，请向市市场监管局申请",)


def test_acceptance_is_due_at_the_end_of_the_fifth_working_day_across_spring_festival(cal: WorkCalendar) -> None:
    received = at(2, 12, 10)  # Thursday before the 2026 Spring Festival (2/15–2/23 off, Saturday 2/14 worked)
    assert [cal.add_working_days(date(2026, 2, 12), n) for n in range(1, 6)] == [
        date(2026, 2, 13), date(2026, 2, 14), date(2026, 2, 24), date(2026, 2, 25), date(2026, 2, 26),
    ]  # fmt: skip
    assert acceptance_due(received, cal).due_at == end_of(2, 26)


def test_unanswered_case_is_auto_accepted_after_the_fifth_working_day_as_of_receipt(cal: WorkCalendar) -> None:
    received = at(2, 12, 10)
    case = new_case(received=received, promised=5)
    assert case.auto_accept_if_overdue(at(2, 26, 23, 59), cal) is False
    assert case.status is CaseStatus.RECEIVED and case.accepted_at is None
    assert case.auto_accept_if_overdue(end_of(2, 26), cal) is True
    assert case.status is CaseStatus.ACCEPTED and case.auto_accepted
    assert case.accepted_at == received  # 第32条(四): accepted from the day the materials were received
    assert case.history[-1].action == "auto_accept" and case.history[-1].at == end_of(2, 26)
    # counted from receipt, a 5-day promise is already at its end
    assert clock_of(case).promised_due(cal).due_at == end_of(2, 26)
    assert case.auto_accept_if_overdue(at(3, 1), cal) is False  # once only


def test_a_case_with_a_correction_notice_is_not_auto_accepted(cal: WorkCalendar) -> None:
    case = new_case(received=at(2, 12, 10))
    case.request_correction(at(2, 13), "window-1", ["身份证复印件"])
    assert case.auto_accept_if_overdue(at(3, 10), cal) is False
    assert case.status is CaseStatus.CORRECTION_REQUESTED and not case.auto_accepted


# -- correction (补正, 一次性告知) -------------------------------------------------------------------------------


def test_clock_restarts_the_working_day_after_the_supplement_arrives(cal: WorkCalendar) -> None:
    case = new_case(promised=3)
    assert case.request_correction(at(3, 3), "window-1", ["身份证复印件"]) is None
    assert case.status is CaseStatus.CORRECTION_REQUESTED and case.materials["身份证复印件"] is False
    assert case.clock is None
    case.supply_correction(at(3, 5, 15))  # Thursday
    assert case.status is CaseStatus.ACCEPTED and case.accepted_at == at(3, 5, 15)
    assert case.corrections[0].supplied_at == at(3, 5, 15) and case.materials["身份证复印件"] is True
    assert clock_of(case).promised_due(cal).due_at == end_of(3, 10)  # Fri 3/6, Mon 3/9, Tue 3/10
    assert clock_of(case).used_working_days(cal, at(3, 6, 12)) == 1


def test_correction_must_name_the_materials() -> None:
    case = new_case()
    with pytest.raises(InvalidTransition, match="must name the materials"):
        case.request_correction(at(3, 3), "window-1", [])
    assert case.status is CaseStatus.RECEIVED and case.corrections == []


def test_second_correction_naming_an_already_visible_material_is_a_violation() -> None:
    case = new_case()
    case.request_correction(at(3, 3), "window-1", ["身份证复印件"])
    case.supply_correction(at(3, 4))
    violation = case.request_correction(at(3, 5), "window-2", ["营业执照复印件", "场地使用证明"])
    assert violation is not None and violation.kind == "second_correction"
    assert violation.items == ("营业执照复印件",)  # submitted before the first notice; 场地使用证明 was not visible
    assert (violation.at, violation.actor) == (at(3, 5), "window-2")
    assert case.violations == [violation]
    # the request stands (recorded, not refused) and reopens the acceptance
    assert case.status is CaseStatus.CORRECTION_REQUESTED and case.accepted_at is None
    case.supply_correction(at(3, 6))
    assert case.accepted_at == at(3, 6)


def test_naming_again_a_material_the_first_notice_named_is_no_violation() -> None:
    # the supplement of 委托书 arrived but is still wrong: asking for it again is not a second 告知
    case = new_case()
    case.request_correction(at(3, 3), "window-1", ["身份证复印件", "委托书"])
    assert case.request_correction(at(3, 4), "window-1", ["委托书"]) is None
    assert case.violations == []


def test_second_correction_naming_only_new_materials_is_no_violation() -> None:
    case = new_case()
    case.request_correction(at(3, 3), "window-1", ["身份证复印件"])
    case.supply_correction(at(3, 4), supplied=["身份证复印件", "补充说明"])
    assert case.request_correction(at(3, 5), "window-1", ["补充说明"]) is None
    assert case.violations == [] and len(case.corrections) == 2


def test_an_accepted_case_cannot_be_sent_back_for_correction_once_work_started() -> None:
    case = accepted_case()
    with pytest.raises(InvalidTransition):
        case.request_correction(at(3, 3), "window-1", ["身份证复印件"])


# -- 即办件 and 当场办结 -------------------------------------------------------------------------------------------


def test_instant_item_is_completed_on_the_spot() -> None:
    case = new_case(promised=0, instant=True)
    case.complete_instantly(at(3, 2, 9, 20), "window-1")
    assert case.status is CaseStatus.COMPLETED and case.result is CaseResult.APPROVED
    assert case.accepted_at == case.decided_at == case.completed_at == at(3, 2, 9, 20)


def test_only_instant_items_complete_on_the_spot() -> None:
    case = new_case()
    with pytest.raises(InvalidTransition, match="not an instant item"):
        case.complete_instantly(at(3, 2, 9, 20), "window-1")
    assert case.status is CaseStatus.RECEIVED


def test_zero_promised_days_are_due_at_the_end_of_the_acceptance_day(cal: WorkCalendar) -> None:
    assert CaseClock(at(3, 10, 10), 0).promised_due(cal).due_at == end_of(3, 10)
    assert CaseClock(at(3, 7, 10), 0).promised_due(cal).due_at == end_of(3, 9)  # accepted on a Saturday


# -- pauses (第45条) ------------------------------------------------------------------------------------------


def test_a_non_counted_expert_review_moves_the_deadline_by_the_working_days_it_covered(cal: WorkCalendar) -> None:
    case = accepted_case()
    assert clock_of(case).promised_due(cal).due_at == end_of(3, 30)
    case.start_pause("专家评审", at(3, 10, 10), counted=False)  # Tuesday
    assert case.status is CaseStatus.PAUSED
    case.end_pause(at(3, 17, 15))  # the next Tuesday: covers Wed 3/11 … Tue 3/17 = 5 working days
    assert case.status is CaseStatus.ACCEPTED and case.pauses[0].ended_at == at(3, 17, 15)
    reading = clock_of(case).promised_due(cal)
    assert reading.due_at == end_of(4, 7)  # 3/31, 4/1, 4/2, 4/3 and (after Qingming 4/4–4/6) 4/7
    assert reading.deadline.workdays == 20 and not reading.paused and not reading.provisional
    assert clock_of(case).statutory_due(cal) is not None


def test_a_counted_site_inspection_does_not_move_the_deadline(cal: WorkCalendar) -> None:
    case = accepted_case()
    case.start_pause("现场核查", at(3, 10, 10), counted=True)
    assert not clock_of(case).is_paused  # open, but counted: the clock runs
    case.end_pause(at(3, 17, 15))
    assert clock_of(case).promised_due(cal).due_at == end_of(3, 30)


def test_a_pause_begun_and_ended_on_one_day_covers_nothing(cal: WorkCalendar) -> None:
    clock = CaseClock(at(3, 2), 20, pauses=(Pause("检测", at(3, 10, 9), at(3, 10, 17)),))
    assert clock.promised_due(cal).due_at == end_of(3, 30)


def test_overlapping_pauses_are_not_counted_twice(cal: WorkCalendar) -> None:
    pauses = (Pause("专家评审", at(3, 10), at(3, 17)), Pause("检测", at(3, 12), at(3, 19)))
    clock = CaseClock(at(3, 2), 20, pauses=pauses)  # together (3/10, 3/19]: 7 working days
    assert clock.promised_due(cal).due_at == end_of(4, 9)
    assert clock.used_working_days(cal, at(3, 20)) == 14 - 7


def test_a_pause_begun_on_the_due_day_moves_the_deadline_to_the_day_the_clock_restarts(cal: WorkCalendar) -> None:
    # the day a pause starts counts as used, so all five days are used on Mon 3/9; but the deadline is the END of
    # 3/9 and the pause stopped the clock before it: resumed on Thu 3/12 (not counted), the case has that day,
    # as a pause begun one day earlier would leave it 3/12 and one more day (found by bench/year_replay.py)
    clock = CaseClock(at(3, 2), 5, pauses=(Pause("鉴定", at(3, 9, 16), at(3, 12)),))
    assert clock.promised_due(cal).due_at == end_of(3, 12)
    assert clock.remaining_working_days(cal, at(3, 12, 10)) == 0 and not clock.is_overdue(cal, at(3, 12, 10))
    assert clock.is_overdue(cal, at(3, 13, 9))
    assert clock.counted_day(cal, 5) == date(2026, 3, 9)  # the fifth day still began on 3/9 (colours change then)
    earlier = CaseClock(at(3, 2), 5, pauses=(Pause("鉴定", at(3, 6, 16), at(3, 12)),))
    assert earlier.promised_due(cal).due_at == end_of(3, 13)


def test_a_pause_begun_after_the_deadline_neither_revives_it_nor_counts_overdue_days(cal: WorkCalendar) -> None:
    clock = CaseClock(at(3, 2), 5, pauses=(Pause("中止", at(3, 11), at(3, 17)),))
    assert clock.promised_due(cal).due_at == end_of(3, 9)
    assert clock.remaining_working_days(cal, at(3, 18)) == 5 - (12 - 4)  # 12 working days, 4 of them paused


def test_an_open_pause_gives_a_deadline_as_if_it_ended_now(cal: WorkCalendar) -> None:
    case = accepted_case()
    case.start_pause("中止", at(3, 10, 10), counted=False)
    clock = clock_of(case)
    assert clock.is_paused
    friday = clock.promised_due(cal, now=at(3, 13, 10))
    monday = clock.promised_due(cal, now=at(3, 16, 10))
    assert friday.paused and not friday.provisional  # known calendar, unknown pause end
    assert (friday.due_at, monday.due_at) == (end_of(4, 2), end_of(4, 3))
    assert clock.used_working_days(cal, at(3, 13, 10)) == clock.used_working_days(cal, at(3, 16, 10)) == 6
    with pytest.raises(ValueError, match="pass now"):
        clock.promised_due(cal)


def test_pause_needs_a_kind_and_ends_after_it_starts() -> None:
    with pytest.raises(ValueError):
        Pause(" ", at(3, 10), None, False)
    with pytest.raises(ValueError):
        Pause("检验", at(3, 10), at(3, 9), False)


# -- used / remaining working days ----------------------------------------------------------------------------


def test_used_and_remaining_working_days_at_a_frozen_now(cal: WorkCalendar) -> None:
    clock = clock_of(accepted_case())
    assert clock.used_working_days(cal, at(3, 6, 16)) == 4  # Tue–Fri
    assert clock.remaining_working_days(cal, at(3, 6, 16)) == 16
    assert clock.remaining_working_days(cal, at(3, 30, 23)) == 0 and not clock.is_overdue(cal, at(3, 30, 23))
    assert clock.remaining_working_days(cal, at(4, 2, 9)) == -3  # 3/31, 4/1, 4/2 overdue
    assert clock.is_overdue(cal, at(4, 2, 9))


def test_paused_working_days_are_not_used(cal: WorkCalendar) -> None:
    case = accepted_case()
    case.start_pause("检验", at(3, 10), counted=False)
    case.end_pause(at(3, 17))
    assert clock_of(case).used_working_days(cal, at(3, 19)) == 13 - 5
    assert clock_of(case).remaining_working_days(cal, at(3, 19)) == 12


def test_statutory_deadline_is_absent_without_a_statutory_limit(cal: WorkCalendar) -> None:
    assert clock_of(accepted_case(statutory=None)).statutory_due(cal) is None
    assert CaseClock(at(3, 2), 5, 20).statutory_due(cal) is not None


def test_a_deadline_in_the_provisional_year_says_so_and_a_missing_year_is_an_error(cal: WorkCalendar) -> None:
    reading = CaseClock(at(12, 18), 10).promised_due(cal)
    assert reading.due_at == end_of(1, 4, year=2027) and reading.provisional and not reading.paused
    with pytest.raises(CalendarError):
        CaseClock(at(12, 18), 300).promised_due(cal)


# -- extensions (第42条) ---------------------------------------------------------------------------------------


def test_an_extension_adds_ten_working_days_to_both_limits(cal: WorkCalendar) -> None:
    case = accepted_case()
    extension = case.extend(at(3, 20), "局长", "需征求消防部门意见", cal)
    assert extension.days == 10 and case.extensions == [extension]
    assert clock_of(case).promised_due(cal).due_at == end_of(4, 14)
    statutory = clock_of(case).statutory_due(cal)
    assert statutory is not None and statutory.due_at == end_of(4, 14) and statutory.deadline.workdays == 30
    assert case.history[-1].action == "extend" and case.status is CaseStatus.ACCEPTED


def test_joint_handling_extends_by_fifteen(cal: WorkCalendar) -> None:
    case = accepted_case(promised=45, statutory=45)
    case.extend(at(3, 20), "县长", "联合办理", cal, days=JOINT_EXTENSION_DAYS)
    assert clock_of(case).promised_due(cal).deadline.workdays == 60


def test_a_case_is_extended_at_most_once(cal: WorkCalendar) -> None:
    case = accepted_case()
    case.extend(at(3, 20), "局长", "需征求意见", cal)
    with pytest.raises(InvalidTransition, match="only once"):
        case.extend(at(3, 23), "局长", "再次延期", cal)
    assert len(case.extensions) == 1


def test_an_extension_after_the_promised_deadline_is_refused(cal: WorkCalendar) -> None:
    case = accepted_case()
    with pytest.raises(InvalidTransition, match="deadline has passed"):
        case.extend(end_of(3, 30), "局长", "来不及了", cal)
    case.extend(at(3, 30, 23, 59), "局长", "需征求意见", cal)  # the last minute is still in time


def test_an_extension_needs_a_reason(cal: WorkCalendar) -> None:
    with pytest.raises(InvalidTransition):
        accepted_case().extend(at(3, 20), "局长", " ", cal)


# -- decision, completion, delivery, withdrawal, termination --------------------------------------------------


def test_approved_case_is_completed_then_delivered_with_its_history() -> None:
    case = accepted_case()
    case.decide(True, at(3, 20), "局长")
    assert case.decided_at == at(3, 20) and case.result is CaseResult.APPROVED
    case.complete(at(3, 20, 11))
    case.deliver(at(3, 23), "EMS")
    assert case.status is CaseStatus.DELIVERED and case.delivery_method == "EMS"
    assert (case.completed_at, case.delivered_at) == (at(3, 20, 11), at(3, 23))
    assert [(t.from_status, t.to_status) for t in case.history] == [
        (CaseStatus.RECEIVED, CaseStatus.ACCEPTED),
        (CaseStatus.ACCEPTED, CaseStatus.APPROVED),
        (CaseStatus.APPROVED, CaseStatus.COMPLETED),
        (CaseStatus.COMPLETED, CaseStatus.DELIVERED),
    ]


def test_a_refusal_on_the_merits_needs_reasons() -> None:
    case = accepted_case()
    with pytest.raises(InvalidTransition, match="needs reasons"):
        case.decide(False, at(3, 20), "局长")
    case.decide(False, at(3, 20), "局长", ["选址不符合规划"])
    assert case.status is CaseStatus.REFUSED and case.reasons == ("选址不符合规划",)


def test_a_paused_case_cannot_be_decided() -> None:
    case = accepted_case()
    case.start_pause("听证", at(3, 10), counted=False)
    with pytest.raises(InvalidTransition, match="end the pause first"):
        case.decide(True, at(3, 11), "局长")


def test_withdrawal_before_a_decision_ends_the_case_and_closes_an_open_pause() -> None:
    case = accepted_case()
    case.start_pause("中止", at(3, 10), counted=False)
    case.withdraw(at(3, 12), "申请人放弃")
    assert case.status is CaseStatus.WITHDRAWN and case.result is CaseResult.WITHDRAWN
    assert case.pauses[0].ended_at == at(3, 12) and case.completed_at == at(3, 12)


def test_withdrawal_after_a_decision_is_refused() -> None:
    case = accepted_case()
    case.decide(True, at(3, 20), "局长")
    with pytest.raises(InvalidTransition, match="撤回/撤销/注销") as refused:
        case.withdraw(at(3, 21), "改变主意")
    assert "准予" in refused.value.message and "approved" in refused.value.message
    assert case.status is CaseStatus.APPROVED


def test_termination_needs_a_reason_and_closes_an_open_pause() -> None:
    case = accepted_case()
    case.start_pause("检疫", at(3, 10), counted=False)
    with pytest.raises(InvalidTransition):
        case.terminate(at(3, 11), "")
    case.terminate(at(3, 11), "申请人死亡")
    assert case.status is CaseStatus.TERMINATED and case.pauses[0].ended_at == at(3, 11)


def test_a_transition_dated_before_the_previous_one_is_refused() -> None:
    case = accepted_case()
    with pytest.raises(InvalidTransition, match="is before"):
        case.decide(True, at(3, 1), "局长")


def _received() -> Case:
    return new_case()


def _decided() -> Case:
    case = accepted_case()
    case.decide(True, at(3, 20), "局长")
    return case


def _delivered() -> Case:
    case = _decided()
    case.complete(at(3, 21))
    case.deliver(at(3, 22), "窗口领取")
    return case


def _not_accepted() -> Case:
    case = new_case()
    case.refuse_acceptance(at(3, 3), "window-1", ["材料不齐且无法补正"])
    return case


REFUSED: list[tuple[str, Callable[[], Case], Callable[[Case], object]]] = [
    ("accept twice", accepted_case, lambda c: c.accept(at(3, 3), "w")),
    ("refuse acceptance after accepting", accepted_case, lambda c: c.refuse_acceptance(at(3, 3), "w", ["x"])),
    ("supply without a notice", _received, lambda c: c.supply_correction(at(3, 3))),
    ("instant completion once accepted", accepted_case, lambda c: c.complete_instantly(at(3, 3), "w")),
    ("pause before acceptance", _received, lambda c: c.start_pause("听证", at(3, 3), False)),
    ("end a pause never started", accepted_case, lambda c: c.end_pause(at(3, 3))),
    ("decide before acceptance", _received, lambda c: c.decide(True, at(3, 3), "w")),
    ("complete before a decision", accepted_case, lambda c: c.complete(at(3, 3))),
    ("deliver before completion", _decided, lambda c: c.deliver(at(3, 21), "EMS")),
    ("correction after a decision", _decided, lambda c: c.request_correction(at(3, 21), "w", ["x"])),
    ("terminate after delivery", _delivered, lambda c: c.terminate(at(3, 23), "x")),
    ("accept after 不予受理", _not_accepted, lambda c: c.accept(at(3, 4), "w")),
]


@pytest.mark.parametrize(("name", "make", "act"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_transitions_name_the_current_status_and_change_nothing(
    name: str, make: Callable[[], Case], act: Callable[[Case], object]
) -> None:
    case = make()
    before = (case.status, len(case.history))
    with pytest.raises(InvalidTransition) as refused:
        act(case)
    assert case.status.label in refused.value.message and f"status {case.status}" in refused.value.message
    assert refused.value.details["status"] == str(case.status)
    assert (case.status, len(case.history)) == before
