"""The rectification pages and API: the department sees its bad-review work orders with the evaluator masked,
others are refused; the evaluator rates the fix on the public page (the code in the body only) and over the API."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from engine.bootstrap import Platform
from engine.domain.access import Principal
from engine.services.definitions import read_paths
from tests.conftest import ROOT, principal
from tests.webapp.conftest import PASSWORD
from tests.webapp.test_feedback_pages import new_case, with_feedback_data
from tests.webapp.test_workbench import csrf_of, sign_in

OFFICER = principal("landofficer", ("case_officer", "LAND"))
HEAD = principal("landhead", ("approver", "LAND"))


@pytest.fixture
def loop_app(app: Flask, deployed: Platform) -> Flask:
    forms = sorted((ROOT / "forms").glob("rectification_*.json"))
    deployed.definitions.deploy(read_paths([ROOT / "processes" / "rectification.bpmn", *forms]), actor="test")
    deployed.accounts.add_user("landofficer", PASSWORD, ["case_officer"], "LAND")
    return with_feedback_data(app, deployed)


def complete(platform: Platform, who: Principal, key: str, element: str, data: dict[str, Any]) -> None:
    task = next(t for t in platform.tasks.inbox(who) if t.business_key == key and t.element_id == element)
    platform.tasks.complete(who, task.task_id, data)


def fed_back(platform: Platform) -> tuple[str, str, str]:
    case_no, code = new_case(platform)
    platform.feedback.evaluate_public(case_no, code, 1, "多次往返")
    [order] = [o for o in platform.rectification.work_orders(OFFICER) if o["case_no"] == case_no]
    complete(platform, OFFICER, order["number"], "call_back", {"reached": True, "method": "phone", "findings": "属实"})
    complete(platform, HEAD, order["number"], "classify", {"classification": "fix_now", "measures": "当场更正"})
    complete(platform, OFFICER, order["number"], "feedback", {"method": "phone", "content": "已更正"})
    return case_no, code, order["number"]


def test_the_department_sees_its_work_orders_with_the_evaluator_masked(loop_app: Flask, deployed: Platform) -> None:
    case_no, code = new_case(deployed)
    deployed.feedback.evaluate_public(case_no, code, 2, "材料要求不清")
    client = loop_app.test_client()
    sign_in(client, "landofficer")
    page = client.get("/feedback/rectifications").get_data(as_text=True)
    assert case_no in page and "材料要求不清" in page and "待回访" in page
    assert "张*" in page and "138****5678" in page and "13812345678" not in page
    other = loop_app.test_client()
    sign_in(other, "env")  # a reviewer of another department
    assert other.get("/feedback/rectifications").status_code == 403


def test_the_evaluator_rates_the_fix_on_the_public_page(loop_app: Flask, deployed: Platform) -> None:
    case_no, code, number = fed_back(deployed)
    client = loop_app.test_client()
    token = csrf_of(client, "/evaluate/rectification")
    missing = client.post("/evaluate/rectification", data={"csrf_token": token, "case_no": case_no})
    assert missing.status_code == 422
    wrong = client.post(
        "/evaluate/rectification",
        data={"csrf_token": token, "case_no": case_no, "query_code": "x", "rating": "satisfied"},
    )
    assert wrong.status_code == 404
    done = client.post(
        "/evaluate/rectification",
        data={"csrf_token": token, "case_no": case_no, "query_code": code, "rating": "basically"},
    )
    assert done.status_code == 200 and number in done.get_data(as_text=True)
    again = client.post(
        "/evaluate/rectification",
        data={"csrf_token": token, "case_no": case_no, "query_code": code, "rating": "satisfied"},
    )
    assert again.status_code == 409


def test_the_api_lists_work_orders_and_takes_the_rating_of_the_fix(
    loop_app: Flask, deployed: Platform, as_user: Any
) -> None:
    case_no, code, number = fed_back(deployed)
    supervisor = as_user("supervisor")
    listed = supervisor.get("/rectifications")
    assert listed.status_code == 200
    [order] = listed.json
    assert order["number"] == number and order["evaluator"]["phone"] == "138****5678"
    assert supervisor.get(f"/rectifications/{order['id']}").json["status"] == "rating"
    assert as_user("env").get("/rectifications").status_code == 403
    client = loop_app.test_client()
    rated = client.post(
        f"/api/v1/public/cases/{case_no}/rectification-rating", json={"query_code": code, "rating": "satisfied"}
    )
    assert rated.status_code == 201 and rated.json == {"number": number, "status": "closed", "fix_rating": "satisfied"}


def test_the_window_records_the_rating_of_the_fix_given_in_person(loop_app: Flask, deployed: Platform) -> None:
    deployed.accounts.add_user("landwin", PASSWORD, ["window_officer"], "LAND")
    deployed.accounts.add_user("housingwin", PASSWORD, ["window_officer"], "HOUSING")
    case_no, _code, number = fed_back(deployed)
    window = loop_app.test_client()
    sign_in(window, "landwin")
    inbox = window.get("/inbox").get_data(as_text=True)
    assert 'href="/feedback/rectifications/rate"' in inbox  # in the window officer's navigation
    form = window.get("/feedback/rectifications/rate", query_string={"case_no": case_no}).get_data(as_text=True)
    assert f'name="case_no" value="{case_no}"' in form and form.count('type="radio" name="rating"') == 3
    token = csrf_of(window, "/feedback/rectifications/rate")
    assert (
        window.post("/feedback/rectifications/rate", data={"case_no": case_no, "rating": "satisfied"}).status_code
        == 400
    )
    missing = window.post("/feedback/rectifications/rate", data={"csrf_token": token, "case_no": case_no})
    assert missing.status_code == 422 and "请选择对整改的评价" in missing.get_data(as_text=True)
    unknown = window.post(
        "/feedback/rectifications/rate", data={"csrf_token": token, "case_no": "NO-SUCH", "rating": "satisfied"}
    )
    assert unknown.status_code == 404 and "没有该办件编号" in unknown.get_data(as_text=True)
    other = loop_app.test_client()
    sign_in(other, "housingwin")  # another department's window may not record it
    other_token = csrf_of(other, "/feedback/rectifications/rate")
    refused = other.post(
        "/feedback/rectifications/rate", data={"csrf_token": other_token, "case_no": case_no, "rating": "satisfied"}
    )
    assert refused.status_code == 403
    body = {"csrf_token": token, "case_no": case_no, "rating": "dissatisfied", "comment": "仍需往返"}
    done = window.post("/feedback/rectifications/rate", data=body)
    assert done.status_code == 200 and number in done.get_data(as_text=True) and "不满意" in done.get_data(as_text=True)
    [order] = [o for o in deployed.rectification.work_orders(HEAD) if o["number"] == number]
    assert (order["fix_rating"], order["fix_rating_channel"], order["status"]) == ("dissatisfied", "window", "closed")
    again = window.post("/feedback/rectifications/rate", data=body)
    assert again.status_code == 409 and "该办件没有待评价的整改" in again.get_data(as_text=True)
    reviewer = loop_app.test_client()
    sign_in(reviewer, "env")
    assert reviewer.get("/feedback/rectifications/rate").status_code == 403
