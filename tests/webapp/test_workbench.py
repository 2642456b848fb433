"""The clerk workbench pages: sign-in, CSRF, security headers, the inbox by department, the task form with
inline field errors, and Chinese by default with English available."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ADMIN, LAND, WINDOW
from tests.webapp.conftest import PASSWORD

PROTECTED = ["/inbox", "/tasks/any-task"]


def csrf_of(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF field"
    return match.group(1)


def sign_in(client: FlaskClient, username: str) -> None:
    token = csrf_of(client)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("path", PROTECTED)
def test_every_workbench_page_needs_a_signed_in_user(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sign_in_needs_the_right_password_and_a_csrf_token(client: FlaskClient) -> None:
    no_token = client.post("/login", data={"username": "window", "password": PASSWORD})
    assert no_token.status_code == 400
    token = csrf_of(client)
    wrong = client.post("/login", data={"username": "window", "password": "nope", "csrf_token": token})
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.get_data(as_text=True)


def test_pages_are_chinese_by_default_with_english_available(client: FlaskClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200 and "工作人员登录" in page.get_data(as_text=True)
    assert 'lang="zh-CN"' in page.get_data(as_text=True)
    english = client.get("/login?lang=en").get_data(as_text=True)
    assert "Staff sign-in" in english and 'lang="en"' in english


def test_security_headers_are_sent(client: FlaskClient) -> None:
    headers = client.get("/login").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"


def test_sign_in_does_not_redirect_to_another_site(client: FlaskClient) -> None:
    token = csrf_of(client)
    response = client.post(
        "/login?next=//evil.example/x", data={"username": "window", "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"].endswith("/inbox")


def _start_and_accept(app: Flask) -> str:
    platform = app.extensions["onestop"]
    iid = platform.instances.start(WINDOW, "parallel_review", {"department": "CENTRE", "case_no": "WB-1"}).id
    task = next(t for t in platform.tasks.inbox(WINDOW) if t.instance_id == iid)
    platform.tasks.complete(
        WINDOW, task.task_id, {"applicant_name": "张三", "materials_complete": True, "accepted": True}
    )
    return next(t.task_id for t in platform.tasks.inbox(LAND) if t.instance_id == iid)


def test_the_inbox_shows_the_department_s_tasks_with_time_left(app: Flask, client: FlaskClient) -> None:
    task_id = _start_and_accept(app)
    sign_in(client, "land")
    page = client.get("/inbox").get_data(as_text=True)
    assert "自然资源局审查" in page and "WB-1" in page and "个工作日" in page
    assert task_id in page
    other = app.test_client()
    sign_in(other, "housing")
    assert task_id not in other.get("/inbox").get_data(as_text=True)
    assert other.get(f"/tasks/{task_id}").status_code == 403


def test_a_task_form_shows_field_errors_inline_and_then_completes(app: Flask, client: FlaskClient) -> None:
    task_id = _start_and_accept(app)
    sign_in(client, "land")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "部门审查意见" in page and 'name="opinion"' in page
    token = csrf_of(client, f"/tasks/{task_id}")
    invalid = client.post(f"/tasks/{task_id}", data={"csrf_token": token, "opinion": ""})
    assert invalid.status_code == 422
    assert 'aria-invalid="true"' in invalid.get_data(as_text=True)
    done = client.post(f"/tasks/{task_id}", data={"csrf_token": token, "approved": "true", "opinion": "同意选址"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/inbox")
    platform = app.extensions["onestop"]
    instance_id = platform.tasks.show(ADMIN, task_id).task.instance_id
    assert platform.instances.show(ADMIN, instance_id).data["review_land"] == {"approved": True, "opinion": "同意选址"}


def test_sign_out_needs_csrf_and_ends_the_session(client: FlaskClient) -> None:
    sign_in(client, "window")
    assert client.post("/logout").status_code == 400
    token = csrf_of(client, "/inbox")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/inbox").status_code == 302


def test_the_landing_page_leads_the_public_to_services_and_staff_to_their_work(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "嵩明县政务服务中心" in page and 'href="/guide"' in page and 'href="/login"' in page
    assert "我的待办" not in page  # staff entries show only to signed-in staff
    sign_in(client, "window")
    assert client.get("/").headers["Location"].endswith("/inbox")


@pytest.mark.parametrize(
    ("username", "shown", "hidden"),
    [
        ("window", ["我的待办", "窗口收件"], ["流程设计", "流程实例"]),
        ("designer", ["流程设计"], ["流程实例", "窗口收件"]),
        ("admin", ["我的待办", "流程设计", "流程实例"], []),
    ],
)
def test_the_navigation_fits_the_user_s_role(
    client: FlaskClient, username: str, shown: list[str], hidden: list[str]
) -> None:
    sign_in(client, username)
    nav = re.search(r'<nav aria-label="主导航">(.*?)</nav>', client.get("/inbox").get_data(as_text=True), re.S)
    assert nav, "signed-in staff see the main navigation"
    assert all(label in nav.group(1) for label in shown) and not any(label in nav.group(1) for label in hidden)
