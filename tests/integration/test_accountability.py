"""Accountability end to end: entries from every source, the patrol ladder's three steps, the annual evaluation
where a veto-level violation disqualifies while the others are ranked, and who may see what.

The "red_card" (warnings, part A) and "attendance" (window discipline, part C) rows are inserted through the
ViolationRepository exactly as those services write them: their services are being built at the same time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from engine.bootstrap import Platform
from engine.errors import ConcurrencyConflict, FormValidationError, NotFound, PermissionDenied
from tests.conftest import CST, principal

SUPERVISOR = principal("jw", ("supervisor", None))
LAND_HEAD = principal("land_head", ("approver", "LAND"))
DESK = principal("desk", ("consultant", "CENTRE"))
LAND_CLERK = principal("land_clerk", ("case_officer", "LAND"))
COMPLAINT = {"name": "王小红", "phone": "13900001111", "category": "conduct", "content": "窗口人员态度生硬。"}


@pytest.fixture
def staff(platform: Platform) -> Platform:
    for name, role, department in [
        ("desk", "consultant", "CENTRE"),
        ("land_clerk", "window_officer", "LAND"),
        ("housing_clerk", "window_officer", "HOUSING"),
        ("env_clerk", "window_officer", "ENV"),
        ("land_head", "approver", "LAND"),
    ]:
        platform.accounts.add_user(name, "pw-问责-1", [role], department)
    return platform


def _insert_as_another_part(platform: Platform, kind: str, username: str, department: str, **details: Any) -> int:
    """Write a ledger row the way the warning (red_card) and window-discipline (attendance) services do."""
    now = platform.clock.now()
    with platform.ctx.uow(write=True) as uow:
        entry = uow.violations.add(kind, username, department, now, 2026, False, f"{kind}:1", details)
        uow.commit()
    return int(entry)


def _breach_first_inquiry(platform: Platform, clock: Any) -> None:
    """The consultations service's own path: a transfer left open past its follow-up time."""
    clock.set(datetime(2026, 3, 13, 16, 0, tzinfo=CST))
    platform.consultations.log(
        DESK,
        {
            "channel": "phone",
            "subject": "施工许可",
            "question": "能否加急?",
            "outcome": "transferred",
            "transferred_to": "LAND",
        },
    )
    clock.set(datetime(2026, 3, 17, 0, 1, tzinfo=CST))
    assert platform.consultations.record_breaches() == 1


def _patrol(platform: Platform, department: str, officer: str | None = None, **extra: Any) -> dict[str, Any]:
    body = {"window": "A01", "department": department, "findings": "上班时间玩手机", "category": "discipline"}
    if officer:
        body["officer"] = officer
    return platform.accountability.record_patrol(SUPERVISOR, {**body, **extra})


def test_entries_appear_from_each_source(staff: Platform, clock: Any) -> None:
    platform = staff
    _insert_as_another_part(platform, "red_card", "land_clerk", "LAND", case_no="SM-1")
    _insert_as_another_part(platform, "attendance", "housing_clerk", "HOUSING", rule="迟到")
    _breach_first_inquiry(platform, clock)
    patrol = _patrol(platform, "ENV", "env_clerk")
    complaint = platform.feedback.file_complaint({**COMPLAINT, "department": "HOUSING"})
    found = platform.accountability.record_complaint(
        SUPERVISOR, complaint["id"], True, "housing_clerk", None, "经调查属实"
    )
    assert found["entry"]["reference"] == f"complaint:{complaint['id']}"

    entries = platform.accountability.entries(SUPERVISOR, year=2026)
    assert {(e["kind"], e["username"], e["department"]) for e in entries} == {
        ("red_card", "land_clerk", "LAND"),
        ("attendance", "housing_clerk", "HOUSING"),
        ("first_inquiry", "desk", "CENTRE"),
        ("patrol", "env_clerk", "ENV"),
        ("complaint", "housing_clerk", "HOUSING"),
    }
    by_kind = {e["kind"]: e for e in entries}
    assert by_kind["patrol"]["reference"] == f"patrol:{patrol['id']}" and by_kind["patrol"]["veto"] is False
    assert by_kind["first_inquiry"]["veto_level"] is True and by_kind["complaint"]["deduction"] == 5
    assert [e["kind"] for e in platform.accountability.entries(SUPERVISOR, kind="complaint")] == ["complaint"]
    assert {e["kind"] for e in platform.accountability.entries(SUPERVISOR, username="housing_clerk")} == {
        "attendance",
        "complaint",
    }


def test_a_complaint_counts_once_and_only_when_upheld(staff: Platform) -> None:
    platform = staff
    complaint = platform.feedback.file_complaint({**COMPLAINT, "department": "LAND"})
    rejected = platform.accountability.record_complaint(SUPERVISOR, complaint["id"], False, "land_clerk", None)
    assert rejected["entry"] is None and platform.accountability.entries(SUPERVISOR) == []
    platform.accountability.record_complaint(SUPERVISOR, complaint["id"], True, "land_clerk", None)
    with pytest.raises(ConcurrencyConflict):
        platform.accountability.record_complaint(SUPERVISOR, complaint["id"], True, "land_clerk", None)
    with pytest.raises(NotFound):
        platform.accountability.record_complaint(SUPERVISOR, 9999, True, "land_clerk", None)
    with pytest.raises(FormValidationError):
        platform.accountability.record_complaint(SUPERVISOR, complaint["id"], True, "nobody", None)
    with pytest.raises(PermissionDenied):
        platform.accountability.record_complaint(LAND_HEAD, complaint["id"], True, "land_clerk", None)


