"""In a real browser: a process designer uploads a broken BPMN file and is shown the file and line of the
problem; an administrator finds a running instance, sees its diagram with the active steps marked, suspends it
and resumes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.bootstrap import Platform
from tests.browser.conftest import PASSWORD
from tests.conftest import WINDOW

BROKEN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="broken" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="nowhere"/>
  </bpmn:process>
</bpmn:definitions>
"""


def sign_in_as(page: Any, server: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{server}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{server}/inbox")


def test_a_designer_uploads_a_broken_file_and_sees_the_line(server: str, page: Any, tmp_path: Path) -> None:
    broken = tmp_path / "审批流程.bpmn"
    broken.write_text(BROKEN, encoding="utf-8")
    sign_in_as(page, server, "designer")
    page.click("header >> text=流程设计")
    assert "parallel_review" in page.content()  # the deployed process is listed
    page.goto(f"{server}/designer/upload")
    page.set_input_files("#upload-file", str(broken))
    page.click("button[value=validate]")
    problems = page.text_content("table.problems")
    assert problems and "审批流程.bpmn" in problems and "'nowhere'" in problems
    rows = page.locator("table.problems tbody tr")
    assert rows.count() >= 1 and rows.first.locator("td").nth(1).text_content().strip() == "4"  # <startEvent>


def test_an_admin_suspends_and_resumes_an_instance(deployed: Platform, server: str, page: Any) -> None:
    iid = deployed.instances.start(WINDOW, "parallel_review", {"department": "CENTRE", "case_no": "BR-9"}).id
    sign_in_as(page, server, "admin")
    page.click("header >> text=流程实例")
    page.click(f"text=#{iid}")
    page.wait_for_url(f"{server}/admin/instances/{iid}")
    assert page.locator(".diagram svg .state-active").count() >= 1  # the waiting intake step is marked
    page.click("button:has-text('挂起')")
    assert "已挂起" in page.text_content(".flash")
    assert deployed.instances.get_record(iid).status.value == "suspended"
    page.click("button:has-text('恢复运行')")
    assert "已恢复运行" in page.text_content(".flash")
    assert deployed.instances.get_record(iid).status.value == "running"
