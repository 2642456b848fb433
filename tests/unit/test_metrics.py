"""The metrics of domain §10 on hand-made facts: each figure as defined, cohort against flow, groups adding up."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine.domain import metrics
from engine.domain.metrics import METRICS, CaseFacts, Event, Span, compute, group

CST = timezone(timedelta(hours=8))
MARCH = Span(datetime(2026, 3, 1, tzinfo=CST), datetime(2026, 4, 1, tzinfo=CST), datetime(2026, 4, 10, tzinfo=CST))


def at(day: int, month: int = 3, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=CST)


def case(no: str, received: datetime, **facts: object) -> CaseFacts:
    dims = {"department": str(facts.pop("department", "LAND")), "channel": str(facts.pop("channel", "window"))}
    return CaseFacts(no, received, dims=dims, **facts)  # type: ignore[arg-type]


CASES = [
    # on time, 4 of 20 statutory days: speed-up 80 %
    case("A", at(2), accepted_at=at(2), done_at=at(6), due_at=at(20), used_days=4, statutory_days=20, evaluated=True),
    # late: done after its due time, used 25 of 20 statutory days: speed-up 0 (not negative)
    case("B", at(3), accepted_at=at(3), done_at=at(31), due_at=at(27), used_days=25, statutory_days=20),
    # instant case
    case("C", at(4), accepted_at=at(4), done_at=at(4), instant=True, used_days=0, channel="agent", agency=True),
    # accepted, open, past due at the period's end: overdue
    case("D", at(5), accepted_at=at(6), due_at=at(25), corrections=1, department="ENV"),
    # accepted, paused in a special procedure and past due: not overdue (第45条)
    case("E", at(5), accepted_at=at(6), due_at=at(25), paused=True, department="ENV"),
    # refused at acceptance
    case("F", at(9), not_accepted=True, done_at=at(10)),
    # received in March, decided in April: accepted, not completed in March
    case("G", at(30), accepted_at=at(31), done_at=at(3, 4), due_at=at(20, 4)),
    # received in February, completed in March: flow only
    case("H", at(20, 2), accepted_at=at(21, 2), done_at=at(3), due_at=at(20)),
]
EVENTS = [
    Event("consultation", at(2), {"department": "LAND", "channel": "desk"}),
    Event("consultation", at(28, 2), {"department": "LAND"}),  # February: not counted
    Event("evaluation", at(7), {"department": "LAND"}, level=5),
    Event("evaluation", at(8), {"department": "LAND"}, level=3),
    Event("evaluation", at(9), {"department": "ENV"}, level=1),
    Event("complaint", at(10), {"department": "ENV"}, closed=True),
    Event("complaint", at(11), {}),
    Event("violation", at(12), {"department": "LAND"}, tag="red_card"),
    Event("violation", at(13), {"department": "ENV"}, tag="first_inquiry"),
    # revoked on appeal: shown in the ledger, counted nowhere
    Event("violation", at(14), {"department": "ENV"}, tag="red_card", revoked=True),
    # cards of the warning table: a yellow, a red, a red revoked on appeal
    Event("warning", at(12), {"department": "LAND"}, tag="yellow"),
    Event("warning", at(12), {"department": "LAND"}, tag="red"),
    Event("warning", at(14), {"department": "ENV"}, tag="red", revoked=True),
]


def test_every_metric_is_defined_once_with_a_unit_and_a_basis() -> None:
    keys = [m.key for m in METRICS]
    assert len(keys) == len(set(keys))
    for m in METRICS:
        assert m.zh and m.en and len(m.definition) > 20, m.key
        assert m.unit in {"count", "percent", "working_days"} and m.basis in {"cohort", "flow", "period"}
        assert m.key.endswith("_flow") == (m.basis == "flow")
    assert set(metrics.GROUPING_NOTES) == set(metrics.GROUPINGS)


def test_the_hand_computed_march_figures() -> None:
    figures = compute(CASES, EVENTS, MARCH)
    assert list(figures) == [m.key for m in METRICS]
    assert figures["received"] == 7  # A–G; H was received in February
    assert figures["accepted"] == 6  # not F
    assert figures["not_accepted"] == 1 and figures["corrections"] == 1
    assert figures["completed"] == 3  # A, B, C; G only in April
    assert figures["completion_rate"] == 50.0
    assert figures["on_time_rate"] == pytest.approx(66.67)  # A and C (C has no due time); B late
    assert figures["late_completed"] == 1
    assert figures["overdue"] == 1  # D; E is paused
    assert figures["average_working_days"] == 14.5  # (4 + 25) / 2, the instant case left out
    assert figures["speed_up_rate"] == 40.0  # (80 % + 0 %) / 2
    assert figures["instant"] == 1 and figures["instant_share"] == pytest.approx(33.33)
    assert figures["agency_cases"] == 1
    assert figures["accepted_flow"] == 6  # A, B, C, D, E, G (H was accepted in February)
    assert figures["completed_flow"] == 4  # A, B, C and H; not F (never accepted)
    assert figures["evaluation_rate"] == pytest.approx(33.33)  # A of the three completed
    assert figures["consultations"] == 1 and figures["evaluations"] == 3 and figures["bad_reviews"] == 1
    assert figures["satisfaction_rate"] == pytest.approx(66.67)
    assert figures["complaints"] == 2 and figures["complaints_closed"] == 1
    assert figures["yellow_cards"] == 1 and figures["red_cards"] == 1 and figures["revoked_cards"] == 1
    assert figures["red_card_entries"] == 1 and figures["accountability"] == 2  # the revoked entry left out


def test_overdue_is_judged_now_when_the_period_has_not_ended() -> None:
    early = Span(MARCH.since, MARCH.until, at(20))  # D is due on the 25th: not yet overdue on the 20th
    assert compute(CASES, EVENTS, early)["overdue"] == 0


def test_the_cohort_inequality_and_rates_hold_in_every_group() -> None:
    for by in metrics.GROUPINGS:
        for g in group(CASES, EVENTS, MARCH, by) + [metrics.Group("", compute(CASES, EVENTS, MARCH))]:
            f = g.figures
            assert f["received"] >= f["accepted"] >= f["completed"], (by, g.key)
            assert f["completed"] >= max(f["instant"], f["late_completed"])
            for m in METRICS:
                if m.unit == "percent":
                    assert 0 <= f[m.key] <= 100, (by, g.key, m.key)


@pytest.mark.parametrize("by", metrics.GROUPINGS)
def test_group_counts_add_up_to_the_whole(by: str) -> None:
    whole = compute(CASES, EVENTS, MARCH)
    groups = group(CASES, EVENTS, MARCH, by)
    for m in METRICS:
        if m.unit == "count" and not (by in metrics.TIME_GROUPINGS and m.key in metrics.JUDGED_AT_END):
            assert sum(g.figures[m.key] for g in groups) == whole[m.key], (by, m.key)


def test_a_case_completed_in_the_next_month_is_completed_in_the_period_but_not_in_its_month() -> None:
    spring = Span(MARCH.since, datetime(2026, 5, 1, tzinfo=CST), at(10, 5))
    months = {g.key: g.figures for g in group(CASES, EVENTS, spring, "month")}
    assert compute(CASES, EVENTS, spring)["completed"] == 4  # A, B, C and G (decided on 3 April)
    assert months["2026-03"]["completed"] == 3 and months["2026-04"]["completed"] == 0


def test_groups_by_department_put_the_unattributed_last() -> None:
    keys = [g.key for g in group(CASES, EVENTS, MARCH, "department")]
    assert keys == ["ENV", "LAND", ""]  # the complaint with no department


def test_months_are_cut_at_local_month_boundaries_and_each_is_its_own_cohort() -> None:
    quarter = Span(datetime(2026, 2, 15, tzinfo=CST), datetime(2026, 4, 15, tzinfo=CST), at(10, 4))
    months = group(CASES, EVENTS, quarter, "month")
    assert [g.key for g in months] == ["2026-02", "2026-03", "2026-04"]
    assert months[0].figures["received"] == 1 and months[0].figures["completed"] == 0  # H, done in March
    assert months[1].figures["completed_flow"] == 4 and months[2].figures["completed_flow"] == 1  # G
    assert [g.key for g in group(CASES, EVENTS, quarter, "quarter")] == ["2026-Q1", "2026-Q2"]


def test_an_unknown_grouping_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot group by"):
        group(CASES, EVENTS, MARCH, "colour")


def test_month_on_month_change() -> None:
    assert metrics.change_percent(120, 100) == 20.0
    assert metrics.change_percent(50, 100) == -50.0
    assert metrics.change_percent(5, 0) is None


def test_months_computed_from_buckets_equal_each_month_computed_from_everything() -> None:
    year = Span(datetime(2026, 1, 1, tzinfo=CST), datetime(2027, 1, 1, tzinfo=CST), at(10, 5))
    grouped = {g.key: g.figures for g in group(CASES, EVENTS, year, "month")}
    for key, sub in metrics._sub_spans(year, "month"):
        assert grouped[key] == compute(CASES, EVENTS, sub), key
    assert set(grouped) == {f"2026-{m:02d}" for m in range(1, 13)}


def test_each_case_is_bucketed_once_into_the_months_it_can_count_in() -> None:
    year = Span(datetime(2026, 1, 1, tzinfo=CST), datetime(2027, 1, 1, tzinfo=CST), at(10, 5))
    keys = [key for key, _ in metrics._sub_spans(year, "month")]
    buckets = metrics._bucketed(CASES, EVENTS, [sub for _, sub in metrics._sub_spans(year, "month")])
    where = {c.case_no: sorted(keys[i] for i, (cs, _) in enumerate(buckets) if c in cs) for c in CASES}
    assert where["G"] == ["2026-03", "2026-04"]  # received and accepted in March, decided in April
    assert where["H"] == ["2026-02", "2026-03"]  # received and accepted in February, completed in March
    assert where["D"] == ["2026-03"]  # open: only where it was received and accepted
    assert sum(len(cs) for cs, _ in buckets) == 10  # not 8 cases × 12 months
    assert [len(es) for _, es in buckets][:4] == [0, 1, len(EVENTS) - 1, 0]
