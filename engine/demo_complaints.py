"""Demo complaints, hotline calls and a satisfaction questionnaire: complaints from the four sources (one run
through the whole GB/T 36113 flow and upheld, one under investigation, one just received), a morning of 96128
calls (one transferred), and an open questionnaire with web and window answers.

Called by the lead from engine/demo.py after the demo accounts exist and the processes are deployed:
``generate_complaints(platform, out)``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from engine.bootstrap import Platform
from engine.domain.access import Principal, RoleGrant
from engine.domain.complaints import PROCESS_ID
from engine.domain.records import TaskState
from engine.errors import OnestopError

DESK = Principal("complaint", grants=frozenset({RoleGrant("complaint_officer", "CENTRE")}))
SUPERVISION = Principal("supervisor", grants=frozenset({RoleGrant("supervisor", None)}))
CONSULTANT = Principal("consult", grants=frozenset({RoleGrant("consultant", "CENTRE")}))
ADMIN = Principal("admin", grants=frozenset({RoleGrant("admin", None)}))
WINDOW = Principal("window", grants=frozenset({RoleGrant("window_officer", "CENTRE")}))
WAITING = ["10分钟以内", "10–30分钟", "30分钟以上"]
IMPROVE = ["服务态度", "办事效率", "指引标识", "网上办事"]
QUESTIONS: list[dict[str, Any]] = [
    {"kind": "scale", "title": "您对本次办事的总体满意度"},
    {"kind": "single", "title": "排队等候时间", "options": WAITING},
    {"kind": "multiple", "title": "您认为需要改进的方面", "options": IMPROVE,
     "required": False},
    {"kind": "text", "title": "其他意见和建议", "required": False},
]  # fmt: skip
CALLS = [
    ("营业执照", "个体工商户营业执照需要哪些材料？", "身份证、经营场所证明，可网上办理。", None),
    ("不动产登记", "二手房过户需要多长时间？", "材料齐全当场受理，5个工作日办结。", None),
    ("社保", "灵活就业人员社保怎么缴？", "", "HRSS"),
    ("公积金", "公积金提取在哪里办？", "公积金中心不在大厅，请到县住房公积金管理部办理。", "referred"),
]


def _step(platform: Platform, who: Principal, instance_id: int, data: dict[str, Any]) -> None:
    with platform.ctx.uow() as uow:
        [task] = uow.instances.tasks_for_instance(instance_id, state=TaskState.READY)
    platform.tasks.complete(who, task.task_id, data)


def _complaints(platform: Platform) -> int:
    filed = [
        platform.feedback.file_complaint(
            {
                "name": "刘女士（示例）",
                "phone": "13800005678",
                "category": "conduct",
                "content": "综合窗口工作人员态度生硬，不愿解释材料要求。",
            },
            source="web",
        ),  # fmt: skip
        platform.feedback.file_complaint(
            {
                "name": "陈先生（示例）",
                "phone": "0871-67912345",
                "category": "fees",
                "content": "办理过程中被要求缴纳资料费。",
            },
            source="phone",
            principal=DESK,
        ),  # fmt: skip
        platform.feedback.file_complaint(
            {"category": "other", "content": "意见簿：大厅饮水机经常没水。"}, source="opinion_book", principal=DESK
        ),
    ]
    if any(f["instance_id"] is None for f in filed):
        return len(filed)  # the process is not deployed: the complaints stay recorded
    whole, under, _received = (f["instance_id"] for f in filed)
    _step(platform, DESK, whole, {"summary": "反映窗口服务态度问题"})
    _step(platform, SUPERVISION, whole, {"findings": "调看监控，工作人员确有不耐烦表现。"})
    _step(platform, SUPERVISION, whole, {"upheld": True, "measures": "对当事人批评教育并在科室通报。",
                                         "department": "CENTRE"})  # fmt: skip
    _step(platform, DESK, whole, {"reply": "已电话告知处理结果，投诉人表示满意。", "reply_channel": "电话",
                                  "complainant_opinion": "满意"})  # fmt: skip
    _step(platform, DESK, whole, {"file_no": "TS-档-示例-001"})
    _step(platform, DESK, under, {"summary": "反映违规收取资料费，转纪检监察调查"})
    return len(filed)


def _calls(platform: Platform) -> int:
    for subject, question, answer, where in CALLS:
        body: dict[str, Any] = {"caller_phone": "1390000" + str(random.randint(1000, 9999)),  # noqa: S311 - demo data
                                "subject": subject, "question": question, "answer": answer}  # fmt: skip
        if where == "referred":
            body.update(outcome="referred", referred_to="县住房公积金管理部")
        elif where:
            body.update(outcome="transferred", transferred_to=where)
        try:
            platform.hotline.log_call(CONSULTANT, body)
        except OnestopError:  # e.g. the department is not in this organisation: log it as answered
            platform.hotline.log_call(CONSULTANT, {**body, "outcome": "answered", "answer": "已告知办理地点。"})
    return len(CALLS)


def _survey(platform: Platform) -> int:
    survey = platform.surveys.create(
        ADMIN,
        {"title": "政务服务中心群众满意度问卷（示例）", "description": "匿名填写，约1分钟。", "questions": QUESTIONS},
    )
    platform.surveys.move(ADMIN, survey["id"], "open")
    chooser = random.Random(7)  # noqa: S311 - reproducible demo answers
    for index in range(24):
        answers: dict[str, Any] = {
            "q1": chooser.choices([5, 4, 3, 2], weights=[6, 3, 1, 0.3])[0],
            "q2": chooser.choices(WAITING, weights=[5, 3, 1])[0],
        }
        if chooser.random() < 0.5:
            answers["q3"] = chooser.sample(IMPROVE, k=chooser.randint(1, 2))
        if index % 6 == 0:
            answers["q4"] = chooser.choice(["希望增加周末延时服务。", "工作人员很耐心。", "停车位不够。"])
        if index % 3 == 0:
            platform.surveys.respond_at_window(WINDOW, survey["id"], answers)
        else:
            platform.surveys.respond(survey["id"], answers)
    return 24


def generate_complaints(platform: Platform, out: Callable[[str], None]) -> int:
    """Record the demo complaints, hotline calls and questionnaire answers; returns how many records were made."""
    with platform.ctx.uow() as uow:
        deployed = uow.definitions.get_version(PROCESS_ID) is not None
    made = _complaints(platform) + _calls(platform) + _survey(platform)
    note = "" if deployed else " (complaint process not deployed: complaints recorded without it)"
    out(f"demo complaints, hotline and questionnaire: {made} records{note}")
    return made
