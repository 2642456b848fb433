"""GET /api/v1/complaints/<id>/progress against its OpenAPI description: the route's actual JSON for a phone
complaint the desk recorded and answered carries exactly the documented fields (reply, recorded_by and
source_label among them) with the documented types; the complainant stays out of both."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from jsonschema import Draft202012Validator

from engine.bootstrap import Platform
from engine.domain.records import TaskState
from engine.services.definitions import read_paths
from tests.conftest import ROOT
from tests.webapp.conftest import PASSWORD

FORMS = ["accept", "investigate", "handle", "feedback", "archive"]
PHONE = {"category": "conduct", "department": "LAND", "subject": "窗口态度生硬", "content": "来电反映窗口态度生硬。",
         "name": "赵六", "phone": "13712345678"}  # fmt: skip


@pytest.fixture
def answered(app: Flask, deployed: Platform) -> int:
    """A phone complaint recorded by the desk and taken through 受理 → 调查 → 处置 → 反馈."""
    paths = [ROOT / "processes" / "complaint.bpmn", *(ROOT / "forms" / f"complaint_{f}.json" for f in FORMS)]
    deployed.definitions.deploy(read_paths(paths), actor="test")
    deployed.accounts.add_user("complaint", PASSWORD, ["complaint_officer"], "CENTRE")
    deployed.accounts.add_user("supervisor", PASSWORD, ["supervisor"], None)
    desk, supervisor = deployed.accounts.principal("complaint"), deployed.accounts.principal("supervisor")
    assert desk is not None and supervisor is not None
    filed = deployed.feedback.file_complaint(PHONE, source="phone", principal=desk)
    steps = [
        (desk, "accept", {"summary": "受理"}),
        (supervisor, "investigate_centre", {"findings": "调看监控属实。"}),
        (supervisor, "handle_centre", {"upheld": False, "measures": "批评教育。"}),
        (desk, "feedback", {"reply": "已电话告知处理结果。", "reply_channel": "电话"}),
    ]
    for who, element, data in steps:
        with deployed.ctx.uow() as uow:
            ready = uow.instances.tasks_for_instance(filed["instance_id"], state=TaskState.READY)
        [task] = [t for t in ready if t.element_id == element]
        deployed.tasks.complete(who, task.task_id, data)
    return int(filed["id"])


def documented(client: Any) -> dict[str, Any]:
    doc = client.get("/api/v1/openapi.json").json
    ok = doc["paths"]["/complaints/{complaint_id}/progress"]["get"]["responses"]["200"]
    return dict(ok["content"]["application/json"]["schema"])


def test_the_progress_json_is_what_the_openapi_document_describes(app: Flask, answered: int, as_user) -> None:  # type: ignore[no-untyped-def]
    api = as_user("complaint")
    got = api.get(f"/complaints/{answered}/progress")
    assert got.status_code == 200, got.json
    body = got.json
    schema = documented(api.client)
    Draft202012Validator.check_schema(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in Draft202012Validator(schema).iter_errors(body)]
    assert errors == []
    complaint = body["complaint"]
    described = schema["properties"]["complaint"]["properties"]
    assert set(complaint) == set(described), "document every field of the complaint, and only those"
    task_fields = set(schema["properties"]["history"]["items"]["properties"])
    assert all(set(t) == task_fields for t in body["history"] + body["open_tasks"])
    # the three fields the description once left out, with the values the desk gave them
    assert complaint["reply"] == "已电话告知处理结果。"
    assert complaint["recorded_by"] == "complaint"
    assert (complaint["source"], complaint["source_label"]) == ("phone", "投诉电话")
    assert "complainant" not in complaint and "赵六" not in str(body)
