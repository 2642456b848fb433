"""Run BPMN instances: start, complete a human task, tick timers, deliver messages — state in, Snapshot out.

Every operation deserializes the saved state, advances it under the platform clock and the sandboxed
script engine, and returns the new state with its projections. On any exception the in-memory workflow is
discarded and a ScriptError is raised: the caller never saves half-advanced engine state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import clock_patch, projection
from engine.bpmn.expression_helpers import RECIPE_KEY
from engine.bpmn.sandbox import make_script_engine
from engine.bpmn.serializer import SpecPair, make_serializer, spec_key_of
from engine.clock import Clock
from engine.domain.calendar import WorkCalendar
from engine.domain.records import CompletedElement, Snapshot, ThrownMessage
from engine.errors import ConcurrencyConflict, InvalidTransition, NotFound, ScriptError

SpecLoader = Callable[[str], SpecPair]


class SpecCache:
    """Parsed specs per ``process_id@version``; parsed once per process, loaded on demand."""

    def __init__(self, loader: SpecLoader) -> None:
        self._loader = loader
        self._specs: dict[str, SpecPair] = {}
        self._lock = threading.Lock()

    def get(self, spec_key: str) -> SpecPair:
        found = self._specs.get(spec_key)
        if found is None:
            with self._lock:
                found = self._specs.get(spec_key)
                if found is None:
                    found = self._loader(spec_key)
                    self._specs[spec_key] = found
        return found


def _script_error(exc: BaseException) -> ScriptError:
    """Describe an engine failure by element and message, whatever SpiffWorkflow raised."""
    cause = exc.__cause__ or exc.__context__
    element = ""
    line = None
    if isinstance(exc, WorkflowTaskException):
        element = exc.task.task_spec.bpmn_id or exc.task.task_spec.name
        line = exc.line_number
    elif isinstance(exc, WorkflowException) and exc.task_spec is not None:
        element = exc.task_spec.bpmn_id or exc.task_spec.name
    message = str(exc)
    if cause is not None and str(cause) and str(cause) not in message:
        message = f"{message}: {cause}"
    return ScriptError(message, element_id=element, line=line)


class BpmnRuntime:
    def __init__(
        self,
        *,
        specs: SpecCache,
        clock: Clock,
        calendar: Callable[[], WorkCalendar],
        helpers: dict[str, Any],
        time_limit: float = 1.0,
    ) -> None:
        clock_patch.install()
        self.specs = specs
        self.clock = clock
        self._calendar = calendar
        self.script_engine = make_script_engine(helpers, time_limit)
        self.serializer = make_serializer(specs.get)

    # -- plumbing ------------------------------------------------------------------------------
    def _load(self, state: str) -> BpmnWorkflow:
        wf = self.serializer.deserialize_json(state)
        wf.script_engine = self.script_engine  # the engine is not serialized: reattach every time
        return wf

    @contextmanager
    def _advancing(self) -> Iterator[None]:
        """Run engine code under the platform clock; turn every failure into a ScriptError."""
        with clock_patch.using(self.clock):
            try:
                yield
            except (ScriptError, NotFound, InvalidTransition, ConcurrencyConflict):
                raise
            except RecursionError as exc:
                raise ScriptError(f"the process is nested or looped too deeply to run: {exc}") from exc
            except Exception as exc:
                raise _script_error(exc) from exc

    @staticmethod
    def _before(wf: BpmnWorkflow) -> dict[str, Any]:
        timers = projection.pending_timers(wf)
        return {
            "done": projection.completed_ids(wf),
            "previous_ready_ids": frozenset(str(t.id) for t in wf.get_tasks(state=TaskState.READY, manual=True)),
            "previous_timers": tuple((t.task_id, t.due_at) for t in timers),
            "previous_awaited": tuple(m.name for m in projection.awaited_messages(wf)),
        }

    def _checkout(self, state: str) -> tuple[BpmnWorkflow, dict[str, Any]]:
        """The workflow for ``state`` with its current projections.

        Always deserialized: a cache of live workflows was measured (it saved 0.7 ms per completion) but a
        live graph differs from a reloaded one (int keys, tuples, objects shared between tasks), and making
        it canonical cost more than it saved.
        """
        wf = self._load(state)
        return wf, self._before(wf)

    def _snapshot(self, wf: BpmnWorkflow, before: dict[str, Any]) -> Snapshot:
        """Serialize and project under the same guard as the engine step: a value a script left in task data
        that cannot be saved is the script's failure (an incident), not a server error."""
        with self._advancing():
            return self._build_snapshot(wf, before)

    def _build_snapshot(self, wf: BpmnWorkflow, before: dict[str, Any]) -> Snapshot:
        done_before = before["done"]
        projection.normalise_deadlines(wf)
        timers = projection.pending_timers(wf)
        done_now = projection.completed_ids(wf)
        newly_done = done_now - done_before
        completed = [
            CompletedElement(
                task_id=str(t.id),
                element_id=t.task_spec.bpmn_id,
                name=t.task_spec.bpmn_name or t.task_spec.bpmn_id,
                kind=type(t.task_spec).__name__,
                properties=dict((getattr(t.task_spec, "extensions", None) or {}).get("properties", {})),
            )
            for t in projection.all_tasks(wf)
            if t.id.int in newly_done and t.task_spec.bpmn_id
        ]
        thrown = [
            ThrownMessage(name=e.event_definition.name, payload=e.payload)
            for e in wf.get_events()
            if isinstance(e.event_definition, MessageEventDefinition)
        ]
        ready = projection.ready_human_tasks(wf, timers)
        awaited = projection.awaited_messages(wf)
        snapshot = Snapshot(
            state=self.serializer.serialize_json(wf),
            serializer_version=self.serializer.VERSION,
            completed=wf.is_completed(),
            ready_tasks=ready,
            timers=timers,
            awaited_messages=awaited,
            completed_elements=completed,
            thrown_messages=thrown,
            previous_ready_ids=before["previous_ready_ids"],
            previous_timers=before["previous_timers"],
            previous_awaited=before["previous_awaited"],
        )
        return snapshot

    # -- operations ----------------------------------------------------------------------------
    def new_state(self, spec_key: str, data: dict[str, Any]) -> str:
        """An instance that has not taken a step yet (so a failing first step can be retried)."""
        spec, subprocess_specs = self.specs.get(spec_key)
        wf = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        wf.onestop_spec_key = spec_key
        start = wf.get_next_task(spec_name="Start")
        if start is not None:
            start.data.update(data)
        return str(self.serializer.serialize_json(wf))

    def step(self, state: str, data_patch: dict[str, Any] | None = None) -> Snapshot:
        """Run whatever the engine can run now (used for a new instance and for retrying an incident)."""
        wf, before = self._checkout(state)
        with self._advancing():
            self._patch_frontier(wf, data_patch)
            wf.refresh_timers()
            wf.do_engine_steps()
        return self._snapshot(wf, before)

    def complete(
        self, state: str, task_id: str, form_data: dict[str, Any], data_patch: dict[str, Any] | None = None
    ) -> tuple[Snapshot, str]:
        """Complete a READY human task; its data lands under the task's output key. Returns (snapshot, key)."""
        wf, before = self._checkout(state)
        task = self._ready_task(wf, task_id)
        key = projection.output_key(task)
        with self._advancing():
            if data_patch:
                task.data.update(data_patch)
            task.data[key] = form_data
            task.run()
            wf.refresh_timers()
            wf.do_engine_steps()
        return self._snapshot(wf, before), key

    def tick(self, state: str) -> Snapshot:
        return self.step(state)

    def deliver(self, state: str, name: str, payload: Any, data_patch: dict[str, Any] | None = None) -> Snapshot:
        wf, before = self._checkout(state)
        with self._advancing():
            self._patch_frontier(wf, data_patch)
            try:
                wf.send_event(BpmnEvent(MessageEventDefinition(name), payload=payload))
            except WorkflowException as exc:
                if "not waiting" in str(exc):
                    raise InvalidTransition(f"the instance is not waiting for message {name!r}") from exc
                raise
            wf.do_engine_steps()
        return self._snapshot(wf, before)

    def terminate(self, state: str) -> Snapshot:
        wf, before = self._checkout(state)
        with self._advancing():
            wf.cancel()
        snap = self._snapshot(wf, before)
        snap.ready_tasks, snap.timers, snap.awaited_messages = [], [], []
        return snap

    def recompute_deadlines(self, state: str) -> Snapshot | None:
        """Recompute every working-day timer from its recipe with the current calendar; None if none moved."""
        wf, before = self._checkout(state)
        calendar = self._calendar()
        changed = False
        for task in list(wf.event_manager.tasks.values()):
            recipe = task.internal_data.get(RECIPE_KEY)
            if not recipe:
                continue
            deadline = calendar.deadline_after(datetime.fromisoformat(recipe["start"]), int(recipe["workdays"]))
            new_value = deadline.due_at.isoformat()
            task.internal_data[RECIPE_KEY] = dict(
                recipe, provisional=deadline.provisional, calendar_version=calendar.version
            )
            if new_value != task.internal_data.get("event_value") or deadline.provisional != recipe.get("provisional"):
                task.internal_data["event_value"] = new_value
                changed = True
            elif recipe.get("calendar_version") != calendar.version:
                changed = True  # same instant, but now known to be computed with the current calendar
        return self._snapshot(wf, before) if changed else None

    def count_deadlines_from(self, state: str, start: datetime) -> Snapshot | None:
        """Recount the working-day timers started before ``start`` from ``start`` (an off-hours intake's
        clocks count from the next opening of the centre); None if none moved."""
        wf, before = self._checkout(state)
        calendar = self._calendar()
        changed = False
        for task in list(wf.event_manager.tasks.values()):
            recipe = task.internal_data.get(RECIPE_KEY)
            if not recipe or datetime.fromisoformat(recipe["start"]) >= start:
                continue
            deadline = calendar.deadline_after(start, int(recipe["workdays"]))
            task.internal_data[RECIPE_KEY] = dict(
                recipe, start=deadline.start.isoformat(), provisional=deadline.provisional,
                calendar_version=calendar.version,
            )  # fmt: skip
            task.internal_data["event_value"] = deadline.due_at.isoformat()
            changed = True
        return self._snapshot(wf, before) if changed else None

    # -- reading -------------------------------------------------------------------------------
    def task_data(self, state: str, task_id: str) -> dict[str, Any]:
        wf = self._load(state)
        task = wf.get_task_from_id(self._uuid(task_id))
        if task is None:
            raise NotFound(f"task {task_id} not found in the instance")
        return dict(task.data)

    def current_data(self, state: str) -> dict[str, Any]:
        return projection.frontier_data(self._load(state))

    @staticmethod
    def spec_key(state: str) -> str:
        return spec_key_of(state)

    # -- helpers -------------------------------------------------------------------------------
    @staticmethod
    def _uuid(task_id: str) -> UUID:
        try:
            return UUID(task_id)
        except ValueError as exc:
            raise NotFound(f"no task {task_id!r}") from exc

    def _ready_task(self, wf: BpmnWorkflow, task_id: str) -> Any:
        try:
            task = wf.get_task_from_id(self._uuid(task_id))
        except Exception as exc:  # TaskNotFoundException and friends
            raise ConcurrencyConflict(f"task {task_id} is no longer part of the instance") from exc
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise ConcurrencyConflict(f"task {task_id} is no longer ready")
        return task

    @staticmethod
    def _patch_frontier(wf: BpmnWorkflow, data_patch: dict[str, Any] | None) -> None:
        if not data_patch:
            return
        for task in wf.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.ERROR):
            task.data.update(data_patch)
