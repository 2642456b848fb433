"""The process designer's pages: the catalogue and versions, uploads that show problems by file and line or
deploy a new version, comparisons between versions, downloads of the deployed bytes, and who may do what."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import stream_encode_multipart

from tests.conftest import DATA, ROOT
from tests.webapp.test_workbench import csrf_of, sign_in

PROCESS = ROOT / "processes" / "parallel_review.bpmn"
FORMS = [ROOT / "forms" / name for name in ("intake.json", "review.json", "approval.json")]
OLD_DEADLINE = b"workdays_after(5)</bpmn:timeDate></bpmn:timerEventDefinition>\n    </bpmn:boundaryEvent>\n"
PAGES = [
    "/designer",
    "/designer/parallel_review",
    "/designer/parallel_review/1",
    "/designer/parallel_review/compare?from=1&to=1",
    "/designer/parallel_review/1/download",
    "/designer/upload",
]


#: the listing's link to a second version (a bare "v2" may occur in a random CSRF token)
SECOND_VERSION = 'href="/designer/parallel_review/2">v2</a>'


def changed_process() -> bytes:
    """parallel_review with the land department's deadline moved from 5 to 7 working days."""
    original = PROCESS.read_bytes()
    changed = original.replace(OLD_DEADLINE, OLD_DEADLINE.replace(b"(5)", b"(7)"), 1)
    assert changed != original
    return changed


def post_upload(
    client: FlaskClient, files: list[tuple[str, bytes]], action: str = "validate", forms: list[tuple[str, bytes]] = ()
):  # type: ignore[no-untyped-def]
    fields = MultiDict([("csrf_token", csrf_of(client, "/designer/upload")), ("action", action)])
    for name, content in files:
        fields.add("file", FileStorage(io.BytesIO(content), name))
    for name, content in forms:
        fields.add("forms", FileStorage(io.BytesIO(content), name))
    # encoded in memory: the test client would spool a big body to a temporary file it never closes
    body, length, boundary = stream_encode_multipart(fields, use_tempfile=False)
    return client.post("/designer/upload", data=body.read(), content_type=f"multipart/form-data; boundary={boundary}")


def problem_rows(page: str) -> list[tuple[str, str]]:
    """(file, line) of each row of the problems table."""
    table = page.split('class="problems"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr><td>([^<]*)</td><td>(\d+)</td>", table)


@pytest.fixture
def designer(client: FlaskClient) -> FlaskClient:
    sign_in(client, "designer")
    return client


def test_the_catalogue_and_the_version_page_render_for_a_designer(designer: FlaskClient) -> None:
    listing = designer.get("/designer")
    page = listing.get_data(as_text=True)
    assert listing.status_code == 200
    assert "并联审查示范（三部门同时审查）" in page and "parallel_review" in page and "v1" in page
    assert 'href="/designer/parallel_review/1"' in page
    version = designer.get("/designer/parallel_review/1")
    text = version.get_data(as_text=True)
    assert version.status_code == 200
    assert "<svg" in text  # the diagram, drawn by the diagram service, inline
    assert "/designer/parallel_review/1/download" in text
    assert "迁移实例到此版本" not in text  # migrating instances is for administrators
    for name in ("parallel_review.bpmn", "intake.json", "review.json", "approval.json"):
        assert name in text
    assert "test" in text  # deployed by (the fixture's actor)
    versions = designer.get("/designer/parallel_review").get_data(as_text=True)
    assert "/designer/parallel_review/1" in versions


def test_an_administrator_may_look_but_only_designers_deploy(client: FlaskClient) -> None:
    sign_in(client, "admin")
    assert client.get("/designer").status_code == 200
    version = client.get("/designer/parallel_review/1").get_data(as_text=True)
    assert "/admin/processes/parallel_review/migrate?to=1" in version and "迁移实例到此版本" in version
    form = client.get("/designer/upload").get_data(as_text=True)
    assert 'value="validate"' in form and 'value="deploy"' not in form
    refused = post_upload(client, [("parallel_review.bpmn", changed_process())], action="deploy")
    assert refused.status_code == 403
    assert SECOND_VERSION not in client.get("/designer").get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES)
