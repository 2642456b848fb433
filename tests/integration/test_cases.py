"""Cases (办件) through the API: opening at a window, the lifecycle driven by the item's process, the
acceptance time limit, corrections, special procedures, and the applicant's public lookup."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Platform
from engine.services.catalogue import plain
from engine.services.definitions import read_paths
from tests.conftest import CST, DATA
from webapp import create_app

PASSWORD = "pw-案件-123"
ITEM = {
    "code": "TEST-CASE-001",
    "name": "测试许可",
    "type": "行政许可",
    "department": "LAND",
    "window": "W01",
    "process_id": "item_test_case",
    "promised_days": 5,
    "statutory_days": 20,
    "instant": False,
}


@pytest.fixture
def app(platform: Platform) -> Flask:
    platform.definitions.deploy(read_paths([DATA / "item_test_case.bpmn"]))
    guide = {
        **ITEM,
        "special_procedures": [{"name": "专家评审", "counted": False}, {"name": "现场核查", "counted": True}],
    }
    with platform.ctx.uow(write=True) as uow:
        uow.catalogue.upsert({**ITEM, "guide": plain(guide)}, platform.clock.now())
        uow.commit()
    for name, role, department in [
        ("window", "window_officer", "CENTRE"),
        ("officer", "case_officer", "LAND"),
        ("approver", "approver", "LAND"),
        ("landwin", "window_officer", "LAND"),
        ("other", "case_officer", "ENV"),
    ]:
        platform.accounts.add_user(name, PASSWORD, [role], department)
    return create_app(platform, config={"TESTING": True})


class User:
    def __init__(self, client: FlaskClient, name: str) -> None:
        self.client = client
        token = client.post("/api/v1/auth/token", json={"username": name, "password": PASSWORD}).json["token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(f"/api/v1{path}", headers=self.headers, json=body)

    def complete(self, case_no: str, element: str, data: dict[str, Any]) -> Any:
        task = next(t for t in self.get("/tasks").json if t["case_no"] == case_no and t["element_id"] == element)
        return self.post(f"/tasks/{task['id']}/complete", {"data": data})


def open_case(window: User, **extra: Any) -> dict[str, Any]:
    body = {
        "item_code": ITEM["code"],
        "applicant": {"name": "张小明", "id_number": "530125199001011234", "phone": "13800000000"},
        "materials": ["申请书", "身份证复印件"],
        "channel": "window",
        **extra,
    }
    response = window.post("/cases", body)
    assert response.status_code == 201, response.json
    return dict(response.json)


def test_a_case_goes_from_intake_to_delivery_with_a_paused_special_procedure(app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    window, officer, approver = User(client, "landwin"), User(client, "officer"), User(client, "approver")
    clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=CST))  # Monday
    created = open_case(User(client, "window"))  # the centre's general window opens it for the department
    case_no = created["case_no"]
    assert created["status"] == "received" and len(created["query_code"]) == 6
    assert case_no == "TEST-CASE-001202603090001"
    assert window.complete(case_no, "acceptance", {"decision": "accept"}).status_code == 200
    shown = officer.get(f"/cases/{case_no}").json
    # accepted Monday: 3/10 .. 3/16 are the five working days -> due at the end of Monday 3/16
    assert shown["status"] == "accepted"
    assert datetime.fromisoformat(shown["due_at"]) == datetime(2026, 3, 17, tzinfo=CST)
    clock.set(datetime(2026, 3, 10, 9, 0, tzinfo=CST))
    assert officer.complete(case_no, "examination", {"special_procedure": "专家评审"}).status_code == 200
    assert officer.get(f"/cases/{case_no}").json["status"] == "paused"
    clock.set(datetime(2026, 3, 13, 9, 0, tzinfo=CST))  # the review took 3/11, 3/12, 3/13
    assert officer.complete(case_no, "special_end", {}).status_code == 200
    resumed = officer.get(f"/cases/{case_no}").json
    assert resumed["status"] == "accepted"
    assert datetime.fromisoformat(resumed["due_at"]) == datetime(2026, 3, 20, tzinfo=CST)  # 3 working days later
    assert officer.complete(case_no, "examination", {"opinion": "符合条件"}).status_code == 200
    assert approver.complete(case_no, "decision", {"approved": True}).status_code == 200
    assert window.complete(case_no, "delivery", {"method": "窗口领取"}).status_code == 200
    final = officer.get(f"/cases/{case_no}").json
    assert final["status"] == "delivered" and final["result"] == "approved"
    assert [s["status"] for s in final["steps"]] == [
        "accepted",
        "paused",
        "accepted",
        "approved",
        "completed",
        "delivered",
    ]


def test_the_public_lookup_masks_and_a_wrong_code_looks_like_no_case(app: Flask) -> None:
    client = app.test_client()
    created = open_case(User(client, "window"))
    url = f"/api/v1/public/cases/{created['case_no']}"
    found = client.get(url, query_string={"query_code": created["query_code"]})
    assert found.status_code == 200
    assert found.json["applicant"] == "张**" and "id_number" not in found.json and "phone" not in str(found.json)
    wrong = client.get(url, query_string={"query_code": "000000" if created["query_code"] != "000000" else "111111"})
    missing = client.get("/api/v1/public/cases/NO-SUCH-CASE", query_string={"query_code": "123456"})
    assert wrong.status_code == missing.status_code == 404
    assert wrong.json == missing.json


def test_a_second_correction_naming_a_visible_material_is_a_violation(app: Flask) -> None:
    client = app.test_client()
    window = User(client, "landwin")
    case_no = open_case(window)["case_no"]
    assert (
        window.complete(case_no, "acceptance", {"decision": "correction", "missing": ["营业执照"]}).status_code == 200
    )
    assert window.complete(case_no, "correction", {"supplied": True}).status_code == 200
    second = window.complete(case_no, "acceptance", {"decision": "correction", "missing": ["身份证复印件"]})
    assert second.status_code == 200
    record = window.get(f"/cases/{case_no}").json["record"]
    assert [v["kind"] for v in record["violations"]] == ["second_correction"]
    assert record["violations"][0]["items"] == ["身份证复印件"]


def test_refusing_acceptance_needs_reasons_and_ends_the_case(app: Flask) -> None:
    client = app.test_client()
    window = User(client, "landwin")
    case_no = open_case(window)["case_no"]
    refused = window.complete(case_no, "acceptance", {"decision": "not_accept"})
    assert refused.status_code == 422  # the case model refuses a 不予受理 without reasons: nothing moved
    done = window.complete(case_no, "acceptance", {"decision": "not_accept", "reasons": "不属于本机关职权范围"})
    assert done.status_code == 200 and done.json["instance_status"] == "completed"
    assert window.get(f"/cases/{case_no}").json["status"] == "not_accepted"


def test_no_decision_within_five_working_days_counts_as_accepted_from_receipt(
    app: Flask, platform: Platform, clock
) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    window, officer = User(client, "window"), User(client, "officer")
    clock.set(datetime(2026, 2, 12, 10, 0, tzinfo=CST))  # Thursday before the Spring Festival
    case_no = open_case(window)["case_no"]
    clock.set(datetime(2026, 2, 26, 23, 0, tzinfo=CST))  # 2/13, 2/14 (调休), 2/24, 2/25, 2/26: not yet
    assert platform.timers.fire_due().fired == []
    clock.set(datetime(2026, 2, 27, 0, 1, tzinfo=CST))
    assert len(platform.timers.fire_due().fired) == 1
    shown = officer.get(f"/cases/{case_no}").json
    assert shown["status"] == "accepted" and shown["auto_accepted"] is True
    assert datetime.fromisoformat(shown["accepted_at"]) == datetime(2026, 2, 12, 10, 0, tzinfo=CST)
    assert any(t["element_id"] == "examination" for t in officer.get("/tasks").json)


def test_opening_needs_a_valid_body_and_a_window_role(app: Flask) -> None:
    client = app.test_client()
    window, other = User(client, "window"), User(client, "other")
    bad = window.post("/cases", {"item_code": "", "applicant": {"name": ""}, "channel": "fax"})
    assert bad.status_code == 422
    assert {d["field"] for d in bad.json["error"]["details"]} >= {"item_code", "name", "channel"}
    unknown = window.post("/cases", {"item_code": "NOPE", "applicant": {"name": "李四"}})
    assert unknown.status_code == 422
    assert other.post("/cases", {"item_code": ITEM["code"], "applicant": {"name": "李四"}}).status_code == 403
    created = open_case(window)
    assert other.get(f"/cases/{created['case_no']}").status_code == 403


def test_the_catalogue_is_public(app: Flask) -> None:
    client = app.test_client()
    listed = client.get("/api/v1/items").json
    assert [i["code"] for i in listed] == [ITEM["code"]]
    assert client.get(f"/api/v1/items/{ITEM['code']}").json["special_procedures"][0]["name"] == "专家评审"
    assert client.get("/api/v1/items/NOPE").status_code == 404


def test_each_step_produces_its_numbered_notice(app: Flask) -> None:
    client = app.test_client()
    window, officer, approver = User(client, "landwin"), User(client, "officer"), User(client, "approver")
    case_no = open_case(window)["case_no"]
    window.complete(case_no, "acceptance", {"decision": "correction", "missing": ["营业执照", "法人身份证明"]})
    window.complete(case_no, "correction", {"supplied": True})
    window.complete(case_no, "acceptance", {"decision": "accept"})
    officer.complete(case_no, "examination", {"special_procedure": "专家评审"})
    officer.complete(case_no, "special_end", {})
    officer.complete(case_no, "examination", {"opinion": "同意"})
    approver.complete(case_no, "decision", {"approved": False, "reasons": "选址不符合国土空间规划"})
    window.complete(case_no, "delivery", {"method": "邮寄"})
    listed = officer.get(f"/cases/{case_no}/notices").json
    assert [n["kind"] for n in listed] == [
        "receipt",
        "correction",
        "acceptance",
        "special_procedure",
        "refusal",
        "delivery",
    ]
    assert len({n["number"] for n in listed}) == len(listed) and all("〔2026〕" in n["number"] for n in listed)
    correction = officer.get(f"/cases/{case_no}/notices/{listed[1]['id']}").json
    assert correction["missing"] == ["营业执照", "法人身份证明"] and correction["case_no"] == case_no
    refusal = officer.get(f"/cases/{case_no}/notices/{listed[4]['id']}").json
    assert refusal["decision"]["approved"] is False and "选址不符合国土空间规划" in refusal["decision"]["content"]
    assert User(client, "other").get(f"/cases/{case_no}/notices").status_code == 403


def test_stats_follow_the_cases_of_the_period(app: Flask, platform: Platform, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from tests.conftest import ADMIN

    client = app.test_client()
    window, officer, approver = User(client, "landwin"), User(client, "officer"), User(client, "approver")
    clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=CST))
    done, refused, waiting = (open_case(window)["case_no"] for _ in range(3))
    window.complete(done, "acceptance", {"decision": "accept"})
    officer.complete(done, "examination", {"opinion": "同意"})
    approver.complete(done, "decision", {"approved": True})
    window.complete(done, "delivery", {"method": "窗口领取"})
    window.complete(refused, "acceptance", {"decision": "not_accept", "reasons": "不属于受理范围"})
    window.complete(waiting, "acceptance", {"decision": "accept"})
    clock.set(datetime(2026, 3, 31, 12, 0, tzinfo=CST))  # the waiting case is now past its 5-day promise
    figures = platform.stats.period(ADMIN, date(2026, 3, 1), date(2026, 3, 31))
    assert (figures["received"], figures["accepted"], figures["not_accepted"], figures["completed"]) == (3, 2, 1, 1)
    assert figures["completion_rate"] == 50.0 and figures["on_time_rate"] == 100.0 and figures["overdue"] == 1
    assert figures["received"] >= figures["accepted"] >= figures["completed"]


def test_every_issued_notice_prints_for_staff_and_for_the_applicant(app: Flask) -> None:
    client = app.test_client()
    window, officer, approver = User(client, "landwin"), User(client, "officer"), User(client, "approver")
    created = open_case(window)
    case_no, code = created["case_no"], created["query_code"]
    window.complete(case_no, "acceptance", {"decision": "correction", "missing": ["营业执照"]})
    window.complete(case_no, "correction", {"supplied": True})
    window.complete(case_no, "acceptance", {"decision": "accept"})
    officer.complete(case_no, "examination", {"special_procedure": "专家评审"})
    officer.complete(case_no, "special_end", {})
    officer.complete(case_no, "examination", {"opinion": "同意"})
    approver.complete(case_no, "decision", {"approved": True})
    window.complete(case_no, "delivery", {"method": "窗口领取"})
    listed = officer.get(f"/cases/{case_no}/notices").json
    assert {n["kind"] for n in listed} == {
        "receipt",
        "correction",
        "acceptance",
        "special_procedure",
        "approval",
        "delivery",
    }
    for notice in listed:
        page = client.get(f"/api/v1/cases/{case_no}/notices/{notice['id']}.html", headers=officer.headers)
        assert page.status_code == 200 and page.mimetype == "text/html", notice
        text = page.get_data(as_text=True)
        assert case_no in text and notice["number"] in text and "张小明" in text
        public = client.get(
            f"/api/v1/public/cases/{case_no}/notices/{notice['id']}.html", query_string={"query_code": code}
        )
        assert public.status_code == 200
    mine = client.get(f"/api/v1/public/cases/{case_no}/notices", query_string={"query_code": code})
    assert [n["number"] for n in mine.json] == [n["number"] for n in listed]
    wrong = client.get(f"/api/v1/public/cases/{case_no}/notices", query_string={"query_code": "x"})
    assert wrong.status_code == 404
    assert client.get(f"/api/v1/cases/{case_no}/notices/{listed[0]['id']}.html").status_code == 401
