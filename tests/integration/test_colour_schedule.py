"""The supervision board's stored colour schedule (``case_colours``) against the clocks, on real cases driven
through their processes with a frozen clock: plain, paused (检测, not counted) and still paused, paused then
resumed, counted (现场核查), corrected then accepted, extended, withdrawn, decided late; across 清明 and 劳动节
2026, a calendar change, new thresholds, and a key-project review waiting for its prerequisite. At several
instants every stored row gives the colour ``read_colour`` reads from the case's clock, only accepted and
undecided cases have a row, and the board's counts and worst-first lists equal those computed per case.
Leave out the maintenance on any path and the comparison fails."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from engine.domain.calendar import DayRule
from engine.domain.case_codec import case_from_dict
from engine.domain.colour_schedule import ColourSchedule
from engine.domain.warnings import ColourReading, read_colour, thresholds_for
from engine.services.catalogue import plain
from engine.services.colour_schedule import rebuild_colour_schedule
from engine.services.definitions import read_paths
from tests.conftest import ADMIN, CST, ROOT, principal
from tests.integration.test_cases import PASSWORD, User
from tests.integration.test_fast_track import DEPENDENT, OFFICE, OFFICERS, ready, register, triage
from webapp import create_app

ITEM = "XK-ZFCX-003"  # HOUSING, 5 promised working days; 检测 stops the clock, 现场核查 counts
SUPERVISOR = principal("jw", ("supervisor", None))
CLOCKED = ("accepted", "paused")


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CST)


LATER = [at(4, 8, 16), at(4, 9, 9), at(4, 10), at(4, 13, 10), at(4, 20, 10), at(4, 30, 17), at(5, 6, 9)]


@pytest.fixture
def app(platform: Platform) -> Flask:
    platform.catalogue.load()
    forms = sorted((ROOT / "forms").glob("*.json"))
    platform.definitions.deploy(read_paths([ROOT / "processes" / "items" / "item_xk_zfcx_003.bpmn", *forms]))
    staff = [("win", "window_officer"), ("exam", "case_officer"), ("rev", "reviewer"), ("boss", "approver")]
    for name, role in staff:
        platform.accounts.add_user(name, PASSWORD, [role], "HOUSING")
    return create_app(platform, config={"TESTING": True})


# -- the comparison ---------------------------------------------------------------------------------------------
def _readings(platform: Platform, now: datetime) -> dict[str, tuple[ColourReading, str]]:
    """Each accepted, undecided case's reading at ``now`` from its own clock, and its department."""
    calendar = platform.ctx.runtime_calendar()
    found = {}
    with platform.ctx.uow() as uow:
        for row in uow.supervision_board.cases_in_status(CLOCKED):
            case = case_from_dict(row["record"])
            limits = thresholds_for((uow.catalogue.get(case.item_code) or {}).get("guide"))
            assert case.clock is not None
            found[row["case_no"]] = (read_colour(case.clock, now, calendar, limits), row["department"])
    return found


def _stored(platform: Platform) -> dict[str, dict[str, Any]]:
    with platform.ctx.uow() as uow:
        return {r["case_no"]: r for r in uow.case_colours.all()}


def _schedule(row: dict[str, Any]) -> ColourSchedule:
    return ColourSchedule(row["yellow_at"], row["red_at"], row["overdue_at"], row["paused"], row["remaining_days"])


