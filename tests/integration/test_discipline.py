"""Window discipline on a real database with a frozen clock: officers sign in on time, late or not at all and
leave their post; the live window view shows who is staffed, away (why, how long) or missing with the rules
broken so far; the day's close writes the right accountability entries once; the public window board shows
who is on duty at each window and follows the officers' sign-outs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from engine.errors import FormValidationError, InvalidTransition, PermissionDenied
from tests.conftest import CST, principal

DAY = date(2026, 3, 10)  # a Tuesday
A = principal("ofc_a", ("window_officer", "CENTRE"))  # 综合受理窗口 W01
B = principal("ofc_b", ("window_officer", "DRC"))  # W03
C = principal("ofc_c", ("window_officer", "LAND"))  # W04
SUPERVISOR = principal("supervisor", ("supervisor", None))
LAND_CHIEF = principal("land_chief", ("approver", "LAND"))
ADMIN = principal("admin", ("admin", None))


def at(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=CST)


@pytest.fixture
def centre(platform: Platform) -> Platform:
    platform.catalogue.load()  # the organisation (windows, departments) and the catalogue (items per window)
    for who, name, department, window in [
        ("ofc_a", "刘婷", "CENTRE", "W01"),
        ("ofc_b", "王静", "DRC", "W03"),
        ("ofc_c", "李明", "LAND", "W04"),
    ]:
        platform.accounts.add_user(who, "pw-" + who, ["window_officer"], department, window, display_name=name)
    platform.accounts.add_user("supervisor", "pw-s", ["supervisor"], None, "W29", display_name="马文涛")
    # enrolment for window duty: the centre issues each officer the 工号 the public board shows
    for number, who in [(1, "ofc_a"), (2, "ofc_b"), (3, "ofc_c"), (5, "supervisor")]:  # the demo's numbering
        platform.disclosure.set_card(ADMIN, who, {"staff_number": f"SM-{number:04d}"})
    return platform


def window(view: dict[str, Any], code: str) -> dict[str, Any]:
    return next(w for w in view["windows"] if w["code"] == code)


def board(platform: Platform, code: str) -> dict[str, Any]:
    return next(w for w in platform.discipline.public_windows() if w["code"] == code)


def ledger(platform: Platform) -> list[tuple[str, str, str, int]]:
    with platform.ctx.uow() as uow:
        rows = uow.violations.for_year(2026)
    return sorted((r["kind"], r["username"], r["details"]["rule"], r["details"]["deduction"]) for r in rows)


def morning(platform: Platform, clock: FrozenClock) -> None:
    """A on time, B seven minutes late, C and the supervisor never come; A leaves the post at ten."""
    clock.set(at(8, 55))
    platform.discipline.sign_in(A)
    clock.set(at(9, 7))
    platform.discipline.sign_in(B)
    clock.set(at(10, 0))
    platform.discipline.leave_post(A, "到后台取档案")


def test_the_live_view_shows_staffed_away_and_unstaffed_windows_with_the_rules_broken(
    centre: Platform, clock: FrozenClock
) -> None:
    morning(centre, clock)
    clock.set(at(10, 20))
    view = centre.discipline.live_windows(SUPERVISOR)
    assert view["working"] and view["session"] == "am"
    w01, w03, w04 = window(view, "W01"), window(view, "W03"), window(view, "W04")
    assert w01["status"] == "away"
    [officer] = w01["officers"]
    assert officer["leave"]["reason"] == "到后台取档案" and officer["leave"]["minutes"] == 20
    assert officer["leave"]["over_limit"] and officer["since"] == at(10, 0)
    assert [b["rule"] for b in w01["breaches"]] == ["leaving_post"]
    assert w03["status"] == "staffed" and [(b["rule"], b["minutes"]) for b in w03["breaches"]] == [("late", 7)]
    assert w04["status"] == "unstaffed" and w04["officers"][0]["state"] == "not_signed_in"
    assert window(view, "W02")["status"] == "unstaffed"  # nobody is assigned there at all
    assert view["counts"]["staffed"] >= 1 and view["counts"]["away"] == 1

    centre.discipline.return_to_post(A)
    assert window(centre.discipline.live_windows(SUPERVISOR), "W01")["status"] == "staffed"
    clock.set(at(12, 30))  # lunch: nobody is expected, so a window nobody sits at is closed, not unstaffed
    assert window(centre.discipline.live_windows(SUPERVISOR), "W04")["status"] == "closed"


def test_only_the_supervision_window_and_administrators_watch_the_windows(centre: Platform) -> None:
    with pytest.raises(PermissionDenied):
        centre.discipline.live_windows(A)
    assert centre.discipline.live_windows(principal("admin", ("admin", None)))["windows"]


def test_the_public_board_shows_who_is_on_duty_and_follows_the_sign_out(centre: Platform, clock: FrozenClock) -> None:
    centre.disclosure.set_card(ADMIN, "ofc_a", {"staff_number": "SM-0101", "title": "综合受理员"})
    clock.set(at(8, 58))
    centre.discipline.sign_in(A)
    w01 = board(centre, "W01")
    assert w01["on_duty"] == [
        {"name": "刘婷", "staff_number": "SM-0101", "title": "综合受理员", "phone": "0871-60000101", "away": False}
    ]
    assert board(centre, "W04")["on_duty"] == []
    assert {i["code"] for i in board(centre, "W04")["items"]} >= {"XK-ZRZY-001"}  # the items handled there
    clock.set(at(10, 0))
    centre.discipline.leave_post(A, "如厕")
    assert board(centre, "W01")["on_duty"][0]["away"] is True  # the reason stays with the supervisor
    clock.set(at(12, 0))
    centre.discipline.sign_out(A)
    assert board(centre, "W01")["on_duty"] == []


def test_closing_the_day_writes_each_breach_once(centre: Platform, clock: FrozenClock) -> None:
    morning(centre, clock)
    clock.set(at(10, 20))
    centre.discipline.return_to_post(A)
    clock.set(at(12, 0))
    centre.discipline.sign_out(A), centre.discipline.sign_out(B)
    clock.set(at(12, 55))
    centre.discipline.sign_in(A), centre.discipline.sign_in(B)
    clock.set(at(16, 52))
    centre.discipline.sign_out(A)  # eight minutes early; B forgets to sign out
    with pytest.raises(InvalidTransition):
        centre.discipline.close_day(DAY)  # the afternoon is not over
    clock.set(at(17, 30))
    written = centre.discipline.close_day(DAY)
    expected = [
        ("attendance", "ofc_a", "early", 1),
        ("attendance", "ofc_b", "late", 1),
        ("attendance", "ofc_b", "missed_sign", 2),
        ("attendance", "ofc_c", "absent", 5),
        ("attendance", "ofc_c", "absent", 5),
        ("attendance", "supervisor", "absent", 5),
        ("attendance", "supervisor", "absent", 5),
        ("leaving_post", "ofc_a", "leaving_post", 3),
    ]
    assert written == len(expected) and ledger(centre) == expected
    assert centre.discipline.close_day(DAY) == 0 and centre.discipline.close_due() == 0
    assert ledger(centre) == expected
    with centre.ctx.uow() as uow:
        rows = uow.violations.for_year(2026)
        leave = next(r for r in rows if r["kind"] == "leaving_post")
        assert leave["reference"].startswith("post_leave:") and leave["veto"] is False
        assert leave["details"]["minutes"] == 20 and leave["details"]["reason"] == "到后台取档案"
        late = next(r for r in rows if r["details"]["rule"] == "late")
        assert late["reference"].startswith("attendance:") and late["department"] == "DRC"
        statuses = {(r["username"], r["session"]): r["status"] for r in uow.discipline.attendance_on(DAY)}
    assert statuses[("ofc_b", "pm")] == "missed_sign_out" and statuses[("ofc_c", "am")] == "absent"


def test_an_approved_absence_and_a_day_off_cost_no_points(centre: Platform, clock: FrozenClock) -> None:
    clock.set(at(9, 0))
    centre.discipline.sign_in(C)
    clock.set(at(9, 30))
    leave = centre.discipline.leave_post(C, "参加局里业务培训")
    with pytest.raises(PermissionDenied):
        centre.discipline.approve_leave(A, leave["id"])
    centre.discipline.approve_leave(LAND_CHIEF, leave["id"])
    clock.set(at(17, 30))
    centre.discipline.close_day(DAY)
    # the approved absence itself costs nothing; the sign-out C never made and the afternoon still do
    assert [r for r in ledger(centre) if r[1] == "ofc_c"] == [
        ("attendance", "ofc_c", "absent", 5),
        ("attendance", "ofc_c", "missed_sign", 2),
    ]
    clock.set(at(18, 0, day=14))  # Saturday the 14th: nobody is expected
    assert centre.discipline.close_day(date(2026, 3, 14)) == 0


def test_signing_rules_refuse_what_makes_no_sense(centre: Platform, clock: FrozenClock) -> None:
    clock.set(at(8, 0))
    with pytest.raises(InvalidTransition):
        centre.discipline.sign_out(A)  # before any session
    with pytest.raises(InvalidTransition):
        centre.discipline.leave_post(A, "外出")  # not signed in
    centre.discipline.sign_in(A)
    with pytest.raises(InvalidTransition):
        centre.discipline.sign_in(A)
    with pytest.raises(FormValidationError):
        centre.discipline.leave_post(A, "  ")
    with pytest.raises(PermissionDenied):
        centre.discipline.sign_in(principal("admin", ("admin", None)))  # no window
    clock.set(at(13, 10))
    row = centre.discipline.sign_out(B)  # B never signed in this afternoon: the sign-out alone is kept
    assert row["status"] == "missed_sign_in" and row["session"] == "pm"
    clock.set(at(17, 5))
    with pytest.raises(InvalidTransition):
        centre.discipline.sign_in(B)  # the working day is over


def test_the_demo_signs_most_officers_in_and_fills_the_boards(centre: Platform) -> None:
    from engine.demo_discipline import generate_discipline

    centre.accounts.add_user("housing_clerk", "pw", ["window_officer"], "HOUSING", "W06", display_name="黄丽")
    lines: list[str] = []
    assert generate_discipline(centre.settings, lines.append) == 5, lines
    admin = principal("admin", ("admin", None))
    assert [c["staff_number"] for c in centre.disclosure.staff_cards(admin)] == [f"SM-{n:04d}" for n in range(1, 6)]
    assert [a["pinned"] for a in centre.disclosure.announcements()] == [True, False]
    today = datetime.now(CST).date()  # the demo runs on the real clock
    with centre.ctx.uow() as uow:
        [leave] = uow.discipline.leaves_on(today)
        signed_in = {r["username"] for r in uow.discipline.attendance_on(today)}
    assert leave["username"] == "housing_clerk" and leave["returned_at"] is None
    assert signed_in == {"ofc_a", "ofc_b", "ofc_c", "supervisor", "housing_clerk"}


# -- review 6 regressions -----------------------------------------------------------------------------------
def test_a_missed_close_is_caught_up_the_next_morning(centre: Platform, clock: FrozenClock) -> None:
    """The scheduler was down at 17:30 on the 10th and starts at 08:00 on the 11th: the 10th is closed then."""
    morning(centre, clock)
    clock.set(at(8, 0, day=11))
    assert centre.discipline.close_due() > 0
    assert ("attendance", "ofc_c", "absent", 5) in ledger(centre)
    with centre.ctx.uow() as uow:
        assert all(r["closed_at"] is not None for r in uow.discipline.attendance_on(DAY))
        assert uow.discipline.attendance_on(date(2026, 3, 11)) == []  # the 11th is not over: left alone
    assert centre.discipline.close_due() == 0


def test_a_day_nobody_signed_at_all_is_closed_after_a_closed_day(centre: Platform, clock: FrozenClock) -> None:
    clock.set(at(9, 0))
    centre.discipline.sign_in(A)
    clock.set(at(17, 30))
    centre.discipline.close_due()
    clock.set(at(17, 45, day=12))  # the 11th passed with no record at all and no close; the 12th is over
    centre.discipline.close_due()
    with centre.ctx.uow() as uow:
        rows = uow.violations.for_year(2026)
    days = {r["details"]["work_date"] for r in rows if r["username"] == "ofc_c"}
    assert days == {"2026-03-10", "2026-03-11", "2026-03-12"}


def test_a_leave_nobody_ended_does_not_block_the_next_day(centre: Platform, clock: FrozenClock) -> None:
    clock.set(at(13, 0))
    centre.discipline.sign_in(A)
    clock.set(at(16, 30))
    first = centre.discipline.leave_post(A, "外出送件")  # never returns, never signs out
    clock.set(at(17, 30))
    centre.discipline.close_due()
    with centre.ctx.uow() as uow:
        closed = uow.discipline.leave(first["id"])
    assert closed is not None and closed["returned_at"] == at(17, 0) and closed["minutes"] == 30
    clock.set(at(9, 0, day=11))
    centre.discipline.sign_in(A)
    assert centre.discipline.my_day(A)["away"] is False
    clock.set(at(10, 0, day=11))
    second = centre.discipline.leave_post(A, "到后台取档案")  # yesterday's absence no longer blocks this
    clock.set(at(10, 5, day=11))
    assert centre.discipline.return_to_post(A)["id"] == second["id"]
    clock.set(at(12, 0, day=11))
    centre.discipline.sign_out(A)
    with centre.ctx.uow() as uow:
        again = uow.discipline.leave(first["id"])
    assert again is not None and again["minutes"] == 30  # not "ended" by today's sign-out (1,860 minutes)


def test_no_change_once_the_day_is_closed(centre: Platform, clock: FrozenClock) -> None:
    clock.set(at(13, 0))
    centre.discipline.sign_in(A), centre.discipline.sign_in(B)
    clock.set(at(17, 0))
    centre.discipline.close_day(DAY)  # closed by hand as soon as the afternoon ended
    clock.set(at(17, 10))
    before = ledger(centre)
    assert ("attendance", "ofc_b", "missed_sign", 2) in before
    with pytest.raises(InvalidTransition):
        centre.discipline.sign_out(B)  # the ledger says B never signed out: the record must agree
    with pytest.raises(InvalidTransition):
        centre.discipline.leave_post(A, "外出")
    with centre.ctx.uow() as uow:
        row = next(r for r in uow.discipline.attendance_on(DAY, "ofc_b") if r["session"] == "pm")
    assert row["signed_out_at"] is None and ledger(centre) == before


def test_nothing_is_recorded_after_the_closing_time_even_before_the_close_ran(
    centre: Platform, clock: FrozenClock
) -> None:
    clock.set(at(13, 0))
    centre.discipline.sign_in(B)
    clock.set(at(17, 40))  # past close_at; the scheduler has not run yet
    with pytest.raises(InvalidTransition):
        centre.discipline.sign_out(B)
    centre.discipline.close_due()
    assert ("attendance", "ofc_b", "missed_sign", 2) in ledger(centre)


def test_the_discipline_deductions_count_in_the_annual_evaluation(centre: Platform, clock: FrozenClock) -> None:
    clock.set(at(9, 7))
    centre.discipline.sign_in(B)  # seven minutes late; never signs out, never comes back after lunch
    clock.set(at(17, 30))
    centre.discipline.close_due()
    view = centre.accountability.annual_evaluation(SUPERVISOR, 2026)
    people = {p["key"]: p for p in view["people"]}
    # ofc_c never came: two half days of 旷工 at −5 each (discipline.toml), not the ledger's default −1
    assert people["ofc_c"]["deductions"] == 10 and people["ofc_c"]["score"] == 90
    # ofc_b: late (−1), missed sign-out (−2), absent in the afternoon (−5)
    assert people["ofc_b"]["deductions"] == 8


def test_nobody_approves_their_own_leave(centre: Platform, clock: FrozenClock) -> None:
    centre.accounts.add_user("land_chief", "pw-lc", ["approver"], "LAND", "W05", display_name="张强")
    centre.disclosure.set_card(ADMIN, "land_chief", {"staff_number": "SM-0009"})
    clock.set(at(9, 0))
    centre.discipline.sign_in(LAND_CHIEF), centre.discipline.sign_in(SUPERVISOR)
    clock.set(at(9, 30))
    own = centre.discipline.leave_post(LAND_CHIEF, "私事")
    with pytest.raises(PermissionDenied):
        centre.discipline.approve_leave(LAND_CHIEF, own["id"])  # the chief representative of LAND
    mine = centre.discipline.leave_post(SUPERVISOR, "私事")
    with pytest.raises(PermissionDenied):
        centre.discipline.approve_leave(SUPERVISOR, mine["id"])  # not even the supervision window
    assert centre.discipline.approve_leave(SUPERVISOR, own["id"])["approved_by"] == "supervisor"


def test_only_officers_with_a_staff_number_keep_attendance(centre: Platform, clock: FrozenClock) -> None:
    """A window officer the centre has not issued a 工号 is not enrolled for window duty: not expected,
    not shown on the live view, not recorded absent — so a fresh install without sign-ins records nobody."""
    ofc_d = principal("ofc_d", ("window_officer", "LAND"))
    centre.accounts.add_user("ofc_d", "pw-d", ["window_officer"], "LAND", "W05", display_name="赵敏")
    clock.set(at(9, 0))
    with pytest.raises(PermissionDenied):
        centre.discipline.sign_in(ofc_d)
    assert centre.discipline.my_day(ofc_d)["assigned"] is False
    officers = [o["username"] for w in centre.discipline.live_windows(SUPERVISOR)["windows"] for o in w["officers"]]
    assert "ofc_d" not in officers and "ofc_c" in officers
    clock.set(at(17, 30))
    centre.discipline.close_due()
    assert [r for r in ledger(centre) if r[1] == "ofc_d"] == []
    assert ("attendance", "ofc_c", "absent", 5) in ledger(centre)
    centre.disclosure.set_card(ADMIN, "ofc_d", {"staff_number": "SM-0010"})  # enrolled from now on
    clock.set(at(9, 0, day=11))
    assert centre.discipline.sign_in(ofc_d)["window"] == "W05"
