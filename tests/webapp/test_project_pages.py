"""The key-project pages: the tracking board (each department's state, working days, prerequisite links,
warnings), registering at the fast-track window with inline field errors, the project page's triage form with
its once-only receipt, the extension and the steward's note; and who sees what."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from tests.conftest import CST
from tests.webapp.conftest import PASSWORD, USERS
from tests.webapp.projects_support import DEPENDENT, ITEMS, OFFICE, PREREQUISITE, PROJECT, prepare_fast_track
from tests.webapp.test_workbench import csrf_of, sign_in
from webapp import create_app

CODE = "KP-2026-001"


@pytest.fixture
def app(deployed: Platform) -> Flask:
    for name, roles, department in USERS:
        deployed.accounts.add_user(name, PASSWORD, roles, department)
    return create_app(prepare_fast_track(deployed), config={"TESTING": True})


def text(response) -> str:  # type: ignore[no-untyped-def]
    return str(response.get_data(as_text=True))


def register(client: FlaskClient) -> str:
    page = text(client.get("/projects/new"))
    nonce = re.search(r'name="nonce" value="([^"]+)"', page)
    assert nonce
    response = client.post(
        "/projects/new", data={**PROJECT, "csrf_token": csrf_of(client, "/projects/new"), "nonce": nonce.group(1)}
    )
    assert response.status_code == 302, text(response)[:500]
    return response.headers["Location"]


def triage_form(client: FlaskClient, **changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "csrf_token": csrf_of(client, f"/projects/{CODE}"),
        "items": list(ITEMS),
        f"prerequisites.{DEPENDENT}": [PREREQUISITE],
        f"prerequisites.{PREREQUISITE}": [],
        "steward": OFFICE,
        "lead_department": "DRC",
    }
    form.update(changes)
    return form


def test_the_office_registers_a_project_and_finds_it_on_the_board(client: FlaskClient) -> None:
    sign_in(client, OFFICE)
    board = text(client.get("/projects"))
    assert "重点项目跟踪" in board and "暂无重点项目" in board
    assert 'href="/projects"' in board  # the navigation entry
    assert "/projects/new" in board
    location = register(client)
    assert location.endswith(f"/projects/{CODE}")
    page = text(client.get(location))
    assert "已登记重点项目 KP-2026-001" in page and "已收件待分办" in page
    assert "云南嵩明产业投资有限公司" in page and "58000.00 万元" in page and "用地红线图" in page
    assert 'name="items"' in page and "分办并启动并联审查" in page  # the triage form, while received
    assert "延长联合办理时限" not in page
    board = text(client.get("/projects"))
    assert "嵩明职教园区配套产业园" in board and "尚未分办" in board


def test_registration_mistakes_show_beside_their_fields_and_keep_what_was_typed(client: FlaskClient) -> None:
    sign_in(client, OFFICE)
    page = text(client.get("/projects/new"))
    nonce = re.search(r'name="nonce" value="([^"]+)"', page)
    assert nonce
    bad = {**PROJECT, "name": "", "investment": "很多", "investor_name": ""}
    response = client.post(
        "/projects/new", data={**bad, "csrf_token": csrf_of(client, "/projects/new"), "nonce": nonce.group(1)}
    )
    assert response.status_code == 422
    page = text(response)
    for field in ("name", "investment", "investor_name"):
        assert f'id="{field}-error"' in page, field
    assert 'value="很多"' in page and "嵩明县杨林经济技术开发区" in page
    # the same form twice: the second submission is refused, nothing is registered twice
    again = client.post("/projects/new", data={**PROJECT, "csrf_token": csrf_of(client), "nonce": nonce.group(1)})
    assert again.status_code == 409


def test_triage_on_the_project_page_starts_every_review_and_shows_the_codes_once(
    client: FlaskClient, app: Flask
) -> None:
    sign_in(client, OFFICE)
    register(client)
    response = client.post(f"/projects/{CODE}/triage", data=triage_form(client))
    assert response.status_code == 200, text(response)[:500]
    page = text(response)
    codes = re.findall(r'<code class="query-code">([^<]+)</code>', page)
    assert len(codes) == 4 and all(c != "—" for c in codes)
    assert "查询密码只显示这一次" in page and "并联审查中" in page
    platform: Platform = app.extensions["onestop"]
    cases = re.findall(r"<td>(XK-[A-Z]+-\d{3}\d{12})</td><td>", page)
    assert platform.cases.public_status(cases[0], codes[0])["status"] == "accepted"
    shown_again = text(client.get(f"/projects/{CODE}"))
    assert "query-code" not in shown_again and 'name="items"' not in shown_again
    assert "延长联合办理时限" in shown_again and "专人留言" in shown_again
    # the board: four departments in pre-review, the dependent one waiting for the land's result
    board = text(client.get("/projects"))
    assert board.count("预审</span>") >= 4
    assert re.search(r"等待</span>\s*嵩明县自然资源局 建设项目用地预审与选址意见书核发", board)
    assert "0 / 5 个工作日" in board and "剩余 5 个工作日" in board and "正常" in board
    assert "2026-05-15" in board  # the joint limit: 45 working days
    # a reload of the receipt posts again: told it is done, not an error page
    again = client.post(f"/projects/{CODE}/triage", data=triage_form(client))
    assert again.status_code == 302
    assert "已分办" in text(client.get(again.headers["Location"]))


def test_triage_mistakes_show_on_their_rows(client: FlaskClient) -> None:
    sign_in(client, OFFICE)
    register(client)
    form = triage_form(
        client,
        **{f"prerequisites.{PREREQUISITE}": [DEPENDENT], "lead_department": "", "items": [PREREQUISITE, DEPENDENT]},
    )
    response = client.post(f"/projects/{CODE}/triage", data=form)
    assert response.status_code == 422
    page = text(response)
    assert "前置关系成环" in page and 'id="lead_department-error"' in page
    # what was ticked stays ticked
    assert re.search(rf'value="{DEPENDENT}" id="item-{DEPENDENT}" checked', page)
    assert not re.search(r'value="XK-FZGG-001" id="item-XK-FZGG-001" checked', page)
    form = triage_form(client, **{f"prerequisites.{DEPENDENT}": ["XK-FZGG-001"], "items": [PREREQUISITE, DEPENDENT]})
    page = text(client.post(f"/projects/{CODE}/triage", data=form))
    assert f'id="item-{DEPENDENT}-error"' in page and "不在本项目的审查事项中" in page


def test_the_warnings_turn_colour_as_working_days_pass(client: FlaskClient, clock: FrozenClock) -> None:
    sign_in(client, OFFICE)
    register(client)
    client.post(f"/projects/{CODE}/triage", data=triage_form(client))
    clock.set(datetime(2026, 3, 13, 10, 0, tzinfo=CST))  # 3 of 5 working days used: yellow
    board = text(client.get("/projects"))
    assert 'class="pill yellow">黄色预警' in board and "3 / 5 个工作日" in board
    clock.set(datetime(2026, 3, 18, 10, 0, tzinfo=CST))  # past the promised limit
    board = text(client.get("/projects"))
    assert "已超期" in board and "超期 1 个工作日" in board and 'class="pill red overdue"' in board


def test_the_extension_and_the_steward_s_note(client: FlaskClient) -> None:
    sign_in(client, OFFICE)
    register(client)
    client.post(f"/projects/{CODE}/triage", data=triage_form(client))
    token = csrf_of(client, f"/projects/{CODE}")
    refused = client.post(f"/projects/{CODE}/extension", data={"csrf_token": token, "reason": "需补充水土保持方案"})
    assert refused.status_code == 422
    page = text(refused)
    assert 'id="extension_approved_by-error"' in page and "需补充水土保持方案" in page
    done = client.post(
        f"/projects/{CODE}/extension",
        data={"csrf_token": token, "reason": "需补充水土保持方案", "approved_by": "分管副县长李明"},
    )
    assert done.status_code == 302
    page = text(client.get(f"/projects/{CODE}"))
    assert "已延期" in page and "60 个工作日" in page and "延长联合办理时限" not in page
    assert "经分管副县长李明批准延长 15 个工作日" in page
    empty = client.post(f"/projects/{CODE}/messages", data={"csrf_token": token, "department": "LAND", "text": ""})
    assert empty.status_code == 422 and 'id="message_text-error"' in text(empty)
    sent = client.post(
        f"/projects/{CODE}/messages", data={"csrf_token": token, "department": "LAND", "text": "请优先出具用地预审意见"}
    )
    assert sent.status_code == 302
    assert "请优先出具用地预审意见" in text(client.get(f"/projects/{CODE}"))


def test_department_staff_see_their_projects_but_not_the_office_s_forms(client: FlaskClient) -> None:
    sign_in(client, OFFICE)
    register(client)
    client.post(f"/projects/{CODE}/triage", data=triage_form(client))
    client.post("/logout", data={"csrf_token": csrf_of(client, "/projects")})
    sign_in(client, "officer_land")
    board = text(client.get("/projects"))
    assert "嵩明职教园区配套产业园" in board and "/projects/new" not in board
    page = text(client.get(f"/projects/{CODE}"))
    assert "各部门审查进度" in page and 'name="items"' not in page and "专人留言" not in page
    assert client.get("/projects/new").status_code == 403
    token = csrf_of(client, "/projects")
    assert client.post(f"/projects/{CODE}/extension", data={"csrf_token": token, "reason": "x"}).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    sign_in(client, "market_officer")
    assert "暂无重点项目" in text(client.get("/projects"))
    assert client.get(f"/projects/{CODE}").status_code == 403
    assert client.get("/projects/KP-2026-404").status_code == 404


def test_the_board_speaks_english_too(client: FlaskClient) -> None:
    sign_in(client, OFFICE)
    page = text(client.get("/projects?lang=en"))
    assert "Key project tracking" in page and "Register a key project" in page