def assert_exact(platform: Platform, instants: list[datetime]) -> None:
    stored = _stored(platform)
    for now in instants:
        readings = _readings(platform, now)
        assert set(stored) == set(readings), now  # a row for every clocked case and for nothing else
        for case_no, (reading, _) in readings.items():
            assert _schedule(stored[case_no]).colour_at(now) is reading.colour, (case_no, now, stored[case_no])
        board = platform.supervision.dashboard(SUPERVISOR, now=now)
        expected = Counter(r.colour.value for r, _ in readings.values())
        assert {c: n for c, n in board.total.colours.items() if n} == dict(expected), now
        per_department = Counter((d, r.colour.value) for r, d in readings.values())
        for row in board.departments:
            assert {c: n for c, n in row.colours.items() if n} == {
                c: n for (d, c), n in per_department.items() if d == row.code
            }
        worst = sorted(
            (r for r in readings.items() if r[1][0].colour.rank > 0),
            key=lambda r: (-r[1][0].colour.rank, r[1][0].remaining_days, r[0]),
        )
        assert [c.case_no for c in board.warned] == [case_no for case_no, _ in worst][: board.list_limit]
        assert board.warned_total == len(worst)
        overdue = [case_no for case_no, (r, _) in worst if r.colour.value == "overdue"]
        assert [c.case_no for c in board.overdue] == overdue[: board.list_limit]
        assert board.overdue_total == len(overdue)
        page = platform.supervision.warned_page(SUPERVISOR, per_page=2, page=2, now=now)
        assert [c.case_no for c in page.cases] == [case_no for case_no, _ in worst][2:4]


# -- driving the cases ----------------------------------------------------------------------------------------
def _open(win: User, clock: FrozenClock, when: datetime) -> str:
    clock.set(when)
    body = {"item_code": ITEM, "applicant": {"name": "嵩明县某某建设工程质量检测有限公司"}, "materials": ["申请书"]}
    return str(win.post("/cases", body).json["case_no"])


def _ok(response: Any) -> None:
    assert response.status_code == 200, response.json


def _accepted(win: User, clock: FrozenClock, when: datetime) -> str:
    case_no = _open(win, clock, when)
    _ok(win.complete(case_no, "acceptance", {"decision": "accept"}))
    return case_no


def _cases(app: Flask, clock: FrozenClock) -> dict[str, str]:
    client = app.test_client()
    win, exam, rev, boss = (User(client, n) for n in ("win", "exam", "rev", "boss"))
    cases = {name: _accepted(win, clock, at(4, 1, 10)) for name in ("plain", "paused", "resumed", "site", "late")}
    cases["extended"] = _accepted(win, clock, at(3, 30, 9))
    cases["withdrawn"] = _accepted(win, clock, at(4, 1, 11))
    cases["corrected"] = _open(win, clock, at(4, 1, 11))
    _ok(win.complete(cases["corrected"], "acceptance", {"decision": "correction", "missing": ["排水水质检测报告"]}))
    clock.set(at(4, 2, 10))
    _ok(exam.complete(cases["paused"], "examination", {"opinion": "送检", "special_procedure": "检测"}))
    _ok(exam.complete(cases["resumed"], "examination", {"opinion": "送检", "special_procedure": "检测"}))
    _ok(exam.complete(cases["site"], "examination", {"opinion": "核查", "special_procedure": "现场核查"}))
    request = {"opinion": "情况复杂", "extension_requested": True, "extension_reason": "需补充核查"}
    _ok(exam.complete(cases["extended"], "examination", request))
    _ok(boss.complete(cases["extended"], "extension", {"approved": True, "reason": "同意延期"}))
    _ok(exam.complete(cases["late"], "examination", {"opinion": "符合条件"}))
    assert win.post(f"/cases/{cases['withdrawn']}/withdraw", {"reason": "申请人撤回"}).status_code == 200
    clock.set(at(4, 3, 15))
    _ok(win.complete(cases["corrected"], "correction", {"supplied": True}))
    _ok(win.complete(cases["corrected"], "acceptance", {"decision": "accept"}))
    return cases


