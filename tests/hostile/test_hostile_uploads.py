"""Hostile uploads over HTTP: XXE, billion laughs, deep nesting, oversized bodies, a gzip bomb, a ZIP bomb.

Every XML-taking upload is covered: the designer's upload page (validate and deploy), the API's deploy (raw
XML body and multipart with BPMN, DMN and form files). A hostile file is refused with a clear, located
message, quickly, and never echoes a local file's content. A body over the configured limit is a 413 with
the limit named: a Chinese page for the browser (English through the catalogue), the JSON error for the API.
Task attachments are stored, never unpacked, so an archive claiming gigabytes costs only its real size.
"""

from __future__ import annotations

import gzip
import io
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Platform
from tests.conftest import ROOT
from tests.hostile.conftest import bearer
from tests.webapp.test_designer_pages import post_upload
from tests.webapp.test_task_page import multipart
from tests.webapp.test_workbench import csrf_of, sign_in

PROCESS = (ROOT / "processes" / "parallel_review.bpmn").read_bytes()
PASSWD_WORDS = ("root:", "/bin/", "nologin", "daemon")
QUICK_SECONDS = 3.0  # refusals are immediate; this only catches an expansion or a hang


def with_doctype(doctype: str, name: str = "&e;") -> bytes:
    """parallel_review.bpmn with ``doctype`` before the root and ``name`` as the process's name."""
    head, rest = PROCESS.split(b"?>", 1) if PROCESS.startswith(b"<?xml") else (b"", PROCESS)
    body = rest.replace(
        b'<bpmn:process id="parallel_review"', f'<bpmn:process name="{name}" id="parallel_review"'.encode(), 1
    )
    return (head + b"?>" if head else b"") + b"\n" + doctype.encode() + body


BILLION_LAUGHS = with_doctype(
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>",
    "&lol9;",
)
XXE = {
    "entity": with_doctype('<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'),
    "external_dtd": with_doctype('<!DOCTYPE definitions SYSTEM "file:///etc/passwd">', "x"),
    "parameter_entity": with_doctype('<!DOCTYPE d [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>', "x"),
    "network": with_doctype('<!DOCTYPE d [<!ENTITY e SYSTEM "http://169.254.169.254/latest/meta-data/">]>'),
    "utf16": with_doctype('<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>')
    .replace(b'encoding="UTF-8"', b'encoding="UTF-16"')
    .decode()
    .encode("utf-16"),
}
XXE_DMN = (
    b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
    b'<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="&e;" namespace="x">\n'
    b'  <decision id="dec" name="&e;"/>\n</definitions>\n'
)
DEEP = b'<?xml version="1.0"?>' + b"<a>" * 100_000 + b"</a>" * 100_000


def assert_nothing_leaked(text: str) -> None:
    leaked = [word for word in PASSWD_WORDS if word in text]
    assert leaked == [], leaked


def api_deploy(client: FlaskClient, headers: dict[str, str], content: bytes, name: str = "p.bpmn", **kw: Any) -> Any:
    started = time.perf_counter()
    response = client.post(
        f"/api/v1/process-definitions?filename={name}",
        data=content,
        headers={**headers, **kw.pop("extra_headers", {})},
        content_type="application/xml",
        **kw,
    )
    assert time.perf_counter() - started < QUICK_SECONDS
    return response


def refused_with(response: Any, words: str) -> list[dict[str, Any]]:
    """The API's 422 for an invalid upload, with located details, one of which says ``words``."""
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    error = response.json["error"]
    assert error["code"] and error["message"]
    details = error["details"]
    assert details and all({"file", "line", "element_id", "message"} <= set(d) for d in details), details
    assert any(words in d["message"] for d in details), details
    assert_nothing_leaked(response.get_data(as_text=True))
    return details


@pytest.fixture
def designer(client: FlaskClient) -> FlaskClient:
    sign_in(client, "designer")
    return client


@pytest.fixture
def designer_token(client: FlaskClient) -> dict[str, str]:
    return bearer(client, "designer")


# -- XXE ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(XXE))
def test_xxe_is_refused_by_the_api_without_reading_the_file(
    client: FlaskClient, designer_token: dict[str, str], kind: str
) -> None:
    details = refused_with(api_deploy(client, designer_token, XXE[kind]), "DOCTYPE")
    assert details[0]["file"] == "p.bpmn" and details[0]["line"] >= 1


