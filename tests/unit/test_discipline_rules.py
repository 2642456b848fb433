"""The window-discipline rules: which rule one session's sign-in and sign-out break (late, early, missed,
absent) with the 苍南 deductions, the leaving-post limit, what is known during the day versus after it, and
the rules file (the shipped one, and one with mistakes)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from engine.domain.discipline import (
    DisciplineRules,
    LeaveRecord,
    RulesError,
    SessionRecord,
    evaluate_day,
    leave_breach,
    load_rules,
    session_breaches,
)
from tests.conftest import ROOT

CST = timezone(timedelta(hours=8))
DAY = date(2026, 3, 10)
RULES = DisciplineRules()
AM, PM = RULES.session("am"), RULES.session("pm")
EVENING = datetime(2026, 3, 10, 18, 0, tzinfo=CST)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 10, hour, minute, tzinfo=CST)


def codes(record: SessionRecord | None, until: datetime = EVENING, session=AM) -> list[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    found = session_breaches(RULES, DAY, CST, session, record, until)
    return [(b.rule.code, b.rule.deduction, b.minutes) for b in found]


def test_on_time_in_and_out_breaks_nothing() -> None:
    assert codes(SessionRecord(1, "am", at(8, 55), at(12, 0))) == []


@pytest.mark.parametrize(
    ("signed_in", "expected"),
    [
        (at(9, 0), []),
        (at(9, 10), [("late", 1, 10)]),
        (at(9, 11), [("late_long", 2, 11)]),
        (at(10, 0), [("late_long", 2, 60)]),
        (at(10, 1), [("absent", 5, 61)]),
    ],
)
def test_lateness_costs_one_point_up_to_ten_minutes_more_after_and_half_a_day_beyond_an_hour(
    signed_in: datetime, expected: list[tuple[str, int, int]]
) -> None:
    assert codes(SessionRecord(1, "am", signed_in, at(12, 0))) == expected


def test_leaving_early_is_judged_like_coming_late() -> None:
    assert codes(SessionRecord(1, "pm", at(13, 0), at(16, 52)), session=PM) == [("early", 1, 8)]
    assert codes(SessionRecord(1, "pm", at(13, 0), at(16, 30)), session=PM) == [("early_long", 2, 30)]


def test_a_missing_sign_in_or_sign_out_is_missed_sign_and_no_record_is_absence() -> None:
    assert codes(SessionRecord(1, "am", None, at(12, 0))) == [("missed_sign", 2, 0)]
    assert codes(SessionRecord(1, "am", at(9, 0), None)) == [("missed_sign", 2, 0)]
    assert codes(None) == [("absent", 5, 0)]
    assert codes(SessionRecord(1, "am", None, None)) == [("absent", 5, 0)]


def test_during_the_session_a_missing_sign_out_or_sign_in_is_not_yet_a_breach() -> None:
    assert codes(SessionRecord(1, "am", at(9, 0), None), until=at(11, 0)) == []
    assert codes(None, until=at(11, 0)) == []
    assert codes(SessionRecord(1, "am", at(9, 5), None), until=at(9, 30)) == [("late", 1, 5)]


def test_a_grace_period_forgives_the_first_minutes() -> None:
    lenient = DisciplineRules(grace_minutes=5)
    found = session_breaches(lenient, DAY, CST, AM, SessionRecord(1, "am", at(9, 5), at(12, 0)), EVENING)
    assert found == []


def test_leaving_the_post_longer_than_fifteen_minutes_without_approval_is_a_breach() -> None:
    short = LeaveRecord(1, at(10, 0), at(10, 15), approved=False)
    long = LeaveRecord(2, at(10, 0), at(10, 20), approved=False)
    approved = LeaveRecord(3, at(10, 0), at(11, 0), approved=True)
    still_away = LeaveRecord(4, at(10, 0), None, approved=False)
    assert leave_breach(RULES, short, EVENING) is None
    breach = leave_breach(RULES, long, EVENING)
    assert breach is not None and (breach.rule.code, breach.rule.deduction, breach.minutes) == ("leaving_post", 3, 20)
    assert breach.reference == "post_leave:2"
    assert leave_breach(RULES, approved, EVENING) is None
    assert leave_breach(RULES, still_away, at(10, 10)) is None  # ten minutes so far
    ongoing = leave_breach(RULES, still_away, at(10, 16))
    assert ongoing is not None and ongoing.minutes == 16


def test_a_day_off_expects_nobody_but_an_absence_of_who_came_in_still_counts() -> None:
    leave = LeaveRecord(9, at(10, 0), at(10, 30), approved=False)
    on_workday = evaluate_day(RULES, DAY, CST, [], [leave], EVENING, workday=True)
    assert sorted(b.rule.code for b in on_workday) == ["absent", "absent", "leaving_post"]
    day_off = evaluate_day(RULES, DAY, CST, [], [leave], EVENING, workday=False)
    assert [b.rule.code for b in day_off] == ["leaving_post"]


def test_the_afternoon_is_not_judged_before_it_starts() -> None:
    morning = [SessionRecord(1, "am", at(9, 0), at(12, 0))]
    assert evaluate_day(RULES, DAY, CST, morning, [], at(12, 30), workday=True) == []
    found = evaluate_day(RULES, DAY, CST, morning, [], EVENING, workday=True)
    assert [(b.rule.code, b.session) for b in found] == [("absent", "pm")]


def test_the_shipped_rules_file_matches_the_sourced_deductions() -> None:
    rules = load_rules((ROOT / "processes" / "discipline.toml").read_text(encoding="utf-8"))
    assert [(s.name, s.start.isoformat("minutes"), s.end.isoformat("minutes")) for s in rules.sessions] == [
        ("am", "09:00", "12:00"),
        ("pm", "13:00", "17:00"),
    ]
    deductions = {code: rule.deduction for code, rule in rules.rules.items()}
    assert deductions == {
        "late": 1, "early": 1, "late_long": 2, "early_long": 2, "missed_sign": 2, "absent": 5, "leaving_post": 3,
    }  # fmt: skip
    assert rules.leave_limit_minutes == 15 and rules.minor_minutes == 10


def test_a_rules_file_with_mistakes_names_each_one() -> None:
    text = """
[hours]
sessions = [{ name = "am", label = "上午", start = "12:00", end = "09:00" }]
leave_limit_minutes = -3
[[rules]]
code = "sleeping"
deduction = 1
"""
    with pytest.raises(RulesError) as raised:
        load_rules(text)
    message = str(raised.value)
    assert "must be after start" in message and "leave_limit_minutes" in message and "rules[0]: code" in message


def test_the_close_may_not_come_before_the_last_session_ends() -> None:
    """Else an officer could still sign out of a day the close already wrote into the ledger."""
    text = """
[hours]
sessions = [{ name = "am", label = "上午", start = "09:00", end = "12:00" },
            { name = "pm", label = "下午", start = "13:00", end = "17:00" }]
close_at = "16:30"
"""
    with pytest.raises(RulesError) as raised:
        load_rules(text)
    assert "close_at" in str(raised.value)
    assert load_rules(text.replace("16:30", "17:00")).close_at.hour == 17
