"""The JSON API: tokens, definitions, instances and tasks with the statuses the contract promises."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

INTAKE = {"applicant_name": "李四", "materials_complete": True, "accepted": True}


def start_and_accept(as_user) -> int:  # type: ignore[no-untyped-def]
    window = as_user("window")
    created = window.post("/instances", json={"process_id": "parallel_review", "data": {"department": "CENTRE"}})
    assert created.status_code == 201 and created.json["status"] == "running"
    iid = created.json["id"]
    intake = [t for t in window.get("/tasks").json if t["instance_id"] == iid][0]
    assert window.post(f"/tasks/{intake['id']}/complete", json={"data": INTAKE}).status_code == 200
    return int(iid)


def test_token_needs_the_right_password(client: FlaskClient) -> None:
    wrong = client.post("/api/v1/auth/token", json={"username": "admin", "password": "nope"})
    assert wrong.status_code == 401 and wrong.json["error"]["code"] == "unauthenticated"
    unknown = client.post("/api/v1/auth/token", json={"username": "ghost", "password": "nope"})
    assert unknown.status_code == 401
    assert client.get("/api/v1/tasks").status_code == 401
    assert client.get("/api/v1/tasks", headers={"Authorization": "Bearer forged.token"}).status_code == 401


def test_clerk_inbox_shows_only_their_department_and_role(as_user) -> None:  # type: ignore[no-untyped-def]
    iid = start_and_accept(as_user)
    land = as_user("land").get("/tasks").json
    assert [(t["element_id"], t["department"], t["role"]) for t in land] == [("review_land", "LAND", "reviewer")]
    assert land[0]["due_at"] and land[0]["instance_id"] == iid
    assert as_user("approver").get("/tasks").json == []


def test_task_shows_its_form_schema(as_user) -> None:  # type: ignore[no-untyped-def]
    start_and_accept(as_user)
    land = as_user("land")
    task = land.get("/tasks").json[0]
    shown = land.get(f"/tasks/{task['id']}").json
    assert shown["schema"]["title"] == "部门审查意见" and "approved" in shown["schema"]["required"]


def test_complete_statuses_403_422_409_200(as_user) -> None:  # type: ignore[no-untyped-def]
    start_and_accept(as_user)
    land, housing = as_user("land"), as_user("housing")
    task_id = land.get("/tasks").json[0]["id"]
    forbidden = housing.post(f"/tasks/{task_id}/complete", json={"data": {"approved": True, "opinion": "同意"}})
    assert forbidden.status_code == 403 and forbidden.json["error"]["code"] == "forbidden"
    invalid = land.post(f"/tasks/{task_id}/complete", json={"data": {"approved": "maybe"}})
    assert invalid.status_code == 422
    fields = {d["field"] for d in invalid.json["error"]["details"]}
    assert fields == {"approved", "opinion"}
    ok = land.post(f"/tasks/{task_id}/complete", json={"data": {"approved": True, "opinion": "同意"}})
    assert ok.status_code == 200 and ok.json["output_key"] == "review_land"
    again = land.post(f"/tasks/{task_id}/complete", json={"data": {"approved": True, "opinion": "同意"}})
    assert again.status_code == 409
    assert land.post("/tasks/not-a-task/complete", json={"data": {}}).status_code == 404


def test_upload_of_malformed_bpmn_answers_422_with_lines(as_user) -> None:  # type: ignore[no-untyped-def]
    designer = as_user("designer")
    bad = (
        b'<?xml version="1.0"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">\n'
        b'  <bpmn:process id="x">\n</bpmn:definitions>'
    )
    response = designer.post("/process-definitions?filename=bad.bpmn", data=bad, content_type="application/xml")
    assert response.status_code == 422
    details = response.json["error"]["details"]
    assert details and all({"file", "line", "element_id", "message"} <= set(d) for d in details)
    assert details[0]["file"] == "bad.bpmn" and details[0]["line"] >= 3
    assert as_user("window").post("/process-definitions", data=bad).status_code == 403


def test_upload_deploys_a_new_version(as_user) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import DATA

    designer = as_user("designer")
    with open(DATA / "delivery.bpmn", "rb") as handle:
        created = designer.post(
            "/process-definitions",
            data={"file": (handle, "delivery.bpmn")},
            content_type="multipart/form-data",
        )
    assert created.status_code == 201 and created.json["process_id"] == "delivery"
    listed = designer.get("/process-definitions").json
    assert {"delivery", "parallel_review"} <= {v["process_id"] for v in listed}
    assert all(re.fullmatch(r"[0-9a-f]{64}", v["sha256"]) for v in listed)


def test_admin_lists_shows_suspends_and_resumes(as_user) -> None:  # type: ignore[no-untyped-def]
    iid = start_and_accept(as_user)
    admin = as_user("admin")
    assert as_user("window").get("/instances").status_code == 403
    listing = admin.get("/instances?status=running").json
    assert listing["total"] == 1 and listing["items"][0]["id"] == iid
    shown = admin.get(f"/instances/{iid}").json
    assert {t["name"] for t in shown["timers"]} == {"5个工作日期限"}
    assert [h["action"] for h in shown["history"]][:2] == ["started", "element_completed"]
    assert admin.post(f"/instances/{iid}/suspend").json["status"] == "suspended"
    assert admin.post(f"/instances/{iid}/suspend").status_code == 409
    assert as_user("window").post(f"/instances/{iid}/resume").status_code == 403
    assert admin.post(f"/instances/{iid}/resume").json["status"] == "running"
    assert admin.get("/instances/99999").status_code == 404


def test_openapi_document_lists_the_contract(client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    for path in (
        "/auth/token",
        "/process-definitions",
        "/instances",
        "/instances/{instance_id}",
        "/tasks",
        "/tasks/{task_id}",
        "/tasks/{task_id}/claim",
        "/tasks/{task_id}/unclaim",
        "/tasks/{task_id}/complete",
        "/instances/{instance_id}/suspend",
    ):
        assert path in doc["paths"], path


def test_errors_are_json_everywhere(client: FlaskClient) -> None:
    missing = client.get("/api/v1/nowhere")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    garbage = client.post("/api/v1/auth/token", data="{{{", content_type="application/json")
    assert garbage.status_code == 422


def _race_posts(app, calls):  # type: ignore[no-untyped-def]
    """POST from several threads at the same moment, each with its own client; return the status codes."""
    import threading

    barrier = threading.Barrier(len(calls))
    statuses: list[int] = [0] * len(calls)

    def run(i: int, headers: dict[str, str], path: str, body: dict[str, object]) -> None:
        client = app.test_client()
        barrier.wait()
        statuses[i] = client.post(f"/api/v1{path}", headers=headers, json=body).status_code

    threads = [threading.Thread(target=run, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return statuses


def test_two_clients_completing_one_task_get_200_and_409(app, as_user) -> None:  # type: ignore[no-untyped-def]
    start_and_accept(as_user)
    land = as_user("land")
    task_id = land.get("/tasks").json[0]["id"]
    body = {"data": {"approved": True, "opinion": "同意"}}
    statuses = _race_posts(app, [(land.headers, f"/tasks/{task_id}/complete", body)] * 2)
    assert sorted(statuses) == [200, 409]


def test_two_departments_completing_parallel_branches_both_get_200(app, as_user) -> None:  # type: ignore[no-untyped-def]
    iid = start_and_accept(as_user)
    land, env = as_user("land"), as_user("env")
    calls = [
        (who.headers, f"/tasks/{who.get('/tasks').json[0]['id']}/complete", {"data": {"approved": True, "opinion": op}})
        for who, op in ((land, "用地同意"), (env, "环评同意"))
    ]
    assert _race_posts(app, calls) == [200, 200]
    data = as_user("admin").get(f"/instances/{iid}").json["data"]
    assert data["review_land"]["opinion"] == "用地同意" and data["review_env"]["opinion"] == "环评同意"


def test_openapi_describes_every_api_route_and_method(app: Flask, client: FlaskClient) -> None:
    """Generated from the URL map, so a route added without its description fails here."""
    doc = client.get("/api/v1/openapi.json").json
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^<>]*:)?([^<>:]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        # an <any(a, b):name> segment is described once per choice
        choices = re.search(r"<any\(([^)]*)\):([^>]+)>", rule.rule)
        concrete = [path]
        if choices:
            names = [c.strip().strip("'\"") for c in choices.group(1).split(",")]
            concrete = [path.replace(f"{{{choices.group(2)}}}", name) for name in names]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for one in concrete:
                if method.lower() not in doc["paths"].get(one, {}):
                    missing.append(f"{method} {one}")
    assert not missing, "describe these in webapp/api/openapi*.py: " + ", ".join(missing)
