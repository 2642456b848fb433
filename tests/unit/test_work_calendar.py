"""The working-day calendar: 2026 as the State Council arranged it, 2027 provisional until its notice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import chinese_calendar
import pytest

from engine.domain.calendar import (
    DayRule,
    NoticeParseError,
    WorkCalendar,
    YearInfo,
    parse_notice,
    rules_from_notice,
)
from engine.errors import CalendarError
from engine.holiday_sources import official_rules, provisional_rules, seed_years

DATA = Path(__file__).parent / "data"
SHANGHAI = timezone(timedelta(hours=8))


def _official(year: int) -> list[DayRule]:
    rules = official_rules(year)
    assert rules is not None, f"chinese_calendar should carry {year}"
    return rules


def _calendar(day_end: str = "24:00") -> WorkCalendar:
    """2025–2026 official, 2027 provisional (built explicitly so the test says what it relies on)."""
    rules = [*_official(2025), *_official(2026), *provisional_rules(2027)]
    years = [
        YearInfo(2025, False, "official"),
        YearInfo(2026, False, "official"),
        YearInfo(2027, True, "provisional"),
    ]
    return WorkCalendar(rules, years, day_end=day_end)


def _notice(year: int) -> str:
    return (DATA / f"notice_{year}.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return _calendar()


def test_spring_festival_2026_is_nine_days_off_with_two_makeup_saturdays(cal: WorkCalendar) -> None:
    off = [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]
    assert [cal.is_workday(d) for d in off] == [False] * 9
    assert cal.is_workday(date(2026, 2, 14))  # Saturday, 调休上班
    assert cal.is_workday(date(2026, 2, 28))  # Saturday, 调休上班
    assert not cal.is_workday(date(2026, 3, 1))  # an ordinary Sunday
    assert cal.is_workday(date(2026, 2, 24))


def test_five_working_days_after_acceptance_on_feb_12_2026_lands_on_feb_26(cal: WorkCalendar) -> None:
    # 2/13 Fri (1), 2/14 Sat 调休 (2), 2/15–23 off, 2/24 (3), 2/25 (4), 2/26 (5).
    assert cal.add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 26)
    assert cal.working_days_between(date(2026, 2, 12), date(2026, 2, 26)) == 5


def test_makeup_saturday_counts_so_removing_it_moves_the_deadline(cal: WorkCalendar) -> None:
    rules = [*_official(2026), DayRule(date(2026, 2, 14), False, "admin test: no makeup", "admin")]
    without_makeup = WorkCalendar(rules, [YearInfo(2026, False, "admin")])
    assert cal.add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 26)
    assert without_makeup.add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 27)


def test_national_day_2026_off_until_oct_7_and_oct_10_saturday_works(cal: WorkCalendar) -> None:
    assert cal.next_workday(date(2026, 9, 30)) == date(2026, 10, 8)
    # 10/8 Thu (1), 10/9 Fri (2), 10/10 Sat 调休 (3).
    assert cal.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    # Sunday 9/20 is worked, so it is the next working day after Friday 9/18.
    assert cal.next_workday(date(2026, 9, 18)) == date(2026, 9, 20)


def test_add_working_days_agrees_with_chinese_calendar_counted_day_by_day(cal: WorkCalendar) -> None:
    start = date(2025, 1, 1)
    for offset in range(0, 700, 3):
        day = start + timedelta(days=offset)
        for n in (1, 2, 5, 20):
            expected, counted = day, 0
            while counted < n:
                expected += timedelta(days=1)
                counted += chinese_calendar.is_workday(expected)
            if expected.year > 2026:
                continue
            assert cal.add_working_days(day, n) == expected, (day, n)
            assert cal.working_days_between(day, expected) == n


def test_zero_working_days_is_the_day_itself_only_when_it_is_worked(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2026, 2, 14), 0) == date(2026, 2, 14)
    assert cal.add_working_days(date(2026, 2, 15), 0) == date(2026, 2, 24)
    with pytest.raises(ValueError):
        cal.add_working_days(date(2026, 2, 15), -1)


def test_working_days_between_counts_backwards_as_negative(cal: WorkCalendar) -> None:
    assert cal.working_days_between(date(2026, 2, 26), date(2026, 2, 12)) == -5
    assert cal.working_days_between(date(2026, 2, 15), date(2026, 2, 23)) == 0


def test_deadline_ends_at_local_midnight_and_is_stored_in_utc(cal: WorkCalendar) -> None:
    # 23:30 in Shanghai on 2/12: the clock starts on 2/13, day 5 is 2/26, it ends at 2/27 00:00 +08:00.
    late_evening = datetime(2026, 2, 12, 15, 30, tzinfo=UTC)
    deadline = cal.deadline_after(late_evening, 5)
    assert deadline.due_at == datetime(2026, 2, 26, 16, 0, tzinfo=UTC)
    assert deadline.iso() == "2026-02-26T16:00:00+00:00"
    assert (deadline.provisional, deadline.workdays, deadline.start) == (False, 5, late_evening)


def test_deadline_counts_from_the_local_date_not_the_utc_date(cal: WorkCalendar) -> None:
    # 16:30 UTC on 2/12 is already 00:30 on 2/13 in Shanghai, so the clock starts on 2/14.
    after_local_midnight = datetime(2026, 2, 13, 0, 30, tzinfo=SHANGHAI)
    deadline = cal.deadline_after(after_local_midnight, 5)
    assert deadline.due_at == datetime(2026, 2, 27, 16, 0, tzinfo=UTC)
    assert deadline.start == datetime(2026, 2, 12, 16, 30, tzinfo=UTC)


def test_deadline_with_office_closing_time(cal: WorkCalendar) -> None:
    office = _calendar(day_end="17:30")
    due = office.deadline_after(datetime(2026, 2, 12, 3, 0, tzinfo=UTC), 5).due_at
    assert due == datetime(2026, 2, 26, 9, 30, tzinfo=UTC)


def test_deadline_refuses_a_naive_start(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.deadline_after(datetime(2026, 2, 12, 9, 0), 5)


def test_end_of_working_day_skips_holidays_and_keeps_makeup_saturdays(cal: WorkCalendar) -> None:
    sunday_in_holiday = datetime(2026, 2, 15, 3, 0, tzinfo=UTC)
    assert cal.end_of_working_day(sunday_in_holiday) == datetime(2026, 2, 24, 16, 0, tzinfo=UTC)
    makeup_saturday = datetime(2026, 2, 14, 2, 0, tzinfo=UTC)
    assert cal.end_of_working_day(makeup_saturday) == datetime(2026, 2, 14, 16, 0, tzinfo=UTC)


def test_2027_is_provisional_with_statutory_days_and_weekend_substitutes(cal: WorkCalendar) -> None:
    assert cal.is_provisional(date(2027, 3, 1)) and not cal.is_provisional(date(2026, 3, 1))
    # 除夕 2/5 Fri, 初一–初三 2/6–2/8; 2/6 and 2/7 fall on a weekend, so art. 6 gives 2/9 and 2/10.
    spring = {
        date(2027, 2, 4) + timedelta(days=i): cal.is_workday(date(2027, 2, 4) + timedelta(days=i)) for i in range(8)
    }
    assert [d.day for d, worked in spring.items() if worked] == [4, 11]
    assert not cal.is_workday(date(2027, 5, 3)) and not cal.is_workday(date(2027, 5, 4))
    assert not cal.is_workday(date(2027, 1, 31))  # a Sunday: no make-up days are known yet


def test_deadline_into_2027_is_provisional_until_the_notice_is_imported(cal: WorkCalendar) -> None:
    accepted = datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI)
    estimate = cal.deadline_after(accepted, 25)
    # Jan: 20 working days to 1/29; Feb 1–4 (24); 2/5 and 2/8–2/10 off; 2/11 is day 25.
    assert estimate.provisional
    assert estimate.due_at == datetime(2027, 2, 11, 16, 0, tzinfo=UTC)

    confirmed = cal.with_notice(parse_notice(_notice(2027)))
    deadline = confirmed.deadline_after(accepted, 25)
    # The (fictional) notice makes Sunday 1/31 a working day: day 21, so day 25 is Thursday 2/4.
    assert not deadline.provisional
    assert deadline.due_at == datetime(2027, 2, 4, 16, 0, tzinfo=UTC)
    assert confirmed.years[-1] == YearInfo(2027, False, "notice")


def test_a_year_that_was_never_loaded_raises_naming_the_year(cal: WorkCalendar) -> None:
    with pytest.raises(CalendarError, match="2040"):
        cal.is_workday(date(2040, 1, 2))
    with pytest.raises(CalendarError, match="2040"):
        cal.deadline_after(datetime(2040, 1, 2, tzinfo=UTC), 1)
    with pytest.raises(CalendarError, match="2028"):
        cal.add_working_days(date(2027, 12, 20), 30)
    with pytest.raises(CalendarError, match="2040"):
        cal.rules_for_year(2040)


def test_a_gap_between_loaded_years_is_never_jumped_over() -> None:
    gap = WorkCalendar(
        [*_official(2025), *provisional_rules(2027)],
        [YearInfo(2025, False, "official"), YearInfo(2027, True, "provisional")],
    )
    with pytest.raises(CalendarError, match="2026"):
        gap.add_working_days(date(2025, 12, 30), 5)
    with pytest.raises(CalendarError, match="2026"):
        gap.working_days_between(date(2025, 6, 1), date(2027, 6, 1))


def test_real_2026_notice_gives_exactly_the_dates_chinese_calendar_has() -> None:
    notice = parse_notice(_notice(2026))
    from_notice = {(r.day, r.is_workday, r.label) for r in rules_from_notice(notice)}
    from_library = {(r.day, r.is_workday, r.label) for r in _official(2026)}
    assert notice.year == 2026
    assert from_notice == from_library
    assert len(notice.holidays) == 33 and len(notice.workdays) == 6  # "共33天" per the press


def test_notice_with_half_width_punctuation_parses_the_same() -> None:
    text = _notice(2026)
    half_width = text.translate(str.maketrans("：（），　", ":(), "))
    assert parse_notice(half_width) == parse_notice(text)


def test_notice_ranges_may_cross_months_and_years_and_single_days_count() -> None:
    text = "\n".join(
        [
            "国务院办公厅关于2028年部分节假日安排的通知",
            "一、元旦：2027年12月31日至2028年1月2日放假，共3天。",
            "二、清明节：4月4日放假。",
            "三、国庆节、中秋节：9月30日至10月7日放假调休，共8天。9月24日（周日）、10月14日（周六）上班。",
        ]
    )
    notice = parse_notice(text)
    off = {d for d, _ in notice.holidays}
    assert off == {
        date(2027, 12, 31),
        date(2028, 1, 1),
        date(2028, 1, 2),
        date(2028, 4, 4),
        *(date(2028, 9, 30) + timedelta(days=i) for i in range(8)),
    }
    assert notice.workdays == [(date(2028, 9, 24), "国庆节、中秋节"), (date(2028, 10, 14), "国庆节、中秋节")]


@pytest.mark.parametrize(
    ("bad_line", "why"),
    [
        ("二、春节：2月15日至23日放假调休，共8天。", "共8天"),
        ("二、春节：二月十五日至二十三日放假。", "cannot read"),
        ("二、春节：2月14日（周五）上班。2月15日放假。", "not a 周五"),
        ("二、春节：2月30日放假。", "not a date"),
        ("另：2月27日（周五）放假。", "not a numbered item"),
        ("二、春节：2月15日至23日调休。", "no days off"),
    ],
)
def test_malformed_notice_line_raises_naming_the_line(bad_line: str, why: str) -> None:
    text = "国务院办公厅关于2026年部分节假日安排的通知\n\n一、元旦：1月1日（周四）放假。\n" + bad_line
    with pytest.raises(NoticeParseError, match=why) as caught:
        parse_notice(text)
    assert caught.value.line_no == 4
    assert "line 4" in str(caught.value)


def test_notice_without_title_or_with_a_date_twice_is_refused() -> None:
    with pytest.raises(NoticeParseError, match="title"):
        parse_notice("一、元旦：1月1日放假。")
    with pytest.raises(NoticeParseError, match="listed twice"):
        parse_notice("关于2026年部分节假日安排的通知\n一、元旦：1月1日放假。\n二、春节：1月1日放假。")


def test_toml_notice_gives_the_same_rules_as_the_official_text() -> None:
    toml = """
        year = 2027
        [[holiday]]
        label = "春节"
        start = 2027-02-05
        end = "2027-02-13"
        workdays = [2027-01-31, 2027-02-20]
        [[holiday]]
        label = "端午节"
        start = 2027-06-09
    """
    notice = parse_notice(toml)
    official_text = parse_notice(_notice(2027))
    spring_and_dragon = {"春节", "端午节"}
    assert notice.year == 2027
    assert notice.holidays == [h for h in official_text.holidays if h[1] in spring_and_dragon]
    assert notice.workdays == [w for w in official_text.workdays if w[1] in spring_and_dragon]


def test_toml_notice_with_unknown_key_or_bad_date_names_the_entry() -> None:
    with pytest.raises(NoticeParseError, match=r"#1 \(春节\).*2027-02-30"):
        parse_notice('year = 2027\n[[holiday]]\nlabel = "春节"\nstart = "2027-02-30"\n')
    with pytest.raises(NoticeParseError, match="unknown keys days"):
        parse_notice('year = 2027\n[[holiday]]\nlabel = "春节"\nstart = 2027-02-05\ndays = 9\n')


def test_provisional_2026_from_holidays_has_the_same_working_days_as_official() -> None:
    official = WorkCalendar(_official(2026), [YearInfo(2026, False, "official")])
    provisional = WorkCalendar(provisional_rules(2026), [YearInfo(2026, True, "provisional")])
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(365)]
    assert [d for d in days if official.is_workday(d) != provisional.is_workday(d)] == []


def test_seed_years_uses_the_official_arrangement_where_the_library_has_it() -> None:
    rules, years = seed_years([2027, 2026])
    assert [(y.year, y.provisional, y.source) for y in years] == [
        (2026, False, "official"),
        (2027, True, "provisional"),
    ]
    assert {r.source for r in rules if r.day.year == 2026} == {"official"}
    assert DayRule(date(2027, 2, 9), False, "春节（补假）", "provisional") in rules


def test_day_rule_refuses_an_unknown_source() -> None:
    with pytest.raises(ValueError, match="source"):
        DayRule(date(2026, 1, 1), False, "元旦", "guess")
