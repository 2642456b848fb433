"""Every route of the app, found from its URL map (so a new page is covered the day it is added): workbench pages
send a signed-out visitor to the login page, API routes answer 401 without a token, and only the listed public
pages and API routes answer anyone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from tests.webapp.test_workbench import csrf_of, sign_in

PUBLIC_PAGES = {
    "static",
    "pages.home",
    "pages.health",
    "web_auth.login",
    "web_auth.logout",
    "public.guide",
    "public.guide_item",
    "public.lookup",
    "feedback.evaluate",
    "feedback.complaint",
    "rectification.rate_fix",
    "boards.windows",
    "boards.announcements",
    "towns.index",
    "towns.town",
    "surveys.answer",
}
PUBLIC_API = {
    "/api/v1/auth/token",
    "/api/v1/openapi.json",
    "/api/v1/items",
    "/api/v1/items/<code>",
    "/api/v1/public/",  # prefix: the applicant's case lookup, notices and evaluation, and the complaint form
}


def _sample_url(rule: Rule) -> str:
    values: dict[str, Any] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, AnyConverter):
            values[name] = re.findall(r"[\w-]+", converter.regex)[0]
        else:
            values[name] = "x"
    built = rule.build(values, append_unknown=False)
    assert built is not None, rule.rule
    return built[1]


def _rules(app: Flask, api: bool) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        is_api = rule.rule.startswith("/api/")
        if is_api != api:
            continue
        if not api and rule.endpoint in PUBLIC_PAGES:
            continue
        if api and any(rule.rule == p or (p.endswith("/") and rule.rule.startswith(p)) for p in PUBLIC_API):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, rule.endpoint, _sample_url(rule)))
    return found


def test_the_route_inventory_sees_every_workbench_area(app: Flask) -> None:
    endpoints = {endpoint for _, endpoint, _ in _rules(app, api=False)}
    assert {"clerk.inbox", "clerk.task", "admin.instances", "admin.instance", "admin.change"} <= endpoints


def test_every_protected_page_sends_a_signed_out_visitor_to_sign_in(app: Flask, client: FlaskClient) -> None:
    token = csrf_of(client)
    checked = []
    for method, endpoint, url in _rules(app, api=False):
        response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        checked.append(endpoint)
        assert response.status_code in {302, 303}, f"{method} {url} ({endpoint}) answered {response.status_code}"
        assert "/login" in response.headers["Location"], f"{method} {url} ({endpoint}) did not ask to sign in"
    assert len(checked) >= 5


def test_every_api_route_but_the_public_ones_needs_a_token(app: Flask, client: FlaskClient) -> None:
    for method, endpoint, url in _rules(app, api=True):
        response = client.open(url, method=method, json={})
        assert response.status_code == 401, f"{method} {url} ({endpoint}) answered {response.status_code}"
        assert response.json and response.json["error"]["code"]


def test_a_form_posted_without_its_csrf_token_is_refused_even_when_signed_in(app: Flask, client: FlaskClient) -> None:
    sign_in(client, "admin")
    for method, endpoint, url in _rules(app, api=False):
        if method == "POST":
            response = client.post(url, data={})
            assert response.status_code == 400, f"POST {url} ({endpoint}) accepted a form without CSRF token"


@pytest.mark.parametrize("username", ["land", "window", "designer"])
def test_administrator_pages_refuse_other_staff(app: Flask, client: FlaskClient, username: str) -> None:
    sign_in(client, username)
    assert client.get("/admin/instances").status_code == 403
    assert client.get("/admin/instances/1").status_code == 403
    token = csrf_of(client, "/inbox")
    assert client.post("/admin/instances/1/suspend", data={"csrf_token": token}).status_code == 403
