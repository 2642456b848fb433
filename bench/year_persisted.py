"""The year replay's persisted run: drive a workload (bench/year_workload.py) through Onestop's services on a
database, with a simulated clock and the scheduler's due-timer routine firing every timer as the clock passes it.

Everything goes through the service layer a clerk's request would use (cases.create, tasks.complete,
feedback.evaluate_at_window, rectification.rate_fix_at_window, consultations.log/close, timers.fire_due,
warnings.fire_due). The only direct read is the list of an instance's tasks, to find the task a planned action
means — what a clerk does by opening the case.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bench.year_workload import Event, Workload
from engine.bootstrap import Platform
from engine.clock import FrozenClock
from engine.domain.access import Principal, RoleGrant
from engine.domain.records import TaskState
from engine.errors import OnestopError

_FIRE_MARGIN = timedelta(milliseconds=5)  # SpiffWorkflow fires a timer once its instant is strictly past
NAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗"
Progress = Callable[[int], None]


class _People:
    """One principal per (role, department), made once."""

    def __init__(self) -> None:
        self._made: dict[tuple[str, str | None], Principal] = {}

    def __call__(self, role: str, department: str | None) -> Principal:
        key = (role, department)
        found = self._made.get(key)
        if found is None:
            found = Principal(f"{role}.{department or 'all'}", grants=frozenset({RoleGrant(role, department)}))
            self._made[key] = found
        return found


class PersistedReplay:
    """Replays the events in time order; ``counts`` says what was done (completions, timer ticks, misses)."""

    def __init__(self, platform: Platform, clock: FrozenClock, workload: Workload) -> None:
        self.platform, self.clock, self.workload = platform, clock, workload
        self.people = _People()
        self.counts: Counter[str] = Counter()
        self.case_nos: dict[int, str] = {}
        self.instance_of: dict[int, int] = {}
        self.rectification_of: dict[int, int] = {}
        self.consultation_of: dict[int, tuple[int, str]] = {}
        self.next_wake: datetime | None = None
        self.errors: list[str] = []
        self._day: Any = None
        platform.ctx.due_listeners.append(self._notify)

    # -- the scheduler's part ----------------------------------------------------------------------------------
    def _notify(self, due: datetime | None) -> None:
        if due is not None and (self.next_wake is None or due < self.next_wake):
            self.next_wake = due

    def _run_due(self) -> None:
        """What TimerScheduler.run_due does: fire the process timers, then the warning cards' timers."""
        platform = self.platform
        report = platform.timers.fire_due()
        self.counts["timer_ticks"] += len(report.fired)
        self.counts["timer_incidents"] += len(report.incidents) + len(report.failed)
        self.counts["warning_cards"] += len(platform.warnings.fire_due().issued)
        dues = [platform.instances.earliest_due(), platform.warnings.earliest_due()]
        self.next_wake = min((d for d in dues if d is not None), default=None)

    def fire_until(self, instant: datetime) -> None:
        """Wake at each due time before ``instant``, as the scheduler's wake-up job would."""
        while self.next_wake is not None and self.next_wake + _FIRE_MARGIN < instant:
            wake = self.next_wake
            self.clock.set(max(self.clock.now(), wake + _FIRE_MARGIN))
            self._run_due()
            if self.next_wake is not None and self.next_wake <= wake:
                self.counts["timers_stuck"] += 1  # due but not fired (an incident): leave it to the next event
                break
        self._daily(instant)

    def _daily(self, instant: datetime) -> None:
        day = instant.astimezone(self.workload.events[0].at.tzinfo).date() if self.workload.events else None
        if day != self._day:
            self._day = day
            self.platform.consultations.record_breaches()  # the first-inquiry job (every minute in production)

    # -- the clerks' part --------------------------------------------------------------------------------------
    def run(self, progress: Progress | None = None) -> Counter[str]:
        for event in self.workload.events:
            self.fire_until(event.at)
            self.clock.set(event.at)
            try:
                getattr(self, f"_{event.kind}")(event)
            except OnestopError as error:  # counted and shown; the checks then fail
                self.counts[f"errors_{event.kind}_{event.step}"] += 1
                if len(self.errors) < 5:
                    self.errors.append(f"{event.kind} {event.step} of #{event.ref}: {error}")
            if progress is not None:
                progress(1)
        # after the last action: the rectifications' rating windows and any late timer still run out
        last = self.workload.events[-1].at if self.workload.events else self.clock.now()
        self.fire_until(last + timedelta(days=45))
        return self.counts

    def _item(self, ref: int) -> Any:
        return self.workload.items[self.workload.case_items[ref]]

    def _open(self, event: Event) -> None:
        item = self._item(event.ref)
        body = {
            "item_code": item.code,
            "channel": "online" if event.ref % 10 == 0 else "agent" if event.ref % 25 == 1 else "window",
            "applicant": {"name": NAMES[event.ref % len(NAMES)] + "某", "phone": f"138{event.ref:08d}"},
        }
        created = self.platform.cases.create(self.people("window_officer", item.department), body)
        self.case_nos[event.ref] = created.case_no
        self.instance_of[event.ref] = created.instance_id
        self.counts["cases_opened"] += 1

    def _ready(self, instance_id: int, wanted: Callable[[str], bool]) -> list[Any]:
        with self.platform.ctx.uow() as uow:
            tasks = uow.instances.tasks_for_instance(instance_id, state=TaskState.READY)
        return [t for t in tasks if wanted(t.element_id)]

    def _complete(self, tasks: list[Any], data: dict[str, Any], label: str) -> None:
        if not tasks:
            self.counts[f"missing_{label}"] += 1
            return
        for task in tasks:
            self.platform.tasks.complete(self.people(task.role, task.department), task.task_id, data)
            self.counts["completions"] += 1

    def _step(self, event: Event) -> None:
        steps = self._item(event.ref).steps
        ready = self._ready(self.instance_of[event.ref], lambda e: steps.get(e) == event.step)
        # parallel opinions are all given at this step; every other step is one task
        self._complete(ready if event.step == "opinion" else ready[:1], event.data, event.step)

    def _evaluate(self, event: Event) -> None:
        item = self._item(event.ref)
        window = self.people("window_officer", item.department)
        rating = self.platform.feedback.evaluate_at_window(
            window, self.case_nos[event.ref], event.data["level"], event.data.get("comment", "")
        )
        if rating.get("instance_id"):
            self.rectification_of[event.ref] = rating["instance_id"]
        self.counts["evaluations"] += 1

    def _rect(self, event: Event) -> None:
        instance_id = self.rectification_of.get(event.ref)
        ready = self._ready(instance_id, lambda e: e == event.step) if instance_id else []
        self._complete(ready[:1], event.data, f"rect_{event.step}")

    def _rate_fix(self, event: Event) -> None:
        window = self.people("window_officer", self._item(event.ref).department)
        self.platform.rectification.rate_fix_at_window(window, self.case_nos[event.ref], event.data["rating"])
        self.counts["fixes_rated"] += 1

    def _consult(self, event: Event) -> None:
        record = self.platform.consultations.log(self.people("consultant", "CENTRE"), event.data)
        assert record.id is not None
        self.consultation_of[event.ref] = (record.id, str(event.data.get("transferred_to") or ""))
        self.counts["consultations"] += 1

    def _consult_close(self, event: Event) -> None:
        consultation_id, department = self.consultation_of[event.ref]
        self.platform.consultations.close(
            self.people("case_officer", department), consultation_id, event.data["answer"]
        )
        self.counts["consultations_closed"] += 1
