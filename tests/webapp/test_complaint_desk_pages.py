"""The complaint desk's pages: an administrator defines and opens a questionnaire, the public answers it at
/public/surveys/<id> (CSRF, each answer checked: 422 with the question marked), window staff enter a paper
one, results show SVG charts and export CSV; the 96128 hotline page logs a call with the consultant as first
responder and lists callers masked; a complaint's progress page follows its GB/T 36113 process."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Platform
from engine.services.definitions import read_paths
from tests.conftest import ROOT
from tests.webapp.conftest import PASSWORD
from tests.webapp.test_workbench import csrf_of, sign_in

QUESTIONS = (
    "评分: 总体评价\n单选: 等候时间 | 10分钟以内 | 30分钟以上\n多选: 改进方面（选答） | 态度 | 效率\n文字: 建议（选答）"
)


@pytest.fixture
def desk_app(app: Flask, deployed: Platform) -> Flask:
    for who, roles, department in [
        ("consult", ["consultant"], "CENTRE"),
        ("complaint", ["complaint_officer"], "CENTRE"),
        ("supervisor", ["supervisor"], None),
        ("landwin", ["window_officer"], "LAND"),
    ]:
        deployed.accounts.add_user(who, PASSWORD, roles, department)
    return app


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, username)
    return client


def open_survey(app: Flask) -> int:
    admin = signed_in(app, "admin")
    token = csrf_of(admin, "/surveys")
    created = admin.post("/surveys", data={"csrf_token": token, "title": "大厅满意度", "questions": QUESTIONS})
    assert created.status_code == 302
    survey_id = int(re.search(r"/surveys/(\d+)/results", created.headers["Location"]).group(1))  # type: ignore[union-attr]
    assert admin.post(f"/surveys/{survey_id}/open", data={"csrf_token": token}).status_code == 302
    return survey_id


def test_a_questionnaire_is_defined_answered_in_public_and_at_the_window_and_charted(desk_app: Flask) -> None:
    survey_id = open_survey(desk_app)
    public = desk_app.test_client()
    page = public.get(f"/public/surveys/{survey_id}").get_data(as_text=True)
    assert page.count('type="radio" name="q1"') == 5 and 'type="checkbox" name="q3"' in page
    token = csrf_of(public, f"/public/surveys/{survey_id}")
    assert public.post(f"/public/surveys/{survey_id}", data={"q1": "5", "q2": "10分钟以内"}).status_code == 400
    bad = public.post(f"/public/surveys/{survey_id}", data={"csrf_token": token, "q1": "9", "q2": "很久"})
    assert bad.status_code == 422 and bad.get_data(as_text=True).count('class="field-error"') == 2
    answers = {"csrf_token": token, "q1": "4", "q2": "10分钟以内", "q3": ["态度", "效率"], "q4": "<b>很好</b>"}
    assert public.post(f"/public/surveys/{survey_id}", data=answers).status_code == 200
    window = signed_in(desk_app, "landwin")
    token = csrf_of(window, f"/surveys/{survey_id}/window")
    entered = window.post(f"/surveys/{survey_id}/window", data={"csrf_token": token, "q1": "2", "q2": "30分钟以上"})
    assert entered.status_code == 200
    admin = signed_in(desk_app, "admin")
    results = admin.get(f"/surveys/{survey_id}/results").get_data(as_text=True)
    assert results.count("<svg") == 3  # score, single and multiple choice; texts are listed
    assert "&lt;b&gt;很好&lt;/b&gt;" in results and "<b>很好</b>" not in results
    assert "平均 3.0 分" in results
    exported = admin.get(f"/surveys/{survey_id}/results.csv")
    assert exported.mimetype == "text/csv"
    lines = exported.get_data(as_text=True).lstrip("\ufeff").strip().splitlines()
    assert len(lines) == 3 and "态度；效率" in lines[1] and "窗口" in lines[2]
    assert window.get(f"/surveys/{survey_id}/results").status_code == 403


def test_a_draft_or_closed_questionnaire_is_not_public(desk_app: Flask, deployed: Platform) -> None:
    survey_id = open_survey(desk_app)
    admin = signed_in(desk_app, "admin")
    assert (
        admin.post(f"/surveys/{survey_id}/closed", data={"csrf_token": csrf_of(admin, "/surveys")}).status_code == 302
    )
    assert desk_app.test_client().get(f"/public/surveys/{survey_id}").status_code == 404
    assert desk_app.test_client().get("/public/surveys/9999").status_code == 404


def test_the_hotline_page_logs_a_call_and_masks_the_caller(desk_app: Flask) -> None:
    consult = signed_in(desk_app, "consult")
    token = csrf_of(consult, "/hotline")
    call = {"csrf_token": token, "caller_name": "李大爷", "caller_phone": "13812345678", "subject": "不动产登记",
            "question": "要带什么材料？", "outcome": "transferred", "transferred_to": "LAND"}  # fmt: skip
    assert consult.post("/hotline", data=call).status_code == 302
    page = consult.get("/hotline").get_data(as_text=True)
    assert "138****5678" in page and "李**" in page and "13812345678" not in page and "李大爷" not in page
    assert "跟踪中" in page and ">consult<" in page
    missing = consult.post("/hotline", data={"csrf_token": token, "subject": "x", "question": ""})
    assert missing.status_code == 422 and "请填写来电问题" in missing.get_data(as_text=True)
    assert signed_in(desk_app, "supervisor").get("/hotline").status_code == 200
    assert signed_in(desk_app, "landwin").get("/hotline").status_code == 403


def test_a_complaint_s_progress_page_follows_its_process(desk_app: Flask, deployed: Platform) -> None:
    forms = ["accept", "investigate", "handle", "feedback", "archive"]
    paths = [ROOT / "processes" / "complaint.bpmn", *(ROOT / "forms" / f"complaint_{f}.json" for f in forms)]
    deployed.definitions.deploy(read_paths(paths), actor="test")
    client = desk_app.test_client()
    token = csrf_of(client, "/complaint")
    body = {"csrf_token": token, "name": "王芳", "phone": "13912345678", "category": "conduct", "content": "态度差"}
    assert client.post("/complaint", data=body).status_code == 200
    [row] = deployed.feedback.complaints(deployed.accounts.principal("complaint"))  # type: ignore[arg-type]
    page = signed_in(desk_app, "complaint").get(f"/complaints/{row['id']}").get_data(as_text=True)
    assert row["number"] in page and "受理投诉" in page and "王芳" not in page
    assert signed_in(desk_app, "landwin").get(f"/complaints/{row['id']}").status_code == 403