@pytest.mark.parametrize("kind", sorted(XXE))
@pytest.mark.parametrize("action", ["validate", "deploy"])
def test_xxe_is_refused_by_the_upload_page_without_reading_the_file(
    designer: FlaskClient, kind: str, action: str
) -> None:
    response = post_upload(designer, [("p.bpmn", XXE[kind])], action=action)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:500]
    assert "DOCTYPE" in page and "p.bpmn" in page
    assert_nothing_leaked(page)


def test_xxe_in_a_dmn_file_and_beside_forms_is_refused(client: FlaskClient, designer_token: dict[str, str]) -> None:
    forms = [(io.BytesIO(p.read_bytes()), p.name) for p in sorted((ROOT / "forms").glob("*.json"))[:3]]
    response = client.post(
        "/api/v1/process-definitions",
        data={"file": [(io.BytesIO(XXE_DMN), "rules.dmn")], "forms": forms},
        headers=designer_token,
        content_type="multipart/form-data",
    )
    details = refused_with(response, "DOCTYPE")
    assert {d["file"] for d in details} == {"rules.dmn"}


def test_an_xinclude_is_never_followed(client: FlaskClient, designer_token: dict[str, str]) -> None:
    include = b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>'
    content = PROCESS.replace(b"<bpmn:documentation>", include + b"<bpmn:documentation>", 1)
    if content == PROCESS:
        content = PROCESS.replace(b"</bpmn:process>", include + b"</bpmn:process>", 1)
    response = api_deploy(client, designer_token, content)
    assert response.status_code in (200, 201, 422), response.get_data(as_text=True)[:500]
    assert_nothing_leaked(response.get_data(as_text=True))
    if response.status_code != 422:  # accepted as an inert foreign element: the stored bytes are the upload's
        platform: Platform = client.application.extensions["onestop"]
        version = platform.definitions.get_version("parallel_review", response.json["version"])
        assert all(b"root:" not in f.content for f in platform.definitions.source_files(version))


# -- entity expansion and nesting ---------------------------------------------------------------------------


def test_billion_laughs_is_refused_quickly_by_the_api(client: FlaskClient, designer_token: dict[str, str]) -> None:
    refused_with(api_deploy(client, designer_token, BILLION_LAUGHS), "DOCTYPE")


@pytest.mark.parametrize("action", ["validate", "deploy"])
def test_billion_laughs_is_refused_quickly_by_the_upload_page(designer: FlaskClient, action: str) -> None:
    started = time.perf_counter()
    response = post_upload(designer, [("lolz.bpmn", BILLION_LAUGHS)], action=action)
    assert time.perf_counter() - started < QUICK_SECONDS
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "DOCTYPE" in page and "lol" * 100 not in page


def test_deeply_nested_xml_is_refused_quickly(client: FlaskClient, designer_token: dict[str, str]) -> None:
    refused_with(api_deploy(client, designer_token, DEEP), "not well-formed XML")


def test_deeply_nested_json_is_a_clear_error_not_a_crash(client: FlaskClient, designer_token: dict[str, str]) -> None:
    for body in ("[" * 100_000, '{"data":' * 50_000, "[" * 5_000 + "]" * 5_000):
        response = client.post("/api/v1/instances", data=body, headers=designer_token, content_type="application/json")
        assert response.status_code == 422, response.get_data(as_text=True)[:300]
        assert response.json["error"]["details"] == [{"field": "_body", "message": "expected a JSON object"}]
    form = '{"type": "object", "properties": ' * 3_000 + "{}" + "}" * 3_000
    response = client.post(
        "/api/v1/process-definitions",
        data={
            "file": [(io.BytesIO(PROCESS), "parallel_review.bpmn")],
            "forms": [(io.BytesIO(form.encode()), "deep.json")],
        },
        headers=designer_token,
        content_type="multipart/form-data",
    )
    refused_with(response, "nested too deeply")


def test_a_number_too_big_for_any_row_is_not_a_server_error(
    client: FlaskClient, designer_token: dict[str, str]
) -> None:
    admin = bearer(client, "admin")
    assert client.get(f"/api/v1/instances/{2**64}", headers=admin).status_code == 404
    assert client.get(f"/api/v1/instances/{2**63 - 1}", headers=admin).status_code == 404
    assert client.get(f"/api/v1/instances/{2**31}", headers=admin).status_code == 404  # PostgreSQL's INTEGER
    assert client.get(f"/api/v1/instances/{2**31 - 1}", headers=admin).status_code == 404  # in range: no such row
    response = client.post(
        "/api/v1/accountability/complaints", json={"complaint_id": 10**30, "upheld": True}, headers=admin
    )
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert response.json["error"]["details"][0]["field"] == "complaint_id"


