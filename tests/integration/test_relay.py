"""The village → town → county relay on a real database with a frozen clock: a village agent files under an
active mandate (and is refused outside its scope, after expiry or suspension), every hand-over is recorded with
materials, time and signer, the county window's receipt opens the real case, the case's end hands the result
back, and the time per level, the total and the deciding window's statutory clock are computed — also for the
applicant's public lookup."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from engine.domain.case_clock import acceptance_due
from engine.errors import ConcurrentUpdate, FormValidationError, InvalidTransition, NotFound, PermissionDenied
from engine.persistence.repositories.agency import AgencyRepository
from engine.services.definitions import read_paths
from tests.conftest import ADMIN, CST, ROOT, principal
from tests.integration.test_concurrency import race

ITEM = "FXK-MZ-001"  # 特困人员供养审批 (民政局), relayed up to the county: promised 20, statutory 25 working days
TOWN_ITEM = "FW-MZ-002"  # 最低生活保障审核确认: 嵩阳镇 decides it itself (towns.toml)
AGENT = principal("sy_chengdong", ("agent", None))  # 城东社区为民服务站 (嵩阳镇)
OTHER_AGENT = principal("yl_shequ", ("agent", None))  # a village of another town
TOWN = principal("songyang_agent1", ("agent", None))  # a 代办员 of 嵩阳镇为民服务中心
STATIONED = principal("sy_team", ("case_officer", "CIVIL"))  # town staff stationed in the village (驻点包村)
COUNTY = principal("civil_win", ("window_officer", "CIVIL"))
OFFICER = principal("civil_exam", ("case_officer", "CIVIL"))
REVIEWER = principal("civil_rev", ("reviewer", "CIVIL"))
APPROVER = principal("civil_boss", ("approver", "CIVIL"))
LAND_WINDOW = principal("land_win", ("window_officer", "LAND"))
MATERIALS = ["最低生活保障申请书", "户口簿复印件", "家庭收入情况说明"]


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=CST)


@pytest.fixture
def agency(platform: Platform) -> Platform:
    platform.catalogue.load()  # the organisation's towns and stations, and the items
    forms = sorted((ROOT / "forms").glob("*.json"))
    paths = [
        ROOT / "processes" / "relay.bpmn",
        ROOT / "processes" / "items" / "item_fxk_mz_001.bpmn",
        ROOT / "processes" / "items" / "item_fw_mz_002.bpmn",
        *forms,
    ]
    platform.definitions.deploy(read_paths(paths), actor="test")
    for who in (AGENT, OTHER_AGENT, TOWN, STATIONED, COUNTY, OFFICER, REVIEWER, APPROVER, LAND_WINDOW):
        [(role, department)] = [(g.role, g.department) for g in who.grants]
        platform.accounts.add_user(who.username, "pw-" + who.username, [role], department)
    return platform


def mandate(platform: Platform, **extra: Any) -> dict[str, Any]:
    body = {
        "kind": "full",
        "principal": {"name": "张小梅", "id_number": "530127198001011234", "phone": "13800000000"},
        "items": [ITEM],
        "valid_from": "2026-03-01",
        "valid_to": "2026-03-31",
        **extra,
    }
    return platform.agency.create_mandate(AGENT, body)


def complete(platform: Platform, who: Any, case_no: str, data: dict[str, Any]) -> None:
    [task] = [t for t in platform.tasks.inbox(who) if t.business_key == case_no]
    platform.tasks.complete(who, task.task_id, data)


def test_a_mandate_is_signed_by_the_village_agent_and_checked(agency: Platform) -> None:
    signed = mandate(agency)
    assert signed["number"] == "WT-2026-000001" and signed["status"] == "active" and signed["kind_label"] == "全程代办"
    assert signed["station"] == "SONGYANG-V01" and signed["items"] == [ITEM]
    with pytest.raises(PermissionDenied):  # a town's staff member is no village agent
        agency.agency.create_mandate(TOWN, {"principal": {"name": "某"}, "valid_to": "2026-04-01"})
    with pytest.raises(FormValidationError) as refused:
        mandate(agency, kind="authorised", items=[])  # 授权代办 names its items
    assert refused.value.field_errors[0].field == "items"
    with pytest.raises(FormValidationError):
        mandate(agency, items=["NO-SUCH-ITEM"])
    # the town sees its villages' mandates with the principal protected; another town's agent sees none
    [seen] = agency.agency.mandates(TOWN)
    assert seen["principal"] == {"name": "张**"}
    assert agency.agency.mandates(OTHER_AGENT) == []
    with pytest.raises(PermissionDenied):
        agency.agency.mandate(OTHER_AGENT, signed["number"])


def test_filing_is_refused_outside_the_scope_after_suspension_and_after_expiry(
    agency: Platform, clock: FrozenClock
) -> None:
    number = mandate(agency)["number"]
    start = {"mandate": number, "item_code": "FW-MZ-003", "materials": MATERIALS}
    with pytest.raises(PermissionDenied, match="does not cover"):
        agency.agency.start_relay(AGENT, start)
    with pytest.raises(PermissionDenied):  # only the mandate's agent files under it
        agency.agency.start_relay(OTHER_AGENT, {**start, "item_code": ITEM})
    suspended = agency.agency.suspend_mandate(TOWN, number, "申请人外出务工，暂停代办")
    assert suspended["status"] == "suspended" and suspended["history"][-1]["reason"] == "申请人外出务工，暂停代办"
    with pytest.raises(PermissionDenied, match="suspended"):
        agency.agency.start_relay(AGENT, {**start, "item_code": ITEM})
    with pytest.raises(InvalidTransition):
        agency.agency.suspend_mandate(AGENT, number, "再次中止")
    assert agency.agency.renew_mandate(AGENT, number, "申请人返乡，续办")["status"] == "active"
    clock.set(datetime(2026, 4, 1, 9, 0, tzinfo=CST))  # past valid_to
    with pytest.raises(PermissionDenied, match="expired"):
        agency.agency.start_relay(AGENT, {**start, "item_code": ITEM})
    renewed = agency.agency.renew_mandate(AGENT, number, "续办委托书", "2026-06-30")
    assert (renewed["status"], renewed["valid_to"]) == ("active", "2026-06-30")
    assert agency.agency.start_relay(AGENT, {**start, "item_code": ITEM})["status"] == "to_town"
    ended = agency.agency.terminate_mandate(AGENT, number, "申请人书面终止委托")
    assert ended["status"] == "terminated" and [e["action"] for e in ended["history"]] == [
        "signed", "suspended", "renewed", "renewed", "terminated",
    ]  # fmt: skip
    with pytest.raises(InvalidTransition):
        agency.agency.renew_mandate(AGENT, number, "想续办")


def test_the_relay_hands_over_village_town_county_and_back_with_every_time_visible(
    agency: Platform, clock: FrozenClock
) -> None:
    service = agency.agency
    service.assign(ADMIN, "SONGYANG-V01", "sy_team")  # 驻点包村: the stationed member may sign for the town
    number = mandate(agency)["number"]
    clock.set(at(10, 9))  # Tuesday: the village intake
    relay = service.start_relay(AGENT, {"mandate": number, "item_code": ITEM, "materials": MATERIALS})
    relay_id = relay["id"]
    assert (relay["status"], relay["town"], relay["deciding_level"]) == ("to_town", "SONGYANG", "county")
    [handed] = relay["handovers"]
    assert (handed["level"], handed["signer"], handed["materials"]) == ("village_town", "sy_chengdong", MATERIALS)
    assert handed["handed_at"] == "2026-03-10 09:00" and handed["received_at"] is None
    with pytest.raises(PermissionDenied):  # not the town's: the county cannot skip the town
        service.act(COUNTY, relay_id, "town_receipt")
    with pytest.raises(PermissionDenied):
        service.act(OTHER_AGENT, relay_id, "town_receipt")

    clock.set(at(11, 10))  # Wednesday: the stationed town member signs the receipt
    assert service.act(STATIONED, relay_id, "town_receipt")["status"] == "at_town"
    clock.set(at(12, 9))  # Thursday: the town's agent hands it to the county, one material added
    forwarded = service.act(TOWN, relay_id, "town_forward", {"materials": [*MATERIALS, "村委会评议意见"]})
    assert forwarded["status"] == "to_county" and forwarded["handovers"][1]["signer"] == "songyang_agent1"
    with pytest.raises(PermissionDenied):  # a window of another department
        service.act(LAND_WINDOW, relay_id, "county_receipt")
    assert [r["id"] for r in service.relays(COUNTY)] == [relay_id]  # waiting in the civil window's list

    clock.set(at(13, 11))  # Friday: the county window receives it; the real case opens in that transaction
    received = service.act(COUNTY, relay_id, "county_receipt")
    case_no = received["case_no"]
    assert received["status"] == "at_county" and case_no.startswith(ITEM + "20260313")
    case = agency.cases.show(AGENT, case_no)  # the agent filed it: it is theirs to see
    assert case["channel"] == "agent" and case["applicant"]["name"] == "张小梅"
    assert set(case["record"]["materials"]) == {*MATERIALS, "村委会评议意见"}
    assert [(h["level"], h["signer"], h["received_by"]) for h in received["handovers"]] == [
        ("village_town", "sy_chengdong", "sy_team"),
        ("town_county", "songyang_agent1", "civil_win"),
    ]
    complete(agency, COUNTY, case_no, {"decision": "accept"})
    clock.set(at(16, 10))  # the statutory clock is the window's: from its 受理 on Friday
    statutory = service.relay(AGENT, relay_id)["statutory"]
    assert (statutory["accepted_at"], statutory["used_working_days"]) == ("2026-03-13 11:00", 1)
    calendar = agency.calendar.calendar()
    assert statutory["promised_due"] == calendar.deadline_after(at(13, 11), 20).due_at.astimezone(CST).strftime(
        "%Y-%m-%d %H:%M"
    )
    # 25 working days after Friday 13 March, 清明 (6 April) not counted: the end of Monday 20 April
    assert statutory["statutory_due"] == "2026-04-21 00:00"

    complete(agency, OFFICER, case_no, {"opinion": "入户调查属实"})
    complete(agency, REVIEWER, case_no, {"approved": True, "opinion": "公示无异议"})
    complete(agency, APPROVER, case_no, {"approved": True})
    clock.set(at(17, 15))  # Tuesday: delivered to the agent: the case ends, the result goes back
    complete(agency, COUNTY, case_no, {"method": "窗口领取"})
    back = service.relay(AGENT, relay_id)
    assert back["status"] == "returning" and back["actions"] == ["village_receipt"]
    assert back["handovers"][2]["level"] == "county_village" and back["handovers"][2]["signer"] == "civil_win"
    clock.set(at(18, 9))
    done = service.act(AGENT, relay_id, "village_receipt")
    assert done["status"] == "delivered" and done["ended_at"] == "2026-03-18 09:00"
    spans = {s["level"]: (s["hours"], s["working_days"]) for s in done["spans"]}
    assert spans == {"village": (25.0, 1), "town": (49.0, 2), "county": (100.0, 2), "return": (18.0, 1)}
    assert (done["total"]["hours"], done["total"]["working_days"]) == (192.0, 6)
    with agency.ctx.uow() as uow:  # the relay process ran to its end
        instance = uow.instances.get(uow.agency.relay(relay_id)["instance_id"])
    assert instance is not None and instance.status.value == "completed"
    with pytest.raises(PermissionDenied):
        service.act(AGENT, relay_id, "village_receipt")


def test_the_applicants_lookup_shows_the_total_since_village_intake_and_the_statutory_clock(
    agency: Platform, clock: FrozenClock
) -> None:
    service = agency.agency
    number = mandate(agency)["number"]
    relay_id = service.start_relay(AGENT, {"mandate": number, "item_code": ITEM, "materials": MATERIALS})["id"]
    clock.set(at(11, 9))
    service.act(TOWN, relay_id, "town_receipt")
    service.act(TOWN, relay_id, "town_forward")
    clock.set(at(12, 9))
    received = service.act(COUNTY, relay_id, "county_receipt")
    case_no, code = received["case_no"], received["query_code"]
    assert "query_code" not in service.relay(COUNTY, relay_id)  # shown once, when the case opened
    clock.set(at(13, 9))
    shown = service.public_times(case_no, code)
    assert shown is not None and shown["status"] == "at_county"
    assert (shown["total"]["working_days"], shown["total"]["hours"]) == (3, 72.0)
    assert shown["statutory"]["acceptance_due"] is not None and "principal" not in shown
    with pytest.raises(NotFound):
        service.public_times(case_no, "wrong-code")


def town_mandate(platform: Platform) -> str:
    return str(mandate(platform, items=[ITEM, TOWN_ITEM])["number"])


def test_an_item_the_town_decides_stops_at_the_town_which_opens_the_case_with_its_own_clock(
    agency: Platform, clock: FrozenClock
) -> None:
    service = agency.agency
    number = town_mandate(agency)
    clock.set(at(10, 9))
    relay = service.start_relay(AGENT, {"mandate": number, "item_code": TOWN_ITEM, "materials": MATERIALS})
    relay_id = relay["id"]
    assert (relay["deciding_level"], relay["deciding_label"]) == ("town", "乡镇为民服务中心")
    county_relay = service.start_relay(AGENT, {"mandate": number, "item_code": ITEM, "materials": MATERIALS})
    assert county_relay["deciding_level"] == "county"  # the same town relays the other item up

    clock.set(at(11, 10))  # Wednesday, office hours: the town signs and opens the case there
    received = service.act(TOWN, relay_id, "town_receipt")
    case_no = received["case_no"]
    assert received["status"] == "at_town_deciding" and received["query_code"]
    assert case_no.startswith(TOWN_ITEM + "20260311")
    assert received["actions"] == [] and relay_id not in [r["id"] for r in service.relays(COUNTY)]
    assert [h["level"] for h in received["handovers"]] == ["village_town"]  # nothing goes to the county
    case = agency.cases.show(AGENT, case_no)
    assert case["channel"] == "agent" and set(case["record"]["materials"]) == set(MATERIALS)
    town_receipt = agency.towns.receipt(case_no)  # received as a town receives a case
    assert (town_receipt["town"], town_receipt["off_hours"], town_receipt["category"]) == (
        "SONGYANG",
        False,
        "社会事务类",
    )
    assert town_receipt["received_by"]["username"] == "songyang_agent1"
    complete(agency, COUNTY, case_no, {"decision": "accept"})
    statutory = service.relay(AGENT, relay_id)["statutory"]
    assert statutory["accepted_at"] == "2026-03-11 10:00"  # the town's 受理: its statutory clock

    complete(agency, OFFICER, case_no, {"opinion": "入户调查属实"})
    complete(agency, REVIEWER, case_no, {"approved": True, "opinion": "公示无异议"})
    complete(agency, APPROVER, case_no, {"approved": True})
    clock.set(at(13, 15))
    complete(agency, COUNTY, case_no, {"method": "窗口领取"})
    back = service.relay(AGENT, relay_id)
    assert back["status"] == "returning" and back["handovers"][-1]["level"] == "town_village"
    clock.set(at(16, 9))
    done = service.act(AGENT, relay_id, "village_receipt")
    assert done["status"] == "delivered"
    spans = {s["level"]: (s["hours"], s["working_days"]) for s in done["spans"]}
    assert spans == {"village": (25.0, 1), "town": (53.0, 2), "return": (66.0, 1)}
    with agency.ctx.uow() as uow:
        instance = uow.instances.get(uow.agency.relay(relay_id)["instance_id"])
        steps = [e.element_id for e in uow.instances.history(instance.id) if e.element_id]
    assert instance is not None and instance.status.value == "completed"
    assert "town_handling" in steps and "county_receipt" not in steps


def test_the_agent_cancels_a_relay_with_a_reason_until_the_county_receives_it(
    agency: Platform, clock: FrozenClock
) -> None:
    service = agency.agency
    number = mandate(agency)["number"]
    start = {"mandate": number, "item_code": ITEM, "materials": MATERIALS}
    relay_id = service.start_relay(AGENT, start)["id"]
    service.act(TOWN, relay_id, "town_receipt")
    assert service.relay(AGENT, relay_id)["may_cancel"] and not service.relay(TOWN, relay_id)["may_cancel"]
    with pytest.raises(PermissionDenied):  # the town cannot cancel the agent's relay
        service.cancel(TOWN, relay_id, "材料不全")
    with pytest.raises(FormValidationError):
        service.cancel(AGENT, relay_id, "  ")
    clock.set(at(11, 9))
    cancelled = service.cancel(AGENT, relay_id, "申请人决定自行到县中心办理")
    assert (cancelled["status"], cancelled["ended_at"]) == ("cancelled", "2026-03-11 09:00")
    assert cancelled["cancel_reason"] == "申请人决定自行到县中心办理" and cancelled["actions"] == []
    with agency.ctx.uow() as uow:
        instance = uow.instances.get(uow.agency.relay(relay_id)["instance_id"])
    assert instance is not None and instance.status.value == "terminated"
    with pytest.raises(PermissionDenied):
        service.act(TOWN, relay_id, "town_forward")
    with pytest.raises(InvalidTransition):
        service.cancel(AGENT, relay_id, "再撤一次")

    later = service.start_relay(AGENT, start)["id"]  # once the county opened the case it is too late
    service.act(TOWN, later, "town_receipt")
    service.act(TOWN, later, "town_forward")
    assert service.relay(AGENT, later)["may_cancel"]
    service.act(COUNTY, later, "county_receipt")
    with pytest.raises(InvalidTransition, match="too late"):
        service.cancel(AGENT, later, "申请人反悔")


def test_an_administrator_ends_a_village_assignment(agency: Platform) -> None:
    service = agency.agency
    assigned = service.assign(ADMIN, "SONGYANG-V01", "sy_team")
    relay_id = service.start_relay(AGENT, {"mandate": mandate(agency)["number"], "item_code": ITEM})["id"]
    assert service.relay(STATIONED, relay_id)["actions"] == ["town_receipt"]
    with pytest.raises(PermissionDenied):
        service.end_assignment(STATIONED, assigned["id"])
    ended = service.end_assignment(ADMIN, assigned["id"])
    assert ended["ended_at"] is not None and service.assignments(ADMIN) == []
    with pytest.raises(PermissionDenied):  # no longer one of the town's team
        service.act(STATIONED, relay_id, "town_receipt")
    with pytest.raises(InvalidTransition):
        service.end_assignment(ADMIN, assigned["id"])
    with pytest.raises(NotFound):
        service.end_assignment(ADMIN, 999)


def test_the_stats_report_by_level_counts_a_relayed_case_under_the_village(agency: Platform) -> None:
    service = agency.agency
    number = town_mandate(agency)
    relay_id = service.start_relay(AGENT, {"mandate": number, "item_code": ITEM, "materials": MATERIALS})["id"]
    service.act(TOWN, relay_id, "town_receipt")
    service.act(TOWN, relay_id, "town_forward")
    service.act(COUNTY, relay_id, "county_receipt")
    town_relay = service.start_relay(AGENT, {"mandate": number, "item_code": TOWN_ITEM, "materials": MATERIALS})
    service.act(TOWN, town_relay["id"], "town_receipt")
    day = agency.clock.now().astimezone(CST).date()
    report = agency.stats.report(ADMIN, day, day, ["level"])
    by_level = {row["key"]: row["figures"]["agency_cases"] for row in report["groups"]["level"]}
    assert by_level == {"village": 2}  # both filed in the village agent's name, whichever level decides
    assert report["totals"]["agency_cases"] == 2


# -- review fixes: town staff are no county window, the principal protected, the town's clock, the result ------
SUPERVISOR = principal("supervisor", ("supervisor", None))
#: 嵩阳镇's 社会事务 window officer (towns.toml staff) still holding the old demo's window_officer@CENTRE grant
STALE_TOWN_OFFICER = principal("songyang_sh", ("agent", None), ("town_officer", None), ("window_officer", "CENTRE"))
OTHER_TOWN_OFFICER = principal("yanglin_sh", ("agent", None), ("town_officer", None), ("window_officer", "CENTRE"))
LISTED_TOWN_STAFF = principal("yanglin_jj", ("window_officer", "CENTRE"))  # in towns.toml's staff, no town role
CENTRE_WINDOW = principal("centre_win", ("window_officer", "CENTRE"))  # the county centre's general window
FULL = {"name": "张小梅", "id_number": "530127198001011234", "phone": "13800000000"}
MASKED = {"name": "张**"}


def test_the_towns_window_staff_sign_the_towns_hand_over_and_no_other_towns(agency: Platform) -> None:
    service = agency.agency
    relay_id = service.start_relay(AGENT, {"mandate": mandate(agency)["number"], "item_code": ITEM})["id"]
    with pytest.raises(PermissionDenied):  # 杨林镇's officer is not 嵩阳镇's
        service.act(OTHER_TOWN_OFFICER, relay_id, "town_receipt")
    town_officer = principal("songyang_jj", ("agent", None), ("town_officer", None))
    assert relay_id in [r["id"] for r in service.relays(town_officer)]
    assert service.act(town_officer, relay_id, "town_receipt")["status"] == "at_town"
    assert service.act(town_officer, relay_id, "town_forward")["status"] == "to_county"


def test_a_town_officer_with_a_stale_centre_window_grant_is_no_county_window(agency: Platform) -> None:
    service = agency.agency
    relay_id = service.start_relay(AGENT, {"mandate": mandate(agency)["number"], "item_code": ITEM})["id"]
    service.act(TOWN, relay_id, "town_receipt")
    service.act(TOWN, relay_id, "town_forward")
    for town_staff in (STALE_TOWN_OFFICER, OTHER_TOWN_OFFICER, LISTED_TOWN_STAFF):
        with pytest.raises(PermissionDenied):  # refused to sign the county receipt
            service.act(town_staff, relay_id, "county_receipt")
    assert service.relay(STALE_TOWN_OFFICER, relay_id)["actions"] == []  # its own town's relay: readable only
    for other_town in (OTHER_TOWN_OFFICER, LISTED_TOWN_STAFF):  # another town's relay: not listed, not readable
        assert service.relays(other_town) == []
        with pytest.raises(PermissionDenied):
            service.relay(other_town, relay_id)
    assert [r["id"] for r in service.relays(CENTRE_WINDOW)] == [relay_id]
    assert service.act(CENTRE_WINDOW, relay_id, "county_receipt")["status"] == "at_county"
    with pytest.raises(PermissionDenied):  # the opened case does not make it readable to a town officer either
        service.relay(OTHER_TOWN_OFFICER, relay_id)


def test_the_principal_is_shown_in_full_only_to_the_agent_an_admin_and_the_receiving_window(
    agency: Platform,
) -> None:
    service = agency.agency
    number = town_mandate(agency)
    assert agency.agency.mandate(AGENT, number)["principal"] == FULL
    assert agency.agency.mandate(ADMIN, number)["principal"] == FULL
    for viewer in (TOWN, SUPERVISOR):  # the printable mandate: masked for the town's staff and supervisors
        assert agency.agency.mandate(viewer, number)["principal"] == MASKED
        assert [m["principal"] for m in agency.agency.mandates(viewer)] == [MASKED]
    assert [m["principal"] for m in agency.agency.mandates(ADMIN)] == [FULL]
    assert service.suspend_mandate(TOWN, number, "申请人外出务工")["principal"] == MASKED
    service.renew_mandate(AGENT, number, "申请人返乡")

    relay_id = service.start_relay(AGENT, {"mandate": number, "item_code": ITEM, "materials": MATERIALS})["id"]
    assert service.relay(AGENT, relay_id)["principal"] == FULL
    assert service.relay(ADMIN, relay_id)["principal"] == FULL
    assert service.act(TOWN, relay_id, "town_receipt")["principal"] == MASKED  # relayed up: the town only passes it
    assert service.act(TOWN, relay_id, "town_forward")["principal"] == MASKED
    assert service.relay(SUPERVISOR, relay_id)["principal"] == MASKED
    assert [r["principal"] for r in service.relays(TOWN)] == [MASKED]
    assert [r["principal"] for r in service.relays(SUPERVISOR)] == [MASKED]
    # the county window at the moment of receipt checks the application against the principal's papers
    assert service.relay(COUNTY, relay_id)["principal"] == FULL
    assert [r["principal"] for r in service.relays(COUNTY)] == [FULL]
    assert service.act(COUNTY, relay_id, "county_receipt")["principal"] == FULL
    assert service.relay(COUNTY, relay_id)["principal"] == MASKED  # afterwards the case carries the data

    # an item the town decides: the town is the deciding window and opens the case at its receipt
    town_relay = service.start_relay(AGENT, {"mandate": number, "item_code": TOWN_ITEM, "materials": MATERIALS})
    assert service.relay(TOWN, town_relay["id"])["principal"] == FULL
    assert service.act(TOWN, town_relay["id"], "town_receipt")["principal"] == FULL
    assert service.relay(TOWN, town_relay["id"])["principal"] == MASKED


def test_an_off_hours_town_receipt_counts_the_case_from_the_next_opening(agency: Platform, clock: FrozenClock) -> None:
    service = agency.agency
    number = town_mandate(agency)
    clock.set(at(10, 17))
    relay_id = service.start_relay(AGENT, {"mandate": number, "item_code": TOWN_ITEM, "materials": MATERIALS})["id"]
    clock.set(at(10, 19))  # Tuesday evening: the officer on duty signs; the clocks count from Wednesday 09:00
    received = service.act(TOWN, relay_id, "town_receipt")
    case_no = received["case_no"]
    town_receipt = agency.towns.receipt(case_no)
    assert town_receipt["off_hours"] and datetime.fromisoformat(town_receipt["counted_from"]) == at(11, 9)
    record = agency.cases.show(AGENT, case_no)["record"]
    assert datetime.fromisoformat(record["counted_from"]) == at(11, 9)  # the case's own auto-acceptance agrees
    calendar = agency.calendar.calendar()

    def local(instant: datetime) -> str:
        return instant.astimezone(CST).strftime("%Y-%m-%d %H:%M")

    from_opening = local(acceptance_due(at(11, 9), calendar).due_at)
    assert from_opening != local(acceptance_due(at(10, 19), calendar).due_at)  # the test can tell them apart
    assert received["statutory"]["acceptance_due"] == from_opening
    assert local(datetime.fromisoformat(town_receipt["acceptance_due"])) == from_opening


def test_a_withdrawn_county_case_hands_back_withdrawn_as_a_label(agency: Platform, clock: FrozenClock) -> None:
    service = agency.agency
    relay_id = service.start_relay(AGENT, {"mandate": mandate(agency)["number"], "item_code": ITEM})["id"]
    service.act(TOWN, relay_id, "town_receipt")
    service.act(TOWN, relay_id, "town_forward")
    case_no = service.act(COUNTY, relay_id, "county_receipt")["case_no"]
    complete(agency, COUNTY, case_no, {"decision": "accept"})
    agency.cases.withdraw(COUNTY, case_no, "申请人书面申请撤回")
    back = service.relay(AGENT, relay_id)
    assert back["status"] == "returning" and back["actions"] == ["village_receipt"]
    assert back["handovers"][-1]["level"] == "county_village"
    assert back["handovers"][-1]["materials"] == ["办理结果：撤回"]  # not the case's status before the withdrawal


def test_mandates_signed_at_the_same_instant_get_their_own_numbers(
    agency: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = mandate(agency), mandate(agency)
    assert (first["number"], second["number"]) == ("WT-2026-000001", "WT-2026-000002")
    # an agent who counted before another's mandate was saved collides on the number and is run again
    counts = iter([1])
    real = AgencyRepository.count_mandates
    monkeypatch.setattr(
        AgencyRepository, "count_mandates", lambda self, prefix: next(counts, None) or real(self, prefix)
    )
    assert mandate(agency)["number"] == "WT-2026-000003"
    with agency.ctx.uow(write=True) as uow, pytest.raises(ConcurrentUpdate):  # the collision itself is retryable
        taken = uow.agency.mandate("WT-2026-000001") or {}
        uow.agency.add_mandate({k: v for k, v in taken.items() if k not in {"id", "row_version"}})


def test_two_agents_registering_at_once_both_succeed(agency: Platform) -> None:
    body = {"principal": {"name": "李四"}, "items": [ITEM], "valid_to": "2026-03-31"}
    results = race(
        lambda: agency.agency.create_mandate(AGENT, body), lambda: agency.agency.create_mandate(OTHER_AGENT, body)
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r["number"] for r in results) == ["WT-2026-000001", "WT-2026-000002"]
