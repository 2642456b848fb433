"""Warning cards on a real item's case with a frozen clock: the case's warning timers across 清明 2026 and a
special procedure that stops the clock, the step timer of its process, the lifecycle (appeal → revoke,
escalate), red cards in the accountability ledger, notifications, and who may do what.

XK-ZFCX-003 (HOUSING): 5 promised working days, examination's own limit 3 working days, 检测 stops the clock.
Accepted Wednesday 4-1, its counted days are 4-2, 4-3, (清明 4-4 … 4-6) 4-7, 4-8, 4-9.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from flask import Flask

from engine.bootstrap import Platform
from engine.services.definitions import read_paths
from tests.conftest import CST, ROOT
from tests.integration.test_cases import PASSWORD, User
from webapp import create_app

ITEM = "XK-ZFCX-003"


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CST)


@pytest.fixture
def app(platform: Platform) -> Flask:
    platform.catalogue.load()
    forms = sorted((ROOT / "forms").glob("*.json"))
    platform.definitions.deploy(read_paths([ROOT / "processes" / "items" / "item_xk_zfcx_003.bpmn", *forms]))
    for name, role in [("win", "window_officer"), ("exam", "case_officer"), ("boss", "approver")]:
        platform.accounts.add_user(name, PASSWORD, [role], "HOUSING")
    platform.accounts.add_user("landboss", PASSWORD, ["approver"], "LAND")
    platform.accounts.add_user("jw", PASSWORD, ["supervisor"], None)
    return create_app(platform, config={"TESTING": True})


def _accepted_case(client: Any, clock: Any, *, claim: bool = True) -> str:
    win, exam = User(client, "win"), User(client, "exam")
    clock.set(at(4, 1, 10))  # Wednesday before 清明
    body = {"item_code": ITEM, "applicant": {"name": "嵩明县某某建设工程质量检测有限公司"}, "materials": ["申请书"]}
    case_no = str(win.post("/cases", body).json["case_no"])
    assert win.complete(case_no, "acceptance", {"decision": "accept"}).status_code == 200
    if claim:
        task = next(t for t in exam.get("/tasks").json if t["case_no"] == case_no)
        assert exam.post(f"/tasks/{task['id']}/claim", {}).status_code == 200
    return case_no


def _timers(platform: Platform, case_no: str) -> dict[str, datetime]:
    with platform.ctx.uow() as uow:
        return dict(uow.warnings.timers_for(case_no))


def _cards(platform: Platform, case_no: str) -> list[tuple[str, str, str]]:
    with platform.ctx.uow() as uow:
        rows = uow.warnings.find(_filter(case_no))
    return sorted((r["trigger"], r["level"], r["step"]) for r in rows)


def _filter(case_no: str) -> Any:
    from engine.domain.warning_cards import WarningFilter

    return WarningFilter(case_no=case_no)


def _fire(platform: Platform, clock: Any, when: datetime) -> list[int]:
    clock.set(when)
    platform.timers.fire_due()  # the process's own timers (a step's deadline)
    return platform.warnings.fire_due().issued


def test_acceptance_schedules_the_colour_changes_past_the_holiday(app: Flask, platform: Platform, clock: Any) -> None:
    case_no = _accepted_case(app.test_client(), clock)
    assert _timers(platform, case_no) == {
        "promised_yellow": at(4, 7),  # 3rd counted day: half of 5 rounded up
        "promised_red": at(4, 9),  # 5th counted day: 90 % of 5 rounded up
        "promised_overdue": at(4, 10),  # after the 5th
    }


def test_yellow_red_and_overdue_are_issued_once_each_as_the_clock_passes_them(
    app: Flask, platform: Platform, clock: Any
) -> None:
    case_no = _accepted_case(app.test_client(), clock)
    assert _fire(platform, clock, at(4, 6, 12)) == []  # 清明: a calendar-day count would be past half by now
    assert len(_fire(platform, clock, at(4, 7, 9))) == 1
    assert _cards(platform, case_no) == [("promised_yellow", "yellow", "")]
    assert _fire(platform, clock, at(4, 7, 10)) == []  # once
    # the examination's own 3 working days end with 4-7: the process's boundary timer fires its script
    _fire(platform, clock, at(4, 8, 9))
    assert ("step_overdue", "red", "examination") in _cards(platform, case_no)
    with platform.ctx.uow() as uow:
        step_card = next(r for r in uow.warnings.find(_filter(case_no)) if r["trigger"] == "step_overdue")
    assert step_card["text"].startswith("环节「审查") and "examination" not in step_card["text"]  # the step's name
    assert len(_fire(platform, clock, at(4, 9, 9))) == 1
    assert len(_fire(platform, clock, at(4, 10, 9))) == 1
    assert _fire(platform, clock, at(4, 13, 9)) == []
    assert _cards(platform, case_no) == [
        ("promised_overdue", "red", ""),
        ("promised_red", "red", ""),
        ("promised_yellow", "yellow", ""),
        ("step_overdue", "red", "examination"),
    ]
    assert _timers(platform, case_no) == {}
    with platform.ctx.uow() as uow:
        cards = {r["trigger"]: r for r in uow.warnings.find(_filter(case_no))}
        ledger = [v for v in uow.violations.for_year(2026) if v["kind"] == "red_card"]
    assert all(card["handler"] == "exam" for card in cards.values())  # who holds the examination task
    red_ids = {f"warning:{c['id']}" for c in cards.values() if c["level"] == "red"}
    assert {v["reference"] for v in ledger} == red_ids and len(ledger) == 3
    assert {(v["username"], v["department"], v["veto"]) for v in ledger} == {("exam", "HOUSING", False)}


def test_a_special_procedure_stops_the_clock_and_moves_the_warnings_later(
    app: Flask, platform: Platform, clock: Any
) -> None:
    client = app.test_client()
    exam = User(client, "exam")
    case_no = _accepted_case(client, clock)
    clock.set(at(4, 2, 10))
    assert exam.complete(case_no, "examination", {"opinion": "送检", "special_procedure": "检测"}).status_code == 200
    assert _timers(platform, case_no) == {}  # paused: nothing can change colour
    assert _fire(platform, clock, at(4, 7, 9)) == []
    clock.set(at(4, 8, 15))
    assert exam.complete(case_no, "special_procedure_end", {"result": "检测合格"}).status_code == 200
    # 4-3, 4-7 and 4-8 were paused: counted days 4-2, 4-9, 4-10, 4-13, 4-14
    assert _timers(platform, case_no) == {
        "promised_yellow": at(4, 10),
        "promised_red": at(4, 14),
        "promised_overdue": at(4, 15),
    }
    assert _fire(platform, clock, at(4, 9, 16)) == []
    assert len(_fire(platform, clock, at(4, 10, 9))) == 1
    assert [c[0] for c in _cards(platform, case_no)] == ["promised_yellow"]


def test_a_decided_case_has_no_warning_timers_left(app: Flask, platform: Platform, clock: Any) -> None:
    client = app.test_client()
    case_no = _accepted_case(client, clock)
    clock.set(at(4, 2, 10))
    User(client, "win").post(f"/cases/{case_no}/withdraw", {"reason": "申请人撤回"})
    assert _timers(platform, case_no) == {}
    assert _fire(platform, clock, at(4, 13, 9)) == []


def test_notifications_reach_the_handler_and_the_chief_representative(app: Flask, clock: Any) -> None:
    client = app.test_client()
    case_no = _accepted_case(client, clock)
    _fire(app.extensions["onestop"], clock, at(4, 7, 9))
    exam, boss, landboss = User(client, "exam"), User(client, "boss"), User(client, "landboss")
    for user in (exam, boss):
        inbox = user.get("/notifications").json
        assert inbox["unread"] == 1 and case_no in inbox["items"][0]["text"], inbox
        assert "黄牌" in inbox["items"][0]["text"]
    assert landboss.get("/notifications").json == {"unread": 0, "items": []}  # another department's chief
    first = exam.get("/notifications").json["items"][0]["id"]
    assert boss.post(f"/notifications/{first}/read", {}).status_code == 404  # not boss's notification
    assert exam.post(f"/notifications/{first}/read", {}).json["unread"] == 0


def test_appeal_then_revoke_marks_the_red_cards_entry_revoked(app: Flask, platform: Platform, clock: Any) -> None:
    client = app.test_client()
    case_no = _accepted_case(client, clock)
    _fire(platform, clock, at(4, 9, 9))  # yellow and red
    exam, boss, jw, landboss = (User(client, n) for n in ("exam", "boss", "jw", "landboss"))
    red = next(w for w in exam.get(f"/warnings?case_no={case_no}&level=red").json if w["trigger"] == "promised_red")
    wid = red["id"]
    assert landboss.post(f"/warnings/{wid}/appeal", {"text": "不是我们的"}).status_code == 404  # cannot even see it
    assert jw.post(f"/warnings/{wid}/appeal", {"text": "x"}).status_code == 403  # the supervisor does not appeal
    assert exam.post(f"/warnings/{wid}/appeal", {"text": ""}).status_code == 422
    appealed = exam.post(f"/warnings/{wid}/appeal", {"text": "检测机构延迟出具报告，已书面说明"})
    assert appealed.status_code == 200 and appealed.json["status"] == "appealed"
    assert exam.post(f"/warnings/{wid}/appeal", {"text": "再次申诉"}).status_code == 409
    assert jw.get("/notifications").json["unread"] == 1  # the supervision window hears of the appeal
    assert boss.post(f"/warnings/{wid}/revoke", {"reason": "同意"}).status_code == 403
    assert jw.post(f"/warnings/{wid}/revoke", {"reason": ""}).status_code == 422
    revoked = jw.post(f"/warnings/{wid}/revoke", {"reason": "经核实，延迟系检测机构原因"})
    assert revoked.status_code == 200 and revoked.json["status"] == "revoked"
    assert revoked.json["revoked_by"] == "jw" and revoked.json["revoked_reason"] == "经核实，延迟系检测机构原因"
    assert jw.post(f"/warnings/{wid}/escalate", {}).status_code == 409  # settled
    with platform.ctx.uow() as uow:
        entry = next(v for v in uow.violations.for_year(2026) if v["reference"] == f"warning:{wid}")
    assert entry["kind"] == "red_card" and entry["details"]["revoked"] is True
    assert entry["details"]["reason"] == "经核实，延迟系检测机构原因"


def test_the_supervision_window_issues_and_escalates_inspection_findings(
    app: Flask, platform: Platform, clock: Any
) -> None:
    client = app.test_client()
    case_no = _accepted_case(client, clock, claim=False)
    exam, boss, jw = User(client, "exam"), User(client, "boss"), User(client, "jw")
    finding = {"case_no": case_no, "trigger": "fee_violation", "text": "收取了指南未列明的资料费", "handler": "win"}
    assert boss.post("/warnings", finding).status_code == 403
    assert jw.post("/warnings", {**finding, "trigger": "promised_red"}).status_code == 422  # only the timers do
    assert jw.post("/warnings", {**finding, "case_no": "NOPE"}).status_code == 422
    issued = jw.post("/warnings", finding)
    assert issued.status_code == 201, issued.json
    card = issued.json
    assert (card["level"], card["status"], card["issued_by"], card["handler"]) == ("red", "issued", "jw", "win")
    assert jw.post("/warnings", finding).status_code == 409  # a trigger warns once per case and step
    assert User(client, "win").get("/notifications").json["unread"] == 1
    escalated = jw.post(f"/warnings/{card['id']}/escalate", {"note": "约谈首席代表"})
    assert escalated.status_code == 200 and escalated.json["status"] == "escalated"
    # staff see their department's cards; another department's chief sees none; the supervisor sees all
    assert [w["id"] for w in exam.get("/warnings").json] == [card["id"]]
    assert User(client, "landboss").get("/warnings").json == []
    assert [w["id"] for w in jw.get("/warnings?status=escalated").json] == [card["id"]]
    assert jw.get("/warnings?status=issued").json == []


def test_a_second_correction_request_is_a_red_card(app: Flask, platform: Platform, clock: Any) -> None:
    client = app.test_client()
    win = User(client, "win")
    clock.set(at(4, 1, 10))
    body = {"item_code": ITEM, "applicant": {"name": "某公司"}, "materials": ["申请书", "营业执照"]}
    case_no = str(win.post("/cases", body).json["case_no"])
    first = {"decision": "correction", "missing": ["资质证明"]}
    assert win.complete(case_no, "acceptance", first).status_code == 200
    assert win.complete(case_no, "correction", {"supplied": True}).status_code == 200
    second = {"decision": "correction", "missing": ["营业执照"]}  # was on file at the first notice
    assert win.complete(case_no, "acceptance", second).status_code == 200
    assert _cards(platform, case_no) == [("second_correction", "red", "acceptance")]
    with platform.ctx.uow() as uow:
        card = uow.warnings.find(_filter(case_no))[0]
    assert card["handler"] == "win" and "营业执照" in card["text"]


def _sign_in(client: Any, username: str) -> str:
    """Sign in through the login page; returns a CSRF token for the forms."""
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True))
    assert token is not None
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)})
    assert response.status_code == 302
    page = client.get("/warnings").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return found.group(1) if found else token.group(1)


def test_the_pages_show_the_cards_the_bell_and_let_the_handler_appeal(app: Flask, clock: Any) -> None:
    case_no = _accepted_case(app.test_client(), clock)
    _fire(app.extensions["onestop"], clock, at(4, 9, 9))  # yellow, the examination's step overdue, red
    handler = app.test_client()
    token = _sign_in(handler, "exam")
    page = handler.get(f"/warnings?case_no={case_no}").get_data(as_text=True)
    assert "黄牌" in page and "红牌" in page and 'data-unread="3"' in page  # the bell in the header
    assert "发出预警" not in page  # only the supervision window issues
    red = next(w for w in User(app.test_client(), "exam").get("/warnings?level=red").json)
    appealed = handler.post(f"/warnings/{red['id']}/appeal", data={"text": "报告延迟", "csrf_token": token})
    assert appealed.status_code == 302
    assert User(app.test_client(), "exam").get(f"/warnings/{red['id']}").json["status"] == "appealed"
    notifications = handler.get("/notifications").get_data(as_text=True)
    assert case_no in notifications
    first = User(app.test_client(), "exam").get("/notifications").json["items"][0]["id"]
    read = handler.post(f"/notifications/{first}/read", data={"csrf_token": token, "next": "//evil.example"})
    assert read.status_code == 302 and read.headers["Location"].endswith("/notifications")
    supervisor = app.test_client()
    token = _sign_in(supervisor, "jw")
    page = supervisor.get("/warnings").get_data(as_text=True)
    assert "发出预警" in page and "督办" in page
    revoked = supervisor.post(f"/warnings/{red['id']}/revoke", data={"text": "核实属实", "csrf_token": token})
    assert revoked.status_code == 302
    assert User(app.test_client(), "jw").get(f"/warnings/{red['id']}").json["status"] == "revoked"


# -- regressions of review 6 -------------------------------------------------------------------------------------
def test_a_second_correction_is_charged_once_and_revoking_its_card_revokes_that_charge(
    app: Flask, platform: Platform, clock: Any
) -> None:
    """Finding 5: the case step already writes the ``second_correction`` entry; the card links to it."""
    client = app.test_client()
    win, jw = User(client, "win"), User(client, "jw")
    clock.set(at(4, 1, 10))
    body = {"item_code": ITEM, "applicant": {"name": "某公司"}, "materials": ["申请书", "营业执照"]}
    case_no = str(win.post("/cases", body).json["case_no"])
    assert win.complete(case_no, "acceptance", {"decision": "correction", "missing": ["资质证明"]}).status_code == 200
    assert win.complete(case_no, "correction", {"supplied": True}).status_code == 200
    assert win.complete(case_no, "acceptance", {"decision": "correction", "missing": ["营业执照"]}).status_code == 200
    with platform.ctx.uow() as uow:
        [card] = uow.warnings.find(_filter(case_no))
        references = {f"case:{case_no}", f"warning:{card['id']}"}
        ledger = [v for v in uow.violations.for_year(2026) if v["reference"] in references]
    assert [(v["kind"], v["username"]) for v in ledger] == [("second_correction", "win")]  # one charge, not two
    assert card["violation_id"] == ledger[0]["id"]
    assert jw.post(f"/warnings/{card['id']}/revoke", {"reason": "首次告知时该材料确未提交"}).status_code == 200
    with platform.ctx.uow() as uow:
        entry = next(v for v in uow.violations.for_year(2026) if v["id"] == card["violation_id"])
    assert entry["details"]["revoked"] is True and entry["details"]["items"] == ["营业执照"]


def test_a_counted_pause_keeps_the_warning_timers_and_the_cards_come(
    app: Flask, platform: Platform, clock: Any
) -> None:
    """Finding 7: 现场核查 counts toward the limit (the catalogue says so): the clock runs, the warnings too."""
    client = app.test_client()
    case_no = _accepted_case(client, clock)
    before = _timers(platform, case_no)
    clock.set(at(4, 2, 10))
    inspection = {"opinion": "现场核查", "special_procedure": "现场核查"}
    assert User(client, "exam").complete(case_no, "examination", inspection).status_code == 200
    with platform.ctx.uow() as uow:
        assert uow.cases.get(case_no)["status"] == "paused"
    assert _timers(platform, case_no) == before
    assert len(_fire(platform, clock, at(4, 7, 9))) == 1  # still in the counted pause
    assert [c[0] for c in _cards(platform, case_no)] == ["promised_yellow"]


def test_a_malformed_threshold_in_a_stored_guide_does_not_break_acceptance(
    app: Flask, platform: Platform, clock: Any
) -> None:
    """Finding 8: a guide stored before the catalogue checked ``warning`` (or edited by hand) gives the defaults."""
    with platform.ctx.uow(write=True) as uow:
        item = uow.catalogue.get(ITEM)
        guide = {**item["guide"], "warning": {"yellow": 0.5, "red": 0.9, "short_limit_days": None}}
        uow.catalogue.upsert({**item, "guide": guide}, clock.now())
        uow.commit()
    case_no = _accepted_case(app.test_client(), clock)
    assert _timers(platform, case_no) == {
        "promised_yellow": at(4, 7),
        "promised_red": at(4, 9),
        "promised_overdue": at(4, 10),
    }
    assert User(app.test_client(), "jw").get("/supervision/dashboard").status_code == 200


DEFAULT_TIMERS = {"promised_yellow": at(4, 7), "promised_red": at(4, 9), "promised_overdue": at(4, 10)}


def test_rebuilding_restores_the_timers_of_open_cases_and_is_idempotent(
    app: Flask, platform: Platform, clock: Any
) -> None:
    """Finding 6: cases that were open at the upgrade had no timers; the rebuild gives them theirs, once."""
    client = app.test_client()
    case_no = _accepted_case(client, clock)
    withdrawn = _accepted_case(client, clock, claim=False)
    clock.set(at(4, 2, 10))
    User(client, "win").post(f"/cases/{withdrawn}/withdraw", {"reason": "申请人撤回"})
    with platform.ctx.uow(write=True) as uow:
        uow.warnings.replace_timers(case_no, {})  # as after the upgrade that added warning_timers
        uow.warnings.replace_timers(withdrawn, {"promised_yellow": at(4, 7)})  # a stale leftover
        uow.commit()
    assert platform.warnings.rebuild_all() == 1
    assert _timers(platform, case_no) == DEFAULT_TIMERS
    assert _timers(platform, withdrawn) == {}
    assert len(_fire(platform, clock, at(4, 7, 9))) == 1
    assert platform.warnings.rebuild_all() == 1  # again: the issued yellow is not scheduled again
    assert _timers(platform, case_no) == {k: v for k, v in DEFAULT_TIMERS.items() if k != "promised_yellow"}
    assert _fire(platform, clock, at(4, 7, 10)) == []


def test_the_scheduler_rebuilds_the_timers_when_it_starts(app: Flask, platform: Platform, clock: Any) -> None:
    """Started after the case's colours changed (nothing ran, and the case had no timers): the start-up pass
    rebuilds the timers and fires the due ones at once (all of them: nothing is left to wake up for)."""
    from engine.scheduler import TimerScheduler

    case_no = _accepted_case(app.test_client(), clock)
    clock.set(at(4, 13, 9))
    platform.timers.fire_due()  # the process's own timers ran already (they reschedule the case's warnings)
    with platform.ctx.uow(write=True) as uow:
        uow.warnings.replace_timers(case_no, {})
        uow.commit()
    scheduler = TimerScheduler(platform, safety_interval=3600)
    scheduler.start()
    scheduler.shutdown()
    assert [c[0] for c in _cards(platform, case_no) if c[2] == ""] == [
        "promised_overdue",
        "promised_red",
        "promised_yellow",
    ]


def test_loading_an_item_s_new_thresholds_reschedules_its_open_cases(
    app: Flask, platform: Platform, clock: Any, tmp_path: Any
) -> None:
    case_no = _accepted_case(app.test_client(), clock)
    text = (ROOT / "processes" / "catalog.toml").read_text(encoding="utf-8")
    start = text.index(f'code = "{ITEM}"')
    end = text.index("promised_days = 5\n", start) + len("promised_days = 5\n")
    stricter = text[:end] + "warning = { yellow = 0.2, red = 0.4 }\n" + text[end:]
    (tmp_path / "catalog.toml").write_text(stricter, encoding="utf-8")
    (tmp_path / "organisation.toml").write_text(
        (ROOT / "processes" / "organisation.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    platform.catalogue.load(tmp_path)
    # yellow from the 1st counted day (4-2), red from the 2nd (4-3); the limit itself is unchanged
    assert _timers(platform, case_no) == {
        "promised_yellow": at(4, 2),
        "promised_red": at(4, 3),
        "promised_overdue": at(4, 10),
    }


def test_a_calendar_change_reschedules_the_open_cases(app: Flask, platform: Platform, clock: Any) -> None:
    from datetime import date

    from engine.domain.calendar import DayRule
    from tests.conftest import ADMIN

    case_no = _accepted_case(app.test_client(), clock)
    platform.calendar.set_day(ADMIN, DayRule(date(2026, 4, 8), False, "临时调休", "admin"))
    # counted days now 4-2, 4-3, 4-7, 4-9, 4-10
    assert _timers(platform, case_no) == {
        "promised_yellow": at(4, 7),
        "promised_red": at(4, 10),
        "promised_overdue": at(4, 11),
    }


def test_the_red_cards_reach_the_accountability_view_and_the_annual_evaluation(
    app: Flask, platform: Platform, clock: Any
) -> None:
    case_no = _accepted_case(app.test_client(), clock)
    for day in (7, 8, 9, 10):
        _fire(platform, clock, at(4, day, 9))
    jw = platform.accounts.principal("jw")
    assert jw is not None
    entries = platform.accountability.entries(jw, year=2026, username="exam")
    assert sorted(e["kind"] for e in entries) == ["red_card"] * 3 and not any(e["revoked"] for e in entries)
    evaluation = platform.accountability.annual_evaluation(jw, 2026)
    person = next(p for p in evaluation["people"] if p["key"] == "exam")
    assert (
        person["counts"] == {"red_card": 3}
        and person["score"] == evaluation["rules"]["base"] - 3 * evaluation["rules"]["deductions"]["red_card"]
    )
    assert not person["veto"] and person["department"] == "HOUSING"
    housing = next(d for d in evaluation["departments"] if d["key"] == "HOUSING")
    assert housing["violations"] == 3 and housing["rank"] is not None
    assert case_no
