"""The stored colour schedule (engine/domain/colour_schedule.py) gives, at every instant after the clock's last
change, exactly the colour ``read_colour`` computes from the clock: over random clocks (closed and open pauses,
counted or not, extensions, limits 0–30, item thresholds) and instants across 清明 and 劳动节 2026."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.domain.calendar import WorkCalendar
from engine.domain.case_clock import CaseClock, Pause
from engine.domain.colour_schedule import colour_schedule
from engine.domain.warnings import Colour, Thresholds, read_colour
from engine.holiday_sources import seed_years

CST = timezone(timedelta(hours=8))
START = datetime(2026, 3, 20, tzinfo=CST)
_RULES, _YEARS = seed_years(range(2025, 2028))
CAL = WorkCalendar(_RULES, _YEARS)


def _instant(base: datetime, minutes: int) -> datetime:
    return base + timedelta(minutes=minutes)


@st.composite
def clocks(draw: st.DrawFn) -> tuple[CaseClock, datetime]:
    """A clock and the instant of its last change (acceptance, a pause's start or end)."""
    accepted = _instant(START, draw(st.integers(0, 60 * 24 * 40)))
    cursor, pauses = accepted, []
    for _ in range(draw(st.integers(0, 3))):
        started = _instant(cursor, draw(st.integers(0, 60 * 24 * 12)))
        counted = draw(st.booleans()) and draw(st.booleans())
        ended = _instant(started, draw(st.integers(0, 60 * 24 * 12)))
        pauses.append(Pause("专家评审", started, ended, counted))
        cursor = ended
    if draw(st.booleans()):
        started = _instant(cursor, draw(st.integers(0, 60 * 24 * 12)))
        pauses.append(Pause("听证", started, None, draw(st.booleans()) and draw(st.booleans())))
        cursor = started
    clock = CaseClock(
        accepted,
        draw(st.integers(0, 30)),
        None,
        tuple(pauses),
        draw(st.sampled_from([0, 0, 0, 5, 10])),
    )
    return clock, cursor


thresholds = st.builds(
    Thresholds,
    yellow=st.sampled_from([Decimal("0.3"), Decimal("0.5"), Decimal("0.7")]),
    red=st.sampled_from([Decimal("0.8"), Decimal("0.9"), Decimal("1")]),
    short_limit_days=st.integers(0, 4),
)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clocks(), thresholds, st.lists(st.integers(0, 60 * 24 * 60), min_size=1, max_size=6))
def test_the_schedule_gives_the_colour_read_from_the_clock_at_every_later_instant(
    drawn: tuple[CaseClock, datetime], limits: Thresholds, offsets: list[int]
) -> None:
    clock, changed = drawn
    schedule = colour_schedule(clock, CAL, limits, changed)
    assert schedule.paused is clock.is_paused
    instants = [schedule.yellow_at, schedule.red_at, schedule.overdue_at]  # monotone, never-reached last
    assert instants == sorted(instants, key=lambda i: (i is None, i))
    for offset in [0, *offsets]:
        now = _instant(changed, offset)
        reading = read_colour(clock, now, CAL, limits)
        assert schedule.colour_at(now) is reading.colour, (now, reading)
        if schedule.paused:
            assert schedule.remaining_days == reading.remaining_days
        else:  # the days left follow from the rank day: the board orders running clocks by it
            assert schedule.rank_day is not None and CAL.is_workday(schedule.rank_day)
            assert reading.remaining_days == _signed_working_days(now, schedule.rank_day)


def _signed_working_days(now: datetime, day: date) -> int:
    today = now.astimezone(CAL.zone).date()
    return CAL.working_days_between(today, day) if day >= today else -CAL.working_days_between(day, today)


def at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=CST)


def test_the_holiday_pushes_each_change_and_a_zero_day_limit_is_never_red() -> None:
    six = colour_schedule(CaseClock(at(4, 1, 10), 6), CAL, Thresholds(), at(4, 1, 10))
    assert (six.yellow_at, six.red_at, six.overdue_at) == (at(4, 7), at(4, 10), at(4, 11))
    instant = colour_schedule(CaseClock(at(4, 1, 10), 0), CAL, Thresholds(), at(4, 1, 10))
    # a limit of 0 is never red before it is overdue (read_colour), so "red" comes with "overdue"
    assert (instant.yellow_at, instant.red_at, instant.overdue_at) == (at(4, 1), at(4, 2), at(4, 2))
    assert instant.colour_at(at(4, 1, 16)) is Colour.YELLOW


@pytest.mark.parametrize(
    ("started", "overdue"),
    [(at(4, 8, 9), None), (at(4, 10, 9), None), (at(4, 11, 9), at(4, 11)), (at(4, 13, 9), at(4, 11))],
)
def test_a_stopped_clock_keeps_only_what_it_reached_before_the_pause(started: datetime, overdue: object) -> None:
    """Paused before the last day or on it (the deadline is its end): nothing more comes; after it (even on the
    rest day that follows): overdue since its end."""
    clock = CaseClock(at(4, 1, 10), 6, pauses=(Pause("听证", started),))
    schedule = colour_schedule(clock, CAL, Thresholds(), started)
    assert schedule.paused and schedule.overdue_at == overdue
    assert schedule.yellow_at == at(4, 7)
    assert schedule.red_at == (None if started < at(4, 10) else at(4, 10))


def test_a_zero_day_limit_accepted_and_paused_on_a_rest_day_is_still_due_the_next_working_day() -> None:
    """Found by the property above: a limit of 0 ignores pauses (the end of the acceptance day, here Monday's)."""
    saturday = at(3, 21, 10)
    clock = CaseClock(saturday, 0, pauses=(Pause("听证", saturday),))
    schedule = colour_schedule(clock, CAL, Thresholds(), saturday)
    assert schedule.overdue_at == at(3, 24)
    assert schedule.colour_at(at(3, 24)) is read_colour(clock, at(3, 24), CAL, Thresholds()).colour is Colour.OVERDUE
