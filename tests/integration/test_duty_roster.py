"""Off-hours intake at a town centre on a frozen clock: a case opened on a Saturday or during 国庆 lands with the
officer the roster puts on duty, and its acceptance limit (the process's auto-accept timer and the acceptance
step's due time) is that of a case opened on the next working day's morning; in office hours the window
officer receives it as usual. Also: generating, showing and swapping through the service, and who may."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from engine.domain.roster import OFF_HOURS, REST_DAY
from engine.errors import FormValidationError, InvalidTransition, PermissionDenied
from engine.services.definitions import read_paths
from tests.conftest import ADMIN, CST, ROOT, principal

TOWN = "SONGYANG"
ITEM = "FW-MZ-002"  # 最低生活保障审核确认: decided by the town (towns.toml)
# a town's window staff: 代办 intake centre-wide (as the town's 代办员) and the roster, never the county window
OFFICER = principal("songyang_sh", ("agent", None), ("town_officer", None))
APPLICANT = {"name": "张三", "id_number": "530123198001011234", "phone": "13800000000"}


@pytest.fixture
def towns(platform: Platform) -> Platform:
    platform.catalogue.load()
    forms = sorted((ROOT / "forms").glob("*.json"))
    platform.definitions.deploy(read_paths([ROOT / "processes" / "items" / "item_fw_mz_002.bpmn", *forms]))
    return platform


def open_case(platform: Platform, clock: FrozenClock, at: datetime, who: Any = OFFICER) -> dict[str, Any]:
    clock.set(at)
    return platform.towns.open_case(who, TOWN, {"item_code": ITEM, "applicant": APPLICANT, "materials": ["申请书"]})


def acceptance_limit(platform: Platform, case_no: str) -> tuple[datetime, datetime]:
    """(the auto-accept timer's due time, the acceptance step's due time) as the process holds them."""
    with platform.ctx.uow() as uow:
        instance_id = uow.cases.get(case_no)["instance_id"]
        timers = {t.element_id: t.due_at for t in uow.instances.timers_for(instance_id)}
        tasks = {t.element_id: t.due_at for t in uow.instances.tasks_for_instance(instance_id)}
    return timers["auto_accept"], tasks["acceptance"]


def duty_on(platform: Platform, day: date, shift: str = REST_DAY) -> str:
    month = platform.roster.month(TOWN, day.year, day.month)
    found = [d for d in month["duties"] if d["day"] == day.isoformat() and d["shift"] == shift]
    assert len(found) == 1, found
    return str(found[0]["officer"]["username"])


def test_a_saturday_intake_lands_with_the_saturday_officer_and_counts_from_monday_morning(
    towns: Platform, clock: FrozenClock
) -> None:
    towns.roster.generate(OFFICER, TOWN, 2026, 10, off_hours=True)
    saturday = date(2026, 10, 17)
    on_duty = duty_on(towns, saturday)
    assert on_duty != duty_on(towns, date(2026, 10, 18))  # Sunday is someone else's turn

    weekend = open_case(towns, clock, datetime(2026, 10, 17, 10, 30, tzinfo=CST))
    assert weekend["off_hours"] and weekend["shift"] == REST_DAY
    assert weekend["on_duty"]["username"] == on_duty
    assert datetime.fromisoformat(weekend["counted_from"]) == datetime(2026, 10, 19, 9, 0, tzinfo=CST)

    monday = open_case(towns, clock, datetime(2026, 10, 19, 9, 30, tzinfo=CST))
    assert not monday["off_hours"] and monday["on_duty"] is None
    assert monday["received_by"]["username"] == "songyang_sh"
    # the same acceptance limit: the end of the 5th working day after Monday 10/19, i.e. Monday 10/26
    end_of_10_26 = datetime(2026, 10, 27, 0, 0, tzinfo=CST)
    assert acceptance_limit(towns, weekend["case_no"]) == (end_of_10_26, end_of_10_26)
    assert acceptance_limit(towns, monday["case_no"]) == (end_of_10_26, end_of_10_26)
    assert datetime.fromisoformat(weekend["acceptance_due"]) == end_of_10_26
    assert datetime.fromisoformat(monday["acceptance_due"]) == end_of_10_26
    # the process data carries the officer on duty too
    with towns.ctx.uow() as uow:
        data = uow.instances.get(uow.cases.get(weekend["case_no"])["instance_id"]).data
    assert data["on_duty"] == on_duty and data["service_point"] == TOWN


def test_an_intake_during_national_day_counts_from_the_first_working_day_after_it(
    towns: Platform, clock: FrozenClock
) -> None:
    towns.roster.generate(ADMIN, TOWN, 2026, 9, off_hours=True)
    towns.roster.generate(ADMIN, TOWN, 2026, 10, off_hours=True)
    holiday = open_case(towns, clock, datetime(2026, 10, 3, 15, 0, tzinfo=CST))  # 国庆, a Saturday
    assert holiday["on_duty"]["username"] == duty_on(towns, date(2026, 10, 3))
    evening_before = open_case(towns, clock, datetime(2026, 9, 30, 19, 0, tzinfo=CST))  # after closing
    assert evening_before["shift"] == OFF_HOURS
    assert evening_before["on_duty"]["username"] == duty_on(towns, date(2026, 9, 30), OFF_HOURS)
    thursday = open_case(towns, clock, datetime(2026, 10, 8, 9, 5, tzinfo=CST))  # first working day after
    # Thursday 10/8 + 5 working days: 10/9, 10/10 (调休 Saturday), 10/12, 10/13, 10/14
    end_of_10_14 = datetime(2026, 10, 15, 0, 0, tzinfo=CST)
    for case in (holiday, evening_before, thursday):
        assert acceptance_limit(towns, case["case_no"]) == (end_of_10_14, end_of_10_14), case
    # the 调休 Saturday 10/10 is a working day: the window receives, nobody is on duty
    makeup = open_case(towns, clock, datetime(2026, 10, 10, 10, 0, tzinfo=CST))
    assert not makeup["off_hours"] and makeup["on_duty"] is None


def test_the_roster_says_who_is_on_duty_and_a_swap_moves_the_intake(towns: Platform, clock: FrozenClock) -> None:
    towns.roster.generate(OFFICER, TOWN, 2026, 10)
    saturday = date(2026, 10, 24)
    before = duty_on(towns, saturday)
    other = next(p["username"] for p in towns.roster.month(TOWN, 2026, 10)["pool"] if p["username"] != before)
    with pytest.raises(FormValidationError):
        towns.roster.swap(OFFICER, TOWN, saturday, REST_DAY, other, " ")
    swapped = towns.roster.swap(OFFICER, TOWN, saturday, REST_DAY, other, "家中有事，调班")
    assert swapped["officer"]["username"] == other and swapped["swapped_from"]["username"] == before
    at = towns.roster.on_duty_at(TOWN, datetime(2026, 10, 24, 20, 0, tzinfo=CST))
    assert not at["open"] and at["duty"]["officer"]["username"] == other
    assert towns.roster.on_duty_at(TOWN, datetime(2026, 10, 23, 10, 0, tzinfo=CST))["open"]
    case = open_case(towns, clock, datetime(2026, 10, 24, 11, 0, tzinfo=CST))
    assert case["on_duty"]["username"] == other
    # working-day evenings are covered by default (towns.toml off_hours_duty, true unless a town says false)
    evening = open_case(towns, clock, datetime(2026, 10, 22, 20, 0, tzinfo=CST))
    assert evening["shift"] == OFF_HOURS
    assert evening["on_duty"]["username"] == duty_on(towns, date(2026, 10, 22), OFF_HOURS)
    # a roster drawn up without evening duty leaves nobody to take it: off-hours intake is refused
    towns.roster.generate(OFFICER, TOWN, 2026, 11, off_hours=False)
    with pytest.raises(InvalidTransition, match="roster"):
        open_case(towns, clock, datetime(2026, 11, 4, 20, 0, tzinfo=CST))


def test_only_the_towns_staff_draw_up_its_roster_and_receive_there(towns: Platform, clock: FrozenClock) -> None:
    outsider = principal("yanglin_sh", ("agent", None), ("town_officer", None))
    with pytest.raises(PermissionDenied):
        towns.roster.generate(outsider, TOWN, 2026, 10)
    # neither a county window officer nor one of the town's 代办员 draws up the town's roster
    for other in (
        principal("songyang_sh", ("window_officer", "CENTRE")),
        principal("songyang_agent1", ("agent", None)),
    ):
        with pytest.raises(PermissionDenied):
            towns.roster.generate(other, TOWN, 2026, 10)
    towns.roster.generate(OFFICER, TOWN, 2026, 10)
    with pytest.raises(PermissionDenied):
        open_case(towns, clock, datetime(2026, 10, 19, 10, 0, tzinfo=CST), outsider)
    with pytest.raises(FormValidationError, match="does not receive"):
        clock.set(datetime(2026, 10, 19, 10, 0, tzinfo=CST))
        towns.towns.open_case(OFFICER, TOWN, {"item_code": "XK-FZGG-001", "applicant": APPLICANT})
    leave = {"songyang_agent1": ["2026-10-03", "not a date"]}
    with pytest.raises(FormValidationError):
        towns.roster.generate(OFFICER, TOWN, 2026, 10, leave=leave)


def test_the_towns_overview_lists_windows_items_and_agents(towns: Platform) -> None:
    overview = towns.towns.overview()
    assert [t["code"] for t in overview] == ["SONGYANG", "YANGLIN", "XIAOJIE", "NIULANJIANG"]
    songyang = overview[0]
    assert [w["category"] for w in songyang["windows"]] == ["经济发展类", "社会事务类", "综治维稳类", "党建群团类"]
    social = songyang["windows"][1]
    assert {"code": "FW-MZ-002", "name": "最低生活保障审核确认"} in social["decides"]
    assert any(i["code"] == "FXK-MZ-001" for i in social["receives"])
    assert 2 <= len(songyang["agents"]) <= 3


def _acceptance_task(platform: Platform, case_no: str) -> str:
    with platform.ctx.uow() as uow:
        instance_id = uow.cases.get(case_no)["instance_id"]
        tasks = [t for t in uow.instances.tasks_for_instance(instance_id) if t.element_id == "acceptance"]
    assert len(tasks) == 1, tasks
    return str(tasks[0].task_id)


def _case_record(platform: Platform, case_no: str) -> dict[str, Any]:
    with platform.ctx.uow() as uow:
        return dict(uow.cases.get(case_no)["record"])


def test_the_saturday_case_may_still_be_refused_on_its_recounted_last_day(towns: Platform, clock: FrozenClock) -> None:
    """The case's own acceptance limit (第32条(四) auto-acceptance) counts from the next opening too, not only
    the process timers: refusing on Monday 10/26, the last day shown on the receipt, succeeds."""
    towns.roster.generate(OFFICER, TOWN, 2026, 10)
    weekend = open_case(towns, clock, datetime(2026, 10, 17, 10, 30, tzinfo=CST))
    assert datetime.fromisoformat(weekend["acceptance_due"]) == datetime(2026, 10, 27, 0, 0, tzinfo=CST)
    clock.set(datetime(2026, 10, 26, 10, 0, tzinfo=CST))
    towns.tasks.complete(
        ADMIN, _acceptance_task(towns, weekend["case_no"]), {"decision": "not_accept", "reasons": "不属于受理范围"}
    )
    record = _case_record(towns, weekend["case_no"])
    assert record["status"] == "not_accepted" and not record["auto_accepted"]
    assert record["counted_from"] == "2026-10-19T09:00:00+08:00"


def test_a_saturday_case_left_past_its_limit_is_accepted_from_the_next_opening(
    towns: Platform, clock: FrozenClock
) -> None:
    towns.roster.generate(OFFICER, TOWN, 2026, 10)
    weekend = open_case(towns, clock, datetime(2026, 10, 17, 10, 30, tzinfo=CST))
    clock.set(datetime(2026, 10, 27, 0, 5, tzinfo=CST))  # the runtime reads the clock for the timers
    towns.timers.fire_due()
    record = _case_record(towns, weekend["case_no"])
    assert record["auto_accepted"] and record["status"] == "accepted"
    assert record["accepted_at"] == record["counted_from"] == "2026-10-19T09:00:00+08:00"


def test_regenerating_keeps_the_days_gone_by_and_the_agreed_swaps(towns: Platform, clock: FrozenClock) -> None:
    towns.roster.generate(OFFICER, TOWN, 2026, 9)
    towns.roster.generate(OFFICER, TOWN, 2026, 10)
    pool = [p["username"] for p in towns.roster.month(TOWN, 2026, 10)["pool"]]
    for day in (date(2026, 10, 3), date(2026, 10, 24)):  # one swap already past at regeneration, one to come
        other = next(u for u in pool if u != duty_on(towns, day))
        towns.roster.swap(OFFICER, TOWN, day, REST_DAY, other, "家中有事，调班")
    before = towns.roster.month(TOWN, 2026, 10)["duties"]
    clock.set(datetime(2026, 10, 20, 10, 0, tzinfo=CST))
    leave = {u: ["2026-10-25", "2026-10-31"] for u in pool[:2]}  # the rest of the month changes
    after = towns.roster.generate(OFFICER, TOWN, 2026, 10, leave=leave)["duties"]
    past = [d for d in before if d["day"] < "2026-10-20"]
    assert past and [d for d in after if d["day"] < "2026-10-20"] == past
    swapped = {d["day"]: d for d in after if d["swap_reason"]}
    assert set(swapped) == {"2026-10-03", "2026-10-24"}
    assert swapped["2026-10-24"] == next(d for d in before if d["day"] == "2026-10-24")
    assert all(d["officer"]["username"] not in pool[:2] for d in after if d["day"] in ("2026-10-25", "2026-10-31"))
    # each slot once: the kept swap is not scheduled a second time
    assert len({(d["day"], d["shift"]) for d in after}) == len(after)
    with pytest.raises(FormValidationError, match="past month"):
        towns.roster.generate(OFFICER, TOWN, 2026, 9)  # September is over: what happened stays on record
