"""The village relay in a real browser: the village agent signs in, records the applicant's mandate (委托书) and
files under it; the town's agent signs the hand-over and passes it to the county; the civil-affairs window
receives it (the real case opens); the applicant's lookup shows the total time since the village intake beside
the deciding window's statutory clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from engine.services.definitions import read_paths
from tests.browser.conftest import PASSWORD
from tests.browser.test_case_journey import sign_in_as
from tests.conftest import CST, ROOT

ITEM = "FXK-MZ-001"  # 特困人员供养审批 (民政局): the county decides it


@pytest.fixture
def village(deployed: Platform) -> Platform:
    deployed.catalogue.load()
    forms = sorted((ROOT / "forms").glob("*.json"))
    paths = [ROOT / "processes" / "relay.bpmn", ROOT / "processes" / "items" / "item_fxk_mz_001.bpmn", *forms]
    deployed.definitions.deploy(read_paths(paths))
    deployed.accounts.add_user("sy_chengdong", PASSWORD, ["agent"], None)  # 城东社区为民服务站
    deployed.accounts.add_user("songyang_agent1", PASSWORD, ["agent"], None)  # 嵩阳镇为民服务中心
    deployed.accounts.add_user("civil_win", PASSWORD, ["window_officer"], "CIVIL")
    return deployed


def test_a_village_agent_files_under_a_mandate_and_the_relay_reaches_the_county(
    village: Platform, server: str, page: Any, clock: FrozenClock
) -> None:
    sign_in_as(page, server, "sy_chengdong")
    page.click("header >> text=代办")
    page.select_option("#m_kind", "full")
    page.fill("#m_name", "张小梅")
    page.fill("#m_id", "530127198001011234")
    page.select_option("#m_items", ITEM)
    page.fill("#m_from", "2026-03-01")
    page.fill("#m_to", "2026-12-31")
    page.click("button:has-text('登记委托书')")
    page.wait_for_selector("text=委托书 WT-2026-000001 已登记")
    page.select_option("#relay_item", ITEM)
    page.fill("#relay_materials", "最低生活保障申请书\n户口簿复印件")
    page.click("button:has-text('受理并移交乡镇')")
    page.wait_for_selector("[data-testid=relay-status]:has-text('待乡镇签收')")
    relay_url = page.url
    assert page.locator("tr[data-level=village_town]").inner_text().count("sy_chengdong") == 1

    clock.set(datetime(2026, 3, 11, 10, 0, tzinfo=CST))
    sign_in_as(page, server, "songyang_agent1")
    page.goto(relay_url)
    page.click("button:has-text('乡镇签收')")
    page.wait_for_selector("[data-testid=relay-status]:has-text('乡镇初审中')")
    assert "songyang_agent1" in page.locator("tr[data-level=village_town]").inner_text()
    clock.set(datetime(2026, 3, 12, 9, 0, tzinfo=CST))
    page.fill("#forward_materials", "最低生活保障申请书\n户口簿复印件\n村委会评议意见")
    page.click("button:has-text('乡镇初审并移交县级')")
    page.wait_for_selector("[data-testid=relay-status]:has-text('待县级窗口签收')")

    clock.set(datetime(2026, 3, 13, 11, 0, tzinfo=CST))
    sign_in_as(page, server, "civil_win")
    page.click("header >> text=代办")
    page.click("tr:has-text('待我签收') >> a")
    page.click("button:has-text('县级窗口签收并受理')")
    case_no = page.text_content("[data-testid=case-no]").strip()
    query_code = page.text_content("[data-testid=query-code]").strip()
    assert case_no.startswith(ITEM + "20260313") and query_code
    county = page.locator("tr[data-level=town_county]").inner_text()
    assert "songyang_agent1" in county and "civil_win" in county and "村委会评议意见" in county

    clock.set(datetime(2026, 3, 16, 10, 0, tzinfo=CST))
    page.context.clear_cookies()
    page.goto(f"{server}/lookup")
    page.fill("#case_no", case_no)
    page.fill("#query_code", query_code)
    page.click("button:has-text('查询')")
    page.wait_for_selector("text=自村级受理合计")
    # Tuesday 10 March 09:00 to Monday 16 March 10:00: 4 working days, 145 hours since the village intake
    assert page.text_content("[data-testid=total-days]").strip() == "4"
    statutory = page.text_content("[data-testid=statutory]")
    assert case_no in statutory and "法定时限 25 个工作日" in statutory
    assert "张小梅" not in page.content()  # the public sees no personal data of the relay
