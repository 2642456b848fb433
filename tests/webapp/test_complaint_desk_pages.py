"""The complaint desk's pages: an administrator defines and opens a questionnaire, the public answers it at
/public/surveys/<id> (CSRF, each answer checked: 422 with the question marked), window staff enter a paper
one, results show SVG charts and export CSV; the 96128 hotline page logs a call with the consultant as first
responder and lists callers masked; a complaint's progress page follows its GB/T 36113 process; the complaint
desk records desk, phone and opinion-book complaints (CSRF, field errors, the complainant masked after) and its
list shows each open complaint's deadline colour and current step; the reply to the complainant is shown."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Platform
from engine.clock import FrozenClock
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


# -- the complaint desk's form and list, the reply on the complaint's page ------------------------------------
PHONE_COMPLAINT = {"source": "phone", "category": "conduct", "department": "LAND", "subject": "窗口态度生硬",
                   "content": "来电反映：窗口人员态度生硬，不解释补正原因。",
                   "name": "赵六", "phone": "13712345678"}  # fmt: skip


def deploy_complaints(platform: Platform) -> None:
    forms = ["accept", "investigate", "handle", "feedback", "archive"]
    paths = [ROOT / "processes" / "complaint.bpmn", *(ROOT / "forms" / f"complaint_{f}.json" for f in forms)]
    platform.definitions.deploy(read_paths(paths), actor="test")


def record(client: FlaskClient, **changes: str) -> int:
    token = csrf_of(client, "/complaints/new")
    recorded = client.post("/complaints/new", data={"csrf_token": token, **PHONE_COMPLAINT, **changes})
    assert recorded.status_code == 302, recorded.get_data(as_text=True)[:500]
    match = re.fullmatch(r"/complaints/(\d+)\?filed=1", recorded.headers["Location"])
    assert match is not None, recorded.headers["Location"]
    return int(match.group(1))


def test_the_desk_records_a_phone_complaint_and_the_complainant_is_masked_after(
    desk_app: Flask, deployed: Platform
) -> None:
    deploy_complaints(deployed)
    desk = signed_in(desk_app, "complaint")
    form = desk.get("/complaints/new").get_data(as_text=True)
    assert re.findall(r'<option value="(\w+)"', form)[:3] == ["desk", "phone", "opinion_book"]
    assert 'value="web"' not in form and 'name="csrf_token"' in form
    assert desk.post("/complaints/new", data=PHONE_COMPLAINT).status_code == 400  # no CSRF token
    complaint_id = record(desk)
    page = desk.get(f"/complaints/{complaint_id}?filed=1").get_data(as_text=True)
    desk_officer = deployed.accounts.principal("complaint")
    assert desk_officer is not None
    [filed] = deployed.feedback.complaints(desk_officer)
    assert filed["id"] == complaint_id and filed["source"] == "phone" and filed["recorded_by"] == "complaint"
    assert filed["number"] in page and "投诉已登记" in page and "投诉电话" in page and "受理投诉" in page
    assert "赵六" not in page and "13712345678" not in page
    listed = signed_in(desk_app, "supervisor").get("/complaints?open=1").get_data(as_text=True)
    assert f'href="/complaints/{complaint_id}"' in listed and "受理投诉" in listed  # its current step
    assert "赵*" in listed and "137****5678" in listed and "13712345678" not in listed
    assert 'class="pill yellow"' in listed  # open, within its deadline


def test_the_desk_form_marks_each_wrong_field_and_keeps_the_values(desk_app: Flask, deployed: Platform) -> None:
    desk = signed_in(desk_app, "complaint")
    token = csrf_of(desk, "/complaints/new")
    body = {**PHONE_COMPLAINT, "csrf_token": token, "content": "", "phone": "12", "category": "nonsense"}
    refused = desk.post("/complaints/new", data=body)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and page.count('class="field-error"') == 3
    assert "请填写投诉内容" in page and "请选择投诉类别" in page and "请填写手机号或带区号的固定电话" in page
    assert 'value="窗口态度生硬"' in page and '<option value="phone" selected>' in page
    unknown = desk.post("/complaints/new", data={**PHONE_COMPLAINT, "csrf_token": token, "case_no": "NO-SUCH"})
    assert unknown.status_code == 422 and "没有该办件编号" in unknown.get_data(as_text=True)
    web = desk.post("/complaints/new", data={**PHONE_COMPLAINT, "csrf_token": token, "source": "web"})
    assert web.status_code == 422 and "请选择投诉来源" in web.get_data(as_text=True)
    anonymous = {"source": "opinion_book", "name": "", "phone": ""}  # an opinion-book entry may be unsigned
    desk_officer = deployed.accounts.principal("complaint")
    assert desk_officer is not None and deployed.feedback.complaints(desk_officer) == []  # nothing was filed
    record(desk, **anonymous)


def test_only_the_complaint_desk_records_complaints(desk_app: Flask) -> None:
    for who in ("supervisor", "landwin", "consult"):
        client = signed_in(desk_app, who)
        assert client.get("/complaints/new").status_code == 403
    assert "登记投诉" not in signed_in(desk_app, "supervisor").get("/complaints").get_data(as_text=True)
    assert 'href="/complaints/new"' in signed_in(desk_app, "complaint").get("/complaints").get_data(as_text=True)
    assert signed_in(desk_app, "admin").get("/complaints/new").status_code == 200


def test_the_reply_shows_on_the_complaint_and_answered_ones_leave_the_open_list(
    desk_app: Flask, deployed: Platform, clock: FrozenClock
) -> None:
    deploy_complaints(deployed)
    desk = signed_in(desk_app, "complaint")
    answered, late = record(desk), record(desk, subject="第二件")
    officer, supervisor = (deployed.accounts.principal(name) for name in ("complaint", "supervisor"))
    assert officer is not None and supervisor is not None
    steps = [(officer, "accept", {"summary": "受理"}), (supervisor, "investigate_centre", {"findings": "属实"}),
             (supervisor, "handle_centre", {"upheld": False, "measures": "提醒教育"}),
             (officer, "feedback", {"reply": "已当面致歉并说明补正原因。", "reply_channel": "电话"})]  # fmt: skip
    number = next(c["number"] for c in deployed.feedback.complaints(officer) if c["id"] == answered)
    for who, element, data in steps:
        [task] = [t for t in deployed.tasks.inbox(who) if t.business_key == number and t.element_id == element]
        deployed.tasks.complete(who, task.task_id, data)
    page = desk.get(f"/complaints/{answered}").get_data(as_text=True)
    assert "答复投诉人" in page and "已当面致歉并说明补正原因。" in page
    clock.advance(timedelta(days=30))  # the other one is now past its deadline
    desk = signed_in(desk_app, "complaint")
    everything = desk.get("/complaints").get_data(as_text=True)
    assert f'href="/complaints/{answered}"' in everything and "资料归档" in everything
    still_open = desk.get("/complaints?open=1").get_data(as_text=True)
    assert f'href="/complaints/{answered}"' not in still_open and f'href="/complaints/{late}"' in still_open
    assert 'class="pill red"' in still_open and 'class="pill green"' not in still_open
