"""The duty roster's rules on the real 2026 calendar: every rest day covered (国庆 and 春节 with their 调休
working days), a fair turn, leave respected, swaps checked, off-hours slots and the counted receipt."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

import pytest

from engine.domain.calendar import WorkCalendar, YearInfo
from engine.domain.case_clock import acceptance_due
from engine.domain.roster import (
    OFF_HOURS,
    REST_DAY,
    Assignment,
    DutySlot,
    OfficeHours,
    RosterError,
    counted_receipt,
    duty_slots,
    generate_rotation,
    slot_at,
    swap,
)
from engine.holiday_sources import official_rules

CST = timezone(timedelta(hours=8))
STAFF = ["a", "b", "c", "d", "e"]
HOURS = OfficeHours.parse(["09:00-12:00", "14:00-17:30"])


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    rules = official_rules(2026)
    assert rules is not None
    return WorkCalendar(rules, [YearInfo(2026, False, "official")])


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def test_national_day_week_is_covered_every_day_and_its_makeup_saturday_is_not(cal: WorkCalendar) -> None:
    slots = duty_slots(date(2026, 9, 28), date(2026, 10, 11), cal)
    covered = {s.day for s in slots}
    assert set(days(date(2026, 10, 1), date(2026, 10, 7))) <= covered  # 国庆 10/1–10/7
    assert date(2026, 10, 10) not in covered  # Saturday 10/10 is a 调休 working day
    assert date(2026, 10, 11) in covered  # an ordinary Sunday
    assert not {date(2026, 9, 28), date(2026, 9, 30), date(2026, 10, 8)} & covered
    assert all(s.shift == REST_DAY for s in slots)


def test_spring_festival_nine_days_are_covered_and_the_makeup_saturdays_are_working_days(cal: WorkCalendar) -> None:
    rotation = generate_rotation(STAFF, duty_slots(date(2026, 2, 1), date(2026, 2, 28), cal))
    covered = {a.day for a in rotation}
    assert set(days(date(2026, 2, 15), date(2026, 2, 23))) <= covered
    assert date(2026, 2, 14) not in covered and date(2026, 2, 28) not in covered
    # every day the calendar calls a rest day has exactly one officer, and no working day has one
    rest = [d for d in days(date(2026, 2, 1), date(2026, 2, 28)) if not cal.is_workday(d)]
    assert sorted(a.day for a in rotation) == rest


def test_the_rotation_is_fair_over_a_year(cal: WorkCalendar) -> None:
    rotation = generate_rotation(STAFF, duty_slots(date(2026, 1, 1), date(2026, 12, 31), cal, off_hours=True))
    for shift in (REST_DAY, OFF_HOURS):
        counts = Counter(a.username for a in rotation if a.shift == shift)
        assert set(counts) == set(STAFF)
        assert max(counts.values()) - min(counts.values()) <= 1, (shift, counts)
    # nobody is on rest-day duty two rest days running while others wait (a plain turn)
    rest = [a.username for a in rotation if a.shift == REST_DAY]
    assert all(x != y for x, y in zip(rest, rest[1:], strict=False))


def test_leave_days_are_skipped_and_the_turn_stays_fair(cal: WorkCalendar) -> None:
    holiday = set(days(date(2026, 10, 1), date(2026, 10, 7)))
    leave = {"a": holiday, "b": {date(2026, 10, 3)}}
    rotation = generate_rotation(STAFF, duty_slots(date(2026, 10, 1), date(2026, 10, 31), cal), leave)
    assert not [x for x in rotation if x.username == "a" and x.day in holiday]
    assert not [x for x in rotation if x.username == "b" and x.day == date(2026, 10, 3)]
    counts = Counter(x.username for x in rotation)
    assert max(counts.values()) - min(counts.values()) <= 1


def test_everyone_on_leave_is_an_error_naming_the_day(cal: WorkCalendar) -> None:
    leave = {name: {date(2026, 10, 4)} for name in STAFF}
    with pytest.raises(RosterError, match="2026-10-04"):
        generate_rotation(STAFF, duty_slots(date(2026, 10, 1), date(2026, 10, 7), cal), leave)


def test_the_turn_carries_on_from_last_month(cal: WorkCalendar) -> None:
    september = generate_rotation(STAFF, duty_slots(date(2026, 9, 1), date(2026, 9, 30), cal))
    october = generate_rotation(STAFF, duty_slots(date(2026, 10, 1), date(2026, 10, 31), cal), history=september)
    counts = Counter(a.username for a in [*september, *october])
    assert max(counts.values()) - min(counts.values()) <= 1
    assert october[0].username != september[-1].username


def test_a_swap_hands_the_slot_over_and_refuses_nonsense() -> None:
    roster = [Assignment(date(2026, 10, 3), REST_DAY, "a"), Assignment(date(2026, 10, 4), REST_DAY, "b")]
    swapped = swap(roster, DutySlot(date(2026, 10, 3), REST_DAY), "c", STAFF)
    assert [a.username for a in swapped] == ["c", "b"]
    with pytest.raises(RosterError, match="already"):
        swap(roster, DutySlot(date(2026, 10, 3), REST_DAY), "a", STAFF)
    with pytest.raises(RosterError, match="not on"):
        swap(roster, DutySlot(date(2026, 10, 3), REST_DAY), "stranger", STAFF)
    with pytest.raises(RosterError, match="leave"):
        swap(roster, DutySlot(date(2026, 10, 3), REST_DAY), "c", STAFF, {"c": {date(2026, 10, 3)}})
    with pytest.raises(RosterError, match="no duty"):
        swap(roster, DutySlot(date(2026, 10, 5), REST_DAY), "c", STAFF)


def test_slots_at_instants(cal: WorkCalendar) -> None:
    assert slot_at(datetime(2026, 9, 29, 10, 0, tzinfo=CST), cal, HOURS) is None  # a Tuesday morning: open
    assert slot_at(datetime(2026, 9, 29, 12, 30, tzinfo=CST), cal, HOURS) == DutySlot(date(2026, 9, 29), OFF_HOURS)
    assert slot_at(datetime(2026, 9, 29, 19, 0, tzinfo=CST), cal, HOURS) == DutySlot(date(2026, 9, 29), OFF_HOURS)
    assert slot_at(datetime(2026, 10, 2, 10, 0, tzinfo=CST), cal, HOURS) == DutySlot(date(2026, 10, 2), REST_DAY)
    assert slot_at(datetime(2026, 10, 10, 10, 0, tzinfo=CST), cal, HOURS) is None  # 调休 Saturday: open


def test_an_off_hours_intake_counts_from_the_next_opening(cal: WorkCalendar) -> None:
    opening = datetime(2026, 10, 8, 9, 0, tzinfo=CST)  # Thursday, the first working day after 国庆
    for off_hours in (datetime(2026, 10, 1, 10, 0, tzinfo=CST), datetime(2026, 9, 30, 18, 0, tzinfo=CST)):
        assert counted_receipt(off_hours, cal, HOURS) == opening
        assert acceptance_due(counted_receipt(off_hours, cal, HOURS), cal) == acceptance_due(opening, cal)
    lunch = datetime(2026, 9, 29, 12, 30, tzinfo=CST)
    assert counted_receipt(lunch, cal, HOURS) == datetime(2026, 9, 29, 14, 0, tzinfo=CST)
    open_now = datetime(2026, 9, 29, 10, 0, tzinfo=CST)
    assert counted_receipt(open_now, cal, HOURS) == open_now


def test_office_hours_are_checked() -> None:
    assert HOURS.sessions[1] == (time(14, 0), time(17, 30))
    for bad in (["9-12"], ["12:00-09:00"], ["09:00-12:00", "11:00-13:00"], []):
        with pytest.raises(ValueError):
            OfficeHours.parse(bad)