def test_a_clerk_is_refused_every_designer_page(client: FlaskClient, path: str) -> None:
    sign_in(client, "window")
    assert client.get(path).status_code == 403


def test_a_clerk_cannot_upload(client: FlaskClient) -> None:
    sign_in(client, "window")
    token = csrf_of(client, "/inbox")
    response = client.post(
        "/designer/upload",
        data={"csrf_token": token, "action": "validate", "file": (io.BytesIO(PROCESS.read_bytes()), "p.bpmn")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403


def test_a_broken_file_shows_its_name_and_line(designer: FlaskClient) -> None:
    broken = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="x">\n'
        b'  <bpmn:process id="broken" isExecutable="true">\n'
        b'    <bpmn:startEvent id="start">\n'
        b"  </bpmn:process>\n"
        b"</bpmn:definitions>\n"
    )
    response = post_upload(designer, [("broken.bpmn", broken)])
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ("broken.bpmn", "5") in problem_rows(page)
    assert "not well-formed XML" in page and "文件有效" not in page


def test_a_structurally_wrong_process_is_located_at_its_element(designer: FlaskClient) -> None:
    # a user task naming a form that is neither uploaded nor deployed
    wrong = PROCESS.read_bytes().replace(b'value="approval.json"', b'value="missing.json"')
    line = next(i for i, text in enumerate(wrong.splitlines(), 1) if b'<bpmn:userTask id="approve"' in text)
    page = post_upload(designer, [("parallel_review.bpmn", wrong)], action="deploy").get_data(as_text=True)
    assert ("parallel_review.bpmn", str(line)) in problem_rows(page)
    assert "<code>approve</code>" in page
    assert SECOND_VERSION not in designer.get("/designer").get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("truncated.bpmn", PROCESS.read_bytes()[:700], "not well-formed XML"),
        ("notes.txt", b"just some notes", "unsupported file type"),
        ("picture.bpmn", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "XML"),
        (
            "xxe.bpmn",
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>',
            "DOCTYPE",
        ),
        ("empty.bpmn", b"", "empty"),
    ],
)
def test_malformed_uploads_are_refused_with_a_message_not_a_traceback(
    designer: FlaskClient, name: str, content: bytes, words: str
) -> None:
    for action in ("validate", "deploy"):
        response = post_upload(designer, [(name, content)], action=action)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, page[:500]
        assert name in page and words in page and "root:" not in page


def test_an_upload_without_any_file_asks_for_one(designer: FlaskClient) -> None:
    response = post_upload(designer, [])
    assert response.status_code == 422 and "请选择要上传的 BPMN 或 DMN 文件" in response.get_data(as_text=True)


def test_validating_a_valid_change_shows_it_against_the_deployed_version(designer: FlaskClient) -> None:
    response = post_upload(designer, [("parallel_review.bpmn", changed_process())])
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "文件有效" in page
    assert "与已部署的 parallel_review 第 1 版比较" in page
    assert "<code>deadline_land</code>" in page and "workdays_after(7)" in page
    assert SECOND_VERSION not in designer.get("/designer").get_data(as_text=True)  # validating deploys nothing


def test_deploying_a_changed_version_makes_version_two_and_the_pages_show_it(designer: FlaskClient) -> None:
    response = post_upload(designer, [("parallel_review.bpmn", changed_process())], action="deploy")
    assert response.status_code == 302 and response.headers["Location"].endswith("/designer/parallel_review/2")
    shown = designer.get(response.headers["Location"]).get_data(as_text=True)
    assert "已部署 parallel_review 第 2 版" in shown
    listing = designer.get("/designer").get_data(as_text=True)
    assert SECOND_VERSION in listing
    compared = designer.get("/designer/parallel_review/compare?from=1&to=2").get_data(as_text=True)
    changed_rows = re.findall(r'<tr class="changed">.*?</tr>', compared, re.S)
    assert len(changed_rows) == 1 and "<code>deadline_land</code>" in changed_rows[0]
    assert "workdays_after(5)" in changed_rows[0] and "workdays_after(7)" in changed_rows[0]
    assert '<tr class="added">' not in compared and '<tr class="removed">' not in compared
    assert "文件内容没有变化" not in compared and "parallel_review.bpmn" in compared


