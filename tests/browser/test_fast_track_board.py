"""The key-project fast track in a real browser: the office registers a project at the fast-track window and
triages it to four departments (housing's permit waiting for the land's pre-approval); every review shows on
the tracking board; housing pre-reviews early and waits; the land department's officer and approver finish in
their inbox; housing's decision becomes ready with the land's result forwarded, and the board says so.
Screenshots of the triage form, the board and the project page are saved in the test's tmp folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.bootstrap import Platform
from tests.browser.conftest import PASSWORD
from tests.webapp.projects_support import DEPENDENT, ITEMS, OFFICE, PREREQUISITE, PROJECT, prepare_fast_track

PRE_REVIEW, DECISION = "部门审查（提前介入预审）", "审批决定"


@pytest.fixture
def fast_track(deployed: Platform) -> Platform:
    return prepare_fast_track(deployed)


def sign_in_as(page: Any, server: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{server}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{server}/inbox")


def do_task(page: Any, server: str, case_no: str, task_name: str, fill: dict[str, str], tick: str = "") -> None:
    page.goto(f"{server}/inbox")
    page.click(f"tr:has-text('{case_no}') >> text={task_name}")
    for selector, value in fill.items():
        page.fill(selector, value)
    if tick:
        page.check(tick)
    page.click("button:has-text('提交')")
    page.wait_for_url(f"{server}/inbox")


def row(page: Any, item: str) -> Any:
    return page.locator(f"tr[data-item='{item}']")


def test_the_office_triages_a_key_project_and_the_board_follows_the_reviews(
    fast_track: Platform, server: str, page: Any, tmp_path: Path
) -> None:
    # the fast-track window registers the package
    sign_in_as(page, server, OFFICE)
    page.click("header >> text=重点项目")
    page.click("text=登记重点项目")
    for field in ("name", "location", "investment", "investor_name", "investor_contact", "investor_phone"):
        page.fill(f"#{field}", PROJECT[field])
    page.fill("#materials", PROJECT["materials"])
    page.click("button:has-text('登记并进入分办')")
    assert page.text_content("#project-status") == "已收件待分办"
    code = page.text_content("#project-code").strip()

    # triage: four departments' items, housing's permit waits for the land's pre-approval
    for item in ITEMS:
        page.check(f"#item-{item}")
    page.select_option(f"#prerequisites-{DEPENDENT}", [PREREQUISITE])
    page.select_option("#lead_department", "DRC")
    page.screenshot(path=str(tmp_path / "triage.png"), full_page=True)
    page.click("button:has-text('分办并启动并联审查')")
    assert page.locator("code.query-code").count() == 4
    assert page.text_content("#project-status") == "并联审查中"
    case_of = {item: row(page, item).locator(".case-no").text_content().strip() for item in ITEMS}

    page.click("header >> text=重点项目")
    assert page.locator(f"#{code} tr[data-item]").count() == 4
    assert "等待" in row(page, DEPENDENT).text_content()
    assert all("预审" in row(page, item).text_content() for item in ITEMS)

    # housing pre-reviews at once (early intervention), then waits for the land's result
    sign_in_as(page, server, "officer_housing")
    do_task(page, server, case_of[DEPENDENT], PRE_REVIEW, {"#opinion": "施工图与用地预审范围一致，待用地结果"})
    page.click("header >> text=重点项目")
    assert "等待前置" in row(page, DEPENDENT).text_content()

    # the land department: its officer pre-reviews, its approver decides
    sign_in_as(page, server, "officer_land")
    do_task(page, server, case_of[PREREQUISITE], PRE_REVIEW, {"#opinion": "选址符合国土空间规划"})
    sign_in_as(page, server, "approver_land")
    do_task(page, server, case_of[PREREQUISITE], DECISION, {}, tick="#approved")

    # housing's decision is ready now, with the land's result forwarded
    sign_in_as(page, server, "approver_housing")
    assert page.locator(f"tr:has-text('{case_of[DEPENDENT]}') >> text={DECISION}").count() == 1

    sign_in_as(page, server, OFFICE)
    page.click("header >> text=重点项目")
    dependent = row(page, DEPENDENT).text_content()
    assert "待决定" in dependent and "已补送" in dependent
    assert "已决定（准予）" in row(page, PREREQUISITE).text_content()
    page.screenshot(path=str(tmp_path / "board.png"), full_page=True)
    page.click(f"#{code} h2 a")
    assert "已决定（准予）" in row(page, PREREQUISITE).text_content()
    assert "完成「审批决定」" in page.text_content("table.timeline")
    page.screenshot(path=str(tmp_path / "project.png"), full_page=True)
    print(f"screenshots: {tmp_path}")
