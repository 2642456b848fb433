"""The agency API and pages: a mandate signed, suspended, renewed and terminated over the API; a village
assignment made and ended (also from the page); a relay filed, signed level by level with its hand-overs and
times, and cancelled by its agent with a reason (from the page too); and the English pages show English
relay and mandate statuses."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from engine.services.definitions import read_paths
from tests.conftest import CST, ROOT
from tests.webapp.conftest import PASSWORD, Api
from tests.webapp.test_workbench import csrf_of, sign_in
from webapp import create_app

ITEM = "FXK-MZ-001"  # the county decides it
TOWN_ITEM = "FW-MZ-002"  # 嵩阳镇 decides it
MATERIALS = ["特困人员供养申请书", "户口簿复印件"]
USERS = [
    ("admin", "admin", None),
    ("sy_chengdong", "agent", None),  # 城东社区为民服务站 (嵩阳镇)
    ("songyang_agent1", "agent", None),  # 嵩阳镇为民服务中心
    ("sy_team", "case_officer", "CIVIL"),  # to be stationed in the village
    ("civil_win", "window_officer", "CIVIL"),
    ("land_win", "window_officer", "LAND"),
]


@pytest.fixture
def app(platform: Platform, clock: FrozenClock) -> Flask:
    platform.catalogue.load()
    items = [ROOT / "processes" / "items" / f"item_{code.lower().replace('-', '_')}.bpmn" for code in (ITEM, TOWN_ITEM)]
    paths = [ROOT / "processes" / "relay.bpmn", *items, *sorted((ROOT / "forms").glob("*.json"))]
    platform.definitions.deploy(read_paths(paths), actor="test")
    for username, role, department in USERS:
        platform.accounts.add_user(username, PASSWORD, [role], department)
    clock.set(datetime(2026, 3, 10, 10, 0, tzinfo=CST))  # a Tuesday, office hours
    return create_app(platform, config={"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def mandate_body(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "full",
        "principal": {"name": "张小梅", "id_number": "530127198001011234", "phone": "13800000000"},
        "items": [ITEM, TOWN_ITEM],
        "valid_to": "2026-06-30",
        **extra,
    }


def test_a_mandate_is_signed_suspended_renewed_and_terminated_over_the_api(client: FlaskClient) -> None:
    agent, town, other = Api(client, "sy_chengdong"), Api(client, "songyang_agent1"), Api(client, "land_win")
    created = agent.post("/agency/mandates", json=mandate_body())
    assert created.status_code == 201, created.json
    number = created.json["number"]
    assert (created.json["status"], created.json["kind"]) == ("active", "full")
    assert town.post("/agency/mandates", json=mandate_body()).status_code == 403  # no village agent
    bad = agent.post("/agency/mandates", json=mandate_body(kind="authorised", items=[]))
    assert bad.status_code == 422 and bad.json["error"]["details"][0]["field"] == "items"
    assert [m["principal"] for m in town.get("/agency/mandates").json] == [{"name": "张**"}]
    assert agent.get(f"/agency/mandates/{number}").json["principal"]["phone"] == "13800000000"
    assert town.get(f"/agency/mandates/{number}").json["principal"] == {"name": "张**"}  # the printout: masked
    assert other.get(f"/agency/mandates/{number}").status_code == 403
    assert agent.get("/agency/mandates/WT-2026-999999").status_code == 404

    assert agent.post(f"/agency/mandates/{number}/suspend", json={}).status_code == 422  # a reason is required
    suspended = town.post(f"/agency/mandates/{number}/suspend", json={"reason": "申请人外出务工"})
    assert suspended.status_code == 200 and suspended.json["status"] == "suspended"
    assert agent.post(f"/agency/mandates/{number}/suspend", json={"reason": "再次"}).status_code == 409
    renewed = agent.post(f"/agency/mandates/{number}/renew", json={"reason": "返乡续办", "valid_to": "2026-09-30"})
    assert (renewed.json["status"], renewed.json["valid_to"]) == ("active", "2026-09-30")
    ended = agent.post(f"/agency/mandates/{number}/terminate", json={"reason": "书面终止"})
    assert [e["action"] for e in ended.json["history"]] == ["signed", "suspended", "renewed", "terminated"]
    assert agent.post(f"/agency/mandates/{number}/renew", json={"reason": "想续办"}).status_code == 409
    assert agent.post(f"/agency/mandates/{number}/revoke", json={"reason": "x"}).status_code == 404


def test_an_administrator_stations_and_unstations_town_staff_over_the_api(client: FlaskClient) -> None:
    admin, agent = Api(client, "admin"), Api(client, "sy_chengdong")
    body = {"station": "SONGYANG-V01", "username": "sy_team"}
    assert agent.post("/agency/assignments", json=body).status_code == 403
    made = admin.post("/agency/assignments", json=body)
    assert made.status_code == 201 and made.json["town"] == "SONGYANG"
    assert admin.post("/agency/assignments", json=body).status_code == 409
    assert admin.post("/agency/assignments", json={**body, "station": "NOPE"}).status_code == 422
    assert [a["username"] for a in agent.get("/agency/assignments?town=SONGYANG").json] == ["sy_team"]
    assert agent.post(f"/agency/assignments/{made.json['id']}/end").status_code == 403
    ended = admin.post(f"/agency/assignments/{made.json['id']}/end")
    assert ended.status_code == 200 and ended.json["ended_at"]
    assert admin.get("/agency/assignments").json == []
    assert admin.post(f"/agency/assignments/{made.json['id']}/end").status_code == 409
    assert admin.post("/agency/assignments/999/end").status_code == 404


def test_a_relay_is_signed_level_by_level_and_cancelled_over_the_api(client: FlaskClient) -> None:
    agent, town, county = Api(client, "sy_chengdong"), Api(client, "songyang_agent1"), Api(client, "civil_win")
    number = agent.post("/agency/mandates", json=mandate_body()).json["number"]
    started = agent.post("/agency/relays", json={"mandate": number, "item_code": ITEM, "materials": MATERIALS})
    assert started.status_code == 201, started.json
    relay_id = started.json["id"]
    assert started.json["handovers"][0]["materials"] == MATERIALS and started.json["total"]["level"] == "total"
    assert Api(client, "land_win").post(f"/agency/relays/{relay_id}/town_receipt").status_code == 403
    assert town.post(f"/agency/relays/{relay_id}/town_receipt").json["status"] == "at_town"
    forwarded = town.post(f"/agency/relays/{relay_id}/town_forward", json={"materials": [*MATERIALS, "评议意见"]})
    assert forwarded.json["status"] == "to_county" and forwarded.json["handovers"][1]["signer"] == "songyang_agent1"
    assert [r["id"] for r in county.get("/agency/relays").json] == [relay_id]
    opened = county.post(f"/agency/relays/{relay_id}/county_receipt")
    assert opened.status_code == 200 and opened.json["case_no"].startswith(ITEM) and opened.json["query_code"]
    shown = agent.get(f"/agency/relays/{relay_id}").json
    assert shown["statutory"]["case_no"] == opened.json["case_no"] and "query_code" not in shown
    assert [s["level"] for s in shown["spans"]] == ["village", "town", "county"]
    too_late = agent.post(f"/agency/relays/{relay_id}/cancel", json={"reason": "反悔"})
    assert too_late.status_code == 409

    second = agent.post("/agency/relays", json={"mandate": number, "item_code": ITEM}).json["id"]
    assert town.post(f"/agency/relays/{second}/cancel", json={"reason": "材料不全"}).status_code == 403
    assert agent.post(f"/agency/relays/{second}/cancel", json={}).status_code == 422
    cancelled = agent.post(f"/agency/relays/{second}/cancel", json={"reason": "申请人自行办理"})
    assert cancelled.status_code == 200
    assert (cancelled.json["status"], cancelled.json["cancel_reason"]) == ("cancelled", "申请人自行办理")
    assert town.post(f"/agency/relays/{second}/town_receipt").status_code == 403
    assert agent.post(f"/agency/relays/{second}/county_sign").status_code == 404
    assert agent.get("/agency/relays/999").status_code == 404


def test_a_town_decided_item_is_opened_by_the_town_over_the_api(client: FlaskClient) -> None:
    agent, town = Api(client, "sy_chengdong"), Api(client, "songyang_agent1")
    number = agent.post("/agency/mandates", json=mandate_body()).json["number"]
    relay = agent.post("/agency/relays", json={"mandate": number, "item_code": TOWN_ITEM, "materials": MATERIALS})
    assert relay.json["deciding_level"] == "town"
    opened = town.post(f"/agency/relays/{relay.json['id']}/town_receipt").json
    assert opened["status"] == "at_town_deciding" and opened["case_no"].startswith(TOWN_ITEM)
    assert opened["query_code"] and opened["statutory"]["received_at"] == "2026-03-10 10:00"


def test_the_pages_end_an_assignment_cancel_a_relay_and_speak_english(client: FlaskClient, platform: Platform) -> None:
    agency = platform.agency
    [admin] = [p for p in [platform.accounts.principal("admin")] if p is not None]
    [agent] = [p for p in [platform.accounts.principal("sy_chengdong")] if p is not None]
    assignment = agency.assign(admin, "SONGYANG-V01", "sy_team")
    number = agency.create_mandate(agent, mandate_body())["number"]
    relay_id = agency.start_relay(agent, {"mandate": number, "item_code": ITEM, "materials": MATERIALS})["id"]

    sign_in(client, "admin")
    page = client.get("/agency/").get_data(as_text=True)
    assert f'data-assignment="{assignment["id"]}"' in page and "结束驻点" in page
    token = csrf_of(client, "/agency/")
    ended = client.post(f"/agency/assignments/{assignment['id']}/end", data={"csrf_token": token})
    assert ended.status_code == 302 and agency.assignments(admin) == []
    client.post("/logout", data={"csrf_token": csrf_of(client, "/agency/")})

    sign_in(client, "sy_chengdong")
    page = client.get(f"/agency/relays/{relay_id}").get_data(as_text=True)
    assert "取消接力代办" in page and "待乡镇签收" in page and "村 → 乡镇" in page  # Chinese first
    english = html.unescape(client.get(f"/agency/relays/{relay_id}?lang=en").get_data(as_text=True))
    assert "Awaiting the town's receipt" in english and "待乡镇签收" not in english
    assert "Village → town" in english and "村 → 乡镇" not in english
    index = client.get("/agency/?lang=en").get_data(as_text=True)
    assert "Full-process agency" in index and ">Active<" in index and "全程代办</td>" not in index
    token = csrf_of(client, f"/agency/relays/{relay_id}")
    refused = client.post(f"/agency/relays/{relay_id}/cancel", data={"csrf_token": token, "reason": " "})
    assert refused.status_code == 302 and agency.relay(agent, relay_id)["status"] == "to_town"
    done = client.post(f"/agency/relays/{relay_id}/cancel", data={"csrf_token": token, "reason": "申请人自行办理"})
    assert done.status_code == 302
    shown = client.get(f"/agency/relays/{relay_id}?lang=zh").get_data(as_text=True)
    assert "已取消" in shown and "申请人自行办理" in shown and "取消接力代办" not in shown
