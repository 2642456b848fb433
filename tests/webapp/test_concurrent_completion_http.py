"""N clients POST 'complete' for one task at the same moment to a real threaded HTTP server: one 200, the rest 409
with the platform's JSON error body, and the instance keeps exactly the winner's completion."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from engine.bootstrap import Platform
from tests.conftest import ADMIN, LAND, WINDOW
from tests.webapp.conftest import PASSWORD

CLIENTS = 8
INTAKE = {"applicant_name": "王五", "materials_complete": True, "accepted": True}


@pytest.fixture
def server(app: Flask) -> Iterator[tuple[str, int]]:
    """The app behind werkzeug's threaded server on a free port: each request runs on its own thread."""
    served = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", served.server_port
    finally:
        served.shutdown()
        thread.join(10)
        served.server_close()


def _call(address: tuple[str, int], method: str, path: str, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
    conn = http.client.HTTPConnection(*address, timeout=30)
    try:
        conn.request(method, path, body=json.dumps(body), headers={"Content-Type": "application/json", **headers})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def _token(address: tuple[str, int], username: str) -> dict[str, str]:
    status, body = _call(address, "POST", "/api/v1/auth/token", {"username": username, "password": PASSWORD}, {})
    assert status == 200, body
    return {"Authorization": f"Bearer {body['token']}"}


def _race(address: tuple[str, int], calls: list[tuple[str, Any, dict[str, str]]]) -> list[tuple[int, Any]]:
    """Open one connection per call, then send every request at once (a barrier) and read the answers."""
    barrier = threading.Barrier(len(calls))
    answers: list[tuple[int, Any]] = [(0, None)] * len(calls)

    def run(i: int, path: str, body: Any, headers: dict[str, str]) -> None:
        conn = http.client.HTTPConnection(*address, timeout=30)
        try:
            conn.connect()
            payload = json.dumps(body)
            barrier.wait()
            conn.request("POST", path, body=payload, headers={"Content-Type": "application/json", **headers})
            response = conn.getresponse()
            answers[i] = (response.status, json.loads(response.read()))
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return answers


def test_n_clients_completing_one_task_over_http_get_one_200_and_409s(
    deployed: Platform, server: tuple[str, int]
) -> None:
    names = [f"land-{i}" for i in range(CLIENTS)]
    for name in names:
        deployed.accounts.add_user(name, PASSWORD, ["reviewer"], "LAND")
    headers = {name: _token(server, name) for name in names}
    iid = deployed.instances.start(WINDOW, "parallel_review", {"department": "CENTRE", "case_no": "H-1"}).id
    intake = next(t for t in deployed.tasks.inbox(WINDOW) if t.instance_id == iid)
    deployed.tasks.complete(WINDOW, intake.task_id, INTAKE)
    task = next(t.task_id for t in deployed.tasks.inbox(LAND) if t.instance_id == iid)

    answers = _race(
        server,
        [
            (f"/api/v1/tasks/{task}/complete", {"data": {"approved": True, "opinion": f"{n}的意见"}}, headers[n])
            for n in names
        ],
    )

    statuses = [status for status, _ in answers]
    assert sorted(statuses) == [200] + [409] * (CLIENTS - 1), answers
    for status, body in answers:
        if status == 409:
            error = body["error"]
            assert error["code"] == "conflict" and error["message"] and "details" in error, body
    winner = names[statuses.index(200)]
    view = deployed.instances.show(ADMIN, iid)
    assert [e.actor for e in view.history if e.action == "task_completed" and e.task_id == task] == [winner]
    assert view.data["review_land"]["opinion"] == f"{winner}的意见"
    assert next(t for t in view.tasks if t.task_id == task).completed_by == winner
    assert sorted(t.element_id for t in view.tasks if t.state.value == "ready") == ["review_env", "review_housing"]
