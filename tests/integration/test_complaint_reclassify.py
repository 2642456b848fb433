"""受理 corrects a complaint's category and department before it is routed: a complaint filed as "other" and
reclassified as a department's service goes to that department's approver (both its steps), the complaint row
follows, an unknown department refuses the step; and the reply to the complainant (反馈) is kept on the row."""

from __future__ import annotations

import json

import pytest

from engine.bootstrap import Platform
from engine.domain.feedback import COMPLAINT_CATEGORIES
from engine.errors import FormValidationError, PermissionDenied
from tests.conftest import ROOT
from tests.integration.test_complaint_process import (  # noqa: F401 - the fixture
    DESK,
    HOUSING_CHIEF,
    LAND_CHIEF,
    SUPERVISOR,
    complete,
    desk,
    file,
    ready,
    row,
)


def test_a_complaint_filed_as_other_and_reclassified_at_acceptance_goes_to_the_department(
    desk: Platform,  # noqa: F811 - the fixture imported above
) -> None:
    filed = file(desk, "other")
    assert row(desk, filed)["department"] is None
    complete(desk, DESK, filed, "accept", {"summary": "实为办理超时", "category": "delay", "department": "LAND"})
    [task] = ready(desk, filed)
    assert (task.element_id, task.role, task.department) == ("investigate_department", "approver", "LAND")
    assert [t.task_id for t in desk.tasks.inbox(LAND_CHIEF)] == [task.task_id]
    assert task.task_id not in [t.task_id for t in desk.tasks.inbox(HOUSING_CHIEF)]
    with pytest.raises(PermissionDenied):
        complete(desk, HOUSING_CHIEF, filed, "investigate_department", {"findings": "查明属实"})
    corrected = row(desk, filed)
    assert (corrected["category"], corrected["department"], corrected["status"]) == ("delay", "LAND", "investigating")
    complete(desk, LAND_CHIEF, filed, "investigate_department", {"findings": "超期三天属实"})
    [handle] = ready(desk, filed)  # the next step of the route stays with the corrected department
    assert (handle.element_id, handle.department) == ("handle_department", "LAND")
    complete(desk, LAND_CHIEF, filed, "handle_department", {"upheld": False, "measures": "已督促办结"})
    assert ready(desk, filed)[0].element_id == "feedback"
    shown = desk.complaints.progress(SUPERVISOR, filed["id"])["complaint"]
    assert (shown["category"], shown["department"], shown["route"]) == ("delay", "LAND", "department")


def test_a_department_complaint_reclassified_as_conduct_goes_to_the_centre(
    desk: Platform,  # noqa: F811 - the fixture imported above
) -> None:
    filed = file(desk, "extra_requirements", "HOUSING")
    complete(desk, DESK, filed, "accept", {"summary": "实为服务态度", "category": "conduct"})
    [task] = ready(desk, filed)
    assert (task.element_id, task.role, task.department) == ("investigate_centre", "supervisor", "CENTRE")
    assert row(desk, filed)["category"] == "conduct"


def test_acceptance_without_corrections_routes_as_filed(
    desk: Platform,  # noqa: F811 - the fixture imported above
) -> None:
    filed = file(desk, "extra_requirements", "HOUSING")
    complete(desk, DESK, filed, "accept", {"summary": "受理"})
    [task] = ready(desk, filed)
    assert (task.element_id, task.department) == ("investigate_department", "HOUSING")
    after = row(desk, filed)
    assert (after["category"], after["department"]) == ("extra_requirements", "HOUSING")


def test_an_unknown_department_at_acceptance_refuses_the_step(
    desk: Platform,  # noqa: F811 - the fixture imported above
) -> None:
    filed = file(desk, "other")
    with pytest.raises(FormValidationError) as refused:
        complete(desk, DESK, filed, "accept", {"summary": "受理", "category": "delay", "department": "NOPE"})
    assert [e.field for e in refused.value.field_errors] == ["department"]
    [task] = ready(desk, filed)  # nothing moved: the whole advance was undone
    assert task.element_id == "accept"
    assert (row(desk, filed)["category"], row(desk, filed)["status"]) == ("other", "received")


def test_the_accept_form_offers_exactly_the_complaint_categories() -> None:
    schema = json.loads((ROOT / "forms" / "complaint_accept.json").read_text(encoding="utf-8"))
    category = schema["properties"]["category"]
    assert category["enum"] == [c.code for c in COMPLAINT_CATEGORIES]
    assert category["x-enumNames"] == [c.label for c in COMPLAINT_CATEGORIES]
    assert "category" not in schema["required"] and "department" not in schema["required"]


def test_the_reply_to_the_complainant_is_kept_on_the_complaint(
    desk: Platform,  # noqa: F811 - the fixture imported above
) -> None:
    filed = file(desk, "conduct")
    complete(desk, DESK, filed, "accept", {"summary": "受理"})
    complete(desk, SUPERVISOR, filed, "investigate_centre", {"findings": "属实"})
    complete(desk, SUPERVISOR, filed, "handle_centre", {"upheld": False, "measures": "提醒注意态度"})
    assert row(desk, filed)["reply"] is None
    reply = "您反映的问题已核实，已对窗口人员提醒教育。"
    complete(desk, DESK, filed, "feedback", {"reply": f"  {reply}\n", "reply_channel": "电话"})
    assert row(desk, filed)["reply"] == reply
    complete(desk, DESK, filed, "archive", {"file_no": "TS-档-9"})
    assert desk.complaints.progress(SUPERVISOR, filed["id"])["complaint"]["reply"] == reply
