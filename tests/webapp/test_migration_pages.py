"""The administrator's migration page: it shows which instances can move and what blocks the others, moves the
chosen ones behind a CSRF token, and is closed to everybody but administrators."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Platform
from tests.conftest import ADMIN, WINDOW
from tests.integration.migration_processes import PERMIT_V1, REVIEW, Chain, User
from tests.webapp.conftest import PASSWORD

PAGE = "/admin/processes/permit/migrate"


def csrf_of(client: FlaskClient, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert match, f"{path} has no CSRF field"
    return match.group(1)


def sign_in(client: FlaskClient, username: str) -> None:
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf_of(client, "/login")}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


@pytest.fixture
def services(app: Flask) -> Platform:
    return app.extensions["onestop"]  # type: ignore[no-any-return]


@pytest.fixture
def two_instances(services: Platform) -> tuple[int, int]:
    """One instance at the review (it can move), one at the approval that version 2 replaces (it cannot)."""
    PERMIT_V1.deploy(services)
    at_review = services.instances.start(WINDOW, "permit", {"department": "CENTRE"}).id
    at_approve = services.instances.start(WINDOW, "permit", {"department": "CENTRE"}).id
    task = next(t for t in services.tasks.inbox(ADMIN) if t.instance_id == at_approve)
    services.tasks.complete(ADMIN, task.task_id, {"ok": True})
    Chain("permit", (REVIEW, User("sign", "签发", "approver"))).deploy(services)
    return at_review, at_approve


def checkbox(page: str, instance_id: int) -> str:
    match = re.search(rf'<input type="checkbox" name="instance_ids" value="{instance_id}"[^>]*>', page)
    assert match, f"no checkbox for instance {instance_id}"
    return match.group(0)


def test_the_page_marks_movable_instances_and_names_what_blocks_the_others(
    client: FlaskClient, two_instances: tuple[int, int]
) -> None:
    at_review, at_approve = two_instances
    sign_in(client, "admin")
    response = client.get(PAGE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "可迁移 1 个，不可迁移 1 个" in page
    assert "checked" in checkbox(page, at_review) and "disabled" in checkbox(page, at_approve)
    assert "审批 <code>approve</code>：新版本中没有这个环节" in page
    assert '<option value="2" selected>v2' in page  # the latest version is the default target
    english = client.get(PAGE + "?lang=en").get_data(as_text=True)
    assert "Migrate process instances" in english and "The new version has no such step" in english


def test_posting_moves_the_chosen_instances_and_reports_each(
    client: FlaskClient, services: Platform, two_instances: tuple[int, int]
) -> None:
    at_review, at_approve = two_instances
    sign_in(client, "admin")
    token = csrf_of(client, PAGE)
    response = client.post(
        PAGE, data={"csrf_token": token, "to": "2", "instance_ids": [str(at_review), str(at_approve)]}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    results = page.split('id="results"', 1)[1].split("</table>", 1)[0]
    assert f'#{at_review}</a></td>\n        <td><span class="pill green">已迁移到 v2' in results
    assert "未迁移" in results and "审批 <code>approve</code>" in results
    assert services.instances.get_record(at_review).version == 2
    assert services.instances.get_record(at_approve).version == 1
    assert "没有需要迁移到 v2 的实例" not in page  # the refused one is still listed below


def test_a_single_refused_instance_is_reported_on_the_page(
    client: FlaskClient, services: Platform, two_instances: tuple[int, int]
) -> None:
    _, at_approve = two_instances
    sign_in(client, "admin")
    response = client.post(PAGE, data={"csrf_token": csrf_of(client, PAGE), "to": "2", "instance_ids": str(at_approve)})
    results = response.get_data(as_text=True).split('id="results"', 1)[1]
    assert response.status_code == 200 and "未迁移" in results and "新版本中没有这个环节" in results
    assert services.instances.get_record(at_approve).version == 1


def test_posting_without_a_choice_or_with_a_bad_version_is_refused_politely(
    client: FlaskClient, two_instances: tuple[int, int]
) -> None:
    sign_in(client, "admin")
    token = csrf_of(client, PAGE)
    nothing = client.post(PAGE, data={"csrf_token": token, "to": "2"})
    assert nothing.status_code == 422 and "请选择要迁移的实例" in nothing.get_data(as_text=True)
    assert client.get(PAGE + "?to=abc").status_code == 422
    assert client.get(PAGE + "?to=9").status_code == 404
    assert client.get("/admin/processes/nothing_here/migrate").status_code == 404


def test_moving_needs_the_csrf_token(client: FlaskClient, services: Platform, two_instances: tuple[int, int]) -> None:
    at_review, _ = two_instances
    sign_in(client, "admin")
    response = client.post(PAGE, data={"to": "2", "instance_ids": str(at_review)})
    assert response.status_code == 400
    assert services.instances.get_record(at_review).version == 1


def test_only_administrators_see_or_use_the_page(
    client: FlaskClient, services: Platform, two_instances: tuple[int, int]
) -> None:
    at_review, _ = two_instances
    anonymous = client.get(PAGE)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    sign_in(client, "window")
    assert client.get(PAGE).status_code == 403
    token = csrf_of(client, "/inbox")
    refused = client.post(PAGE, data={"csrf_token": token, "to": "2", "instance_ids": str(at_review)})
    assert refused.status_code == 403
    assert services.instances.get_record(at_review).version == 1
