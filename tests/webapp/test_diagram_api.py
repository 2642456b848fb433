"""The diagram endpoints: a deployed version's SVG for designers and admins, an instance's SVG with its
completed, active and overdue elements marked for whoever may see the instance."""

from __future__ import annotations

from datetime import timedelta

from lxml import etree

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from tests.webapp.conftest import PASSWORD

SVG_NS = "http://www.w3.org/2000/svg"
INTAKE = {"applicant_name": "李四", "materials_complete": True, "accepted": True}
REVIEWS = ("review_land", "review_housing", "review_env")
DEADLINES = ("deadline_land", "deadline_housing", "deadline_env")


def states_of(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """element id -> state class (or '') of every shape in the SVG body."""
    root = etree.fromstring(response.data)
    assert etree.QName(root).localname == "svg"
    found = {}
    for group in root.iter(f"{{{SVG_NS}}}g"):
        classes = (group.get("class") or "").split()
        if "element" in classes:
            state = [c.removeprefix("state-") for c in classes if c.startswith("state-")]
            found[group.get("data-element-id")] = state[0] if state else ""
    return found


def assert_svg_response(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.data[:300]
    assert response.headers["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert b"<script" not in response.data


def start_and_accept(as_user) -> int:  # type: ignore[no-untyped-def]
    window = as_user("window")
    created = window.post("/instances", json={"process_id": "parallel_review", "data": {"department": "CENTRE"}})
    assert created.status_code == 201
    iid = int(created.json["id"])
    intake = [t for t in window.get("/tasks").json if t["instance_id"] == iid][0]
    assert window.post(f"/tasks/{intake['id']}/complete", json={"data": INTAKE}).status_code == 200
    return iid


def test_designers_and_admins_get_a_version_diagram(as_user) -> None:  # type: ignore[no-untyped-def]
    for username in ("designer", "admin"):
        response = as_user(username).get("/process-definitions/parallel_review/1/diagram.svg")
        assert_svg_response(response)
        states = states_of(response)
        assert {"start", "intake", *REVIEWS, "split", "join", "decide", "approve"} <= set(states)
        assert set(states.values()) == {""}  # a definition has no progress to mark
        assert "收件受理".encode() in response.data


def test_clerks_may_not_see_definition_diagrams(as_user) -> None:  # type: ignore[no-untyped-def]
    response = as_user("window").get("/process-definitions/parallel_review/1/diagram.svg")
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"


def test_unknown_processes_versions_and_instances_are_404(as_user) -> None:  # type: ignore[no-untyped-def]
    designer, admin = as_user("designer"), as_user("admin")
    assert designer.get("/process-definitions/no_such_process/1/diagram.svg").status_code == 404
    assert designer.get("/process-definitions/parallel_review/99/diagram.svg").status_code == 404
    missing = admin.get("/instances/987654/diagram.svg")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"


def test_diagrams_need_a_token(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/process-definitions/parallel_review/1/diagram.svg").status_code == 401
    assert client.get("/api/v1/instances/1/diagram.svg").status_code == 401


def test_instance_diagram_marks_completed_and_active_elements(as_user) -> None:  # type: ignore[no-untyped-def]
    iid = start_and_accept(as_user)
    response = as_user("land").get(f"/instances/{iid}/diagram.svg")  # a participant: the land reviewer
    assert_svg_response(response)
    states = states_of(response)
    assert states["start"] == "completed" and states["intake"] == "completed" and states["split"] == "completed"
    assert all(states[review] == "active" for review in REVIEWS)
    assert all(states[deadline] == "active" for deadline in DEADLINES)  # the waiting timers
    assert states["approve"] == "" and states["join"] == "" and states["end_ok"] == ""


def test_completed_review_turns_completed_while_the_others_stay_active(as_user) -> None:  # type: ignore[no-untyped-def]
    iid = start_and_accept(as_user)
    land = as_user("land")
    task = [t for t in land.get("/tasks").json if t["instance_id"] == iid][0]
    assert (
        land.post(f"/tasks/{task['id']}/complete", json={"data": {"approved": True, "opinion": "同意"}}).status_code
        == 200
    )
    states = states_of(as_user("admin").get(f"/instances/{iid}/diagram.svg"))
    assert states["review_land"] == "completed" and states["deadline_land"] == ""
    assert states["review_housing"] == "active" and states["review_env"] == "active"


def test_reviews_past_their_deadline_are_overdue(as_user, clock: FrozenClock) -> None:  # type: ignore[no-untyped-def]
    iid = start_and_accept(as_user)
    admin = as_user("admin")
    assert all(states_of(admin.get(f"/instances/{iid}/diagram.svg"))[r] == "active" for r in REVIEWS)
    clock.advance(timedelta(days=30))  # far past five working days; no scheduler tick has run
    states = states_of(admin.get(f"/instances/{iid}/diagram.svg"))
    assert all(states[review] == "overdue" for review in REVIEWS)
    assert states["intake"] == "completed"


def test_a_clerk_of_another_department_may_not_see_the_instance_diagram(as_user, deployed: Platform) -> None:  # type: ignore[no-untyped-def]
    deployed.accounts.add_user("stranger", PASSWORD, ["window_officer"], "LAND")
    iid = start_and_accept(as_user)
    response = as_user("stranger").get(f"/instances/{iid}/diagram.svg")
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    assert as_user("approver").get(f"/instances/{iid}/diagram.svg").status_code == 403


NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI"'
)
CALLER = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="defs_caller" targetNamespace="http://example.org/onestop">
  <bpmn:process id="diagram_caller" name="调用送达" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="lane" name="window_officer">
      <bpmn:flowNodeRef>c_start</bpmn:flowNodeRef><bpmn:flowNodeRef>c_call</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>c_end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="c_start"/>
    <bpmn:callActivity id="c_call" name="送达" calledElement="diagram_callee"/>
    <bpmn:endEvent id="c_end"/>
    <bpmn:sequenceFlow id="c1" sourceRef="c_start" targetRef="c_call"/>
    <bpmn:sequenceFlow id="c2" sourceRef="c_call" targetRef="c_end"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="p" bpmnElement="diagram_caller">
    <bpmndi:BPMNShape id="s1" bpmnElement="c_start">
      <dc:Bounds x="100" y="100" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="s2" bpmnElement="c_call">
      <dc:Bounds x="200" y="78" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="s3" bpmnElement="c_end">
      <dc:Bounds x="360" y="100" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="e1" bpmnElement="c1">
      <di:waypoint x="136" y="118"/><di:waypoint x="200" y="118"/></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="e2" bpmnElement="c2">
      <di:waypoint x="300" y="118"/><di:waypoint x="360" y="118"/></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>"""
CALLEE = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="defs_callee" targetNamespace="http://example.org/onestop">
  <bpmn:process id="diagram_callee" name="送达子流程" isExecutable="true">
    <bpmn:laneSet id="ls2"><bpmn:lane id="lane2" name="window_officer">
      <bpmn:flowNodeRef>e_start</bpmn:flowNodeRef><bpmn:flowNodeRef>e_task</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>e_end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="e_start"/>
    <bpmn:userTask id="e_task" name="送达决定书"/>
    <bpmn:endEvent id="e_end"/>
    <bpmn:sequenceFlow id="e1" sourceRef="e_start" targetRef="e_task"/>
    <bpmn:sequenceFlow id="e2" sourceRef="e_task" targetRef="e_end"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_call_activity_is_active_while_its_called_process_waits(as_user, deployed: Platform) -> None:  # type: ignore[no-untyped-def]
    from engine.services.definitions import SourceFile

    files = [SourceFile("diagram_caller.bpmn", CALLER.encode()), SourceFile("diagram_callee.bpmn", CALLEE.encode())]
    deployed.definitions.deploy(files, actor="test")
    window = as_user("window")
    created = window.post("/instances", json={"process_id": "diagram_caller", "data": {"department": "CENTRE"}})
    assert created.status_code == 201
    response = window.get(f"/instances/{created.json['id']}/diagram.svg")
    assert_svg_response(response)
    assert states_of(response) == {"c_start": "completed", "c_call": "active", "c_end": ""}
    callee = as_user("designer").get("/process-definitions/diagram_callee/1/diagram.svg")
    assert_svg_response(callee)  # a file without diagram interchange: the placeholder
    assert "此流程没有图形信息".encode() in callee.data and states_of(callee) == {}
