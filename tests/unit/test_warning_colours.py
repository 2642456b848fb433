"""Case colours (green / yellow / red / overdue) in working days across 清明 2026 (4-4 … 4-6 off) and a pause
that stops the clock; thresholds from the item's guide; short limits; the warning card's lifecycle rules."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from engine.domain.calendar import WorkCalendar
from engine.domain.case_clock import CaseClock, Pause
from engine.domain.warning_cards import Level, Trigger, WarningStatus, level_of, require_move
from engine.domain.warnings import Colour, Thresholds, colour_changes, read_colour, thresholds_for
from engine.errors import InvalidTransition
from engine.holiday_sources import seed_years

CST = timezone(timedelta(hours=8))
DEFAULT = Thresholds()


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CST)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    rules, years = seed_years(range(2025, 2028))
    return WorkCalendar(rules, years)


def six_days(*pauses: Pause) -> CaseClock:
    """Accepted Wednesday 4-1: the counted days are 4-2, 4-3, (清明) 4-7, 4-8, 4-9, 4-10."""
    return CaseClock(at(4, 1, 10), promised_days=6, statutory_days=20, pauses=pauses)


def colour(clock: CaseClock, now: datetime, cal: WorkCalendar, thresholds: Thresholds = DEFAULT) -> Colour:
    return read_colour(clock, now, cal, thresholds).colour


def test_the_holiday_pushes_every_colour_change_past_it(cal: WorkCalendar) -> None:
    changes = colour_changes(six_days(), cal, DEFAULT)
    # yellow from the 3rd counted day (half of 6), red from the 6th (ceil 5.4), overdue after the 6th
    assert changes == {Colour.YELLOW: at(4, 7), Colour.RED: at(4, 10), Colour.OVERDUE: at(4, 11)}


def test_the_colour_read_at_each_instant_agrees_with_the_schedule(cal: WorkCalendar) -> None:
    clock = six_days()
    assert colour(clock, at(4, 3, 17), cal) is Colour.GREEN
    holiday = read_colour(clock, at(4, 6, 12), cal, DEFAULT)  # 清明: no working day passes
    assert (holiday.colour, holiday.used_days, holiday.remaining_days) == (Colour.GREEN, 2, 4)
    assert colour(clock, at(4, 7) - timedelta(seconds=1), cal) is Colour.GREEN
    assert colour(clock, at(4, 7), cal) is Colour.YELLOW
    assert colour(clock, at(4, 9, 17), cal) is Colour.YELLOW  # 5 of 6 used is below 90 %
    assert colour(clock, at(4, 10, 9), cal) is Colour.RED
    late = read_colour(clock, at(4, 13, 9), cal, DEFAULT)
    assert (late.colour, late.remaining_days, late.due_at) == (Colour.OVERDUE, -1, at(4, 11))


def test_a_pause_stops_the_clock_and_moves_the_later_colours(cal: WorkCalendar) -> None:
    open_pause = six_days(Pause("专家评审", at(4, 7, 10)))
    assert colour_changes(open_pause, cal, DEFAULT) == {}  # nothing can change while the clock stands
    reading = read_colour(open_pause, at(4, 9, 15), cal, DEFAULT)
    assert reading.paused and reading.colour is Colour.YELLOW and reading.used_days == 3
    # the pause ends Thursday 4-9: Wednesday and Thursday are left out, so red and overdue move two working days
    ended = six_days(Pause("专家评审", at(4, 7, 10), at(4, 9, 15)))
    assert colour_changes(ended, cal, DEFAULT) == {
        Colour.YELLOW: at(4, 7),
        Colour.RED: at(4, 14),
        Colour.OVERDUE: at(4, 15),
    }
    assert colour(ended, at(4, 13, 16), cal) is Colour.YELLOW
    assert colour(ended, at(4, 14, 9), cal) is Colour.RED


def test_a_counted_pause_does_not_stop_the_clock(cal: WorkCalendar) -> None:
    counted = six_days(Pause("现场核查", at(4, 7, 10), at(4, 9, 15), counted=True))
    assert colour_changes(counted, cal, DEFAULT) == colour_changes(six_days(), cal, DEFAULT)


def test_thresholds_come_from_the_items_guide(cal: WorkCalendar) -> None:
    strict = thresholds_for({"warning": {"yellow": 0.3, "red": 0.6}})
    assert strict == Thresholds(Decimal("0.3"), Decimal("0.6"), 3)
    # yellow from the 2nd counted day (ceil 1.8), red from the 4th (ceil 3.6)
    assert colour_changes(six_days(), cal, strict) == {
        Colour.YELLOW: at(4, 3),
        Colour.RED: at(4, 8),
        Colour.OVERDUE: at(4, 11),
    }
    assert thresholds_for({}) == DEFAULT
    assert thresholds_for({"warning": None}) == DEFAULT  # the catalogue stores None: the defaults apply


@pytest.mark.parametrize(
    "guide",
    [
        None,
        "not a guide",
        {"warning": {"yellow": 0.9, "red": 0.5}},  # ValueError: yellow after red
        {"warning": {"yellow": 0.5, "red": 0.9, "short_limit_days": None}},  # TypeError: int(None)
        {"warning": {"yellow": 0.5, "red": 0.9, "short_limit_days": [3]}},  # TypeError
        {"warning": {"yellow": "half", "red": 0.9}},  # decimal.InvalidOperation (an ArithmeticError)
        {"warning": {"yellow": 0.5, "red": 0.9, "short_limit_days": float("inf")}},  # OverflowError
        {"warning": [0.5, 0.9]},  # not a table
    ],
)
def test_malformed_thresholds_fall_back_to_the_defaults(guide: object) -> None:
    """Regression (review 6, finding 8): one helper for the services; any malformed table gives the defaults."""
    assert thresholds_for(guide) == DEFAULT  # type: ignore[arg-type]


def test_a_short_limit_is_yellow_with_one_working_day_left(cal: WorkCalendar) -> None:
    # 3 days from Thursday 4-2: 4-3, (清明) 4-7, 4-8; yellow at 80 % would be the 3rd day, the short rule says 2nd
    clock = CaseClock(at(4, 2, 10), promised_days=3)
    late_yellow = Thresholds(Decimal("0.8"), Decimal("0.9"), short_limit_days=3)
    assert colour_changes(clock, cal, late_yellow)[Colour.YELLOW] == at(4, 7)
    assert colour(clock, at(4, 7, 10), cal, late_yellow) is Colour.YELLOW
    no_short_rule = Thresholds(Decimal("0.8"), Decimal("0.9"), short_limit_days=0)
    assert colour_changes(clock, cal, no_short_rule)[Colour.YELLOW] == at(4, 8)
    assert colour(clock, at(4, 7, 10), cal, no_short_rule) is Colour.GREEN


def test_a_one_day_limit_is_yellow_from_acceptance(cal: WorkCalendar) -> None:
    clock = CaseClock(at(4, 3, 10), promised_days=1)  # the only counted day is 4-7, after 清明
    changes = colour_changes(clock, cal, DEFAULT)
    assert changes == {Colour.YELLOW: at(4, 3, 10), Colour.RED: at(4, 7), Colour.OVERDUE: at(4, 8)}
    assert colour(clock, at(4, 3, 10), cal) is Colour.YELLOW


def test_only_approaching_the_limit_is_a_yellow_card() -> None:
    assert level_of(Trigger.PROMISED_YELLOW) is Level.YELLOW
    assert {level_of(t) for t in Trigger if t is not Trigger.PROMISED_YELLOW} == {Level.RED}


def test_a_card_is_appealed_once_and_settled_by_revocation_or_escalation() -> None:
    assert require_move("appeal", WarningStatus.ISSUED, 1) is WarningStatus.APPEALED
    assert require_move("revoke", WarningStatus.APPEALED, 1) is WarningStatus.REVOKED
    assert require_move("escalate", WarningStatus.ISSUED, 1) is WarningStatus.ESCALATED
    for move, status in [
        ("appeal", WarningStatus.APPEALED),
        ("appeal", WarningStatus.REVOKED),
        ("revoke", WarningStatus.ESCALATED),
        ("escalate", WarningStatus.REVOKED),
    ]:
        with pytest.raises(InvalidTransition):
            require_move(move, status, 1)
