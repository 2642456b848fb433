"""Accountability on the web: the patrol form climbs the ladder and prints its document, the entries page lists
every source and records an upheld complaint, the annual view marks 一票否决, and the API keeps the evaluation's
earlier fields while adding scores and ranks.

The "red_card" row is inserted through the ViolationRepository as the warning service (part A) writes it."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Platform
from tests.webapp.conftest import PASSWORD
from tests.webapp.test_workbench import csrf_of, sign_in


@pytest.fixture
def people(app: Flask, deployed: Platform) -> Platform:
    for name, role, department in [
        ("jw", "supervisor", None),
        ("land_clerk", "window_officer", "LAND"),
        ("land_head", "approver", "LAND"),
    ]:
        deployed.accounts.add_user(name, PASSWORD, [role], department)
    return deployed


def _red_card(platform: Platform, username: str, department: str) -> None:
    with platform.ctx.uow(write=True) as uow:
        uow.violations.add("red_card", username, department, platform.clock.now(), 2026, False, "warning:1", {})
        uow.commit()


def _patrol(client: FlaskClient, token: str, **fields: str) -> int:
    data = {"csrf_token": token, "window": "A03", "department": "LAND", "officer": "land_clerk"}
    data.update({"category": "attitude", "severity": "minor", "findings": "对申请人态度生硬", **fields})
    return client.post("/accountability/patrols", data=data).status_code


def test_the_patrol_form_climbs_the_ladder_and_prints_the_urging_notice(client: FlaskClient, people: Platform) -> None:
    sign_in(client, "jw")
    token = csrf_of(client, "/accountability/patrols")
    assert [_patrol(client, token) for _ in range(3)] == [302, 302, 302]
    page = client.get("/accountability/patrols").get_data(as_text=True)
    assert re.findall(r'data-step="(\d)"', page) == ["3", "2", "1"]  # newest first
    for label in ("发政务服务催办单", "建议更换窗口工作人员", "约谈部门负责人"):
        assert label in page
    first = people.accountability.patrols(people.accounts.principal("jw"))[-1]  # the oldest: the 1st finding
    notice = client.get(f"/accountability/patrols/{first['id']}/document")
    text = notice.get_data(as_text=True)
    assert notice.status_code == 200 and "<h1>政务服务催办单</h1>" in text
    assert "嵩政务督字〔2026〕0001号" in text and "县自然资源局：" in text and "对申请人态度生硬" in text
    bad = client.post("/accountability/patrols", data={"csrf_token": token, "department": "", "findings": ""})
    assert bad.status_code == 422 and "请填写巡查情况" in bad.get_data(as_text=True)


def test_entries_list_every_source_and_an_upheld_complaint_is_recorded(client: FlaskClient, people: Platform) -> None:
    _red_card(people, "land_clerk", "LAND")
    complaint = people.feedback.file_complaint(
        {"name": "王小红", "phone": "13900001111", "category": "conduct", "content": "态度差", "department": "LAND"}
    )
    sign_in(client, "jw")
    token = csrf_of(client, "/accountability/")
    _patrol(client, token)
    found = client.post(
        "/accountability/complaints",
        data={"csrf_token": token, "complaint_id": str(complaint["id"]), "username": "land_clerk", "upheld": "1"},
    )
    assert found.status_code == 302
    page = client.get("/accountability/?year=2026").get_data(as_text=True)
    assert set(re.findall(r'data-kind="(\w+)"', page)) == {"red_card", "patrol", "complaint"}
    again = client.post(
        "/accountability/complaints",
        data={"csrf_token": token, "complaint_id": str(complaint["id"]), "username": "land_clerk", "upheld": "1"},
    )
    assert again.status_code == 409
    only_patrols = client.get("/accountability/?year=2026&kind=patrol").get_data(as_text=True)
    assert re.findall(r'data-kind="(\w+)"', only_patrols) == ["patrol"]


def test_the_annual_view_marks_the_veto_and_ranks_the_others(client: FlaskClient, people: Platform) -> None:
    _red_card(people, "housing", "HOUSING")
    sign_in(client, "jw")
    token = csrf_of(client, "/accountability/patrols")
    assert _patrol(client, token, severity="veto", findings="索要好处费") == 302
    page = client.get("/accountability/evaluation/2026").get_data(as_text=True)
    land = re.search(r'<tr data-key="LAND" class="vetoed">(.*?)</tr>', page, re.S)
    assert land is not None and "一票否决" in land.group(1) and "巡查发现问题" in land.group(1)
    housing = re.search(r'<tr data-key="HOUSING" class="">\s*<td>(\d+)</td>', page)
    assert housing is not None and housing.group(1) == "3"  # CENTRE and ENV, with nothing, share the 1st place
    assert client.get("/accountability/evaluation").status_code == 302
    assert 'href="/accountability/"' in page  # the navigation entry for supervision
    english = client.get("/accountability/evaluation/2026?lang=en").get_data(as_text=True)
    assert "Veto (disqualified)" in english and "Patrol finding" in english


def test_a_departments_approver_sees_their_department_and_others_are_refused(
    client: FlaskClient, people: Platform
) -> None:
    _red_card(people, "housing", "HOUSING")
    _red_card(people, "land_clerk", "LAND")
    sign_in(client, "land_head")
    page = client.get("/accountability/?year=2026").get_data(as_text=True)
    assert re.findall(r'data-kind="(\w+)"', page) == ["red_card"] and "投诉查实记入问责" not in page
    assert client.get("/accountability/patrols").status_code == 200
    client.get("/logout")
    sign_in(client, "window")
    assert client.get("/accountability/").status_code == 403
    assert client.get("/accountability/evaluation/2026").status_code == 403


def test_the_api_keeps_the_evaluations_fields_and_records_patrols(as_user, people: Platform) -> None:  # type: ignore[no-untyped-def]
    jw, head, window = as_user("jw"), as_user("land_head"), as_user("window")
    created = jw.post("/patrols", json={"department": "LAND", "findings": "着装不规范", "category": "dress"})
    assert created.status_code == 201 and created.json["step"] == 1 and created.json["document_number"]
    assert window.post("/patrols", json={"department": "LAND", "findings": "x"}).status_code == 403
    assert jw.post("/patrols", json={"department": "LAND"}).status_code == 422
    assert [p["id"] for p in head.get("/patrols?year=2026").json] == [created.json["id"]]
    entries = jw.get("/accountability/entries?year=2026").json
    assert [(e["kind"], e["reference"]) for e in entries] == [("patrol", f"patrol:{created.json['id']}")]
    evaluation = jw.get("/evaluation/2026").json
    assert evaluation["people"] == {}  # the patrol named no officer: an entry about the department
    land = evaluation["departments"]["LAND"]
    assert land["violations"] == 1 and land["veto"] is False and land["kinds"] == ["patrol"]  # the earlier fields
    assert land["score"] == 98 and land["counts"] == {"patrol": 1} and land["rank"] == 4
    assert [d["key"] for d in evaluation["ranking"]["departments"]][-1] == "LAND"
    assert window.get("/evaluation/2026").status_code == 403
    follow = head.post(f"/patrols/{created.json['id']}/follow-up", json={"follow_up": "已整改"})
    assert follow.status_code == 200 and follow.json["follow_up_by"] == "land_head"
    complaint = people.feedback.file_complaint(
        {"name": "王小红", "phone": "13900001111", "category": "conduct", "content": "态度差", "department": "LAND"}
    )
    upheld = jw.post("/accountability/complaints", json={"complaint_id": complaint["id"], "upheld": True})
    assert upheld.status_code == 201 and upheld.json["entry"]["reference"] == f"complaint:{complaint['id']}"
    assert jw.post("/accountability/complaints", json={"complaint_id": "x"}).status_code == 422
