"""In a real browser: a reviewer signs in, finds the department's task in the inbox, submits the form with a
mistake, sees the field error, corrects it and is back in the inbox with the task done."""

from __future__ import annotations

from typing import Any

from engine.bootstrap import Platform
from tests.browser.conftest import PASSWORD
from tests.conftest import ADMIN, WINDOW


def test_a_reviewer_completes_a_review_in_the_browser(deployed: Platform, server: str, page: Any) -> None:
    iid = deployed.instances.start(WINDOW, "parallel_review", {"department": "CENTRE", "case_no": "BR-1"}).id
    intake = next(t for t in deployed.tasks.inbox(WINDOW) if t.instance_id == iid)
    deployed.tasks.complete(
        WINDOW, intake.task_id, {"applicant_name": "张三", "materials_complete": True, "accepted": True}
    )
    page.goto(f"{server}/inbox")
    assert page.url.startswith(f"{server}/login")  # a protected page sends strangers to sign in
    page.fill("#username", "land")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/inbox")
    assert "我的待办" in page.text_content("h1")
    page.click("text=自然资源局审查")
    page.wait_for_selector("#opinion")
    page.fill("#opinion", "")
    page.click("button:has-text('提交')")
    page.wait_for_selector("[aria-invalid=true]")  # the server's field error, shown inline
    page.check("#approved")
    page.fill("#opinion", "选址符合国土空间规划")
    page.click("button:has-text('提交')")
    page.wait_for_url(f"{server}/inbox")
    assert "BR-1" not in page.content()
    data = deployed.instances.show(ADMIN, iid).data
    assert data["review_land"] == {"approved": True, "opinion": "选址符合国土空间规划"}


def test_the_language_switch_turns_the_pages_english(server: str, page: Any) -> None:
    page.goto(f"{server}/login")
    assert page.text_content("h1") == "工作人员登录"
    page.click("text=English")
    assert page.text_content("h1") == "Staff sign-in"
    assert page.get_attribute("html", "lang") == "en"
