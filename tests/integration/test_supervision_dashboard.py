"""The supervision board against the database: cases of three departments driven through their real item
processes with a frozen clock; the board's counts equal what SQL over the tables says, the live colours are the
hand-computed ones (per-item thresholds included), the overdue list names the step and handler, the efficiency
figures are those of a hand-computed example, and a clerk is refused."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

import engine.services.supervision as supervision
from engine.bootstrap import Platform
from engine.domain.case_codec import case_from_dict
from engine.domain.warnings import Thresholds, read_colour
from engine.services.catalogue import plain
from engine.services.definitions import read_paths
from tests.conftest import CST, ROOT, principal
from tests.integration.test_cases import PASSWORD, User
from webapp import create_app

LAND_ITEM, HOUSING_ITEM, MARKET_ITEM = "XK-ZRZY-001", "XK-ZFCX-001", "FW-SCJG-001"
#: the housing item's own thresholds: yellow from 30 %, red from 60 % of its 3 promised days
HOUSING_WARNING = {"yellow": 0.3, "red": 0.6, "short_limit_days": 0}
STAFF = [
    ("win", "window_officer", "LAND"),
    ("exam", "case_officer", "LAND"),
    ("rev", "reviewer", "LAND"),
    ("boss", "approver", "LAND"),
    ("boss2", "approver", "LAND"),
    ("hwin", "window_officer", "HOUSING"),
    ("mwin", "window_officer", "MARKET"),
    ("sup", "supervisor", None),
]
OPEN = "('received', 'correction_requested', 'accepted', 'paused')"


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=CST)


@pytest.fixture
def app(platform: Platform) -> Flask:
    platform.catalogue.load()
    forms = sorted((ROOT / "forms").glob("*.json"))
    for name in ("item_xk_zrzy_001", "item_xk_zfcx_001", "item_fw_scjg_001"):
        platform.definitions.deploy(read_paths([ROOT / "processes" / "items" / f"{name}.bpmn", *forms]))
    with platform.ctx.uow(write=True) as uow:
        item = uow.catalogue.get(HOUSING_ITEM)
        guide = {**item["guide"], "warning": HOUSING_WARNING}
        uow.catalogue.upsert({**item, "guide": plain(guide)}, platform.clock.now())
        uow.commit()
    platform.accounts.add_department("MARKET", "市场监督管理局")
    for name, role, department in STAFF:
        platform.accounts.add_user(name, PASSWORD, [role], department, display_name=f"{name}名")
    return create_app(platform, config={"TESTING": True})


def _open(user: User, item: str) -> str:
    response = user.post("/cases", {"item_code": item, "applicant": {"name": "嵩明县某某公司"}})
    assert response.status_code == 201, response.json
    return str(response.json["case_no"])


def _ok(response: Any) -> None:
    assert response.status_code == 200, response.json


def _sql(platform: Platform, query: str) -> list[Any]:
    with platform.database.connect() as conn:
        return list(conn.execute(text(query)))


def _board(sup: User) -> dict[str, Any]:
    response = sup.get("/supervision/dashboard")
    assert response.status_code == 200, response.json
    return dict(response.json)


def _by_code(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["code"]: row for row in rows}


def _colours(board: dict[str, Any]) -> dict[str, str]:
    return {case["case_no"]: case["colour"] for case in board["warned"]}


def _assert_matches_database(platform: Platform, board: dict[str, Any]) -> None:
    """Open cases and ready tasks per department and per window, as SQL counts them."""
    departments = _by_code(board["departments"])
    for department, count in _sql(
        platform, f"SELECT department, count(*) FROM cases WHERE status IN {OPEN} GROUP BY 1"
    ):
        assert departments[department]["open_cases"] == count, department
    for window, count in _sql(platform, f'SELECT "window", count(*) FROM cases WHERE status IN {OPEN} GROUP BY 1'):
        assert _by_code(board["windows"])[window]["open_cases"] == count, window
    tasks = _sql(
        platform, "SELECT department, count(*), min(created_at) FROM human_tasks WHERE state = 'ready' GROUP BY 1"
    )
    for department, count, oldest in tasks:
        assert departments[department]["open_tasks"] == count, department
        assert departments[department]["oldest_task_at"][:19] == str(oldest).replace(" ", "T")[:19]
    assert board["total"]["open_tasks"] == sum(count for _, count, _ in tasks)
    assert board["total"]["open_cases"] == _sql(platform, f"SELECT count(*) FROM cases WHERE status IN {OPEN}")[0][0]
    clocked = _sql(platform, "SELECT count(*) FROM cases WHERE status IN ('accepted', 'paused')")[0][0]
    assert sum(board["total"]["colours"].values()) == clocked
    # the colours per department, computed independently of the board's memoised reading: every clocked
    # case's whole record read with read_colour and its item's thresholds (the definition has not changed)
    expected: dict[str, Counter[str]] = defaultdict(Counter)
    calendar = platform.ctx.runtime_calendar()
    now = datetime.fromisoformat(board["now"])
    for department, item_code, record in _sql(
        platform, "SELECT department, item_code, record FROM cases WHERE status IN ('accepted', 'paused')"
    ):
        guide = platform.catalogue.item(item_code)["guide"]
        thresholds = Thresholds.from_guide(guide.get("warning"))
        # a raw JSON column: text on SQLite, already decoded on PostgreSQL
        clock = case_from_dict(record if isinstance(record, dict) else json.loads(record)).clock
        assert clock is not None
        expected[department][read_colour(clock, now, calendar, thresholds).colour.value] += 1
    for department, colours in expected.items():
        assert {c: n for c, n in departments[department]["colours"].items() if n} == dict(colours), department


def test_the_board_counts_what_the_database_holds_and_colours_cases_live(
    app: Flask, platform: Platform, clock: Any
) -> None:
    client = app.test_client()
    win, exam, rev, boss, boss2, hwin, mwin, sup = (User(client, name) for name, _, _ in STAFF)
    clock.set(at(10, 9))
    slow, fast, _waiting = _open(win, LAND_ITEM), _open(win, LAND_ITEM), _open(win, LAND_ITEM)
    housing, instant = _open(hwin, HOUSING_ITEM), _open(mwin, MARKET_ITEM)
    for case_no in (slow, fast):
        _ok(win.complete(case_no, "acceptance", {"decision": "accept"}))
    _ok(hwin.complete(housing, "acceptance", {"decision": "accept"}))
    _ok(mwin.complete(instant, "acceptance", {"decision": "instant_done"}))

    # Wednesday: one day used of each; only the housing item's own thresholds make its case yellow
    clock.set(at(11))
    board = _board(sup)
    _assert_matches_database(platform, board)
    assert _colours(board) == {housing: "yellow"}
    land = _by_code(board["departments"])["LAND"]
    assert (land["open_cases"], land["awaiting_acceptance"], land["colours"]["green"]) == (3, 1, 2)
    assert _by_code(board["departments"])["MARKET"]["open_cases"] == 0  # completed on the spot

    # Thursday: the fast case is decided; housing is red (2 of 3 days used >= 60 %)
    clock.set(at(12))
    _ok(exam.complete(fast, "examination", {"opinion": "符合"}))
    _ok(rev.complete(fast, "review", {"approved": True, "opinion": "同意"}))
    _ok(boss.complete(fast, "decision", {"approved": True}))
    board = _board(sup)
    _assert_matches_database(platform, board)
    assert _colours(board) == {housing: "red"}

    # the next Tuesday: the slow land case used 5 of 5 days (red, not yet overdue); housing is 2 days overdue
    clock.set(at(17))
    board = _board(sup)
    _assert_matches_database(platform, board)
    assert _colours(board) == {housing: "overdue", slow: "red"}
    assert [c["case_no"] for c in board["warned"]] == [housing, slow]  # worst first
    [late] = board["overdue"]
    assert (late["case_no"], late["department"], late["days_overdue"], late["used_days"]) == (housing, "HOUSING", 2, 5)
    assert [(s["name"], s["role"], s["claimed_by"]) for s in late["steps"]] == [("审查", "case_officer", None)]
    totals = board["total"]["colours"]
    assert totals == {"green": 0, "yellow": 0, "red": 1, "overdue": 1}
    assert _by_code(board["windows"])["W06"]["colours"]["overdue"] == 1
    assert (board["warned_total"], board["overdue_total"]) == (2, 1)

    # Thursday after: the slow case is 2 working days overdue, then decided late by another approver
    clock.set(at(19))
    board = _board(sup)
    assert {c["case_no"]: c["days_overdue"] for c in board["overdue"]} == {housing: 4, slow: 2}
    _ok(exam.complete(slow, "examination", {"opinion": "符合"}))
    _ok(rev.complete(slow, "review", {"approved": True, "opinion": "同意"}))
    _ok(boss2.complete(slow, "decision", {"approved": True}))
    _assert_matches_database(platform, _board(sup))

    # efficiency of March: fast (2 days, on time), slow (7 days, late), the instant one
    march = sup.get("/supervision/efficiency?from=2026-03-01&to=2026-03-31").json
    assert march["total"] == {
        "key": "*", "name": "全中心", "completed": 3, "on_time": 2, "instant": 1, "promised_cases": 2,
        "on_time_rate": 66.67, "average_working_days": 4.5, "speed_up_cases": 2, "speed_up_rate": 77.5,
    }  # fmt: skip
    departments = {r["key"]: r for r in march["departments"]}
    assert (departments["LAND"]["completed"], departments["LAND"]["on_time_rate"]) == (2, 50.0)
    assert departments["MARKET"]["instant"] == 1 and departments["MARKET"]["average_working_days"] is None
    officers = {r["key"]: r for r in march["officers"]}
    assert set(officers) == {"boss", "boss2", "mwin"}
    assert (officers["boss"]["name"], officers["boss"]["average_working_days"]) == ("boss名", 2.0)
    assert (officers["boss"]["speed_up_rate"], officers["boss2"]["speed_up_rate"]) == (90.0, 65.0)
    assert (officers["boss2"]["on_time_rate"], officers["boss2"]["average_working_days"]) == (0.0, 7.0)
    before = sup.get("/supervision/efficiency?from=2026-03-01&to=2026-03-18").json
    assert {r["key"] for r in before["officers"]} == {"boss", "mwin"}


def test_the_lists_are_capped_worst_first_with_the_rest_counted_and_paged(
    app: Flask, platform: Platform, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At scale the board lists only the worst LIST_LIMIT cases and says how many more there are; the full list
    is paged, worst first. (The cap is lowered to 1 so that three cases show it.)"""
    monkeypatch.setattr(supervision, "LIST_LIMIT", 1)
    win, hwin = User(app.test_client(), "win"), User(app.test_client(), "hwin")
    clock.set(at(10, 9))
    land = [_open(win, LAND_ITEM) for _ in range(2)]
    housing = _open(hwin, HOUSING_ITEM)
    _ok(win.complete(land[0], "acceptance", {"decision": "accept"}))
    _ok(hwin.complete(housing, "acceptance", {"decision": "accept"}))
    clock.set(at(12, 9))
    _ok(win.complete(land[1], "acceptance", {"decision": "accept"}))  # two days later: a different reading
    clock.set(at(17))  # housing overdue; land 5 of 5 days used (red) and 3 of 5 (yellow)
    sup = User(app.test_client(), "sup")
    board = _board(sup)
    _assert_matches_database(platform, board)
    assert [c["case_no"] for c in board["warned"]] == [housing]
    assert (board["warned_total"], board["overdue_total"], board["list_limit"]) == (3, 1, 1)
    assert board["total"]["colours"] == {"green": 0, "yellow": 1, "red": 1, "overdue": 1}  # counts stay exact
    browser = _sign_in(app, "sup")
    page = browser.get("/supervision").get_data(as_text=True)
    assert "另有 2 件" in page and 'href="/supervision/warned"' in page
    assert page.count('<tr data-case="') == 2  # one warned row, one overdue row
    full = browser.get("/supervision/warned").get_data(as_text=True)
    assert "共 3 件" in full and all(f'data-case="{n}"' in full for n in (housing, *land))
    assert full.index(f'data-case="{housing}"') < full.index(f'data-case="{land[0]}"')  # worst first
    red = browser.get("/supervision/warned?colour=red&department=LAND").get_data(as_text=True)
    assert "共 1 件" in red and f'data-case="{land[0]}"' in red and housing not in red and land[1] not in red
    assert browser.get("/supervision/warned?colour=green").status_code == 404
    supervisor = principal("sup", ("supervisor", None))
    pages = [platform.supervision.warned_page(supervisor, page=n, per_page=2) for n in (1, 2)]
    assert [[c.case_no for c in p.cases] for p in pages] == [[housing, land[0]], [land[1]]]
    assert (pages[1].total, pages[1].pages) == (3, 2)


