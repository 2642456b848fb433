"""Window discipline and the public boards on the web: an officer signs in and leaves the post with buttons, the
supervisor's live view shows it (and refreshes itself during working hours), the public window board shows
who is on duty without signing in, the centre publishes, pins and withdraws announcements, and the API says
the same."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from tests.conftest import CST, principal
from tests.webapp.conftest import PASSWORD, Api
from tests.webapp.test_workbench import csrf_of, sign_in
from webapp import create_app

STAFF = [
    ("admin", "周建华", ["admin"], None, None),
    ("supervisor", "马文涛", ["supervisor"], None, "W29"),
    ("window", "刘婷", ["window_officer"], "CENTRE", "W01"),
    ("land", "李明", ["reviewer"], "LAND", None),
    ("newcomer", "赵敏", ["window_officer"], "LAND", "W05"),  # a window but no 工号 yet: not enrolled
]


@pytest.fixture
def app(platform: Platform) -> Flask:
    platform.catalogue.load()
    for username, name, roles, department, window in STAFF:
        platform.accounts.add_user(username, PASSWORD, roles, department, window, display_name=name)
    admin = principal("admin", ("admin", None))
    for number, username in enumerate(("window", "supervisor"), start=1):  # enrolled for window duty: a 工号
        platform.disclosure.set_card(admin, username, {"staff_number": f"SM-{number:04d}"})
    return create_app(platform, config={"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def post(client: FlaskClient, path: str, **data: str) -> int:
    token = csrf_of(client, "/discipline/")
    return client.post(path, data={"csrf_token": token, **data}).status_code


def row_of(page: str, window: str) -> str:
    start = page.index(f'data-window="{window}"')
    return page[start : page.index("</tr>", start)]


def test_an_officer_signs_in_and_leaves_the_post_and_the_supervisor_sees_it(app: Flask, clock: FrozenClock) -> None:
    officer, supervisor = app.test_client(), app.test_client()
    sign_in(officer, "window")
    page = officer.get("/discipline/").get_data(as_text=True)
    assert "我的考勤" in page and "综合受理窗口" in page and "未签到" in page
    assert post(officer, "/discipline/sign-in") == 302
    clock.set(datetime(2026, 3, 10, 9, 30, tzinfo=CST))
    assert post(officer, "/discipline/leave", reason="到档案室调阅资料") == 302
    assert "返岗" in officer.get("/discipline/").get_data(as_text=True)

    sign_in(supervisor, "supervisor")
    clock.set(datetime(2026, 3, 10, 9, 50, tzinfo=CST))
    response = supervisor.get("/discipline/")
    live = response.get_data(as_text=True)
    assert response.headers.get("Refresh") == "60"  # the monitoring refreshes itself while the windows are open
    assert 'data-status="away"' in row_of(live, "W01") and "到档案室调阅资料" in row_of(live, "W01")
    assert "擅自离岗超过15分钟" in row_of(live, "W01")  # twenty minutes away, nobody approved it
    assert 'data-status="unstaffed"' in row_of(live, "W29")  # the supervisor never signed in either
    assert post(officer, "/discipline/return") == 302
    assert 'data-status="staffed"' in row_of(supervisor.get("/discipline/").get_data(as_text=True), "W01")


def test_staff_without_a_window_are_told_so_and_errors_are_shown_not_raised(client: FlaskClient) -> None:
    sign_in(client, "land")
    page = client.get("/discipline/")
    assert page.status_code == 200 and "您没有安排窗口" in page.get_data(as_text=True)
    assert post(client, "/discipline/sign-in") == 302
    assert "只有安排了窗口的工作人员需要签到" in client.get("/discipline/").get_data(as_text=True)


def test_the_public_window_board_shows_who_is_on_duty_without_signing_in(app: Flask, client: FlaskClient) -> None:
    admin = app.test_client()
    sign_in(admin, "admin")
    token = csrf_of(admin, "/discipline/cards")
    saved = admin.post("/discipline/cards/window", data={"csrf_token": token, "staff_number": "SM-0101",
                                                         "title": "综合受理员", "public_phone": ""})  # fmt: skip
    assert saved.status_code == 302
    assert 'value="SM-0101"' in admin.get("/discipline/cards").get_data(as_text=True)

    assert "暂无人员在岗" in row_of(client.get("/public/windows").get_data(as_text=True), "W01")
    officer = app.test_client()
    sign_in(officer, "window")
    post(officer, "/discipline/sign-in")
    board = row_of(client.get("/public/windows").get_data(as_text=True), "W01")
    assert "刘婷" in board and "SM-0101" in board and "0871-60000101" in board
    assert "暂无人员在岗" in row_of(client.get("/public/windows").get_data(as_text=True), "W04")
    post(officer, "/discipline/sign-out")
    assert "刘婷" not in row_of(client.get("/public/windows").get_data(as_text=True), "W01")


def test_the_centre_publishes_pins_and_withdraws_announcements(app: Flask, client: FlaskClient) -> None:
    admin = app.test_client()
    sign_in(admin, "admin")
    token = csrf_of(admin, "/discipline/announcements")
    bad = admin.post("/discipline/announcements", data={"csrf_token": token, "title": "", "body": "x"})
    assert bad.status_code == 422 and "必填" in bad.get_data(as_text=True)
    for title in ("营业执照办理需要哪些材料？", "春节期间窗口值班安排"):
        admin.post("/discipline/announcements", data={"csrf_token": token, "title": title, "body": "详见办事指南。",
                                                      "category": "热点问题"})  # fmt: skip
    public = client.get("/public/announcements").get_data(as_text=True)
    assert public.index("春节期间窗口值班安排") < public.index("营业执照办理需要哪些材料？")  # newest first
    first = Api(app.test_client(), "admin").get("/announcements").json[-1]["id"]
    admin.post(f"/discipline/announcements/{first}", data={"csrf_token": token, "action": "pin"})
    public = client.get("/public/announcements").get_data(as_text=True)
    assert public.index("营业执照办理需要哪些材料？") < public.index("春节期间窗口值班安排")  # pinned first
    admin.post(f"/discipline/announcements/{first}", data={"csrf_token": token, "action": "withdraw"})
    assert "营业执照办理需要哪些材料？" not in client.get("/public/announcements").get_data(as_text=True)

    officer = app.test_client()
    sign_in(officer, "window")
    assert officer.get("/discipline/announcements").status_code == 403
    assert officer.get("/discipline/cards").status_code == 403


def test_the_api_signs_in_watches_and_publishes(app: Flask, client: FlaskClient) -> None:
    officer, supervisor = Api(client, "window"), Api(client, "supervisor")
    signed = officer.post("/attendance/sign-in")
    assert signed.status_code == 201 and signed.json["window"] == "W01" and signed.json["late_minutes"] == 0
    assert officer.post("/attendance/sign-in").status_code == 409
    assert officer.post("/attendance/leave", json={"reason": ""}).status_code == 422
    assert officer.post("/attendance/leave", json={"reason": "取号机故障报修"}).status_code == 201
    assert officer.get("/windows/live").status_code == 403
    live = supervisor.get("/windows/live").json
    w01 = next(w for w in live["windows"] if w["code"] == "W01")
    assert w01["status"] == "away" and w01["officers"][0]["leave"]["reason"] == "取号机故障报修"
    assert officer.post("/attendance/return").json["minutes"] == 0
    public = client.get("/api/v1/public/windows")
    assert public.status_code == 200
    assert next(w for w in public.json if w["code"] == "W01")["on_duty"][0]["name"] == "刘婷"

    created = supervisor.post("/announcements", json={"title": "不动产登记咨询电话", "body": "0871-60000110",
                                                      "category": "办事提示", "pinned": True})  # fmt: skip
    assert created.status_code == 201 and created.json["pinned"] is True
    assert officer.post("/announcements", json={"title": "x", "body": "y"}).status_code == 403
    assert client.get("/api/v1/public/announcements").json[0]["title"] == "不动产登记咨询电话"
    changed = supervisor.client.patch(
        f"/api/v1/announcements/{created.json['id']}", headers=supervisor.headers, json={"withdrawn": True}
    )
    assert changed.status_code == 200 and changed.json["withdrawn_at"]
    assert client.get("/api/v1/public/announcements").json == []


def test_an_officer_without_a_staff_number_is_told_they_keep_no_attendance(client: FlaskClient) -> None:
    sign_in(client, "newcomer")
    page = client.get("/discipline/").get_data(as_text=True)
    assert "尚未登记工号" in page and "我的考勤" not in page
    assert post(client, "/discipline/sign-in") == 302
    assert "尚未登记工号，不参加窗口考勤" in client.get("/discipline/").get_data(as_text=True)
