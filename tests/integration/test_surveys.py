"""Satisfaction questionnaires on a real database: an administrator defines a draft, opens and closes it;
answers come from the web and the window, each checked against its question; results count every option and
score per question, by channel, and export as CSV rows."""

from __future__ import annotations

from typing import Any

import pytest

from engine.bootstrap import Platform
from engine.errors import FormValidationError, InvalidTransition, NotFound, PermissionDenied
from tests.conftest import ADMIN, WINDOW, principal

SUPERVISOR = principal("supervisor", ("supervisor", None))
QUESTIONS = [
    {"kind": "scale", "title": "您对窗口服务的总体评价"},
    {"kind": "single", "title": "办理等候时间", "options": ["10分钟以内", "10–30分钟", "30分钟以上"]},
    {
        "kind": "multiple",
        "title": "您希望改进的方面",
        "options": ["服务态度", "办事效率", "指引标识"],
        "required": False,
    },
    {"kind": "text", "title": "其他意见和建议", "required": False},
]


def opened(platform: Platform) -> dict[str, Any]:
    survey = platform.surveys.create(ADMIN, {"title": "2026年一季度群众满意度问卷", "questions": QUESTIONS})
    assert survey["status"] == "draft"
    return platform.surveys.move(ADMIN, survey["id"], "open")


def test_a_questionnaire_is_defined_opened_answered_and_aggregated(platform: Platform) -> None:
    survey = opened(platform)
    sid = survey["id"]
    assert [q["id"] for q in survey["questions"]] == ["q1", "q2", "q3", "q4"]
    platform.surveys.respond(sid, {"q1": "5", "q2": "10分钟以内", "q3": ["办事效率", "服务态度"], "q4": "很好"})
    platform.surveys.respond(sid, {"q1": "3", "q2": "30分钟以上", "q3": "指引标识"})
    platform.surveys.respond_at_window(WINDOW, sid, {"q1": 4, "q2": "10分钟以内"})
    results = platform.surveys.results(ADMIN, sid)
    assert results["survey"]["responses"] == 3 and results["by_channel"] == {"web": 2, "window": 1}
    scale, single, multiple, text = results["questions"]
    assert scale["counts"] == {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1} and scale["average"] == 4.0
    assert single["counts"] == {"10分钟以内": 2, "10–30分钟": 0, "30分钟以上": 1}
    assert multiple["counts"] == {"服务态度": 1, "办事效率": 1, "指引标识": 1} and multiple["answered"] == 2
    assert text["texts"] == ["很好"] and text["answered"] == 1
    rows = platform.surveys.export_rows(SUPERVISOR, sid)
    assert rows[0][:4] == ["编号", "时间", "渠道", "办件编号"] and rows[0][4] == "q1 您对窗口服务的总体评价"
    assert rows[1][2] == "网上" and rows[1][6] == "服务态度；办事效率" and rows[3][2] == "窗口"
    platform.surveys.move(ADMIN, sid, "closed")
    with pytest.raises(NotFound):  # closed: no more answers, and not shown to the public
        platform.surveys.respond(sid, {"q1": "5", "q2": "10分钟以内"})
    with pytest.raises(NotFound):
        platform.surveys.get(sid)
    assert platform.surveys.get(sid, ADMIN)["status"] == "closed"
    with pytest.raises(InvalidTransition):
        platform.surveys.move(ADMIN, sid, "open")


def test_every_answer_is_checked_against_its_question(platform: Platform) -> None:
    sid = opened(platform)["id"]
    bad = {"q1": "6", "q2": "一小时", "q3": ["服务态度", "<script>"], "q4": "长" * 1001}
    with pytest.raises(FormValidationError) as caught:
        platform.surveys.respond(sid, bad)
    assert {e.field for e in caught.value.field_errors} == {"q1", "q2", "q3", "q4"}
    with pytest.raises(FormValidationError) as caught:
        platform.surveys.respond(sid, {"q3": ["服务态度"]})
    assert {e.field for e in caught.value.field_errors} == {"q1", "q2"}  # required ones
    with pytest.raises(FormValidationError):
        platform.surveys.respond_at_window(WINDOW, sid, {"q1": "5", "q2": "10分钟以内"}, case_no="NO-SUCH-CASE")
    assert platform.surveys.results(ADMIN, sid)["survey"]["responses"] == 0


def test_a_draft_takes_no_answers_and_only_admins_define(platform: Platform) -> None:
    draft = platform.surveys.create(ADMIN, {"title": "草稿", "questions": QUESTIONS[:1]})
    with pytest.raises(NotFound):
        platform.surveys.respond(draft["id"], {"q1": "5"})
    with pytest.raises(PermissionDenied):
        platform.surveys.create(WINDOW, {"title": "x", "questions": QUESTIONS})
    with pytest.raises(PermissionDenied):
        platform.surveys.move(WINDOW, draft["id"], "open")
    with pytest.raises(PermissionDenied):
        platform.surveys.results(WINDOW, draft["id"])
    with pytest.raises(PermissionDenied):
        platform.surveys.respond_at_window(principal("nobody"), draft["id"], {})
    with pytest.raises(FormValidationError) as caught:
        platform.surveys.create(ADMIN, {"title": "", "questions": [{"kind": "single", "title": "t", "options": ["a"]},
                                                                  {"kind": "slider", "title": ""}]})  # fmt: skip
    fields = {e.field for e in caught.value.field_errors}
    assert fields == {"title", "questions.0.options", "questions.1.kind", "questions.1.title"}