# -- size ---------------------------------------------------------------------------------------------------


def test_an_oversized_api_upload_is_a_json_413_naming_the_limit(
    app: Flask, client: FlaskClient, designer_token: dict[str, str]
) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = api_deploy(client, designer_token, b"<" + b"x" * limit)
    assert response.status_code == 413
    error = response.json["error"]
    assert error["code"] == "too_large" and error["details"] == {"limit_bytes": limit}
    assert "上传内容过大" in error["message"] and f"{limit / 2**20:.3g} MiB" in error["message"]


def test_a_file_over_the_definition_limit_but_under_the_request_limit_is_a_located_422(
    app: Flask, client: FlaskClient, designer_token: dict[str, str]
) -> None:
    limit = app.extensions["onestop"].settings.max_definition_bytes
    padded = PROCESS.replace(b"<bpmn:collaboration", b"<!--" + b"x" * limit + b"-->" + b"<bpmn:collaboration", 1)
    refused_with(api_deploy(client, designer_token, padded), f"the limit is {limit:,} bytes")


def test_an_oversized_attachment_on_a_page_is_a_chinese_413_page(app: Flask, client: FlaskClient) -> None:
    sign_in(client, "window")
    token = csrf_of(client, "/inbox")
    body, content_type = multipart("scan.pdf", b"%PDF-" + b"x" * app.config["MAX_CONTENT_LENGTH"], token)
    response = client.post("/tasks/any/attachments", data=body, content_type=content_type)
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and "上传内容过大" in page and "MiB" in page
    assert "Request Entity Too Large" not in page
    client.get("/inbox?lang=en")  # the same refusal in English through the hostile.po catalogue
    response = client.post("/tasks/any/attachments", data=body, content_type=content_type)
    assert response.status_code == 413 and "Upload too large" in response.get_data(as_text=True)


def test_an_oversized_api_attachment_is_a_json_413(app: Flask, client: FlaskClient) -> None:
    body, content_type = multipart("scan.pdf", b"%PDF-" + b"x" * app.config["MAX_CONTENT_LENGTH"], None)
    response = client.post(
        "/api/v1/tasks/any/attachments", data=body, content_type=content_type, headers=bearer(client, "window")
    )
    assert response.status_code == 413 and response.json["error"]["code"] == "too_large"


# -- compression bombs --------------------------------------------------------------------------------------


def test_a_gzip_bomb_body_is_never_inflated(client: FlaskClient, designer_token: dict[str, str]) -> None:
    bomb = gzip.compress(b"<a>" + b" " * 50_000_000 + b"</a>", compresslevel=9)
    assert len(bomb) < 200_000
    response = api_deploy(client, designer_token, bomb, extra_headers={"Content-Encoding": "gzip"})
    refused_with(response, "XML")


def zip_claiming(huge: int, *names: str) -> bytes:
    """A small real ZIP whose central directory claims each member holds ``huge`` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(name, b"<x/>" * 1000)
    data = bytearray(buffer.getvalue())
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) != -1:  # central directory entries: uncompressed size at +24
        data[at + 24 : at + 28] = min(huge, 0xFFFFFFFE).to_bytes(4, "little")
        at += 4
    return bytes(data)


def test_a_zip_bomb_attachment_is_stored_as_sent_never_unpacked(
    client: FlaskClient, examination: tuple[Platform, str, str]
) -> None:
    platform, _case_no, task = examination
    bomb = zip_claiming(4 * 2**30, "[Content_Types].xml", "word/document.xml")
    started = time.perf_counter()
    sign_in(client, "lexam")
    body, content_type = multipart("申请书.docx", bomb, csrf_of(client, f"/tasks/{task}"))
    response = client.post(f"/tasks/{task}/attachments", data=body, content_type=content_type)
    assert time.perf_counter() - started < QUICK_SECONDS
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    kept = [p for p in Path(platform.settings.instance_dir, "attachments").rglob("*") if p.is_file()]
    assert [p.stat().st_size for p in kept] == [len(bomb)]
