"""The key-project API: register (201 + Location), the board, one project with each department's progress as
JSON (ISO instants, Decimal as text, enums with their labels), triage with its once-only query codes, the one
extension, the steward's notes and the timeline; who may do what; errors in the one JSON shape."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from engine.bootstrap import Platform
from tests.webapp.conftest import PASSWORD, USERS
from tests.webapp.projects_support import (
    DEPENDENT,
    ITEMS,
    OFFICE,
    PREREQUISITE,
    api_body,
    prepare_fast_track,
    triage_body,
)
from webapp import create_app


@pytest.fixture
def app(deployed: Platform) -> Flask:
    for name, roles, department in USERS:
        deployed.accounts.add_user(name, PASSWORD, roles, department)
    return create_app(prepare_fast_track(deployed), config={"TESTING": True})


def registered(as_user: Any) -> tuple[Any, str]:
    office = as_user(OFFICE)
    response = office.post("/projects", json=api_body())
    assert response.status_code == 201, response.json
    return office, response.json["code"]


def test_registering_answers_201_with_the_project_and_its_location(as_user: Any) -> None:
    office = as_user(OFFICE)
    response = office.post("/projects", json=api_body())
    assert response.status_code == 201
    body = response.json
    assert response.headers["Location"].endswith(f"/api/v1/projects/{body['code']}")
    assert body["code"] == "KP-2026-001"
    assert body["status"] == {"value": "received", "label": "已收件待分办"}
    assert body["investment"] == "58000.00" and isinstance(body["investment"], str)
    assert body["received_at"].startswith("2026-03-10T01:00:00")  # 09:00 in Kunming, ISO in UTC
    assert body["investor"]["name"] == "云南嵩明产业投资有限公司" and body["children"] == []
    assert body["worst_warning"]["value"] == "green" and body["due_at"] is None  # to be triaged today
    assert office.get(f"/projects/{body['code']}").json == body


def test_registering_refuses_bad_fields_one_by_one_and_strangers(as_user: Any) -> None:
    office = as_user(OFFICE)
    bad = {**api_body(), "name": "", "investment": "很多", "stage": "moon", "investor": {}}
    response = office.post("/projects", json=bad)
    assert response.status_code == 422
    fields = {d["field"] for d in response.json["error"]["details"]}
    assert fields == {"name", "investment", "stage", "investor.name"}
    assert office.post("/projects", data="not json").status_code == 422
    assert as_user("land").post("/projects", json=api_body()).status_code == 403
    assert office.get("/projects").json == []  # nothing half-registered


def test_triage_starts_every_review_and_shows_the_query_codes_once(as_user: Any) -> None:
    office, code = registered(as_user)
    response = office.post(f"/projects/{code}/triage", json=triage_body())
    assert response.status_code == 200, response.json
    project, codes = response.json["project"], response.json["query_codes"]
    assert project["status"]["value"] == "in_review" and project["statutory_days"] == 45
    children = {c["item_code"]: c for c in project["children"]}
    assert set(children) == set(ITEMS) and set(codes) == {c["case_no"] for c in children.values()}
    assert all(c["state"] == {"value": "pre_review", "label": "预审"} for c in children.values())
    land = children[PREREQUISITE]
    assert land["promised_days"] == 5 and land["used_days"] == 0 and land["warning"]["value"] == "green"
    assert land["due_at"].startswith("2026-03-17T16:00:00")  # the end of Tuesday 3-17 in Kunming
    (link,) = children[DEPENDENT]["prerequisites"]
    assert link["item_code"] == PREREQUISITE and link["state"]["value"] == "pre_review"
    assert children[DEPENDENT]["forwarded"] is False
    # the codes were answered once: showing the project again does not carry them
    assert "query_codes" not in office.get(f"/projects/{code}").json
    again = office.post(f"/projects/{code}/triage", json=triage_body())
    assert again.status_code == 409 and again.json["error"]["code"]


def test_triage_mistakes_are_field_errors_and_only_the_office_triages(as_user: Any) -> None:
    office, code = registered(as_user)
    cycle = {
        "reviews": [
            {"item_code": PREREQUISITE, "prerequisites": [DEPENDENT]},
            {"item_code": DEPENDENT, "prerequisites": [PREREQUISITE]},
        ],
        "steward": "land",
        "lead_department": "DRC",
    }
    response = office.post(f"/projects/{code}/triage", json=cycle)
    assert response.status_code == 422
    assert {d["field"] for d in response.json["error"]["details"]} == {"reviews", "steward", "lead_department"}
    assert as_user("land").post(f"/projects/{code}/triage", json=triage_body()).status_code == 403
    assert office.get(f"/projects/{code}").json["status"]["value"] == "received"
    options = office.get(f"/projects/{code}/triage-options").json
    assert [s["username"] for s in options["stewards"]] == [OFFICE]
    assert PREREQUISITE in {i["code"] for i in options["items"]}


def test_the_board_and_a_project_as_each_viewer_sees_them(as_user: Any) -> None:
    office, code = registered(as_user)
    office.post(f"/projects/{code}/triage", json=triage_body())
    assert [p["code"] for p in office.get("/projects").json] == [code]
    assert [p["code"] for p in as_user("admin").get("/projects?open=1").json] == [code]
    # department staff see the projects their department reviews, other departments' reviews in outline
    land_view = as_user("officer_land").get(f"/projects/{code}").json
    full = {c["department"]: c["full"] for c in land_view["children"]}
    assert full == {"LAND": True, "DRC": False, "ENV": False, "HOUSING": False}
    assert all(c["opinion"] is None for c in land_view["children"] if not c["full"])
    assert [p["code"] for p in as_user("officer_land").get("/projects").json] == [code]
    assert as_user("market_officer").get("/projects").json == []
    refused = as_user("market_officer").get(f"/projects/{code}")
    assert refused.status_code == 403 and refused.json["error"]["code"]
    assert office.get("/projects/KP-2026-999").status_code == 404


def test_the_joint_limit_is_extended_once_with_its_approval(as_user: Any) -> None:
    office, code = registered(as_user)
    assert office.post(f"/projects/{code}/extension", json={"reason": "x", "approved_by": "y"}).status_code == 409
    office.post(f"/projects/{code}/triage", json=triage_body())
    before = office.get(f"/projects/{code}").json["due_at"]
    missing = office.post(f"/projects/{code}/extension", json={"reason": "需补充水土保持方案"})
    assert missing.status_code == 422 and missing.json["error"]["details"][0]["field"] == "approved_by"
    body = {"reason": "需补充水土保持方案", "approved_by": "分管副县长李明"}
    assert as_user("officer_land").post(f"/projects/{code}/extension", json=body).status_code == 403
    response = office.post(f"/projects/{code}/extension", json=body)
    assert response.status_code == 200
    assert response.json["extended"] is True and response.json["statutory_days"] == 60
    assert response.json["due_at"] > before
    assert office.post(f"/projects/{code}/extension", json=body).status_code == 409


def test_the_steward_writes_to_a_department_and_the_timeline_shows_it(as_user: Any) -> None:
    office, code = registered(as_user)
    office.post(f"/projects/{code}/triage", json=triage_body())
    response = office.post(f"/projects/{code}/messages", json={"department": "LAND", "text": "请优先出具用地预审意见"})
    assert response.status_code == 201
    assert response.json["action"] == "note" and response.json["at"].startswith("2026-03-10T")
    assert office.post(f"/projects/{code}/messages", json={"department": "MARKET", "text": "x"}).status_code == 422
    assert office.post(f"/projects/{code}/messages", json={"department": "LAND", "text": " "}).status_code == 422
    assert (
        as_user("officer_land").post(f"/projects/{code}/messages", json={"department": "LAND", "text": "x"}).status_code
        == 403
    )
    timeline = as_user("officer_land").get(f"/projects/{code}/timeline").json
    actions = [e["action"] for e in timeline]
    assert actions[0] == "registered" and "triaged" in actions and actions[-1] == "note"
    assert timeline[-1]["text"] == "请优先出具用地预审意见"
