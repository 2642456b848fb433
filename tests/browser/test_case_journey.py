"""The whole journey of a case in a real browser, each step by the user whose job it is: the window officer
receives the application and accepts it, the case officer examines, the reviewer reviews, the approver decides,
the window delivers; the applicant then finds the completed case with the public lookup and rates the service."""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine.bootstrap import Platform
from engine.services.definitions import read_paths
from tests.browser.conftest import PASSWORD
from tests.conftest import ROOT

ITEM = "XK-SCJG-001"  # 食品经营许可: acceptance → examination → review → decision → delivery, all in MARKET
STAFF = {"mwin": "window_officer", "mcase": "case_officer", "mrev": "reviewer", "mapp": "approver"}


@pytest.fixture
def market(deployed: Platform) -> Platform:
    deployed.catalogue.load()
    forms = sorted((ROOT / "forms").glob("*.json"))
    deployed.definitions.deploy(read_paths([ROOT / "processes" / "items" / "item_xk_scjg_001.bpmn", *forms]))
    for username, role in STAFF.items():
        deployed.accounts.add_user(username, PASSWORD, [role], "MARKET")
    return deployed


def sign_in_as(page: Any, server: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{server}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{server}/inbox")


def open_case_task(page: Any, server: str, case_no: str, task_name: str) -> None:
    page.goto(f"{server}/inbox")
    page.click(f"tr:has-text('{case_no}') >> text={task_name}")
    page.wait_for_selector("form.task-form, form[method=post]")


def submit_task(page: Any, server: str) -> None:
    page.click("button:has-text('提交')")
    page.wait_for_url(f"{server}/inbox")


def test_a_case_from_window_intake_to_the_applicant_s_rating(market: Platform, server: str, page: Any) -> None:
    sign_in_as(page, server, "mwin")
    page.click("header >> text=窗口收件")
    page.fill("input[name=q]", "食品经营许可")
    page.click("button:has-text('查询')")
    page.click(f"tr:has-text('{ITEM}') >> text=收件")
    page.fill("#name", "云岭餐饮有限公司")
    page.fill("#phone", "13800000000")
    page.click("button:has-text('收件并出具凭证')")
    case_no = page.text_content("#case-no").strip()
    query_code = page.text_content("#query-code").strip()
    assert re.fullmatch(rf"{ITEM}\d{{12}}", case_no), case_no

    open_case_task(page, server, case_no, "窗口受理")
    page.select_option("#decision", "accept")
    submit_task(page, server)

    sign_in_as(page, server, "mcase")
    open_case_task(page, server, case_no, "现场勘查")
    page.fill("#opinion", "经营场所符合要求")
    submit_task(page, server)

    sign_in_as(page, server, "mrev")
    open_case_task(page, server, case_no, "后台审批")
    page.check("#approved")
    page.fill("#opinion", "同意")
    submit_task(page, server)

    sign_in_as(page, server, "mapp")
    open_case_task(page, server, case_no, "出证办结")
    page.check("#approved")
    submit_task(page, server)

    sign_in_as(page, server, "mwin")
    open_case_task(page, server, case_no, "送达")
    page.select_option("#method", "窗口领取")
    submit_task(page, server)

    page.context.clear_cookies()
    page.goto(f"{server}/lookup")
    page.fill("#case_no", case_no)
    page.fill("#query_code", query_code)
    page.click("main button:has-text('查询')")
    status = page.text_content("main strong")
    assert status and "送达" in status, status
    page.click("button:has-text('评价本次服务')")
    page.check("input[name=level][value='5']")
    page.fill("#comment", "一次办好，窗口服务热情")
    page.click("button:has-text('提交评价')")
    assert "感谢您的评价" in page.text_content("h1")
    shown = market.cases.public_status(case_no, query_code)
    assert shown["status"] == "delivered" and shown["result"] == "approved"