def test_the_ladder_takes_its_three_steps_on_the_first_second_and_third_finding(staff: Platform, clock: Any) -> None:
    platform = staff
    clean = platform.accountability.record_patrol(
        SUPERVISOR, {"window": "A01", "department": "LAND", "findings": "在岗，秩序良好"}
    )
    assert clean["step"] is None and clean["document_number"] is None and clean["violation_id"] is None
    steps = [_patrol(platform, "LAND", "land_clerk") for _ in range(4)]
    assert [p["step"] for p in steps] == [1, 2, 3, 3]
    assert [p["step_label"] for p in steps[:3]] == ["发政务服务催办单", "建议更换窗口工作人员", "约谈部门负责人"]
    assert [p["document_number"] for p in steps[:2]] == ["嵩政务督字〔2026〕0001号", "嵩政务督字〔2026〕0002号"]
    # another department starts at the bottom of its own ladder; the numbers go on
    other = _patrol(platform, "HOUSING")
    assert other["step"] == 1 and other["document_number"] == "嵩政务督字〔2026〕0005号"
    # a new year starts a new ladder
    clock.set(datetime(2027, 1, 5, 10, 0, tzinfo=CST))
    assert _patrol(platform, "LAND")["step"] == 1

    document = platform.accountability.patrol_document(LAND_HEAD, steps[0]["id"])
    assert document["title"] == "政务服务催办单" and document["department_name"] == "县自然资源局"
    assert str(document["reply_by"]) == "2026-03-17"  # five working days after Tuesday 10 March
    with pytest.raises(NotFound):
        platform.accountability.patrol_document(LAND_HEAD, other["id"])  # not their department
    with pytest.raises(NotFound):
        platform.accountability.patrol_document(SUPERVISOR, clean["id"])  # nothing found, nothing printed
    replied = platform.accountability.record_follow_up(LAND_HEAD, steps[0]["id"], "已批评教育并整改")
    assert replied["follow_up_by"] == "land_head"
    assert [p["department"] for p in platform.accountability.patrols(LAND_HEAD)] == ["LAND"] * 6


def test_patrols_are_recorded_by_supervision_only_and_need_a_known_department(staff: Platform) -> None:
    platform = staff
    with pytest.raises(PermissionDenied):
        platform.accountability.record_patrol(LAND_HEAD, {"department": "LAND", "findings": "x"})
    with pytest.raises(FormValidationError) as caught:
        platform.accountability.record_patrol(
            SUPERVISOR, {"department": "MOON", "findings": "", "category": "nap", "officer": "ghost"}
        )
    assert {e.field for e in caught.value.field_errors} == {"findings", "category"}
    with pytest.raises(FormValidationError) as unknown:
        platform.accountability.record_patrol(
            SUPERVISOR, {"department": "MOON", "findings": "x", "category": "dress", "officer": "ghost"}
        )
    assert {e.field for e in unknown.value.field_errors} == {"department", "officer"}


def test_a_veto_level_violation_disqualifies_department_and_person_while_others_are_ranked(
    staff: Platform, clock: Any
) -> None:
    platform = staff
    _insert_as_another_part(platform, "attendance", "housing_clerk", "HOUSING")
    _insert_as_another_part(platform, "red_card", "env_clerk", "ENV")
    _insert_as_another_part(platform, "red_card", "env_clerk", "ENV", revoked=True, reason="申诉成立")
    _patrol(platform, "LAND", "land_clerk", severity="veto", findings="向申请人索要财物")

    view = platform.accountability.annual_evaluation(SUPERVISOR, 2026)
    departments = {d["key"]: d for d in view["departments"]}
    people = {p["key"]: p for p in view["people"]}
    assert departments["LAND"]["veto"] is True and departments["LAND"]["rank"] is None
    assert "巡查" in departments["LAND"]["veto_reason"]
    assert people["land_clerk"]["veto"] is True and people["land_clerk"]["rank"] is None
    # the others are ranked: no entries first, then the fewest points lost; the revoked red card costs nothing
    assert [(d["key"], d["rank"], d["score"]) for d in view["departments"]] == [
        ("CENTRE", 1, 100),
        ("HOUSING", 2, 99),
        ("ENV", 3, 95),
        ("LAND", None, 90),
    ]
    assert departments["ENV"]["revoked"] == 1 and departments["ENV"]["counts"] == {"red_card": 1}
    assert [(p["key"], p["rank"]) for p in view["people"]] == [
        ("housing_clerk", 1),
        ("env_clerk", 2),
        ("land_clerk", None),
    ]
    # a first-inquiry breach vetoes too, through the consultations service's own path
    _breach_first_inquiry(platform, clock)
    again = platform.accountability.annual_evaluation(SUPERVISOR, 2026)
    assert {d["key"] for d in again["departments"] if d["veto"]} == {"LAND", "CENTRE"}


def test_a_departments_approver_sees_only_their_department(staff: Platform) -> None:
    platform = staff
    _insert_as_another_part(platform, "attendance", "housing_clerk", "HOUSING")
    _patrol(platform, "LAND", "land_clerk")
    assert {e["department"] for e in platform.accountability.entries(LAND_HEAD)} == {"LAND"}
    view = platform.accountability.annual_evaluation(LAND_HEAD, 2026)
    assert [d["key"] for d in view["departments"]] == ["LAND"]
    assert [p["key"] for p in view["people"]] == ["land_clerk"]
    with pytest.raises(PermissionDenied):
        platform.accountability.entries(LAND_HEAD, department="HOUSING")
    for outsider in (DESK, LAND_CLERK):
        with pytest.raises(PermissionDenied):
            platform.accountability.annual_evaluation(outsider, 2026)
