"""Public feedback over the JSON API: the contract's evaluation route (201, 409 once rated, the lookup's 404 for a
wrong code, 422 field details), the public complaint route, and the lists behind a token and a role."""

from __future__ import annotations

import pytest
from flask import Flask

from engine.bootstrap import Platform
from tests.webapp.test_feedback_pages import new_case, with_feedback_data


@pytest.fixture
def feedback_app(app: Flask, deployed: Platform) -> Flask:
    return with_feedback_data(app, deployed)


def test_the_applicant_rates_a_case_once_per_stage(feedback_app: Flask, deployed: Platform) -> None:
    client = feedback_app.test_client()
    case_no, code = new_case(deployed)
    url = f"/api/v1/public/cases/{case_no}/evaluation"
    created = client.post(url, json={"query_code": code, "level": 4, "comment": "办事快"})
    assert created.status_code == 201, created.json
    assert created.json["stage"] == "acceptance" and created.json["level_label"] == "满意"
    assert created.json["needs_rectification"] is False and created.json["channel"] == "web"
    again = client.post(url, json={"query_code": code, "level": 1})
    assert again.status_code == 409 and again.json["error"]["code"] == "conflict"


def test_a_wrong_code_answers_exactly_like_a_missing_case(feedback_app: Flask, deployed: Platform) -> None:
    client = feedback_app.test_client()
    case_no, code = new_case(deployed)
    wrong_code = "000000" if code != "000000" else "111111"
    wrong = client.post(f"/api/v1/public/cases/{case_no}/evaluation", json={"query_code": wrong_code, "level": 5})
    missing = client.post("/api/v1/public/cases/NOPE/evaluation", json={"query_code": code, "level": 5})
    lookup = client.get(f"/api/v1/public/cases/{case_no}", query_string={"query_code": wrong_code})
    assert wrong.status_code == missing.status_code == lookup.status_code == 404
    assert wrong.json == missing.json == lookup.json


def test_bad_input_and_an_unaccepted_case_are_refused(feedback_app: Flask, deployed: Platform) -> None:
    client = feedback_app.test_client()
    case_no, code = new_case(deployed, accept=False)
    url = f"/api/v1/public/cases/{case_no}/evaluation"
    bad = client.post(url, json={"query_code": code, "level": "great", "comment": 7})
    assert bad.status_code == 422
    assert {d["field"] for d in bad.json["error"]["details"]} == {"level", "comment"}
    assert client.post(url, data="level=5").status_code == 422  # not a JSON object
    early = client.post(url, json={"query_code": code, "level": 5})
    assert early.status_code == 409 and early.json["error"]["code"] == "invalid_state"


def test_a_web_complaint_gets_a_number_and_a_deadline(feedback_app: Flask) -> None:
    client = feedback_app.test_client()
    body = {"name": "王小红", "phone": "0871-63001234", "category": "fees", "content": "办理时被要求另付费用"}
    filed = client.post("/api/v1/public/complaints", json=body)
    assert filed.status_code == 201, filed.json
    assert filed.json["number"] == "TS-2026-000001" and filed.json["reply_workdays"] == 10
    assert filed.json["reply_by"] == "2026-03-24" and filed.json["due_at"].startswith("2026-03-24T16:00:00")
    refused = client.post("/api/v1/public/complaints", json={"category": "fees"})
    assert refused.status_code == 422
    assert {d["field"] for d in refused.json["error"]["details"]} == {"name", "phone", "content"}


def test_the_lists_need_a_token_and_a_reader_role(feedback_app: Flask, deployed: Platform, as_user) -> None:  # type: ignore[no-untyped-def]
    client = feedback_app.test_client()
    body = {"name": "王小红", "phone": "13900001111", "category": "conduct", "content": "窗口态度生硬"}
    assert client.post("/api/v1/public/complaints", json=body).status_code == 201
    case_no, code = new_case(deployed)
    deployed.feedback.evaluate_public(case_no, code, 2, "")
    assert client.get("/api/v1/complaints").status_code == 401
    assert client.get("/api/v1/evaluations").status_code == 401
    window = as_user("window")
    assert window.get("/complaints").status_code == 403 and window.get("/evaluations").status_code == 403
    desk = as_user("complaint").get("/complaints").json
    assert desk[0]["complainant"] == {"name": "王小红", "phone": "13900001111"} and desk[0]["masked"] is False
    supervision = as_user("supervisor")
    assert supervision.get("/complaints").json[0]["complainant"] == {"name": "王**", "phone": "139****1111"}
    ratings = supervision.get("/evaluations", query_string={"bad": "1"}).json
    assert [r["case_no"] for r in ratings["evaluations"]] == [case_no]
    assert ratings["summary"]["bad"] == 1 and ratings["summary"]["by_level"]["2"] == 1
    assert supervision.get("/evaluations", query_string={"stage": "later"}).status_code == 422
    assert supervision.get("/complaints", query_string={"status": "lost"}).status_code == 422
    assert supervision.get("/complaints", query_string={"status": "archived"}).json == []


def test_the_complaint_desk_records_phone_and_opinion_book_complaints(feedback_app: Flask, as_user) -> None:  # type: ignore[no-untyped-def]
    entry = {"source": "phone", "category": "delay", "content": "来电反映：营业执照超期未发。"}
    assert as_user("window").post("/complaints", json=entry).status_code == 403
    recorded = as_user("complaint").post("/complaints", json=entry)
    assert recorded.status_code == 201 and recorded.json["source"] == "phone"
    assert recorded.json["number"] == "TS-2026-000001" and recorded.json["status"] == "received"
