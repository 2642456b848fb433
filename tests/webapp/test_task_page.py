"""The clerk's task page: the case (masked applicant), its materials checklist and notices, attachments (upload and
download round trip with a Chinese name, size and type refusals as field errors), comments, 转办 transfer, CSRF on
every form, and a clerk of another department kept out of the task, its files and its transfer."""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Platform
from engine.services.definitions import read_paths
from tests.conftest import ROOT, principal
from tests.webapp.conftest import PASSWORD, Api
from tests.webapp.test_workbench import csrf_of, sign_in

PDF = b"%PDF-1.4\n% test\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
NAME = "现场踏勘照片（2026）.pdf"
WIN = principal("lwin", ("window_officer", "LAND"))


@pytest.fixture
def examination(app: Flask) -> tuple[Platform, str, str]:
    """A real item's case accepted at the window, waiting at LAND's examination: (platform, case no, task id)."""
    platform: Platform = app.extensions["onestop"]
    platform.catalogue.load()
    forms = sorted((ROOT / "forms").glob("*.json"))
    platform.definitions.deploy(read_paths([ROOT / "processes" / "items" / "item_xk_zrzy_001.bpmn", *forms]))
    for name, role, department in [
        ("lwin", "window_officer", "LAND"),
        ("lexam", "case_officer", "LAND"),
        ("hexam", "case_officer", "HOUSING"),
    ]:
        platform.accounts.add_user(name, PASSWORD, [role], department)
    body = {
        "item_code": "XK-ZRZY-001",
        "applicant": {"name": "李四", "id_number": "530127199001011234", "phone": "13812345678"},
        "materials": ["建设项目用地预审与选址申请表", "项目批准、核准、备案文件或前期工作文件"],
    }
    case_no = platform.cases.create(WIN, body).case_no
    platform.tasks.complete(WIN, platform.tasks.inbox(WIN)[0].task_id, {"decision": "accept"})
    officer = principal("lexam", ("case_officer", "LAND"))
    return platform, case_no, platform.tasks.inbox(officer)[0].task_id


