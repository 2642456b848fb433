"""The public-feedback rules: 好差评 levels and bad reviews, the stage a case is rated at, whose service is rated,
complaint numbers, phone checks and masking of personal data."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine.domain.cases import Case, CaseStatus
from engine.domain.feedback import (
    COMPLAINT_CATEGORIES,
    LEVELS,
    Level,
    Stage,
    complaint_number,
    evaluated_officer,
    evaluation_stage,
    is_phone,
    mask_complainant,
    mask_name,
    mask_phone,
    parse_level,
    summarise,
)

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 3, 9, 9, 0, tzinfo=CST)


def test_the_five_levels_run_from_very_satisfied_5_to_very_dissatisfied_1() -> None:
    assert [(int(level), level.label) for level in LEVELS] == [
        (5, "非常满意"),
        (4, "满意"),
        (3, "基本满意"),
        (2, "不满意"),
        (1, "非常不满意"),
    ]
    assert Level.SATISFIED.stars == "★★★★☆"


def test_only_dissatisfied_and_very_dissatisfied_are_bad_reviews() -> None:
    assert [level for level in LEVELS if level.is_bad] == [Level.DISSATISFIED, Level.VERY_DISSATISFIED]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(5, Level.VERY_SATISFIED), ("1", Level.VERY_DISSATISFIED), (" 3 ", Level.BASICALLY_SATISFIED)],
)
def test_a_level_is_read_from_a_number_or_form_text(raw: object, expected: Level) -> None:
    assert parse_level(raw) is expected


@pytest.mark.parametrize("raw", [0, 6, "6", "", "five", None, True, 4.0, "4.5"])
def test_anything_else_is_no_level(raw: object) -> None:
    assert parse_level(raw) is None


def test_a_case_is_rated_at_acceptance_while_in_hand_and_at_completion_once_it_has_ended() -> None:
    stages = {status: evaluation_stage(status) for status in CaseStatus}
    assert stages == {
        CaseStatus.RECEIVED: None,
        CaseStatus.CORRECTION_REQUESTED: None,
        CaseStatus.ACCEPTED: Stage.ACCEPTANCE,
        CaseStatus.PAUSED: Stage.ACCEPTANCE,
        CaseStatus.APPROVED: Stage.ACCEPTANCE,
        CaseStatus.REFUSED: Stage.ACCEPTANCE,
        CaseStatus.COMPLETED: Stage.COMPLETION,
        CaseStatus.DELIVERED: Stage.COMPLETION,
        CaseStatus.NOT_ACCEPTED: Stage.COMPLETION,
        CaseStatus.WITHDRAWN: Stage.COMPLETION,
        CaseStatus.TERMINATED: Stage.COMPLETION,
    }


def _case() -> Case:
    return Case(case_no="C1", item_code="X", received_at=T0, promised_days=5)


def test_the_rated_officer_is_who_accepted_for_acceptance_and_who_acted_last_for_completion() -> None:
    case = _case()
    case.accept(T0, "wang")
    case.decide(True, T0 + timedelta(days=1), "li")
    case.complete(T0 + timedelta(days=1), "system")  # the process completes it: the decider is rated
    assert evaluated_officer(case, Stage.ACCEPTANCE) == "wang"
    assert evaluated_officer(case, Stage.COMPLETION) == "li"
    case.deliver(T0 + timedelta(days=2), "窗口领取", "zhao")
    assert evaluated_officer(case, Stage.COMPLETION) == "zhao"
    assert evaluated_officer(case, Stage.ACCEPTANCE) == "wang"


def test_a_case_only_the_system_touched_names_no_officer() -> None:
    case = _case()
    case.accept(T0, "system")
    assert evaluated_officer(case, Stage.ACCEPTANCE) is None


def test_the_summary_counts_levels_bad_reviews_satisfaction_and_the_ten_point_mean() -> None:
    summary = summarise([5, 5, 4, 3, 2, 1])
    assert summary.count == 6 and summary.bad == 2
    assert summary.by_level == {5: 2, 4: 1, 3: 1, 2: 1, 1: 1}
    assert summary.satisfaction_rate == round(4 / 6, 4)
    assert summary.average_of_ten == round(20 * 2 / 6, 1)
    empty = summarise([])
    assert empty.count == 0 and empty.satisfaction_rate is None and empty.average_of_ten is None


def test_complaint_numbers_carry_the_year_and_a_six_digit_sequence() -> None:
    assert complaint_number(2026, 1) == "TS-2026-000001"
    assert complaint_number(2027, 123456) == "TS-2027-123456"
    for bad in (0, 1_000_000):
        with pytest.raises(ValueError):
            complaint_number(2026, bad)


def test_every_complaint_category_says_where_it_is_routed() -> None:
    codes = [c.code for c in COMPLAINT_CATEGORIES]
    assert len(codes) == len(set(codes)) and "other" in codes
    assert {c.routed_to for c in COMPLAINT_CATEGORIES} <= {"centre", "department", "discipline"}


@pytest.mark.parametrize("phone", ["13812345678", "0871-60000002", "087160000002"])
def test_mobile_landline_and_hotline_numbers_are_phones(phone: str) -> None:
    assert is_phone(phone)


@pytest.mark.parametrize("phone", ["1381234567", "23812345678", "abc", "0871-6000", "96128", ""])
def test_other_text_is_not_a_phone(phone: str) -> None:
    assert not is_phone(phone)


def test_personal_data_is_masked_to_be_recognised_not_identified() -> None:
    assert mask_name("张三") == "张*" and mask_name("欧阳娜娜") == "欧***" and mask_name("") == ""
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0871-60000002") == "087******0002"
    assert mask_phone("96128") == "***28"
    assert mask_complainant({"name": "王小红", "phone": "13900001111", "id_number": "x"}) == {
        "name": "王**",
        "phone": "139****1111",
    }
