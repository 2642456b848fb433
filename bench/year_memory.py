"""The year replay's in-memory baseline: the SAME workload (bench/year_workload.py) — the same BPMN files, the
same clerk actions in the same order with the same form data, the same simulated clock and working-day calendar
— run with raw SpiffWorkflow in memory: no database, no serialization, no case records, notices, warning cards
or statistics. Consultations are not BPMN and cost nothing here.

The timer helpers (``workdays_after``) and the clock patch are Onestop's own so that timers fall due at the
same instants; the script engine is SpiffWorkflow's plain PythonScriptEngine, not Onestop's sandbox.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from bench.year_workload import ROOT, Event, Workload
from engine.bpmn import clock_patch
from engine.bpmn.expression_helpers import make_helpers
from engine.bpmn.projection import pending_timers
from engine.clock import FrozenClock
from engine.domain.calendar import WorkCalendar
from engine.domain.rectification import CALLBACK_WORKDAYS, RATING_WORKDAYS, RECTIFICATION_WORKDAYS

_FIRE_MARGIN = timedelta(milliseconds=5)
Progress = Callable[[int], None]


def _specs(workload: Workload, root: Path) -> dict[str, tuple[Any, Any]]:
    specs = {}
    paths = {i.process_id: root / "processes" / "items" / f"{i.process_id}.bpmn" for i in workload.items.values()}
    paths["rectification"] = root / "processes" / "rectification.bpmn"
    for pid, path in paths.items():
        parser = SpiffBpmnParser()
        parser.add_bpmn_file(str(path))
        specs[pid] = (parser.get_spec(pid), parser.get_subprocess_specs(pid))
    return specs


class MemoryReplay:
    def __init__(self, workload: Workload, calendar: WorkCalendar, root: Path = ROOT) -> None:
        self.workload = workload
        self.clock = FrozenClock(workload.events[0].at if workload.events else datetime.now().astimezone())
        helpers = make_helpers(lambda: calendar, self.clock)
        self.engine = PythonScriptEngine(environment=TaskDataEnvironment(helpers))
        self.specs = _specs(workload, root)
        self.live: dict[tuple[str, int], BpmnWorkflow] = {}
        self.due: dict[tuple[str, int], datetime] = {}
        self.heap: list[tuple[datetime, tuple[str, int]]] = []
        self.counts: Counter[str] = Counter()
        clock_patch.install()

    def run(self, progress: Progress | None = None) -> Counter[str]:
        with clock_patch.using(self.clock):
            for event in self.workload.events:
                self._fire_until(event.at)
                self.clock.set(event.at)
                getattr(self, f"_{event.kind}")(event)
                if progress is not None:
                    progress(1)
            last = self.workload.events[-1].at if self.workload.events else self.clock.now()
            self._fire_until(last + timedelta(days=45))
        return self.counts

    # -- timers ------------------------------------------------------------------------------------------------
    def _settle(self, key: tuple[str, int]) -> None:
        """Forget a finished workflow; otherwise remember its earliest timer."""
        wf = self.live[key]
        if wf.is_completed():
            del self.live[key]
            self.due.pop(key, None)
            self.counts["instances_completed"] += 1
            return
        timers = pending_timers(wf)
        if timers:
            self.due[key] = timers[0].due_at
            heapq.heappush(self.heap, (timers[0].due_at, key))
        else:
            self.due.pop(key, None)

    def _fire_until(self, instant: datetime) -> None:
        while self.heap and self.heap[0][0] + _FIRE_MARGIN < instant:
            due, key = heapq.heappop(self.heap)
            if self.due.get(key) != due or key not in self.live:
                continue  # superseded by a later step
            self.clock.set(max(self.clock.now(), due + _FIRE_MARGIN))
            wf = self.live[key]
            wf.refresh_timers()
            wf.do_engine_steps()
            self.counts["timer_ticks"] += 1
            self._settle(key)

    # -- actions -----------------------------------------------------------------------------------------------
    def _start(self, key: tuple[str, int], process_id: str, data: dict[str, Any]) -> None:
        spec, subs = self.specs[process_id]
        wf = BpmnWorkflow(spec, subs, script_engine=self.engine)
        start = wf.get_next_task(spec_name="Start")
        if start is not None:
            start.data.update(data)
        wf.refresh_timers()
        wf.do_engine_steps()
        self.live[key] = wf
        self._settle(key)

    def _complete(self, key: tuple[str, int], wanted: Callable[[str], bool], data: dict[str, Any], every: bool) -> None:
        wf = self.live.get(key)
        ready = (
            [t for t in wf.get_tasks(state=TaskState.READY, manual=True) if wanted(t.task_spec.bpmn_id)] if wf else []
        )
        if not ready:
            self.counts["missing"] += 1
            return
        for task in ready if every else ready[:1]:
            task.data[task.task_spec.bpmn_id] = dict(data)
            task.run()
            wf.refresh_timers()  # type: ignore[union-attr]
            wf.do_engine_steps()  # type: ignore[union-attr]
            self.counts["completions"] += 1
        self._settle(key)

    def _open(self, event: Event) -> None:
        item = self.workload.items[self.workload.case_items[event.ref]]
        data = {
            "case_no": f"Y{event.ref:06d}",
            "item_code": item.code,
            "department": item.department,
            "promised_days": item.promised_days,
            "instant": item.instant,
            "received_at": self.clock.now().isoformat(),
            "materials": [],
        }
        self._start(("case", event.ref), item.process_id, data)

    def _step(self, event: Event) -> None:
        steps = self.workload.items[self.workload.case_items[event.ref]].steps
        self._complete(("case", event.ref), lambda e: steps.get(e) == event.step, event.data, event.step == "opinion")

    def _evaluate(self, event: Event) -> None:
        if event.data["level"] <= 2:  # a bad review starts its rectification process
            data = {
                "evaluation_id": event.ref,
                "case_no": f"Y{event.ref:06d}",
                "level": event.data["level"],
                "stage": "completion",
                "comment": event.data.get("comment", ""),
                "callback_days": CALLBACK_WORKDAYS,
                "rectification_days": RECTIFICATION_WORKDAYS,
                "rating_days": RATING_WORKDAYS,
            }
            self._start(("rect", event.ref), "rectification", data)

    def _rect(self, event: Event) -> None:
        self._complete(("rect", event.ref), lambda e: e == event.step, event.data, False)

    def _rate_fix(self, event: Event) -> None:
        key = ("rect", event.ref)
        wf = self.live.get(key)
        if wf is None:
            self.counts["missing"] += 1
            return
        wf.send_event(BpmnEvent(MessageEventDefinition("fix_rated"), payload={"rating": event.data["rating"]}))
        wf.do_engine_steps()
        self._settle(key)

    def _consult(self, event: Event) -> None:
        pass  # not a process: nothing for SpiffWorkflow to do

    _consult_close = _consult
