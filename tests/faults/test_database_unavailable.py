"""A database server that cannot be reached is one clear error: DatabaseUnavailable from the engine, and a 503
JSON answer (Chinese first, English on request) from the API — never a bare 500 or a hung request.

The server here is really unreachable (a PostgreSQL URL on a port nobody listens on), so this runs everywhere;
faults/pg_restart.py and tests/faults/test_pg_restart.py restart a real server."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import text

from engine.bootstrap import Platform
from engine.errors import DatabaseUnavailable
from engine.persistence.database import make_engine
from webapp import create_app


def _unreachable_url() -> str:
    with socket.socket() as sock:  # a port that was free a moment ago: connecting is refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"postgresql+psycopg://onestop:onestop@127.0.0.1:{port}/onestop?connect_timeout=3"


def test_an_unreachable_postgresql_server_raises_database_unavailable() -> None:
    engine = make_engine(_unreachable_url())
    with pytest.raises(DatabaseUnavailable, match="the database is unavailable"), engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    engine.dispose()


def test_the_api_answers_503_with_a_clear_message_while_the_database_is_away(platform: Platform) -> None:
    platform.accounts.add_department("DRILL", "故障演练科")
    platform.accounts.add_user("clerk", "pw-123456", ["window_officer"], "DRILL")
    client = create_app(platform, config={"TESTING": True}).test_client()
    signed_in = client.post("/api/v1/auth/token", json={"username": "clerk", "password": "pw-123456"})
    token = signed_in.get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    working = platform.ctx.uow.engine  # type: ignore[attr-defined]
    platform.ctx.uow.engine = make_engine(_unreachable_url())  # type: ignore[attr-defined]
    try:
        away = client.get("/api/v1/tasks", headers=headers)
        english = client.get("/api/v1/tasks?lang=en", headers=headers)
    finally:
        platform.ctx.uow.engine.dispose()  # type: ignore[attr-defined]
        platform.ctx.uow.engine = working  # type: ignore[attr-defined]
    assert away.status_code == 503 and away.headers["Retry-After"] == "5"
    assert away.get_json()["error"]["code"] == "database_unavailable"
    assert away.get_json()["error"]["message"] == "数据库暂时不可用，请稍后重试。"
    assert english.status_code == 503
    assert (
        english.get_json()["error"]["message"] == "The database is temporarily unavailable; please try again shortly."
    )
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200  # back: no restart needed
