"""Small BPMN builders for integration tests."""

from __future__ import annotations

from engine.bootstrap import Platform
from engine.services.definitions import SourceFile


def deploy_workday_timer(platform: Platform, workdays: int, start: str | None = None) -> str:
    """A review task with an interrupting boundary timer of ``workdays`` working days."""
    process_id = f"workday_timer_{workdays}"
    expression = f"workdays_after({workdays}{', ' + repr(start) if start else ''})"
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="reviewer"><bpmn:flowNodeRef>review</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>late</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="s"/>
    <bpmn:userTask id="review" name="审查"/>
    <bpmn:boundaryEvent id="limit" attachedToRef="review"><bpmn:timerEventDefinition>
      <bpmn:timeDate>{expression}</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:userTask id="late" name="超期处理"/>
    <bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="e1"/>
    <bpmn:sequenceFlow id="f3" sourceRef="limit" targetRef="late"/>
    <bpmn:sequenceFlow id="f4" sourceRef="late" targetRef="e2"/>
  </bpmn:process>
</bpmn:definitions>"""
    platform.definitions.deploy([SourceFile(f"{process_id}.bpmn", xml.encode())])
    return process_id
