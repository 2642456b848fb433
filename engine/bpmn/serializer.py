"""Spec-less serialization: an instance's JSON holds a spec key, the parsed specs live once in a cache."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

SpecPair = tuple[Any, dict[str, Any]]
SpecLoader = Callable[[str], SpecPair]


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Writes ``spec_key`` instead of the full spec; restores the spec through the loader."""

    spec_loader: SpecLoader

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["spec_key"] = workflow.onestop_spec_key
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        spec, subprocess_specs = self.spec_loader(dct["spec_key"])
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.onestop_spec_key = dct["spec_key"]
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def make_serializer(spec_loader: SpecLoader) -> BpmnWorkflowSerializer:
    converter = type(
        "SpeclessWorkflowConverter", (_SpeclessWorkflowConverter,), {"spec_loader": staticmethod(spec_loader)}
    )
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = converter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


def spec_key_of(state: str) -> str:
    import json

    return str(json.loads(state)["spec_key"])
