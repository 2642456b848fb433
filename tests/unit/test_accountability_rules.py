"""The accountability rules: the patrol ladder, document numbers, deductions, revoked entries, vetoes and ranking."""

from __future__ import annotations

from typing import Any

import pytest

from engine.domain.accountability import LadderStep, ScoringRules, document_number, ladder_step, rank, score

RULES = ScoringRules()


def _row(kind: str, veto: bool = False, **details: Any) -> dict[str, Any]:
    return {"kind": kind, "veto": veto, "reference": f"{kind}:1", "details": details}


def test_the_ladder_climbs_one_step_per_finding_and_stays_at_the_interview() -> None:
    assert [ladder_step(n) for n in range(5)] == [
        LadderStep.URGE,
        LadderStep.REPLACE_OFFICER,
        LadderStep.INTERVIEW_HEAD,
        LadderStep.INTERVIEW_HEAD,
        LadderStep.INTERVIEW_HEAD,
    ]
    assert LadderStep.URGE.document_title == "政务服务催办单"
    assert LadderStep.INTERVIEW_HEAD.label == "约谈部门负责人"
    with pytest.raises(ValueError):
        ladder_step(-1)


def test_documents_are_numbered_per_year() -> None:
    assert document_number(2026, 7) == "嵩政务督字〔2026〕0007号"


def test_the_score_deducts_per_kind_and_a_rows_own_points_win() -> None:
    rows = [_row("red_card"), _row("attendance"), _row("attendance", points=5), _row("patrol", severity="serious")]
    result = score("LAND", rows, RULES)
    assert result.deductions == 5 + 1 + 5 + 5
    assert result.score == 100 - 16
    assert result.counts == {"red_card": 1, "attendance": 2, "patrol": 1}
    assert result.veto is False and result.veto_reason is None


def test_a_revoked_entry_is_counted_as_revoked_and_costs_nothing() -> None:
    result = score("u", [_row("red_card", revoked=True), _row("red_card")], RULES)
    assert result.violations == 1 and result.revoked == 1 and result.score == 95


def test_a_veto_kind_or_a_veto_flag_disqualifies_but_a_revoked_veto_does_not() -> None:
    assert score("a", [_row("first_inquiry")], RULES).veto is True
    flagged = score("b", [_row("patrol", veto=True, severity="veto")], RULES)
    assert flagged.veto is True and flagged.veto_reason is not None and "巡查" in flagged.veto_reason
    assert score("c", [_row("complaint", veto=True, revoked=True)], RULES).veto is False
    assert score("d", [_row("complaint")], RULES).veto is False


def test_the_score_never_falls_below_zero() -> None:
    assert score("x", [_row("complaint", points=80), _row("complaint", points=80)], RULES).score == 0


def test_ranking_puts_the_disqualified_last_unranked_and_ties_share_a_rank() -> None:
    entries = [
        score("clean", [], RULES),
        score("late", [_row("attendance")], RULES),
        score("also_late", [_row("attendance")], RULES),
        score("vetoed", [_row("first_inquiry")], RULES),
        score("worse", [_row("red_card")], RULES),
    ]
    ranked = rank(entries)
    assert [(e.key, e.rank) for e in ranked] == [
        ("clean", 1),
        ("also_late", 2),
        ("late", 2),
        ("worse", 4),
        ("vetoed", None),
    ]


def test_the_centre_may_configure_its_numbers() -> None:
    strict = ScoringRules(base=60, deductions={"attendance": 10}, veto_kinds=frozenset({"attendance"}))
    result = score("x", [_row("attendance")], strict)
    assert result.score == 50 and result.veto is True