def test_the_stored_schedule_follows_every_clock_change_and_the_board_counts_it_exactly(
    app: Flask, platform: Platform, clock: FrozenClock
) -> None:
    cases = _cases(app, clock)
    assert_exact(platform, [at(4, 3, 16), at(4, 7, 9), at(4, 8, 9)])
    stored = _stored(platform)
    assert stored[cases["paused"]]["paused"] and not stored[cases["site"]]["paused"]
    assert cases["withdrawn"] not in stored

    client = app.test_client()
    exam, rev, boss = (User(client, n) for n in ("exam", "rev", "boss"))
    clock.set(at(4, 8, 15))
    _ok(exam.complete(cases["resumed"], "special_procedure_end", {"result": "检测合格"}))
    assert not _stored(platform)[cases["resumed"]]["paused"]
    assert_exact(platform, LATER)

    clock.set(at(4, 13, 10))  # the promised limit ran out on 4-9: decided late, the case leaves the board
    _ok(rev.complete(cases["late"], "review", {"approved": True, "opinion": "同意"}))
    _ok(boss.complete(cases["late"], "decision", {"approved": True}))
    assert cases["late"] not in _stored(platform)
    assert_exact(platform, LATER[3:])


def test_a_calendar_change_and_new_thresholds_rebuild_the_schedule(
    app: Flask, platform: Platform, clock: FrozenClock
) -> None:
    _cases(app, clock)
    platform.calendar.set_day(ADMIN, DayRule(date(2026, 4, 8), False, "临时调休", "admin"))
    assert_exact(platform, LATER)
    with platform.ctx.uow(write=True) as uow:
        item = uow.catalogue.get(ITEM)
        uow.catalogue.upsert(
            {**item, "guide": plain({**item["guide"], "warning": {"yellow": 0.2, "red": 0.4}})}, at(4, 8)
        )
        uow.commit()
    for hook in platform.catalogue.after_load:  # what a catalogue load runs after writing the items
        hook()
    assert_exact(platform, LATER)


def test_a_rebuild_from_nothing_gives_the_rows_the_transactions_kept(
    app: Flask, platform: Platform, clock: FrozenClock
) -> None:
    _cases(app, clock)
    kept = _stored(platform)
    with platform.ctx.uow(write=True) as uow:
        uow.case_colours.replace_all([])  # an upgraded database, or cases written straight into it
        uow.commit()
    assert rebuild_colour_schedule(platform.ctx, at(4, 8, 9)) == len(kept)
    rebuilt = _stored(platform)
    assert {k: {**r, "computed_at": None} for k, r in rebuilt.items()} == {
        k: {**r, "computed_at": None} for k, r in kept.items()
    }


def test_a_key_project_review_waiting_for_its_prerequisite_stops_and_restarts_its_stored_clock(
    platform: Platform, clock: FrozenClock
) -> None:
    platform.catalogue.load()
    forms = sorted((ROOT / "forms").glob("*.json"))
    processes = [ROOT / "processes" / "fast_track.bpmn", ROOT / "processes" / "fast_track_review.bpmn"]
    platform.definitions.deploy(read_paths([*processes, *forms]), actor="test")
    platform.accounts.add_user("fasttrack", "pw-fasttrack-1", ["fast_track_officer"], "CENTRE")
    code = register(platform)
    triage(platform, code)
    (task_id,) = ready(platform, OFFICERS["HOUSING"], "pre_review")
    platform.tasks.complete(OFFICERS["HOUSING"], task_id, {"opinion": "预审完毕，待用地结果"})
    waiting = next(c for c in platform.projects.show(OFFICE, code).children if c.item_code == DEPENDENT)
    assert _stored(platform)[waiting.case_no]["paused"]
    assert_exact(platform, [datetime(2026, 3, 12, 10, tzinfo=CST), datetime(2026, 3, 20, 10, tzinfo=CST)])

    clock.set(datetime(2026, 3, 16, 10, 0, tzinfo=CST))  # the land decides: the housing review resumes
    (task_id,) = ready(platform, OFFICERS["LAND"], "pre_review")
    platform.tasks.complete(OFFICERS["LAND"], task_id, {"opinion": "同意"})
    land_approver = principal("approver_land", ("approver", "LAND"))
    (task_id,) = ready(platform, land_approver, "decision")
    platform.tasks.complete(land_approver, task_id, {"approved": True})
    assert not _stored(platform)[waiting.case_no]["paused"]
    assert_exact(platform, [datetime(2026, 3, d, 10, tzinfo=CST) for d in (16, 18, 19, 20, 23, 30)])
