"""The migration API: preview what moves, migrate a batch (200 with each instance's result), a single refused
instance is a 409 naming the blocking elements; administrators only."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Platform
from tests.conftest import ADMIN, WINDOW
from tests.integration.migration_processes import PERMIT_V1, REVIEW, Chain, User

BASE = "/process-definitions/permit/migrations"


@pytest.fixture
def services(app: Flask) -> Platform:
    return app.extensions["onestop"]  # type: ignore[no-any-return]


@pytest.fixture
def two_instances(services: Platform) -> tuple[int, int]:
    PERMIT_V1.deploy(services)
    at_review = services.instances.start(WINDOW, "permit", {"department": "CENTRE", "case_no": "A-1"}).id
    at_approve = services.instances.start(WINDOW, "permit", {"department": "CENTRE"}).id
    task = next(t for t in services.tasks.inbox(ADMIN) if t.instance_id == at_approve)
    services.tasks.complete(ADMIN, task.task_id, {"ok": True})
    Chain("permit", (REVIEW, User("sign", "签发", "approver"))).deploy(services)
    return at_review, at_approve


def test_preview_lists_each_older_instance_with_what_blocks_it(as_user: Any, two_instances: tuple[int, int]) -> None:
    at_review, at_approve = two_instances
    response = as_user("admin").post(f"{BASE}/preview", json={"to_version": 2})
    assert response.status_code == 200
    body = response.json
    assert (body["to_version"], body["movable"], body["blocked"]) == (2, 1, 1)
    by_id = {i["instance_id"]: i for i in body["instances"]}
    assert by_id[at_review]["movable"] and by_id[at_review]["business_key"] == "A-1"
    assert by_id[at_review]["active"][0]["element_id"] == "review"
    assert by_id[at_approve]["blocking"] == [
        {"process_id": "permit", "element_id": "approve", "name": "审批", "state": "ready", "reason": "removed"}
    ]
    only_one = as_user("admin").post(f"{BASE}/preview", json={"to_version": 2, "instance_ids": [at_approve]})
    assert [i["instance_id"] for i in only_one.json["instances"]] == [at_approve]


def test_a_batch_migrates_what_can_move_and_reports_the_rest(
    as_user: Any, services: Platform, two_instances: tuple[int, int]
) -> None:
    at_review, at_approve = two_instances
    response = as_user("admin").post(BASE, json={"to_version": 2, "instance_ids": [at_review, at_approve]})
    assert response.status_code == 200
    results = {i["instance_id"]: i for i in response.json["instances"]}
    assert (results[at_review]["result"], results[at_review]["from_version"]) == ("migrated", 1)
    assert results[at_approve]["result"] == "refused"
    assert [b["element_id"] for b in results[at_approve]["blocking"]] == ["approve"]
    assert services.instances.get_record(at_review).version == 2
    assert services.instances.get_record(at_approve).version == 1


def test_a_single_refused_instance_is_a_conflict_naming_the_elements(
    as_user: Any, services: Platform, two_instances: tuple[int, int]
) -> None:
    _, at_approve = two_instances
    response = as_user("admin").post(BASE, json={"to_version": 2, "instance_ids": [at_approve]})
    assert response.status_code == 409
    error = response.json["error"]
    assert error["code"] == "migration_refused"
    assert [(d["element_id"], d["name"], d["reason"]) for d in error["details"]] == [("approve", "审批", "removed")]
    assert services.instances.get_record(at_approve).version == 1


def test_bad_requests_and_strangers_are_refused(
    client: FlaskClient, as_user: Any, services: Platform, two_instances: tuple[int, int]
) -> None:
    at_review, _ = two_instances
    assert client.post(f"/api/v1{BASE}", json={"to_version": 2, "instance_ids": [at_review]}).status_code == 401
    assert as_user("window").post(BASE, json={"to_version": 2, "instance_ids": [at_review]}).status_code == 403
    assert as_user("designer").post(f"{BASE}/preview", json={"to_version": 2}).status_code == 403
    admin = as_user("admin")
    missing_version = admin.post(BASE, json={"instance_ids": [at_review]})
    assert missing_version.status_code == 422 and missing_version.json["error"]["details"][0]["field"] == "to_version"
    assert admin.post(BASE, json={"to_version": 2}).status_code == 422
    assert admin.post(BASE, json={"to_version": 2, "instance_ids": ["x"]}).status_code == 422
    assert admin.post(BASE, json={"to_version": 9, "instance_ids": [at_review]}).status_code == 404
    assert admin.post(f"{BASE}/preview", json={"to_version": 9}).status_code == 404
    assert services.instances.get_record(at_review).version == 1