def multipart(name: str, content: bytes, token: str | None) -> tuple[bytes, str]:
    """The body a browser sends (built in memory: the test client would spool a big file to an unclosed temp
    file). The filename is sent as raw UTF-8, as browsers do."""
    boundary = "----onestop-test-boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'.encode()]
    parts = parts if token is not None else []
    header = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
    parts.append(header.encode() + b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def upload(client: FlaskClient, task: str, name: str, content: bytes, token: str | None) -> Any:
    body, content_type = multipart(name, content, token)
    return client.post(f"/tasks/{task}/attachments", data=body, content_type=content_type)


def stored(platform: Platform) -> list[str]:
    return sorted(p.name for p in (platform.settings.instance_dir / "attachments").rglob("*") if p.is_file())


def test_the_task_page_shows_the_case_its_materials_and_notices(
    client: FlaskClient, examination: tuple[Platform, str, str]
) -> None:
    _, case_no, task = examination
    sign_in(client, "lexam")
    page = client.get(f"/tasks/{task}").get_data(as_text=True)
    assert 'class="task-layout"' in page and "办件信息" in page
    assert case_no in page and "建设项目用地预审与选址意见书核发" in page and "XK-ZRZY-001" in page
    assert "李四" in page and "530127********1234" in page and "138****5678" in page
    assert "530127199001011234" not in page and "13812345678" not in page
    assert "已受理，办理中" in page and "窗口" in page
    # 5 working days from Tuesday 10 March: the deadline is midnight after Tuesday 17 March, shown as its last day
    assert "2026-03-17" in page and "2026-03-18" not in page and "剩余 5 个工作日" in page
    checklist = page.split('id="materials"')[1].split("</ul>")[0]
    assert '<li class="received">' in checklist and "建设项目用地预审与选址申请表" in checklist
    assert '<li class="missing">' in checklist and "土地利用现状材料" in checklist
    assert "缺少 3 项必要材料" in page
    links = re.findall(rf'href="(/tasks/{task}/notices/\d+)">([^<]+)</a>', page)
    assert [title for _, title in links] == ["材料接收凭证", "受理通知书"]
    notice = client.get(links[1][0])
    assert notice.status_code == 200 and notice.mimetype == "text/html"
    assert case_no in notice.get_data(as_text=True) and "受理通知书" in notice.get_data(as_text=True)


def test_an_attachment_round_trips_with_its_chinese_name(
    client: FlaskClient, examination: tuple[Platform, str, str]
) -> None:
    platform, _, task = examination
    sign_in(client, "lexam")
    response = upload(client, task, NAME, PDF, csrf_of(client, f"/tasks/{task}"))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/tasks/{task}#attachments")
    page = client.get(f"/tasks/{task}").get_data(as_text=True)
    link = re.search(r'href="(/attachments/\d+)">([^<]+)</a>', page)
    assert link and link.group(2) == NAME
    download = client.get(link.group(1))
    body = download.data
    download.close()  # the file was streamed from disk
    assert download.status_code == 200 and body == PDF
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"filename*=UTF-8''{quote(NAME, safe='')}" in disposition
    assert re.search(r'filename="attachment-\d+\.pdf"', disposition)
    assert download.mimetype == "application/pdf" and download.headers["X-Content-Type-Options"] == "nosniff"
    assert stored(platform) == [__import__("hashlib").sha256(PDF).hexdigest()]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("大.pdf", PDF + b"0" * (10 * 1024 * 1024), "10 MB"),
        ("伪装.pdf", PNG, "PDF"),
        ("脚本.html", b"<script>alert(1)</script>", "PDF、JPEG、PNG"),
    ],
)
def test_a_refused_file_is_a_field_error_on_the_page_and_nothing_is_kept(
    client: FlaskClient, examination: tuple[Platform, str, str], name: str, content: bytes, words: str
) -> None:
    platform, _, task = examination
    sign_in(client, "lexam")
    response = upload(client, task, name, content, csrf_of(client, f"/tasks/{task}"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(r'<p class="field-error" id="file-error">([^<]+)</p>', page)
    assert error and words in error.group(1)
    assert 'aria-invalid="true" aria-describedby="file-error"' in page
    assert stored(platform) == [] and "/attachments/" not in page


def test_every_side_form_needs_the_csrf_token(client: FlaskClient, examination: tuple[Platform, str, str]) -> None:
    platform, _, task = examination
    sign_in(client, "lexam")
    assert upload(client, task, NAME, PDF, None).status_code == 400
    assert client.post(f"/tasks/{task}/comments", data={"body": "意见"}).status_code == 400
    refused = client.post(f"/tasks/{task}/transfer", data={"department": "HOUSING", "reason": "职责"})
    assert refused.status_code == 400
    assert stored(platform) == [] and platform.task_files.comments(principal("a", ("admin", None)), task) == []
    assert platform.tasks.show(principal("a", ("admin", None)), task).task.department == "LAND"


def test_comments_are_escaped_and_the_newest_is_last(
    client: FlaskClient, examination: tuple[Platform, str, str]
) -> None:
    _, _, task = examination
    sign_in(client, "lexam")
    token = csrf_of(client, f"/tasks/{task}")
    assert client.post(f"/tasks/{task}/comments", data={"body": "", "csrf_token": token}).status_code == 422
    for body in ("第一条：<script>alert(1)</script>", "第二条\n换行"):
        response = client.post(f"/tasks/{task}/comments", data={"body": body, "csrf_token": token})
        assert response.status_code == 303
    page = client.get(f"/tasks/{task}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.index("第一条") < page.index("第二条") and "lexam ·" in page


def test_a_transfer_moves_the_task_to_the_other_department(
    app: Flask, client: FlaskClient, examination: tuple[Platform, str, str]
) -> None:
    _, _, task = examination
    sign_in(client, "lexam")
    token = csrf_of(client, f"/tasks/{task}")
    empty = client.post(f"/tasks/{task}/transfer", data={"department": "HOUSING", "reason": " ", "csrf_token": token})
    assert empty.status_code == 422 and 'id="reason-error"' in empty.get_data(as_text=True)
    nowhere = client.post(f"/tasks/{task}/transfer", data={"department": "MOON", "reason": "职责", "csrf_token": token})
    assert nowhere.status_code == 422 and 'id="department-error"' in nowhere.get_data(as_text=True)
    moved = client.post(
        f"/tasks/{task}/transfer", data={"department": "HOUSING", "reason": "属住建部门职责", "csrf_token": token}
    )
    assert moved.status_code == 303 and moved.headers["Location"].endswith("/inbox")
    inbox = client.get("/inbox").get_data(as_text=True)
    assert task not in inbox and "已转办至" in inbox
    assert client.get(f"/tasks/{task}").status_code == 403
    other = app.test_client()
    sign_in(other, "hexam")
    assert task in other.get("/inbox").get_data(as_text=True)
    page = other.get(f"/tasks/{task}").get_data(as_text=True)
    assert "属住建部门职责" in page and "→" in page and "办件信息" in page


def test_a_clerk_of_another_department_cannot_reach_the_task_its_files_or_its_transfer(
    app: Flask, client: FlaskClient, examination: tuple[Platform, str, str]
) -> None:
    platform, _, task = examination
    sign_in(client, "lexam")
    upload(client, task, NAME, PDF, csrf_of(client, f"/tasks/{task}"))
    page = client.get(f"/tasks/{task}").get_data(as_text=True)
    download = re.search(r'href="(/attachments/\d+)"', page)
    notice = re.search(rf'href="(/tasks/{task}/notices/\d+)"', page)
    assert download and notice
    other = app.test_client()
    sign_in(other, "hexam")
    token = csrf_of(other, "/inbox")
    assert other.get(f"/tasks/{task}").status_code == 403
    assert other.get(download.group(1)).status_code == 403
    assert other.get(notice.group(1)).status_code == 403
    assert upload(other, task, "b.pdf", PDF, token).status_code == 403
    assert other.post(f"/tasks/{task}/comments", data={"body": "x", "csrf_token": token}).status_code == 403
    transfer = {"department": "HOUSING", "reason": "抢件", "csrf_token": token}
    assert other.post(f"/tasks/{task}/transfer", data=transfer).status_code == 403
    assert other.get("/attachments/99999").status_code == 404
    assert platform.tasks.show(principal("a", ("admin", None)), task).task.department == "LAND"


@pytest.mark.parametrize("path", ["/attachments/1", "/tasks/any/notices/1"])
def test_the_new_pages_need_a_signed_in_user(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_api_offers_attachments_comments_transfer_and_the_case(
    client: FlaskClient, examination: tuple[Platform, str, str]
) -> None:
    _, case_no, task = examination
    officer, stranger = Api(client, "lexam"), Api(client, "hexam")
    sent = officer.post(
        f"/tasks/{task}/attachments", data={"file": (io.BytesIO(PDF), NAME)}, content_type="multipart/form-data"
    )
    assert sent.status_code == 201 and sent.json["filename"] == NAME and sent.json["case_no"] == case_no
    wrong = officer.post(
        f"/tasks/{task}/attachments", data={"file": (io.BytesIO(PNG), "x.pdf")}, content_type="multipart/form-data"
    )
    assert wrong.status_code == 422 and wrong.json["error"]["details"][0]["field"] == "file"
    assert [a["id"] for a in officer.get(f"/tasks/{task}/attachments").json] == [sent.json["id"]]
    fetched = officer.get(f"/attachments/{sent.json['id']}")
    body = fetched.data
    fetched.close()
    assert body == PDF
    assert stranger.get(f"/attachments/{sent.json['id']}").status_code == 403
    assert officer.post(f"/tasks/{task}/comments", json={"body": "请补充地形图"}).status_code == 201
    assert [c["body"] for c in officer.get(f"/tasks/{task}/comments").json] == ["请补充地形图"]
    case = officer.get(f"/tasks/{task}/case").json
    assert case["case_no"] == case_no and case["applicant_id_number"] == "530127********1234"
    assert {m["state"] for m in case["materials"]} == {"received", "missing"}
    assert stranger.post(f"/tasks/{task}/transfer", json={"department": "HOUSING", "reason": "x"}).status_code == 403
    moved = officer.post(f"/tasks/{task}/transfer", json={"department": "HOUSING", "reason": "职责调整"})
    assert moved.status_code == 200 and moved.json["department"] == "HOUSING"
    assert [t["id"] for t in stranger.get("/tasks").json] == [task]
    assert officer.post(f"/tasks/{task}/complete", json={"data": {"opinion": "同意"}}).status_code == 403