def test_first_inquiry_violations_of_this_year_are_listed(app: Flask, platform: Platform, clock: Any) -> None:
    with platform.ctx.uow(write=True) as uow:
        uow.violations.add("first_inquiry", "win", "LAND", at(9), 2026, True, "consultation:1", {})
        uow.violations.add("first_inquiry", "win", "LAND", datetime(2025, 5, 1, tzinfo=CST), 2025, True, "c:2", {})
        uow.violations.add("second_correction", "win", "LAND", at(9), 2026, False, "case:x", {})
        uow.commit()
    board = _board(User(app.test_client(), "sup"))
    assert [(v["username"], v["reference"], v["veto"]) for v in board["first_inquiry"]] == [
        ("win", "consultation:1", True)
    ]


def test_only_supervisors_and_administrators_see_the_board(app: Flask) -> None:
    clerk = User(app.test_client(), "exam")
    assert clerk.get("/supervision/dashboard").status_code == 403
    assert clerk.get("/supervision/efficiency?from=2026-03-01&to=2026-03-31").status_code == 403
    sup = User(app.test_client(), "sup")
    assert sup.get("/supervision/efficiency?from=2026-03-31&to=2026-03-01").status_code == 422
    assert sup.get("/supervision/efficiency?from=march").status_code == 422


