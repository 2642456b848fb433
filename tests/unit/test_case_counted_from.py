"""A case's ``counted_from`` (an off-hours intake's acceptance limit counts from the next opening): kept by the
record's codec, absent from older records, and used by the case's own 第32条(四) auto-acceptance."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from engine.domain.calendar import WorkCalendar, YearInfo
from engine.domain.case_codec import case_from_dict, case_to_dict
from engine.domain.cases import Case, CaseStatus
from engine.holiday_sources import official_rules

CST = timezone(timedelta(hours=8))
SATURDAY = datetime(2026, 10, 17, 10, 30, tzinfo=CST)
MONDAY = datetime(2026, 10, 19, 9, 0, tzinfo=CST)


def test_the_record_keeps_counted_from_and_older_records_have_none() -> None:
    case = Case("C1", "FW-MZ-002", SATURDAY, 20, counted_from=MONDAY)
    assert case_from_dict(case_to_dict(case)).counted_from == MONDAY
    old = case_to_dict(Case("C2", "FW-MZ-002", SATURDAY, 20))
    del old["counted_from"]  # a record written before the field existed
    assert case_from_dict(old).counted_from is None and case_from_dict(old).acceptance_start == SATURDAY


def test_auto_acceptance_counts_from_the_next_opening() -> None:
    rules = official_rules(2026)
    assert rules is not None
    calendar = WorkCalendar(rules, [YearInfo(2026, False, "official")])  # 10/19-10/23: five working days
    late_friday = datetime(2026, 10, 24, 1, 0, tzinfo=CST)
    plain = Case("C1", "FW-MZ-002", SATURDAY, 20)
    assert plain.auto_accept_if_overdue(late_friday, calendar) and plain.accepted_at == SATURDAY
    off_hours = Case("C2", "FW-MZ-002", SATURDAY, 20, counted_from=MONDAY)
    assert not off_hours.auto_accept_if_overdue(late_friday, calendar)  # its limit runs to the end of 10/26
    assert off_hours.auto_accept_if_overdue(datetime(2026, 10, 27, 0, 0, tzinfo=CST), calendar)
    assert off_hours.status is CaseStatus.ACCEPTED and off_hours.accepted_at == MONDAY
