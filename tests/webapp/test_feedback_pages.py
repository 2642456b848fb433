"""The public feedback pages: the 好差评 form (reached from the lookup result without the code in a URL; field
errors 422, already rated 409, a wrong code reads like the lookup's), the complaint form with its number and
reply deadline, and the complaint and rating lists only the complaint desk, supervision and admins may open."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Platform
from engine.services.catalogue import plain
from engine.services.definitions import read_paths
from tests.conftest import DATA, principal
from tests.webapp.conftest import PASSWORD
from tests.webapp.test_workbench import csrf_of, sign_in

ITEM = {
    "code": "TEST-CASE-001",
    "name": "测试许可",
    "type": "行政许可",
    "department": "LAND",
    "window": "W05",
    "process_id": "item_test_case",
    "promised_days": 5,
    "statutory_days": 20,
    "instant": False,
}
LAND_WINDOW = principal("landwin", ("window_officer", "LAND"))
LEVEL_NAMES = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
ALERT = re.compile(r'<p class="error" role="alert">([^<]+)</p>')


def with_feedback_data(app: Flask, deployed: Platform) -> Flask:
    """The test app with the test item, and the complaint desk and supervision among its users."""
    deployed.definitions.deploy(read_paths([DATA / "item_test_case.bpmn"]))
    with deployed.ctx.uow(write=True) as uow:
        uow.catalogue.upsert({**ITEM, "guide": plain(ITEM)}, deployed.clock.now())
        uow.commit()
    deployed.accounts.add_user("complaint", PASSWORD, ["complaint_officer"], "CENTRE")
    deployed.accounts.add_user("supervisor", PASSWORD, ["supervisor"], None)
    return app


@pytest.fixture
def feedback_app(app: Flask, deployed: Platform) -> Flask:
    return with_feedback_data(app, deployed)


def new_case(platform: Platform, accept: bool = True) -> tuple[str, str]:
    created = platform.cases.create(
        LAND_WINDOW, {"item_code": ITEM["code"], "applicant": {"name": "张小明", "phone": "13812345678"}}
    )
    if accept:
        task = next(t for t in platform.tasks.inbox(LAND_WINDOW) if t.business_key == created.case_no)
        platform.tasks.complete(LAND_WINDOW, task.task_id, {"decision": "accept"})
    return created.case_no, created.query_code


def test_the_form_offers_the_five_levels_and_prefills_the_case_number(feedback_app: Flask) -> None:
    page = feedback_app.test_client().get("/evaluate", query_string={"case_no": "ABC123"}).get_data(as_text=True)
    assert page.count('type="radio" name="level"') == 5
    positions = [page.index(name + "</label>") for name in LEVEL_NAMES]
    assert positions == sorted(positions)  # best first
    assert 'name="case_no" value="ABC123"' in page and 'name="csrf_token"' in page


def test_the_lookup_result_posts_the_case_and_code_to_the_form(feedback_app: Flask, deployed: Platform) -> None:
    client = feedback_app.test_client()
    accepted, code = new_case(deployed)
    waiting, waiting_code = new_case(deployed, accept=False)
    token = csrf_of(client, "/lookup")
    found = client.post("/lookup", data={"csrf_token": token, "case_no": accepted, "query_code": code})
    page = found.get_data(as_text=True)
    form = re.search(r'<form method="post" action="/evaluate">(.*?)</form>', page, re.S)
    assert form is not None and "评价本次服务" in form.group(1)
    assert f'name="query_code" value="{code}"' in form.group(1) and f'name="case_no" value="{accepted}"' in form.group(
        1
    )
    unaccepted = client.post("/lookup", data={"csrf_token": token, "case_no": waiting, "query_code": waiting_code})
    assert unaccepted.status_code == 200 and "评价本次服务" not in unaccepted.get_data(as_text=True)
    opened = client.post("/evaluate", data={"csrf_token": token, "case_no": accepted, "query_code": code, "start": "1"})
    filled = opened.get_data(as_text=True)
    assert opened.status_code == 200 and f'value="{code}"' in filled and 'class="field-error"' not in filled
    assert 'role="alert"' not in filled


def test_rating_on_the_page_thanks_once_and_then_says_already_rated(feedback_app: Flask, deployed: Platform) -> None:
    client = feedback_app.test_client()
    case_no, code = new_case(deployed)
    token = csrf_of(client, "/evaluate")
    form = {"csrf_token": token, "case_no": case_no, "query_code": code, "level": "2", "comment": "材料要求不清楚"}
    done = client.post("/evaluate", data=form)
    assert done.status_code == 200 and "感谢您的评价" in done.get_data(as_text=True)
    assert "不满意" in done.get_data(as_text=True) and "待整改" in done.get_data(as_text=True)
    again = client.post("/evaluate", data={**form, "level": "5"})
    assert again.status_code == 409 and "已经评价过" in again.get_data(as_text=True)
    rated = deployed.feedback.evaluations(principal("a", ("admin", None)))["evaluations"]
    assert [(r["level"], r["comment"]) for r in rated] == [(2, "材料要求不清楚")]


def test_the_page_shows_field_errors_and_the_lookups_words_for_a_wrong_code(
    feedback_app: Flask, deployed: Platform
) -> None:
    client = feedback_app.test_client()
    case_no, code = new_case(deployed)
    token = csrf_of(client, "/evaluate")
    blank = client.post("/evaluate", data={"csrf_token": token, "case_no": "", "query_code": ""})
    assert blank.status_code == 422
    assert blank.get_data(as_text=True).count('class="field-error"') == 3  # case number, code, level
    no_level = client.post("/evaluate", data={"csrf_token": token, "case_no": case_no, "query_code": code})
    assert no_level.status_code == 422 and "请选择评价等级" in no_level.get_data(as_text=True)
    wrong_code = "000000" if code != "000000" else "111111"
    wrong = client.post(
        "/evaluate", data={"csrf_token": token, "case_no": case_no, "query_code": wrong_code, "level": "5"}
    )
    lookup = client.post("/lookup", data={"csrf_token": token, "case_no": case_no, "query_code": wrong_code})
    assert wrong.status_code == 404 == lookup.status_code
    assert ALERT.search(wrong.get_data(as_text=True)).group(1) == ALERT.search(  # type: ignore[union-attr]
        lookup.get_data(as_text=True)
    ).group(1)  # type: ignore[union-attr]


def test_a_case_not_yet_accepted_cannot_be_rated(feedback_app: Flask, deployed: Platform) -> None:
    client = feedback_app.test_client()
    case_no, code = new_case(deployed, accept=False)
    token = csrf_of(client, "/evaluate")
    early = client.post("/evaluate", data={"csrf_token": token, "case_no": case_no, "query_code": code, "level": "5"})
    assert early.status_code == 409 and "尚未受理" in early.get_data(as_text=True)


def test_the_feedback_forms_need_their_csrf_token(feedback_app: Flask, deployed: Platform) -> None:
    client = feedback_app.test_client()
    case_no, code = new_case(deployed)
    assert client.post("/evaluate", data={"case_no": case_no, "query_code": code, "level": "5"}).status_code == 400
    body = {"name": "王小红", "phone": "13900001111", "category": "delay", "content": "超期未办"}
    assert client.post("/complaint", data=body).status_code == 400
    assert deployed.feedback.complaints(principal("a", ("admin", None))) == []


def test_the_complaint_form_gives_the_number_and_the_reply_deadline(feedback_app: Flask) -> None:
    client = feedback_app.test_client()
    page = client.get("/complaint").get_data(as_text=True)
    assert "服务态度与工作作风" in page and '<option value="LAND"' in page and 'name="csrf_token"' in page
    token = csrf_of(client, "/complaint")
    empty = client.post("/complaint", data={"csrf_token": token, "name": "", "phone": "12", "content": ""})
    text = empty.get_data(as_text=True)
    assert empty.status_code == 422 and text.count('class="field-error"') == 4  # name, phone, category, content
    assert "请填写手机号或带区号的固定电话" in text
    filed = client.post(
        "/complaint",
        data={
            "csrf_token": token,
            "name": "王小红",
            "phone": "13900001111",
            "category": "delay",
            "department": "LAND",
            "case_no": "",
            "content": "承诺 5 个工作日，已超期仍无答复。",
        },
    )
    text = filed.get_data(as_text=True)
    assert filed.status_code == 200 and "TS-2026-000001" in text
    assert "10 个工作日内答复" in text and "最迟 2026-03-24" in text  # filed Tuesday 3/10: 3/11 … 3/24


def test_staff_lists_need_sign_in_and_the_right_role(feedback_app: Flask, client: FlaskClient) -> None:
    for path in ("/complaints", "/evaluations"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    sign_in(client, "window")
    assert client.get("/complaints").status_code == 403
    assert client.get("/evaluations").status_code == 403


def test_the_complaint_desk_sees_complainants_and_supervision_sees_them_masked(
    feedback_app: Flask, deployed: Platform
) -> None:
    deployed.feedback.file_complaint(
        {"name": "王小红", "phone": "13900001111", "category": "conduct", "content": "窗口态度生硬"}
    )
    case_no, code = new_case(deployed)
    deployed.feedback.evaluate_public(case_no, code, 1, "多次往返")
    desk = feedback_app.test_client()
    sign_in(desk, "complaint")
    page = desk.get("/complaints").get_data(as_text=True)
    assert "王小红" in page and "13900001111" in page and "TS-2026-000001" in page
    supervision = feedback_app.test_client()
    sign_in(supervision, "supervisor")
    masked = supervision.get("/complaints").get_data(as_text=True)
    assert "王**" in masked and "139****1111" in masked and "王小红" not in masked and "13900001111" not in masked
    ratings = supervision.get("/evaluations", query_string={"bad": "1"})
    text = ratings.get_data(as_text=True)
    assert ratings.status_code == 200 and case_no in text and "非常不满意" in text and "多次往返" in text
    assert (
        supervision.get("/evaluations", query_string={"stage": "completion"}).get_data(as_text=True).count(case_no) == 0
    )