def test_the_board_refreshes_only_in_working_hours(platform: Platform) -> None:
    service = platform.supervision
    assert service.in_working_hours(at(10, 9))  # a Tuesday morning
    assert not service.in_working_hours(at(10, 19))  # the same evening
    assert not service.in_working_hours(at(14, 10))  # a Saturday
    assert not service.in_working_hours(datetime(2026, 4, 6, 10, tzinfo=CST))  # 清明 holiday (Monday)


def _sign_in(app: Flask, username: str) -> Any:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    form = {"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/login", data=form).status_code == 302
    return client


def test_the_pages_show_the_board_a_case_with_its_diagram_and_the_efficiency(
    app: Flask, platform: Platform, clock: Any
) -> None:
    win = User(app.test_client(), "win")
    clock.set(at(10, 9))
    case_no = _open(win, LAND_ITEM)
    _ok(win.complete(case_no, "acceptance", {"decision": "accept"}))
    clock.set(at(13))  # 3 of 5 days used: yellow
    browser = _sign_in(app, "sup")
    board = browser.get("/supervision?refresh=5").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="30">' in board  # nobody may ask for more than one per 30 s
    assert f'data-case="{case_no}" data-colour="yellow"' in board
    assert 'href="/supervision"' in board  # the navigation entry
    drill = browser.get(f"/supervision/cases/{case_no}").get_data(as_text=True)
    assert "<svg" in drill and 'data-colour="yellow"' in drill and "3 个工作日" in drill
    assert "审查（含现场踏勘）" in drill  # the current step
    assert browser.get("/supervision/cases/NOPE").status_code == 404
    efficiency = browser.get("/supervision/efficiency?from=2026-03-01&to=2026-03-31")
    text_ = efficiency.get_data(as_text=True)
    assert efficiency.status_code == 200 and "较法定时限提速（可为负）" in text_ and "决定于本期" in text_
    assert browser.get("/supervision/efficiency?from=2026-03-31&to=2026-03-01").status_code == 422

    clock.set(at(13, 19))  # Friday evening: no self-refresh out of hours
    assert 'http-equiv="refresh"' not in browser.get("/supervision?refresh=5").get_data(as_text=True)
    clerk = _sign_in(app, "exam")
    assert clerk.get("/supervision").status_code == 403
    assert clerk.get("/supervision/warned").status_code == 403
    assert clerk.get(f"/supervision/cases/{case_no}").status_code == 403
    assert 'href="/supervision"' not in clerk.get("/inbox").get_data(as_text=True)
