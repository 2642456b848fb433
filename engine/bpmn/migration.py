"""Move a running instance onto a newer version of its process: plan the move, then make it.

An instance moves when every element holding one of its tokens (READY, WAITING and STARTED tasks: human tasks,
waiting timers and messages, joins waiting for branches, running call activities) exists in the new version with
the same type and is reached the same way. The moved workflow keeps its data, its completed history and its
tokens at the same element ids with the same task ids (so inbox rows and claims survive); everything after the
tokens is predicted again from the new version.

SpiffWorkflow 3.2's ``migrate_workflow`` is not used: it resets every READY/WAITING branch, which clears a
waiting timer's frozen due instant (it would restart from the migration time), re-runs pre-scripts, replaces
task data patched at the frontier with the parent's data, and it aligns a renamed element id to its old
position by structure — silently moving a token to another element id. Here the tokens stay exactly where they
are and only their predicted futures are rebuilt. History elements the new version no longer has are spliced
out of the task tree (the audit log keeps them): a spec-less state cannot name a spec the new version lacks.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import clock_patch
from engine.bpmn.runtime import BpmnRuntime
from engine.domain.records import Snapshot

log = logging.getLogger("onestop.migration")

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
NOT_REACHED = TaskState.PREDICTED_MASK | TaskState.FUTURE

# why an active element blocks the move (the web layer words them for people)
REMOVED = "removed"  # the new version has no element with this id
TYPE_CHANGED = "type_changed"  # same id, another kind of element (or another event, or another called process)
ARRIVAL_CHANGED = "arrival_changed"  # the flow the token came in on is gone (joins, boundary events)
UNREACHABLE_BRANCH = "unreachable_branch"  # a join waiting here would wait for a branch no token can reach
CANNOT_MOVE = "cannot_move"  # the engine could not rebuild what follows this element


@dataclass(frozen=True)
class ActiveElement:
    """An element where the instance has a token, and whether that token can move to the new version."""

    process_id: str  # the BPMN process holding the element (the top process or a called one)
    element_id: str
    name: str
    kind: str  # the element's class, e.g. UserTask, IntermediateCatchEvent, ParallelGateway
    state: str  # ready | waiting | started
    reason: str | None = None  # None when it moves; otherwise one of the reasons above

    @property
    def movable(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class MigrationPlan:
    from_key: str
    to_key: str
    active: tuple[ActiveElement, ...]

    @property
    def movable(self) -> bool:
        return all(a.movable for a in self.active)

    @property
    def blocking(self) -> tuple[ActiveElement, ...]:
        return tuple(a for a in self.active if not a.movable)


def _element_id(spec: Any) -> str:
    return str(spec.bpmn_id or spec.name)


def _describe(workflow: Any, task: Task, reason: str | None) -> ActiveElement:
    spec = task.task_spec
    return ActiveElement(
        process_id=str(workflow.spec.name),
        element_id=_element_id(spec),
        name=str(spec.bpmn_name or spec.bpmn_id or spec.name),
        kind=type(spec).__name__,
        state=TaskState.get_name(task.state).lower(),
        reason=reason,
    )


def _event_kind(spec: Any) -> str | None:
    definition = getattr(spec, "event_definition", None)
    return type(definition).__name__ if definition is not None else None


def _compatibility(task: Task, new: Any) -> str | None:
    """Why the token on ``task`` cannot sit on ``new`` (None: it can)."""
    old = task.task_spec
    if new is None:
        return REMOVED
    if type(new) is not type(old) or _event_kind(new) != _event_kind(old):
        return TYPE_CHANGED
    if isinstance(old, SubWorkflowTask) and old.spec != new.spec:
        return TYPE_CHANGED
    parent = task.parent
    if parent is None:
        return None
    inputs = {spec.name for spec in new.inputs}
    # a join remembers which incoming flow the token used; a task with boundary events hangs under their split
    bound = isinstance(parent.task_spec, BoundaryEventSplit) or any(
        isinstance(spec, BoundaryEventSplit) for spec in new.inputs
    )
    if (isinstance(new, UnstructuredJoin) or bound) and parent.task_spec.name not in inputs:
        return ARRIVAL_CHANGED
    return None


def _workflows(wf: BpmnWorkflow) -> Iterator[Any]:
    yield wf
    yield from list(wf.subprocesses.values())


def _active_tasks(workflow: Any) -> list[Task]:
    return [t for t in workflow.tasks.values() if t.has_state(ACTIVE)]


def _precheck(wf: BpmnWorkflow, new_spec: Any, new_deps: dict[str, Any]) -> list[tuple[Any, Task, str | None]]:
    """Every token with the reason it cannot move (None if it can), before anything is changed."""
    found = []
    for workflow in _workflows(wf):
        target = new_spec if workflow is wf else new_deps.get(workflow.spec.name)
        for task in _active_tasks(workflow):
            new = target.task_specs.get(task.task_spec.name) if target is not None else None
            found.append((workflow, task, _compatibility(task, new)))
    return found


# -- making the move -------------------------------------------------------------------------------


def _has_active_descendant(task: Task) -> bool:
    return any(child.has_state(ACTIVE) or _has_active_descendant(child) for child in task.children)


def _repredict(workflow: Any, task: Task) -> None:
    """Drop what was predicted after an active task and predict it again from its (new) spec."""
    for child in list(task.children):
        if child.has_state(NOT_REACHED) and not _has_active_descendant(child):
            workflow._remove_task(child.id)
    task.task_spec._predict(task, mask=NOT_REACHED | task.state)


def _splice(top: BpmnWorkflow, workflow: Any, task: Task) -> None:
    """Take a finished task of a removed element out of the tree; its children hang under its parent."""
    parent = task.parent
    children = list(task.children)
    if isinstance(task.task_spec, SubWorkflowTask) and task.id in top.subprocesses:
        top.delete_subprocess(task)
    if parent is None:
        raise ValueError(f"the root task {task.task_spec.name} has no element in the new version")
    position = parent._children.index(task.id)
    parent._children[position : position + 1] = [child.id for child in children]
    for child in children:
        child._parent = parent.id
    del workflow.tasks[task.id]
    if workflow.last_task is task:
        workflow.last_task = parent


def _arm_new_boundary_events(workflow: Any, active: list[Task]) -> None:
    """Boundary events the new version attaches to an active task start waiting now (e.g. a new deadline)."""
    splits = {t.parent.id: t.parent for t in active if t.parent is not None}
    for split in splits.values():
        if not isinstance(split.task_spec, BoundaryEventSplit):
            continue
        present = {child.task_spec.name for child in split.children}
        for spec in split.task_spec.outputs:
            if spec.name not in present:
                event = split._add_child(spec, TaskState.FUTURE)
                spec._predict(event, mask=NOT_REACHED)
                spec._update(event)


def _move_one(top: BpmnWorkflow, workflow: Any, target: Any) -> list[tuple[Task, str]]:
    """Point every task of ``workflow`` at ``target``'s specs; returns tasks whose futures could not be rebuilt."""
    active = _active_tasks(workflow)
    workflow.spec = target
    orphans = []
    for task in list(workflow.tasks.values()):
        new = target.task_specs.get(task.task_spec.name)
        if new is None:
            orphans.append(task)
        else:
            task.task_spec = new
    failed = []
    for task in active:
        try:
            _repredict(workflow, task)
        except Exception:  # the engine's structures differ too much: say where, never half-move
            log.warning("cannot rebuild what follows %s", task.task_spec.name, exc_info=True)
            failed.append((task, CANNOT_MOVE))
    for task in orphans:
        if task.id not in workflow.tasks:
            continue  # dropped with a prediction above
        if task.has_state(TaskState.FINISHED_MASK):
            _splice(top, workflow, task)
        else:
            workflow._remove_task(task.id)
    _arm_new_boundary_events(workflow, active)
    return failed