def test_deploying_identical_content_says_nothing_changed(designer: FlaskClient) -> None:
    response = post_upload(designer, [("parallel_review.bpmn", PROCESS.read_bytes())], action="deploy")
    assert response.headers["Location"].endswith("/designer/parallel_review/1")
    shown = designer.get(response.headers["Location"]).get_data(as_text=True)
    assert "未产生新版本" in shown
    assert SECOND_VERSION not in designer.get("/designer").get_data(as_text=True)


def test_a_new_process_with_its_form_deploys_as_version_one(designer: FlaskClient) -> None:
    forms = [("inspection.json", (DATA / "inspection.json").read_bytes())]
    files = [("site_inspection.bpmn", (DATA / "site_inspection.bpmn").read_bytes())]
    checked = post_upload(designer, files, forms=forms).get_data(as_text=True)
    assert "文件有效" in checked and "尚无已部署版本" in checked
    response = post_upload(designer, files, action="deploy", forms=forms)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    page = designer.get(response.headers["Location"]).get_data(as_text=True)
    assert "inspection.json" in page and "v1" in page


def test_download_returns_the_exact_deployed_bytes(app: Flask, designer: FlaskClient) -> None:
    bundle = designer.get("/designer/parallel_review/1/download")
    assert bundle.status_code == 200 and bundle.mimetype == "application/zip"
    assert "parallel_review-v1.zip" in bundle.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(bundle.data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    assert members == {path.name: path.read_bytes() for path in [PROCESS, *FORMS]}

    from engine.services.definitions import SourceFile

    single = (DATA / "short_timer.bpmn").read_bytes()
    app.extensions["onestop"].definitions.deploy([SourceFile("short_timer.bpmn", single)], actor="test")
    alone = designer.get("/designer/short_timer/1/download")
    assert alone.status_code == 200 and alone.data == single
    assert "short_timer.bpmn" in alone.headers["Content-Disposition"]


def test_unknown_versions_are_not_found_and_bad_version_numbers_are_refused(designer: FlaskClient) -> None:
    assert designer.get("/designer/parallel_review/9").status_code == 404
    assert designer.get("/designer/nothing_here").status_code == 404
    assert designer.get("/designer/parallel_review/9/download").status_code == 404
    assert designer.get("/designer/parallel_review/compare?from=1&to=9").status_code == 404
    assert designer.get("/designer/parallel_review/compare?from=x&to=1").status_code == 422
    assert designer.get("/designer/parallel_review/compare?from=0&to=1").status_code == 422
    assert designer.get("/designer/parallel_review/99999999999999999999").status_code == 404
    assert designer.get("/designer/parallel_review/compare?from=1&to=99999999999999999999").status_code == 404


def test_the_upload_needs_the_csrf_token(designer: FlaskClient) -> None:
    response = designer.post(
        "/designer/upload",
        data={"action": "deploy", "file": (io.BytesIO(changed_process()), "parallel_review.bpmn")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert SECOND_VERSION not in designer.get("/designer").get_data(as_text=True)


def test_big_files_are_refused_with_the_limit_named(app: Flask, designer: FlaskClient) -> None:
    limit = app.extensions["onestop"].settings.max_definition_bytes
    padding = b"<!--" + b"x" * limit + b"-->"
    big = PROCESS.read_bytes().replace(b"<bpmn:collaboration", padding + b"<bpmn:collaboration", 1)
    response = post_upload(designer, [("parallel_review.bpmn", big)])
    assert response.status_code == 422 and f"the limit is {limit:,} bytes" in response.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 1000  # a request too big to read at all
    refused = post_upload(designer, [("parallel_review.bpmn", PROCESS.read_bytes())])
    assert refused.status_code == 413 and "上传内容过大" in refused.get_data(as_text=True)
