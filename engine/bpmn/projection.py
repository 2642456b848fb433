"""Read a live SpiffWorkflow instance into plain records: ready human tasks, timers, awaited messages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.expression_helpers import RECIPE_KEY, DeadlineValue
from engine.domain.records import AwaitedMessage, PendingTimer, ReadyTask


def all_tasks(wf: BpmnWorkflow) -> Iterator[Task]:
    """Every task of the instance, including those of call activities and subprocesses."""
    yield from wf.tasks.values()
    for sub in wf.subprocesses.values():
        yield from sub.tasks.values()


def completed_ids(wf: BpmnWorkflow) -> set[int]:
    """Completed task ids as plain ints (UUID hashing is Python-level and shows up in profiles)."""
    completed = TaskState.COMPLETED
    return {t.id.int for t in all_tasks(wf) if t.state == completed}


def _timer_due(task: Task) -> datetime | None:
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):  # cycle timer: {'cycles', 'next', 'duration'}
        value = value.get("next") if value.get("cycles") else None
    if not isinstance(value, str) or value.upper().startswith(("P", "R")):
        return None
    try:
        return TimerEventDefinition.get_datetime(str(value)).astimezone(UTC)
    except ValueError:
        return None


def normalise_deadlines(wf: BpmnWorkflow) -> None:
    """Move a DeadlineValue's recipe into internal data and keep a plain string as the timer value."""
    for task in list(wf.event_manager.tasks.values()):
        value = task.internal_data.get("event_value")
        if isinstance(value, DeadlineValue):
            task.internal_data[RECIPE_KEY] = dict(value.recipe)
            task.internal_data["event_value"] = str(value)


def _is_timer(definition: Any) -> bool:
    if isinstance(definition, TimerEventDefinition):
        return True
    return isinstance(definition, MultipleEventDefinition) and any(
        isinstance(d, TimerEventDefinition) for d in definition.event_definitions
    )


def pending_timers(wf: BpmnWorkflow) -> list[PendingTimer]:
    result = []
    for task in wf.event_manager.tasks.values():
        spec = task.task_spec
        if not _is_timer(spec.event_definition):
            continue
        due = _timer_due(task)
        if due is None:
            continue
        recipe = task.internal_data.get(RECIPE_KEY)
        result.append(
            PendingTimer(
                task_id=str(task.id),
                element_id=spec.bpmn_id or spec.name,
                name=spec.bpmn_name or spec.bpmn_id or "",
                due_at=due,
                provisional=bool(recipe and recipe.get("provisional")),
                interrupting=bool(getattr(spec, "cancel_activity", True)),
                recipe=recipe,
            )
        )
    return sorted(result, key=lambda t: t.due_at)


def awaited_messages(wf: BpmnWorkflow) -> list[AwaitedMessage]:
    names: set[str] = set()
    for task in wf.event_manager.tasks.values():
        definition = task.task_spec.event_definition
        definitions = definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]
        names.update(d.name for d in definitions if isinstance(d, MessageEventDefinition) and d.name)
    return [AwaitedMessage(name=n, correlation=None) for n in sorted(names)]


def _boundary_due(task: Task, timers_by_task: dict[str, PendingTimer]) -> PendingTimer | None:
    parent = task.parent
    if parent is None or type(parent.task_spec).__name__ != "BoundaryEventSplit":
        return None
    attached = [timers_by_task[str(c.id)] for c in parent.children if str(c.id) in timers_by_task]
    interrupting = [t for t in attached if t.interrupting]
    chosen = interrupting or attached
    return min(chosen, key=lambda t: t.due_at) if chosen else None


def ready_human_tasks(wf: BpmnWorkflow, timers: list[PendingTimer]) -> list[ReadyTask]:
    timers_by_task = {t.task_id: t for t in timers}
    result = []
    for task in wf.get_tasks(state=TaskState.READY, manual=True):
        spec = task.task_spec
        properties = (getattr(spec, "extensions", None) or {}).get("properties", {})
        deadline = _boundary_due(task, timers_by_task)
        result.append(
            ReadyTask(
                task_id=str(task.id),
                element_id=spec.bpmn_id or spec.name,
                name=spec.bpmn_name or spec.bpmn_id or spec.name,
                lane=spec.lane,
                form_ref=properties.get("formJsonSchemaFilename"),
                form_ui_ref=properties.get("formUiSchemaFilename"),
                due_at=deadline.due_at if deadline else None,
                due_provisional=deadline.provisional if deadline else False,
                bpmn_process_id=task.workflow.spec.name,
            )
        )
    return result


def output_key(task: Task) -> str:
    """Where a completed form's data lands: the task's ``outputKey`` property, else its element id."""
    properties = (getattr(task.task_spec, "extensions", None) or {}).get("properties", {})
    return str(properties.get("outputKey") or task.task_spec.bpmn_id or task.task_spec.name)


def frontier_data(wf: BpmnWorkflow) -> dict[str, Any]:
    """The data a person would call "the case data now": every task's data merged in the order it changed
    (parallel branches not yet joined included), or the end state of a completed instance."""
    if wf.is_completed():
        last = wf.last_task
        return dict(last.data) if last is not None else dict(wf.data)
    merged: dict[str, Any] = {}
    touched = [
        t
        for t in all_tasks(wf)
        if t.data
        and t.state in (TaskState.COMPLETED, TaskState.READY, TaskState.WAITING, TaskState.STARTED, TaskState.ERROR)
    ]
    for task in sorted(touched, key=lambda t: t.last_state_change):
        merged.update(task.data)
    return merged
