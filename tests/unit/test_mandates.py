"""The mandate (委托书) rules: scope and validity, the lifecycle (中止 / 续办 / 终止), who decides an item, and how
the relay's time is attributed to its levels."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from engine.domain.calendar import WorkCalendar, YearInfo
from engine.domain.mandates import (
    Handover,
    HandoverTimes,
    Level,
    MandateKind,
    MandateStatus,
    deciding_level,
    level_spans,
    new_mandate,
    total_span,
)
from engine.errors import InvalidTransition

CST = timezone(timedelta(hours=8))
SIGNED = datetime(2026, 3, 10, 9, 0, tzinfo=CST)


def mandate(kind: MandateKind = MandateKind.FULL, items: tuple[str, ...] = ("FW-MZ-002",)):  # type: ignore[no-untyped-def]
    return new_mandate(kind, "agent", items, date(2026, 3, 1), date(2026, 3, 31), SIGNED, "agent")


def test_a_mandate_covers_its_items_within_its_validity_only() -> None:
    m = mandate()
    assert m.covers("FW-MZ-002", date(2026, 3, 10))
    assert m.refusal("FW-MZ-003", date(2026, 3, 10)) == "the mandate does not cover item FW-MZ-003"
    assert m.refusal("FW-MZ-002", date(2026, 2, 28)) == "the mandate is valid from 2026-03-01"
    assert m.effective_status(date(2026, 4, 1)) is MandateStatus.EXPIRED
    assert m.refusal("FW-MZ-002", date(2026, 4, 1)) == "the mandate is expired"
    everything = mandate(items=("*",))
    assert everything.scope_all and everything.covers("XK-ZRZY-001", date(2026, 3, 31))


def test_an_authorised_mandate_names_its_items_and_validity_is_bounded() -> None:
    with pytest.raises(ValueError, match="names the items"):
        mandate(MandateKind.AUTHORISED, ())
    with pytest.raises(ValueError, match="on or after"):
        new_mandate(MandateKind.FULL, "a", (), date(2026, 3, 2), date(2026, 3, 1), SIGNED, "a")
    with pytest.raises(ValueError, match="at most"):
        new_mandate(MandateKind.FULL, "a", (), date(2026, 1, 1), date(2027, 6, 1), SIGNED, "a")


def test_suspension_renewal_and_termination_follow_the_forms() -> None:
    later = SIGNED + timedelta(days=2)
    suspended = mandate().suspend(later, "agent", "申请人外出")
    assert suspended.status is MandateStatus.SUSPENDED and not suspended.covers("FW-MZ-002", later.date())
    with pytest.raises(InvalidTransition):
        suspended.suspend(later, "agent", "再次")
    with pytest.raises(ValueError, match="reason"):
        suspended.renew(later, "agent", "  ")
    renewed = suspended.renew(later, "agent", "续办", date(2026, 5, 31))
    assert renewed.status is MandateStatus.ACTIVE and renewed.valid_to == date(2026, 5, 31)
    assert renewed.covers("FW-MZ-002", date(2026, 5, 1))
    ended = renewed.terminate(later, "agent", "终止委托")
    assert [e.action for e in ended.history] == ["signed", "suspended", "renewed", "terminated"]
    assert ended.history[-1].reason == "终止委托"
    with pytest.raises(InvalidTransition):
        ended.renew(later, "agent", "续办")
    with pytest.raises(InvalidTransition):
        ended.terminate(later, "agent", "again")


def test_the_county_decides_unless_the_town_decides_the_item() -> None:
    assert deciding_level("FW-MZ-002") is Level.COUNTY
    assert deciding_level("FW-MZ-002", {"FW-MZ-002"}) is Level.TOWN


def _calendar() -> WorkCalendar:
    return WorkCalendar([], [YearInfo(2026, provisional=True, source="provisional")], "Asia/Shanghai", "24:00")


def test_each_level_keeps_its_own_time_and_the_total_runs_from_the_village_intake() -> None:
    calendar = _calendar()
    start = SIGNED  # Tuesday 09:00
    handovers = [
        HandoverTimes(Handover.VILLAGE_TOWN, start, start + timedelta(hours=25)),  # the town signs Wednesday 10:00
        HandoverTimes(Handover.TOWN_COUNTY, start + timedelta(hours=48), None),  # handed Thursday, not yet signed
    ]
    now = start + timedelta(days=6)  # Monday
    village, town = level_spans(start, handovers, now, calendar)
    assert (village.level, village.hours, village.working_days) == ("village", 25.0, 1)
    assert (town.level, town.end, town.working_days) == ("town", None, 3)  # still with the town: Thu, Fri, Mon
    total = total_span(start, None, now, calendar)
    assert (total.hours, total.working_days) == (144.0, 4)
