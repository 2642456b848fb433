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
    # town window staff as the demo makes them: agent (the town's window) and town_officer (its roster)
    platform.accounts.add_user("songyang_sh", PASSWORD, ["agent", "town_officer"], None, "SONGYANG-SH")
    platform.accounts.add_user("yanglin_sh", PASSWORD, ["agent", "town_officer"], None, "YANGLIN-SH")
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
    full = Api(client, "songyang_sh").get("/towns/SONGYANG/roster?year=2026&month=10").json
    first = next(d for d in full["duties"] if d["day"] == "2026-10-01")["officer"]
    assert duty["duty"]["officer"] == {"name": first["name"]}
    other = next(p for p in ("songyang_jj", "songyang_zz", "songyang_agent1") if p != first["username"])
    swapped = client.post(
        "/towns/SONGYANG/roster/swap",
        data={"csrf_token": token, "year": "2026", "month": "10", "day": "2026-10-01", "shift": "rest_day",
              "username": other, "reason": "调班"},
    )  # fmt: skip
    assert swapped.status_code == 302
    now = client.get("/api/v1/public/towns/SONGYANG/on-duty").json
    names = {"songyang_jj": "杨建伟", "songyang_zz": "张德明"}
    if other in names:
        assert now["duty"]["officer"] == {"name": names[other]}
    # the public sees who and when, never logins, who handed the shift over or why
    for duty in (now["duty"], *now["upcoming"]):
        assert set(duty) == {"day", "weekday", "shift", "label", "officer"} and set(duty["officer"]) == {"name"}
    assert now["upcoming"][0]["day"] == "2026-10-01"
    full = Api(client, "songyang_sh").get("/towns/SONGYANG/roster?year=2026&month=10").json
    handed = next(d for d in full["duties"] if d["day"] == "2026-10-01")
    assert handed["officer"]["username"] == other and handed["swapped_from"]["username"] == first["username"]
    assert handed["swap_reason"] == "调班"
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


def test_the_public_roster_and_towns_carry_display_names_and_days_only(client: FlaskClient) -> None:
    api = Api(client, "songyang_sh")
    assert api.post("/towns/SONGYANG/roster", json={"year": 2026, "month": 10}).status_code == 201
    third = api.get("/towns/SONGYANG/roster?year=2026&month=10").json["duties"][2]
    other = "songyang_jj" if third["officer"]["username"] != "songyang_jj" else "songyang_zz"
    swap = {"day": third["day"], "shift": third["shift"], "username": other, "reason": "孩子生病需照顾"}
    assert api.post("/towns/SONGYANG/roster/swap", json=swap).status_code == 200
    public = client.get("/api/v1/public/towns/SONGYANG/roster?year=2026&month=10")
    text = public.get_data(as_text=True)
    assert public.status_code == 200 and public.json["duties"]
    for secret in ("songyang_", "孩子生病", "swap", "username", "pool"):
        assert secret not in text, secret
    shown = next(d for d in public.json["duties"] if d["day"] == third["day"])
    assert shown["officer"] == {"name": {"songyang_jj": "杨建伟", "songyang_zz": "张德明"}[other]}
    towns = client.get("/api/v1/public/towns").get_data(as_text=True)
    assert "罗晓梅" in towns and "username" not in towns and "songyang_sh" not in towns
    # the full month is behind a sign-in
    assert client.get("/api/v1/towns/SONGYANG/roster?year=2026&month=10").status_code == 401
    full = api.get("/towns/SONGYANG/roster?year=2026&month=10").json
    assert next(d for d in full["duties"] if d["day"] == third["day"])["swap_reason"] == "孩子生病需照顾"
