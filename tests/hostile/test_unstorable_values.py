"""Values that fit JSON but not the database are the request's fault: 422 with the error shape, never a 500.

Found by schemathesis on PostgreSQL: an id beyond its 32-bit INTEGER in a JSON body, and a NUL character in
text (psycopg refuses it). SQLite stores both or overflows only past 64 bits; either way the answer is not a 500."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.hostile.conftest import bearer


def test_an_id_beyond_the_integer_column_in_a_body_is_refused_not_a_server_error(client: FlaskClient) -> None:
    admin = bearer(client, "admin")
    response = client.post(
        "/api/v1/accountability/complaints", json={"complaint_id": 2**40, "upheld": False}, headers=admin
    )
    assert response.status_code in (404, 422), response.get_data(as_text=True)[:300]
    assert response.json["error"]["code"] in ("not_found", "unstorable_value", "invalid_form")


def test_a_nul_character_in_text_is_refused_or_stored_never_a_server_error(client: FlaskClient) -> None:
    admin = bearer(client, "admin")
    body = {"code": "W\x0099", "name": "窗口\x00", "department": "CENTRE", "category": "综合", "phone": "1"}
    response = client.post("/api/v1/organisation/windows", json=body, headers=admin)
    assert response.status_code in (201, 422), response.get_data(as_text=True)[:300]
    if response.status_code == 422:
        assert response.json["error"]["code"] in ("unstorable_value", "invalid_form")
    listed = client.get("/api/v1/items", headers=admin)
    assert listed.status_code == 200  # the platform still answers after the refusal
