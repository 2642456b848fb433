"""Hostile-input fixtures: a web app over the test platform with an administrator and a designer signed in."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Platform
from tests.webapp.test_task_page import examination  # noqa: F401  (a fixture: a case waiting at LAND)
from webapp import create_app

PASSWORD = "correct horse 电池"
USERS = [
    ("admin", ["admin"], None),
    ("designer", ["designer"], None),
    ("window", ["window_officer"], "CENTRE"),
]


@pytest.fixture
def app(deployed: Platform) -> Flask:
    for name, roles, department in USERS:
        deployed.accounts.add_user(name, PASSWORD, roles, department)
    return create_app(deployed, config={"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def bearer(client: FlaskClient, username: str) -> dict[str, str]:
    """The Authorization header of ``username`` (password sign-in through the API, as the contract says)."""
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}
