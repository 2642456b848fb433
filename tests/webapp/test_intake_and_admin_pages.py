"""Window intake (find an item, record applicant and materials, issue the receipt; an instant item completed on
one screen) and the administrator's instance pages (filters, paging, the instance, suspend/resume/terminate)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Platform
from engine.services.definitions import read_paths
from tests.conftest import ROOT
from tests.webapp.conftest import PASSWORD
from tests.webapp.test_workbench import csrf_of, sign_in

ITEM_FILES = ["item_fw_scjg_001.bpmn", "item_xk_scjg_001.bpmn"]


@pytest.fixture
def market(app: Flask) -> Platform:
    """The catalogue, two market-supervision items (one instant, one promised) and a market window officer."""
    platform: Platform = app.extensions["onestop"]
    platform.catalogue.load()
    forms = sorted((ROOT / "forms").glob("*.json"))
    platform.definitions.deploy(read_paths([*(ROOT / "processes" / "items" / f for f in ITEM_FILES), *forms]))
    platform.accounts.add_user("mwin", PASSWORD, ["window_officer"], "MARKET")
    return platform


def _intake_form(client: FlaskClient, code: str) -> tuple[str, str, str]:
    page = client.get(f"/intake/{code}").get_data(as_text=True)
    nonce = re.search(r'name="nonce" value="([^"]+)"', page)
    assert nonce, "the intake form carries a one-time token"
    return page, csrf_of(client, f"/intake/{code}"), nonce.group(1)


def test_the_item_search_lists_only_items_the_officer_may_receive(market: Platform, client: FlaskClient) -> None:
    sign_in(client, "mwin")
    page = client.get("/intake?q=食品").get_data(as_text=True)
    assert "XK-SCJG-001" in page and "FW-SCJG-001" in page
    assert "XK-ZRZY-001" not in client.get("/intake").get_data(as_text=True)  # a land item: not this window's
    assert "XK-SCJG-001" not in client.get("/intake?type=管理服务事项").get_data(as_text=True)


def test_intake_records_applicant_and_materials_and_issues_the_receipt(market: Platform, client: FlaskClient) -> None:
    sign_in(client, "mwin")
    page, token, nonce = _intake_form(client, "XK-SCJG-001")
    materials = re.findall(r'name="materials" value="([^"]+)"', page)
    assert len(materials) == 5
    missing = client.post(
        "/intake/XK-SCJG-001", data={"csrf_token": token, "nonce": nonce, "name": "", "action": "receive"}
    )
    assert missing.status_code == 422 and 'aria-invalid="true"' in missing.get_data(as_text=True)
    page, token, nonce = _intake_form(client, "XK-SCJG-001")
    form = {"csrf_token": token, "nonce": nonce, "name": "云岭餐饮店", "phone": "13800000000", "action": "receive"}
    receipt = client.post("/intake/XK-SCJG-001", data={**form, "materials": materials[:4], "channel": "window"})
    body = receipt.get_data(as_text=True)
    assert receipt.status_code == 201, body[:500]
    case_no = re.search(r'id="case-no">([^<]+)<', body).group(1)  # type: ignore[union-attr]
    query_code = re.search(r'id="query-code">([^<]+)<', body).group(1)  # type: ignore[union-attr]
    assert materials[4] in body  # the missing material is named on the receipt page
    shown = market.cases.public_status(case_no, query_code)  # the code on the receipt opens the public lookup
    assert shown["status"] == "received"
    record = market.cases.show(market.accounts.principal("mwin"), case_no)["record"]
    assert record["materials"] == {m: m != materials[4] for m in materials}
    notice = re.search(r'href="(/intake/cases/[^"]+/notices/\d+)"', body)
    assert notice and "材料接收凭证" in client.get(notice.group(1)).get_data(as_text=True)
    again = client.post("/intake/XK-SCJG-001", data={**form, "materials": materials})
    assert again.status_code == 409  # the same form twice opens one case, not two


def test_an_instant_item_is_accepted_and_completed_on_one_screen(market: Platform, client: FlaskClient) -> None:
    sign_in(client, "mwin")
    page, token, nonce = _intake_form(client, "FW-SCJG-001")
    assert "受理并当场办结" in page
    no_method = client.post(
        "/intake/FW-SCJG-001", data={"csrf_token": token, "nonce": nonce, "name": "李记小卖部", "action": "instant"}
    )
    assert no_method.status_code == 422 and "请选择送达方式" in no_method.get_data(as_text=True)
    _, token, nonce = _intake_form(client, "FW-SCJG-001")
    done = client.post(
        "/intake/FW-SCJG-001",
        data={"csrf_token": token, "nonce": nonce, "name": "李记小卖部", "action": "instant", "delivery": "窗口领取"},
    )
    body = done.get_data(as_text=True)
    assert done.status_code == 201 and "已当场办结" in body, body[:400]
    case_no = re.search(r'id="case-no">([^<]+)<', body).group(1)  # type: ignore[union-attr]
    shown = market.cases.show(market.accounts.principal("mwin"), case_no)
    assert shown["status"] == "delivered" and shown["result"] == "approved"


def test_a_promised_item_cannot_be_completed_on_the_spot(market: Platform, client: FlaskClient) -> None:
    sign_in(client, "mwin")
    _, token, nonce = _intake_form(client, "XK-SCJG-001")
    refused = client.post(
        "/intake/XK-SCJG-001",
        data={"csrf_token": token, "nonce": nonce, "name": "某公司", "action": "instant", "delivery": "邮寄"},
    )
    assert refused.status_code == 422 and "承诺件" in refused.get_data(as_text=True)


def test_an_officer_of_another_department_cannot_open_the_item(market: Platform, client: FlaskClient) -> None:
    market.accounts.add_user("lwin", PASSWORD, ["window_officer"], "LAND")
    sign_in(client, "lwin")
    _, token, nonce = _intake_form(client, "XK-SCJG-001")
    refused = client.post(
        "/intake/XK-SCJG-001", data={"csrf_token": token, "nonce": nonce, "name": "某公司", "action": "receive"}
    )
    assert refused.status_code == 403


def _start(platform: Platform, n: int) -> list[int]:
    from tests.conftest import WINDOW

    return [
        platform.instances.start(WINDOW, "parallel_review", {"department": "CENTRE", "case_no": f"AD-{i}"}).id
        for i in range(n)
    ]


def test_the_instance_list_filters_and_pages(app: Flask, client: FlaskClient) -> None:
    platform: Platform = app.extensions["onestop"]
    ids = _start(platform, 30)
    platform.instances.suspend(platform.accounts.principal("admin"), ids[0])
    sign_in(client, "admin")
    first = client.get("/admin/instances").get_data(as_text=True)
    assert "共 30 个" in first and f"#{ids[-1]}<" in first and f"#{ids[0]}<" not in first  # newest first, 25 a page
    second = client.get("/admin/instances?page=2").get_data(as_text=True)
    assert f"#{ids[0]}<" in second and "第 2 / 2 页" in second
    suspended = client.get("/admin/instances?status=suspended").get_data(as_text=True)
    assert "共 1 个" in suspended and f"#{ids[0]}<" in suspended
    assert "共 0 个" in client.get("/admin/instances?from=2030-01-01").get_data(as_text=True)
    assert "共 30 个" in client.get("/admin/instances?from=2026-03-10&to=2026-03-10").get_data(as_text=True)
    bad = client.get("/admin/instances?from=yesterday")
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.get_data(as_text=True)


def test_the_overdue_filter_keeps_instances_with_a_late_task(app: Flask, client: FlaskClient, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from tests.conftest import WINDOW

    platform: Platform = app.extensions["onestop"]
    ids = _start(platform, 2)
    for task in platform.tasks.inbox(WINDOW):  # accepted: the department reviews now run on a deadline
        platform.tasks.complete(
            WINDOW, task.task_id, {"applicant_name": "张三", "materials_complete": True, "accepted": True}
        )
    sign_in(client, "admin")
    assert "共 0 个" in client.get("/admin/instances?overdue=1").get_data(as_text=True)
    clock.advance(timedelta(days=30))
    late = client.get("/admin/instances?overdue=1").get_data(as_text=True)
    assert "共 2 个" in late and "已超期" in late and all(f"#{i}<" in late for i in ids)


def test_an_admin_suspends_resumes_and_terminates_an_instance(app: Flask, client: FlaskClient) -> None:
    platform: Platform = app.extensions["onestop"]
    (iid,) = _start(platform, 1)
    sign_in(client, "admin")
    page = client.get(f"/admin/instances/{iid}").get_data(as_text=True)
    assert "受理" in page and "流程数据" in page and "AD-0" in page
    token = csrf_of(client, f"/admin/instances/{iid}")
    suspended = client.post(f"/admin/instances/{iid}/suspend", data={"csrf_token": token}, follow_redirects=True)
    assert "已挂起" in suspended.get_data(as_text=True)
    assert platform.instances.get_record(iid).status.value == "suspended"
    assert client.post(f"/admin/instances/{iid}/suspend", data={"csrf_token": token}).status_code == 409
    client.post(f"/admin/instances/{iid}/resume", data={"csrf_token": token})
    assert platform.instances.get_record(iid).status.value == "running"
    no_reason = client.post(f"/admin/instances/{iid}/terminate", data={"csrf_token": token}, follow_redirects=True)
    assert "须填写原因" in no_reason.get_data(as_text=True)
    assert platform.instances.get_record(iid).status.value == "running"
    client.post(f"/admin/instances/{iid}/terminate", data={"csrf_token": token, "reason": "申请人撤回"})
    assert platform.instances.get_record(iid).status.value == "terminated"
    assert client.get("/admin/instances/999999").status_code == 404


def test_an_admin_retries_an_incident_from_the_instance_page(app: Flask, client: FlaskClient) -> None:
    from tests.conftest import DATA, WINDOW

    platform: Platform = app.extensions["onestop"]
    platform.definitions.deploy(read_paths([DATA / "script_failure.bpmn"]), actor="test")
    iid = platform.instances.start(WINDOW, "script_failure", {"department": "CENTRE"}).id
    fill = next(t for t in platform.tasks.inbox(WINDOW) if t.instance_id == iid)
    platform.tasks.complete(WINDOW, fill.task_id, {"area": 120})  # the fee script fails: an incident
    sign_in(client, "admin")
    page = client.get(f"/admin/instances/{iid}").get_data(as_text=True)
    assert "故障" in page and "base_fee" in page and 'name="data"' in page
    token = csrf_of(client, f"/admin/instances/{iid}")
    bad_json = client.post(
        f"/admin/instances/{iid}/retry", data={"csrf_token": token, "data": "{"}, follow_redirects=True
    )
    assert "不是有效的 JSON" in bad_json.get_data(as_text=True)
    again = client.post(f"/admin/instances/{iid}/retry", data={"csrf_token": token, "data": ""}, follow_redirects=True)
    assert again.status_code == 200 and "重试失败" in again.get_data(as_text=True)
    assert platform.instances.get_record(iid).status.value == "error"
    fixed = client.post(
        f"/admin/instances/{iid}/retry", data={"csrf_token": token, "data": '{"base_fee": 2}'}, follow_redirects=True
    )
    assert "已重试" in fixed.get_data(as_text=True)
    assert platform.instances.get_record(iid).status.value == "running"
