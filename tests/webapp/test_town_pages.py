"""The town pages and API: the public towns page with each town's windows, items and this weekend's 值班, a
town's page saying who is on duty now, the month's roster generated and swapped by the town's window officer
(not by another town's), and the roster and on-duty API."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from tests.conftest import CST
from tests.webapp.conftest import PASSWORD, Api
from tests.webapp.test_workbench import csrf_of, sign_in
from webapp import create_app


@pytest.fixture
def app(platform: Platform, clock: FrozenClock) -> Flask:
    platform.catalogue.load()
    clock.set(datetime(2026, 10, 1, 10, 0, tzinfo=CST))  # 国庆: a rest day
    platform.accounts.add_user("songyang_sh", PASSWORD, ["window_officer"], "CENTRE", "SONGYANG-SH")
    platform.accounts.add_user("yanglin_sh", PASSWORD, ["window_officer"], "CENTRE", "YANGLIN-SH")
    return create_app(platform, config={"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_the_public_towns_page_lists_every_town_with_its_windows_items_and_duty(client: FlaskClient) -> None:
    page = client.get("/towns/").get_data(as_text=True)
    for name in ("嵩阳镇为民服务中心", "杨林镇为民服务中心", "小街镇为民服务中心", "牛栏江镇为民服务中心"):
        assert name in page
    assert "最低生活保障审核确认" in page and "值班表" in page and "未排班" in page
    town = client.get("/towns/SONGYANG").get_data(as_text=True)
    assert "暂无值班人员" in town  # 国庆 and no roster yet
    assert client.get("/towns/NOWHERE").status_code == 404


def test_the_towns_officer_generates_and_swaps_and_the_public_sees_who_is_on_duty(client: FlaskClient) -> None:
    assert client.get("/towns/SONGYANG/roster").status_code == 302  # sign in first
    sign_in(client, "songyang_sh")
    token = csrf_of(client, "/towns/SONGYANG/roster?year=2026&month=10")
    made = client.post("/towns/SONGYANG/roster", data={"csrf_token": token, "year": "2026", "month": "10", "leave": ""})
    assert made.status_code == 302
    page = client.get("/towns/SONGYANG/roster?year=2026&month=10").get_data(as_text=True)
    assert 'data-day="2026-10-01"' in page and 'data-day="2026-10-10"' not in page  # 10/10 is a 调休 workday
    duty = client.get("/api/v1/public/towns/SONGYANG/on-duty").json
    assert not duty["open"] and duty["duty"]["day"] == "2026-10-01"
    first = duty["duty"]["officer"]
    other = next(p for p in ("songyang_jj", "songyang_zz", "songyang_agent1") if p != first["username"])
    swapped = client.post(
        "/towns/SONGYANG/roster/swap",
        data={"csrf_token": token, "year": "2026", "month": "10", "day": "2026-10-01", "shift": "rest_day",
              "username": other, "reason": "调班"},
    )  # fmt: skip
    assert swapped.status_code == 302
    now = client.get("/api/v1/public/towns/SONGYANG/on-duty").json
    assert now["duty"]["officer"]["username"] == other
    assert now["duty"]["swapped_from"]["username"] == first["username"]
    assert now["upcoming"][0]["day"] == "2026-10-01"
    assert "现在是非办公时间，值班人员" in client.get("/towns/SONGYANG").get_data(as_text=True)


def test_another_towns_officer_may_not_draw_up_the_roster(client: FlaskClient) -> None:
    sign_in(client, "yanglin_sh")
    token = csrf_of(client, "/towns/SONGYANG/roster")
    refused = client.post("/towns/SONGYANG/roster", data={"csrf_token": token, "year": "2026", "month": "10"})
    assert refused.status_code == 403
    api = Api(client, "yanglin_sh")
    assert api.post("/towns/SONGYANG/roster", json={"year": 2026, "month": 10}).status_code == 403
    assert api.post("/towns/YANGLIN/roster", json={"year": 2026, "month": 10}).status_code == 201
    roster = client.get("/api/v1/public/towns/YANGLIN/roster?year=2026&month=10").json
    assert {d["day"] for d in roster["duties"]} >= {f"2026-10-0{i}" for i in range(1, 8)}
    bad = api.post("/towns/YANGLIN/roster/swap", json={"day": "2026-10-01", "shift": "rest_day", "username": "x"})
    assert bad.status_code == 422
