"""Public lookup guessing is rate-limited per client IP (webapp.rate_limits): the 11th lookup in a minute is
refused with 429, Retry-After and a Chinese page (the API: the contract's JSON error), misses count more strictly,
other clients and staff are not affected, the limits reset, and X-Forwarded-For counts only behind a trusted proxy."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine.bootstrap import Platform, build_platform
from engine.clock import FrozenClock
from engine.config import Settings
from engine.services.definitions import read_paths
from tests.conftest import ROOT, make_settings, principal
from tests.webapp.conftest import PASSWORD
from webapp import create_app

A, B, C = "203.0.113.10", "203.0.113.20", "198.51.100.7"


@pytest.fixture
def case(deployed: Platform) -> Any:
    deployed.catalogue.load()
    forms = sorted((ROOT / "forms").glob("*.json"))
    deployed.definitions.deploy(read_paths([ROOT / "processes" / "items" / "item_xk_zrzy_001.bpmn", *forms]))
    return deployed.cases.create(
        principal("w", ("window_officer", "LAND")), {"item_code": "XK-ZRZY-001", "applicant": {"name": "王小红"}}
    )


@pytest.fixture
def limited(deployed: Platform, clock: FrozenClock, tmp_path: Path, case: Any) -> Iterator[Any]:
    """A factory of clients over an app whose limiter is on, with the production limits unless told otherwise."""
    built: list[Platform] = []

    def make(**settings: object) -> FlaskClient:
        # the same database and secret (query codes are kept as keyed hashes), with the limiter on
        on = make_settings(deployed.settings.database_url, tmp_path, ratelimit_enabled=True, **settings)
        platform = build_platform(replace(on, secret_key=deployed.settings.secret_key), clock)
        built.append(platform)
        return create_app(platform, config={"TESTING": True}).test_client()

    yield make
    for platform in built:
        platform.close()


def _token(client: FlaskClient) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/lookup").get_data(as_text=True))
    assert match
    return match.group(1)


def _page_lookup(client: FlaskClient, ip: str, case_no: str, code: str, **headers: str) -> Any:
    data = {"csrf_token": _token(client), "case_no": case_no, "query_code": code}
    return client.post("/lookup", data=data, environ_base={"REMOTE_ADDR": ip}, headers=headers)


def _api_lookup(client: FlaskClient, ip: str, case_no: str, code: str) -> Any:
    return client.get(
        f"/api/v1/public/cases/{case_no}", query_string={"query_code": code}, environ_base={"REMOTE_ADDR": ip}
    )


def test_the_eleventh_lookup_in_a_minute_is_refused_with_retry_after_and_chinese_words(limited: Any, case: Any) -> None:
    client = limited()
    for n in range(10):
        response = _page_lookup(client, A, case.case_no, case.query_code)
        assert response.status_code == 200, n
    refused = _page_lookup(client, A, case.case_no, case.query_code)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "查询过于频繁，请稍后再试" in refused.get_data(as_text=True)
    # the page and the API count together: switching to the API buys no more guesses
    api = _api_lookup(client, A, case.case_no, case.query_code)
    assert api.status_code == 429 and "Retry-After" in api.headers
    assert api.json["error"]["code"] == "rate_limited" and "查询过于频繁" in api.json["error"]["message"]
    assert api.json["error"]["details"]["retry_after"] > 0
    # everyone else still finds their case
    other = _page_lookup(client, B, case.case_no, case.query_code)
    assert other.status_code == 200 and "王**" in other.get_data(as_text=True)
    assert _api_lookup(client, C, case.case_no, case.query_code).status_code == 200


def test_misses_count_more_strictly_than_found_cases(limited: Any, case: Any) -> None:
    client = limited()
    for code in ("000001", "000002", "000003", "000004", "000005"):
        assert _api_lookup(client, A, case.case_no, code).status_code == 404
    # the sixth guess is refused, and so is the right code from that address until the window ends
    assert _api_lookup(client, A, case.case_no, "000006").status_code == 429
    assert _api_lookup(client, A, case.case_no, case.query_code).status_code == 429
    # found cases do not use up the miss budget: another client looks up seven times without a refusal
    for _ in range(7):
        assert _api_lookup(client, B, case.case_no, case.query_code).status_code == 200


def test_the_limits_reset_when_their_window_ends(limited: Any, case: Any) -> None:
    client = limited(ratelimit_lookup="2/second")
    started = time.monotonic()  # the window opens at the first counted lookup
    assert _api_lookup(client, A, case.case_no, case.query_code).status_code == 200
    assert _api_lookup(client, A, case.case_no, case.query_code).status_code == 200
    refused = _api_lookup(client, A, case.case_no, case.query_code)
    if time.monotonic() - started < 0.9:  # still inside the one-second window (always, unless the box stalls)
        assert refused.status_code == 429
    time.sleep(max(0.0, started + 1.2 - time.monotonic()))
    assert _api_lookup(client, A, case.case_no, case.query_code).status_code == 200


def test_public_forms_are_limited_but_staff_pages_are_not(limited: Any, deployed: Platform) -> None:
    client = limited()
    for _ in range(5):  # invalid complaints still count: each post costs the server the same
        assert client.post("/api/v1/public/complaints", json={}, environ_base={"REMOTE_ADDR": A}).status_code == 422
    refused = client.post("/api/v1/public/complaints", json={}, environ_base={"REMOTE_ADDR": A})
    assert refused.status_code == 429 and refused.json["error"]["code"] == "rate_limited"
    assert "提交过于频繁" in refused.json["error"]["message"]
    page = client.post("/complaint", data={"csrf_token": _token(client)}, environ_base={"REMOTE_ADDR": A})
    assert page.status_code == 429 and "提交过于频繁" in page.get_data(as_text=True)
    assert client.get("/complaint", environ_base={"REMOTE_ADDR": A}).status_code == 200  # reading the form is free
    assert client.post("/api/v1/public/complaints", json={}, environ_base={"REMOTE_ADDR": B}).status_code == 422
    # a signed-in officer at the window, behind the same address, works without limit
    deployed.accounts.add_user("window", PASSWORD, ["window_officer"], "CENTRE")
    staff = limited()
    signed = staff.post(
        "/login",
        data={"username": "window", "password": PASSWORD, "csrf_token": _token(staff)},
        environ_base={"REMOTE_ADDR": A},
    )
    assert signed.status_code == 302
    for _ in range(15):
        assert staff.get("/inbox", environ_base={"REMOTE_ADDR": A}).status_code == 200
        assert _page_lookup(staff, A, "NOPE", "000000").status_code == 404


def test_forwarded_for_counts_only_behind_a_trusted_proxy(limited: Any, case: Any) -> None:
    direct = limited()
    for n in range(10):
        forged = {"X-Forwarded-For": f"192.0.2.{n}"}  # a guesser cannot buy fresh addresses by writing a header
        assert _page_lookup(direct, A, case.case_no, case.query_code, **forged).status_code == 200
    assert (
        _page_lookup(direct, A, case.case_no, case.query_code, **{"X-Forwarded-For": "192.0.2.99"}).status_code == 429
    )
    proxied = limited(trusted_proxy_hops=1)
    for _ in range(10):
        assert _page_lookup(proxied, A, case.case_no, case.query_code, **{"X-Forwarded-For": B}).status_code == 200
    assert _page_lookup(proxied, A, case.case_no, case.query_code, **{"X-Forwarded-For": B}).status_code == 429
    # another applicant behind the same proxy is counted apart
    assert _page_lookup(proxied, A, case.case_no, case.query_code, **{"X-Forwarded-For": C}).status_code == 200


def test_the_refusal_page_speaks_english_when_asked(limited: Any, case: Any) -> None:
    client = limited(ratelimit_lookup="1/minute")
    client.get("/lookup?lang=en")
    assert _page_lookup(client, A, case.case_no, case.query_code).status_code == 200
    refused = _page_lookup(client, A, case.case_no, case.query_code)
    assert refused.status_code == 429 and "Too many lookups" in refused.get_data(as_text=True)


def test_the_limiter_is_on_in_the_production_settings() -> None:
    default = Settings.from_env(env={})
    assert default.ratelimit_enabled and default.ratelimit_lookup == "10/minute;100/day"
    assert default.ratelimit_storage_uri == "memory://" and default.trusted_proxy_hops == 0
    configured = Settings.from_env(
        env={
            "ONESTOP_RATELIMIT_ENABLED": "false",
            "ONESTOP_RATELIMIT_LOOKUP": "3/minute",
            "ONESTOP_RATELIMIT_STORAGE_URI": "redis://cache:6379",
            "ONESTOP_TRUSTED_PROXY_HOPS": "1",
        }
    )
    assert not configured.ratelimit_enabled and configured.ratelimit_lookup == "3/minute"
    assert configured.ratelimit_storage_uri == "redis://cache:6379" and configured.trusted_proxy_hops == 1


def test_the_limiter_stays_out_of_the_way_when_switched_off(deployed: Platform, case: Any) -> None:
    client = create_app(deployed, config={"TESTING": True}).test_client()  # the suite's settings switch it off
    for _ in range(12):
        assert _api_lookup(client, A, case.case_no, "000000").status_code == 404
