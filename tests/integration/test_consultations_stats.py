"""Consultations and first-inquiry responsibility end to end, and the centre's statistics for a period."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from engine.bootstrap import Platform
from engine.errors import FormValidationError, PermissionDenied
from tests.conftest import ADMIN, CST, principal

DESK = principal("desk", ("consultant", "CENTRE"))
LAND_OFFICER = principal("land_officer", ("case_officer", "LAND"))
SUPERVISOR = principal("jw", ("supervisor", None))


def test_an_answered_inquiry_closes_at_once_and_a_transfer_is_followed(platform: Platform, clock) -> None:  # type: ignore[no-untyped-def]
    answered = platform.consultations.log(
        DESK,
        {
            "channel": "desk",
            "subject": "营业执照",
            "question": "需要哪些材料?",
            "outcome": "answered",
            "answer": "见办事指南",
        },
    )
    assert answered.closed_at is not None and answered.follow_up_due is None
    clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=CST))  # Monday
    moved = platform.consultations.log(
        DESK,
        {
            "channel": "hotline",
            "subject": "用地预审",
            "question": "进度?",
            "outcome": "transferred",
            "transferred_to": "LAND",
        },
    )
    assert moved.closed_at is None
    assert moved.follow_up_due == datetime(2026, 3, 11, 0, 0, tzinfo=CST)  # end of the next working day
    assert [c.id for c in platform.consultations.list(LAND_OFFICER, open_only=True)] == [moved.id]
    with pytest.raises(PermissionDenied):
        platform.consultations.close(principal("env", ("case_officer", "ENV")), moved.id, "已答复")
    platform.consultations.close(LAND_OFFICER, moved.id, "已电话答复申请人")
    clock.advance(timedelta(days=5))
    assert platform.consultations.record_breaches() == 0


def test_a_transfer_left_open_is_a_violation_that_vetoes_the_evaluation(platform: Platform, clock) -> None:  # type: ignore[no-untyped-def]
    clock.set(datetime(2026, 3, 13, 16, 0, tzinfo=CST))  # Friday afternoon
    platform.consultations.log(
        DESK,
        {
            "channel": "phone",
            "subject": "施工许可",
            "question": "能否加急?",
            "outcome": "transferred",
            "transferred_to": "LAND",
        },
    )
    clock.set(datetime(2026, 3, 16, 23, 59, tzinfo=CST))  # Monday night: still within the next working day
    assert platform.consultations.record_breaches() == 0
    clock.set(datetime(2026, 3, 17, 0, 1, tzinfo=CST))
    assert platform.consultations.record_breaches() == 1
    assert platform.consultations.record_breaches() == 0  # recorded once
    view = platform.accountability.annual_evaluation(SUPERVISOR, 2026)  # the evaluation serving /evaluation/<year>
    people = {p["key"]: p for p in view["people"]}
    departments = {d["key"]: d for d in view["departments"]}
    assert people["desk"]["veto"] is True and departments["CENTRE"]["veto"] is True
    assert people["desk"]["kinds"] == ["first_inquiry"]
    with pytest.raises(PermissionDenied):
        platform.accountability.annual_evaluation(DESK, 2026)


def test_inquiries_need_their_fields(platform: Platform) -> None:
    with pytest.raises(FormValidationError) as caught:
        platform.consultations.log(DESK, {"channel": "fax", "subject": "", "outcome": "transferred"})
    assert {e.field for e in caught.value.field_errors} >= {"channel", "subject", "question", "transferred_to"}


def test_stats_for_a_period_count_the_cohort_and_define_each_figure(platform: Platform, clock) -> None:  # type: ignore[no-untyped-def]
    clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=CST))
    platform.consultations.log(DESK, {"channel": "desk", "subject": "咨询", "question": "?", "answer": "!"})
    figures = platform.stats.period(ADMIN, date(2026, 3, 1), date(2026, 3, 31))
    assert figures["consultations"] == 1 and figures["received"] == 0 and figures["completion_rate"] == 0.0
    assert set(figures["definitions"]) >= {"received", "accepted", "completed", "completion_rate", "on_time_rate"}
    assert platform.stats.period(ADMIN, date(2026, 4, 1), date(2026, 4, 30))["consultations"] == 0
    with pytest.raises(PermissionDenied):
        platform.stats.period(DESK, date(2026, 3, 1), date(2026, 3, 31))


def test_consultations_through_the_api(platform: Platform) -> None:
    from webapp import create_app

    for name, role, department in [
        ("desk", "consultant", "CENTRE"),
        ("lo", "case_officer", "LAND"),
        ("boss", "admin", None),
    ]:
        platform.accounts.add_user(name, "pw-咨询-1", [role], department)
    client = create_app(platform, config={"TESTING": True}).test_client()

    def login(name: str) -> dict[str, str]:
        token = client.post("/api/v1/auth/token", json={"username": name, "password": "pw-咨询-1"}).json["token"]
        return {"Authorization": f"Bearer {token}"}

    desk, land, boss = login("desk"), login("lo"), login("boss")
    created = client.post(
        "/api/v1/consultations",
        headers=desk,
        json={
            "channel": "hotline",
            "subject": "不动产登记",
            "question": "需要几个工作日?",
            "outcome": "transferred",
            "transferred_to": "LAND",
        },
    )
    assert created.status_code == 201 and created.json["closed_at"] is None
    bad = client.post("/api/v1/consultations", headers=desk, json={"outcome": "nonsense"})
    assert bad.status_code == 422
    assert [c["id"] for c in client.get("/api/v1/consultations?open=1", headers=land).json] == [created.json["id"]]
    closed = client.post(
        f"/api/v1/consultations/{created.json['id']}/close", headers=land, json={"answer": "5个工作日"}
    )
    assert closed.status_code == 200 and closed.json["closed_by"] == "lo"
    again = client.post(f"/api/v1/consultations/{created.json['id']}/close", headers=land, json={"answer": "x"})
    assert again.status_code == 409
    assert client.get("/api/v1/evaluation/2026", headers=desk).status_code == 403
    assert client.get("/api/v1/evaluation/2026", headers=boss).json["people"] == {}
    stats = client.get("/api/v1/stats?from=2026-01-01&to=2026-12-31", headers=boss)
    assert stats.status_code == 200 and stats.json["consultations"] == 1
    assert client.get("/api/v1/stats?from=2026-12-31&to=2026-01-01", headers=boss).status_code == 422
    assert client.get("/api/v1/stats?from=nope&to=2026-01-01", headers=boss).status_code == 422
