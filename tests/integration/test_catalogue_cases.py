"""The shipped catalogue through the API, and a real item's case end to end: acceptance, 现场核查 (counted),
an approved extension, the decision and delivery — then withdrawal and termination of other cases."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import pytest
from flask import Flask

from engine.bootstrap import Platform
from engine.services.definitions import read_paths
from tests.conftest import CST, ROOT
from tests.integration.test_cases import PASSWORD, User
from webapp import create_app

ITEM = "XK-ZRZY-001"
GUIDE_FIELDS = {
    "code",
    "name",
    "type",
    "department",
    "window",
    "legal_basis",
    "conditions",
    "materials",
    "fee",
    "statutory_days",
    "promised_days",
    "instant",
    "special_procedures",
    "office_phone",
    "complaint_phone",
    "inferred",
}


@pytest.fixture
def app(platform: Platform) -> Flask:
    platform.catalogue.load()
    forms = sorted((ROOT / "forms").glob("*.json"))
    platform.definitions.deploy(read_paths([ROOT / "processes" / "items" / "item_xk_zrzy_001.bpmn", *forms]))
    for name, role in [("win", "window_officer"), ("exam", "case_officer"), ("rev", "reviewer"), ("boss", "approver")]:
        platform.accounts.add_user(name, PASSWORD, [role], "LAND")
    return create_app(platform, config={"TESTING": True})


def test_the_catalogue_lists_fifty_items_with_their_full_guides(app: Flask) -> None:
    client = app.test_client()
    items = client.get("/api/v1/items").json
    assert len(items) == 50
    assert Counter(i["type"] for i in items) == {"行政许可": 33, "非行政许可审批": 5, "管理服务事项": 12}
    assert len({i["department"] for i in items}) == 14
    for item in items:
        guide = client.get(f"/api/v1/items/{item['code']}").json
        assert set(guide) >= GUIDE_FIELDS, item["code"]
        assert guide["promised_days"] <= (guide["statutory_days"] or 10**6)


def _open(win: User) -> str:
    body = {
        "item_code": ITEM,
        "applicant": {"name": "嵩明县某某实业有限公司"},
        "materials": ["建设项目用地预审与选址意见书申请表"],
    }
    response = win.post("/cases", body)
    assert response.status_code == 201, response.json
    return str(response.json["case_no"])


def test_a_real_item_case_with_an_extension_goes_to_delivery(app: Flask, clock: Any) -> None:
    client = app.test_client()
    win, exam, rev, boss = (User(client, n) for n in ("win", "exam", "rev", "boss"))
    clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=CST))
    case_no = _open(win)
    assert win.complete(case_no, "acceptance", {"decision": "accept"}).status_code == 200
    before = exam.get(f"/cases/{case_no}").json["due_at"]
    extension = {"opinion": "需补充论证", "extension_requested": True, "extension_reason": "需征求规划意见"}
    assert exam.complete(case_no, "examination", extension).status_code == 200
    assert boss.complete(case_no, "extension", {"approved": True, "reason": "情况复杂"}).status_code == 200
    after = exam.get(f"/cases/{case_no}").json["due_at"]
    assert datetime.fromisoformat(before) == datetime(2026, 3, 17, tzinfo=CST)
    assert datetime.fromisoformat(after) == datetime(2026, 3, 31, tzinfo=CST)  # +10 working days
    assert exam.complete(case_no, "examination", {"opinion": "符合规划"}).status_code == 200
    assert rev.complete(case_no, "review", {"approved": True, "opinion": "同意"}).status_code == 200
    assert boss.complete(case_no, "decision", {"approved": True}).status_code == 200
    assert win.complete(case_no, "delivery", {"method": "窗口领取"}).status_code == 200
    shown = exam.get(f"/cases/{case_no}").json
    assert shown["status"] == "delivered" and shown["result"] == "approved"
    kinds = [n["kind"] for n in exam.get(f"/cases/{case_no}/notices").json]
    assert kinds == ["receipt", "acceptance", "extension", "approval", "delivery"]


def test_withdrawal_and_termination_end_the_case_and_its_process(app: Flask) -> None:
    client = app.test_client()
    win, boss, exam = User(client, "win"), User(client, "boss"), User(client, "exam")
    first, second = _open(win), _open(win)
    win.complete(first, "acceptance", {"decision": "accept"})
    assert win.post(f"/cases/{first}/withdraw", {"reason": ""}).status_code == 422
    withdrawn = win.post(f"/cases/{first}/withdraw", {"reason": "申请人书面申请撤回"})
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    assert exam.get("/tasks").json == []  # the examination task went with the process
    assert win.post(f"/cases/{second}/terminate", {"reason": "不可抗力"}).status_code == 403
    assert boss.post(f"/cases/{second}/terminate", {"reason": "项目被依法撤销"}).json["status"] == "terminated"
    assert win.post(f"/cases/{second}/withdraw", {"reason": "迟了"}).status_code == 409
    assert [t for t in win.get("/tasks").json if t["case_no"] in {first, second}] == []


def test_town_staff_with_a_stale_centre_window_grant_cannot_withdraw_a_county_case(
    app: Flask, platform: Platform
) -> None:
    client = app.test_client()
    case_no = _open(User(client, "win"))
    platform.accounts.add_user("town_clerk", PASSWORD, ["window_officer"], "CENTRE")  # left over from a set-up
    platform.accounts.add_user("town_clerk", PASSWORD, ["town_officer"], None)
    platform.accounts.add_user("centre_clerk", PASSWORD, ["window_officer"], "CENTRE")
    assert User(client, "town_clerk").post(f"/cases/{case_no}/withdraw", {"reason": "代为撤回"}).status_code == 403
    withdrawn = User(client, "centre_clerk").post(f"/cases/{case_no}/withdraw", {"reason": "申请人书面申请撤回"})
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"


def test_an_instant_item_is_completed_on_the_spot(platform: Platform) -> None:
    platform.catalogue.load()
    forms = sorted((ROOT / "forms").glob("*.json"))
    platform.definitions.deploy(read_paths([ROOT / "processes" / "items" / "item_fw_scjg_001.bpmn", *forms]))
    platform.accounts.add_department("MARKET", "市场监督管理局")
    platform.accounts.add_user("mwin", PASSWORD, ["window_officer"], "MARKET")
    client = create_app(platform, config={"TESTING": True}).test_client()
    win = User(client, "mwin")
    created = win.post("/cases", {"item_code": "FW-SCJG-001", "applicant": {"name": "李记小卖部"}})
    case_no = created.json["case_no"]
    assert win.complete(case_no, "acceptance", {"decision": "instant_done"}).status_code == 200
    assert win.complete(case_no, "delivery", {"method": "窗口领取"}).status_code == 200
    shown = win.get(f"/cases/{case_no}").json
    assert shown["status"] == "delivered" and shown["result"] == "approved"
    assert [s["action"] for s in shown["steps"]] == ["complete_instantly", "deliver"]


def test_a_promised_item_cannot_be_completed_on_the_spot(app: Flask) -> None:
    client = app.test_client()
    win = User(client, "win")
    case_no = _open(win)
    assert win.complete(case_no, "acceptance", {"decision": "instant_done"}).status_code == 409
    assert win.get(f"/cases/{case_no}").json["status"] == "received"
