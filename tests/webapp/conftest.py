"""A Flask test client over the test platform, with users for each role and a token helper."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Platform
from webapp import create_app

USERS = [
    ("admin", ["admin"], None),
    ("designer", ["designer"], None),
    ("window", ["window_officer"], "CENTRE"),
    ("land", ["reviewer"], "LAND"),
    ("housing", ["reviewer"], "HOUSING"),
    ("env", ["reviewer"], "ENV"),
    ("approver", ["approver"], "CENTRE"),
]
PASSWORD = "correct horse 电池"


@pytest.fixture
def app(deployed: Platform) -> Flask:
    for name, roles, department in USERS:
        deployed.accounts.add_user(name, PASSWORD, roles, department)
    return create_app(deployed, config={"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Api:
    """Calls the API as a named user."""

    def __init__(self, client: FlaskClient, username: str) -> None:
        self.client = client
        response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.json
        self.headers = {"Authorization": f"Bearer {response.json['token']}"}

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.client.post(f"/api/v1{path}", headers=self.headers, **kw)


@pytest.fixture
def as_user(client: FlaskClient):  # type: ignore[no-untyped-def]
    return lambda username: Api(client, username)
