"""Statistics after review 6: GET /stats's top-level figures are the metrics' (one definition each); warning cards
counted from the warning table with revoked ones apart, revoked ledger entries left out; a period of at most 366
days; and only the cases that can count in a period read from the database."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask

from engine.bootstrap import Platform
from engine.domain.metrics import METRICS
from engine.errors import FormValidationError
from engine.services.catalogue import plain
from engine.services.definitions import read_paths
from tests.conftest import CST, DATA, principal
from tests.integration.test_cases import ITEM, PASSWORD, User, open_case
from webapp import create_app

SUPERVISOR = principal("jw", ("supervisor", None))
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
MARCH_ARGS = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def app(platform: Platform) -> Flask:
    """The test item of test_cases.py (LAND, 5 promised days) and its people, with the supervision window."""
    platform.definitions.deploy(read_paths([DATA / "item_test_case.bpmn"]))
    with platform.ctx.uow(write=True) as uow:
        uow.catalogue.upsert({**ITEM, "guide": plain(ITEM)}, platform.clock.now())
        uow.commit()
    for name, role, department in [
        ("landwin", "window_officer", "LAND"),
        ("officer", "case_officer", "LAND"),
        ("approver", "approver", "LAND"),
        ("jw", "supervisor", None),
    ]:
        platform.accounts.add_user(name, PASSWORD, [role], department)
    return create_app(platform, config={"TESTING": True})


def _people(app: Flask) -> tuple[User, User, User]:
    client = app.test_client()
    return User(client, "landwin"), User(client, "officer"), User(client, "approver")


def test_only_cases_that_can_count_are_read_and_an_old_case_decided_in_the_period_is_completed_flow(
    app: Flask, platform: Platform, clock: Any
) -> None:
    window, officer, approver = _people(app)
    clock.set(datetime(2026, 2, 2, 10, 0, tzinfo=CST))  # Monday
    never_accepted, in_progress, decided = (open_case(window)["case_no"] for _ in range(3))
    for case_no in (in_progress, decided):
        assert window.complete(case_no, "acceptance", {"decision": "accept"}).status_code == 200
    assert officer.complete(decided, "examination", {"opinion": "同意"}).status_code == 200
    clock.set(datetime(2026, 3, 10, 10, 0, tzinfo=CST))
    assert approver.complete(decided, "decision", {"approved": True}).status_code == 200  # not yet delivered
    clock.set(datetime(2026, 4, 2, 9, 0, tzinfo=CST))
    since, until = datetime(2026, 3, 1, tzinfo=CST), datetime(2026, 4, 1, tzinfo=CST)
    with platform.ctx.uow() as uow:
        read = {row["case_no"] for row in uow.stats.cases_touching(since, until)}
    # before: every case received before the period's end and not completed before its start — all three
    assert read == {decided}
    march = platform.stats.report(SUPERVISOR, *MARCH)["totals"]
    assert (march["received"], march["accepted_flow"], march["completed_flow"]) == (0, 0, 1)
    february = platform.stats.report(SUPERVISOR, date(2026, 2, 1), date(2026, 2, 28))["totals"]
    assert (february["received"], february["accepted"], february["completed"]) == (3, 2, 0)
    assert never_accepted and in_progress


def test_cards_are_counted_from_the_warning_table_and_revoked_ones_apart(
    app: Flask, platform: Platform, clock: Any
) -> None:
    window, _, _ = _people(app)
    clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=CST))
    case_no = open_case(window)["case_no"]
    base = {"case_no": case_no, "text": "巡查发现", "handler": "officer"}
    platform.warnings.issue(SUPERVISOR, {**base, "trigger": "other", "level": "yellow"})
    platform.warnings.issue(SUPERVISOR, {**base, "trigger": "fee_violation"})  # red, stays
    wrong = platform.warnings.issue(SUPERVISOR, {**base, "trigger": "refusal_without_reason"})  # red, revoked
    clock.set(datetime(2026, 3, 12, 10, 0, tzinfo=CST))
    platform.warnings.appeal(principal("officer", ("case_officer", "LAND")), wrong["id"], "已当场说明理由")
    platform.warnings.revoke(SUPERVISOR, wrong["id"], "经核实，已说明理由")
    clock.set(datetime(2026, 4, 2, 9, 0, tzinfo=CST))
    report = platform.stats.report(SUPERVISOR, *MARCH, ["officer", "department"])
    totals = report["totals"]
    assert (totals["yellow_cards"], totals["red_cards"], totals["revoked_cards"]) == (1, 1, 1)
    # the ledger: two red-card entries were written, the revoked one counts for nothing (before: 2 and 2)
    assert totals["red_card_entries"] == 1 and totals["accountability"] == 1
    officer = next(g for g in report["groups"]["officer"] if g["key"] == "officer")["figures"]
    assert (officer["yellow_cards"], officer["red_cards"], officer["red_card_entries"]) == (1, 1, 1)
    land = next(g for g in report["groups"]["department"] if g["key"] == "LAND")["figures"]
    assert land["revoked_cards"] == 1
    monthly = platform.stats.monthly(SUPERVISOR, 2026, 3)
    assert {row["key"]: row["value"] for row in monthly["warnings"]} == {
        "yellow_cards": 1,
        "red_cards": 1,
        "revoked_cards": 1,
        "red_card_entries": 1,
        "accountability": 1,
    }


def test_a_period_is_at_most_366_days(app: Flask, platform: Platform) -> None:
    leap_year = platform.stats.period(SUPERVISOR, date(2024, 1, 1), date(2024, 12, 31))  # 366 days
    assert leap_year["received"] == 0
    for service_call in (platform.stats.period, platform.stats.report):
        with pytest.raises(FormValidationError) as caught:
            service_call(SUPERVISOR, date(2025, 1, 1), date(2026, 1, 2))  # 367 days
        assert [e.field for e in caught.value.field_errors] == ["to"]
    jw = User(app.test_client(), "jw")
    too_long = jw.get("/stats?from=2000-01-01&to=2100-12-31")
    assert too_long.status_code == 422
    assert (
        too_long.json["error"]["details"][0]["field"] == "to"
        and "366" in too_long.json["error"]["details"][0]["message"]
    )
    assert jw.get("/stats/report.csv?from=2025-01-01&to=2026-01-02").status_code == 422
    assert jw.get("/stats?from=2025-01-01&to=2025-12-31").status_code == 200
    assert jw.get("/stats?from=2025-01-01").status_code == 422  # `to` is required


def test_get_stats_serves_the_metrics_own_figures_and_definitions(app: Flask, platform: Platform, clock: Any) -> None:
    window, officer, approver = _people(app)
    clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=CST))
    done, waiting = open_case(window)["case_no"], open_case(window)["case_no"]
    window.complete(done, "acceptance", {"decision": "accept"})
    window.complete(waiting, "acceptance", {"decision": "accept"})
    officer.complete(done, "examination", {"opinion": "同意"})
    approver.complete(done, "decision", {"approved": True})
    clock.set(datetime(2026, 3, 31, 12, 0, tzinfo=CST))
    body = User(app.test_client(), "jw").get(f"/stats?{MARCH_ARGS}&group_by=month").json
    totals = platform.stats.report(SUPERVISOR, *MARCH)["totals"]
    assert {m.key: body[m.key] for m in METRICS} == totals  # every metric, the report's own figures
    assert (body["from"], body["to"], body["received"], body["completed"], body["overdue"]) == (
        "2026-03-01",
        "2026-03-31",
        2,
        1,
        1,
    )
    assert set(body["definitions"]) == {m.key for m in METRICS}
    for m in METRICS:
        assert m.zh in body["definitions"][m.key] and m.definition in body["definitions"][m.key]
    assert [g["key"] for g in body["groups"]["month"]] == ["2026-03"]
    assert "groups" not in User(app.test_client(), "jw").get(f"/stats?{MARCH_ARGS}").json
