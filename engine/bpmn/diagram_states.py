"""Which BPMN elements of a saved instance are waiting: ready human tasks and waiting catch events.

A diagram shows only the top-level process, so each waiting element also names the subprocesses and call
activities that hold it (its ``holders``): those are what the diagram can mark when the element itself lives
in a called process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.projection import all_tasks


@dataclass(frozen=True)
class WaitingElement:
    element_id: str
    task_id: str
    holders: tuple[str, ...]  # outermost first: the call activity / subprocess elements around it


def _element_id(task: Task) -> str | None:
    spec = task.task_spec
    return getattr(spec, "bpmn_id", None) or None


def _holders(top: BpmnWorkflow, task: Task) -> tuple[str, ...]:
    chain: list[str] = []
    workflow = task.workflow
    seen = set()
    while workflow is not top and workflow.parent_task_id is not None and workflow.parent_task_id not in seen:
        seen.add(workflow.parent_task_id)
        parent = top.get_task_from_id(workflow.parent_task_id)
        if parent is None:
            break
        element = _element_id(parent)
        if element:
            chain.append(element)
        workflow = parent.workflow
    return tuple(reversed(chain))


def waiting_elements(serializer: Any, state: str) -> list[WaitingElement]:
    """Ready human tasks and the catch events (timers, messages, signals …) the instance waits on."""
    workflow: BpmnWorkflow = serializer.deserialize_json(state)
    waiting: list[Task] = [t for t in workflow.get_tasks(state=TaskState.READY, manual=True)]
    waiting += [t for t in workflow.event_manager.tasks.values() if t.state == TaskState.WAITING]
    known = {t.id for t in waiting}
    # an event catch inside a subprocess that the event manager does not list (older serializations)
    waiting += [
        t
        for t in all_tasks(workflow)
        if t.id not in known and t.state == TaskState.WAITING and getattr(t.task_spec, "event_definition", None)
    ]
    result = []
    for task in waiting:
        element = _element_id(task)
        if element:
            result.append(WaitingElement(element, str(task.id), _holders(workflow, task)))
    return result