def _reachable(start: Any) -> set[str]:
    seen: set[str] = set()
    stack = list(start.outputs)
    while stack:
        spec = stack.pop()
        if spec.name not in seen:
            seen.add(spec.name)
            stack.extend(spec.outputs)
    return seen


def _unreachable_joins(workflow: Any) -> list[Task]:
    """Parallel joins waiting for an incoming branch that nothing completed and no token can still reach."""
    active = _active_tasks(workflow)
    blocked = []
    for join in (t for t in active if t.state == TaskState.WAITING and isinstance(t.task_spec, ParallelGateway)):
        spec = join.task_spec
        arrived = {
            t.parent.task_spec.name
            for t in workflow.tasks.values()
            if t.task_spec is spec and t.parent is not None and t.parent.state == TaskState.COMPLETED
        }
        ahead: set[str] = set()
        for task in active:
            if task.task_spec is not spec:
                ahead |= _reachable(task.task_spec) | {task.task_spec.name}
        if any(i.name not in arrived and i.name not in ahead for i in spec.inputs):
            blocked.append(join)
    return blocked


class InstanceMigrator:
    """Plans and makes moves of serialized instance states between deployed versions (``process@version``)."""

    def __init__(self, runtime: BpmnRuntime) -> None:
        self._runtime = runtime

    def plan(self, state: str, to_key: str) -> MigrationPlan:
        plan, _ = self._move(state, to_key)
        return plan

    def migrate(self, state: str, to_key: str) -> tuple[MigrationPlan, Snapshot | None]:
        """The plan, and the moved state with its projections when the plan is movable (else None)."""
        plan, moved = self._move(state, to_key)
        if moved is None:
            return plan, None
        wf, before = moved
        snapshot: Snapshot = self._runtime._snapshot(wf, before)
        snapshot.force_projection = True  # timers and messages may have new names even where nothing moved
        lost = self._lost_tokens(wf, snapshot.state)
        if lost:
            named = lost & {a.element_id for a in plan.active}
            active = tuple(
                replace(a, reason=CANNOT_MOVE) if not named or a.element_id in named else a for a in plan.active
            )
            return MigrationPlan(plan.from_key, plan.to_key, active), None
        return plan, snapshot

    def _move(self, state: str, to_key: str) -> tuple[MigrationPlan, tuple[BpmnWorkflow, dict[str, Any]] | None]:
        runtime = self._runtime
        wf, before = runtime._checkout(state)
        from_key = str(wf.onestop_spec_key)
        new_spec, new_deps = runtime.specs.get(to_key)
        checked = _precheck(wf, new_spec, new_deps)
        if any(reason for _, _, reason in checked):
            return self._plan(from_key, to_key, checked), None
        failed: dict[Any, str] = {}
        with clock_patch.using(runtime.clock):  # new boundary timers compute their due time on the platform clock
            try:
                for workflow in _workflows(wf):
                    if workflow is not wf and workflow.parent_task_id not in wf.subprocesses:
                        continue  # removed with its (finished) call activity
                    target = new_spec if workflow is wf else new_deps.get(workflow.spec.name)
                    if target is None:  # a finished call of a process the new version no longer calls
                        wf.subprocesses.pop(workflow.parent_task_id, None)
                        continue
                    failed.update({t.id: r for t, r in _move_one(wf, workflow, target)})
                wf.subprocess_specs = new_deps
                wf.onestop_spec_key = to_key
                for workflow in _workflows(wf):
                    failed.update({t.id: UNREACHABLE_BRANCH for t in _unreachable_joins(workflow)})
            except Exception:  # nothing is saved from a failed move; every token is named as the reason
                log.warning("cannot move an instance from %s to %s", from_key, to_key, exc_info=True)
                failed.update({t.id: CANNOT_MOVE for _, t, _ in checked})
        plan = self._plan(from_key, to_key, [(w, t, failed.get(t.id)) for w, t, _ in checked])
        return plan, ((wf, before) if plan.movable else None)

    @staticmethod
    def _plan(from_key: str, to_key: str, checked: list[tuple[Any, Task, str | None]]) -> MigrationPlan:
        elements: dict[tuple[str, str], ActiveElement] = {}
        for workflow, task, reason in checked:
            element = _describe(workflow, task, reason)
            key = (element.process_id, element.element_id)
            if key not in elements or (elements[key].movable and not element.movable):
                elements[key] = element  # one line per element: parallel tokens on one element count once
        return MigrationPlan(from_key, to_key, tuple(elements.values()))

    def _lost_tokens(self, moved: BpmnWorkflow, state: str) -> set[str]:
        """Reload the moved state from its new spec key: every token must still be on its element, every task
        must have a spec. Returns the element ids that did not survive (empty when the move is sound)."""
        if json.loads(state).get("spec_key") != moved.onestop_spec_key:
            return {"*"}
        try:
            reloaded = self._runtime._load(state)
        except Exception:
            return {_element_id(t.task_spec) for w in _workflows(moved) for t in _active_tasks(w)}
        after = {
            (str(t.id), t.task_spec.name if t.task_spec else None, t.state)
            for w in _workflows(reloaded)
            for t in w.tasks.values()
        }
        lost = set()
        for workflow in _workflows(moved):
            for task in _active_tasks(workflow):
                if (str(task.id), task.task_spec.name, task.state) not in after:
                    lost.add(_element_id(task.task_spec))
        if any(name is None for _, name, _ in after):
            lost.add("*")
        return lost
