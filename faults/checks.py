"""The checks every drill ends with, run on the database once the platform processes are stopped.

For each drill instance: its state deserializes (through the admin instance page's service, then once more for
the projections); the projections match the state (the READY rows of ``human_tasks`` are exactly the ready user
tasks of the state, the ``timers`` rows exactly its waiting timers, ``instances.next_due_at`` their earliest due
time, the status its completion); every timer fired at most once (its ``element_completed`` audit entries) and
none is left overdue; the instance ended by exactly one way. For the clients' record: every start that got a 201
exists, and every completion that got a 200 is completed in the projection, in the history and in the state.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState as SpiffState

from engine.bootstrap import Platform
from engine.bpmn import projection
from engine.domain.access import ADMIN, Principal, RoleGrant
from engine.domain.instance_query import InstanceQuery
from engine.domain.records import InstanceStatus, TaskState
from faults.load import Record
from faults.stack import DEPARTMENT, PROCESS_ID

ADMIN_PRINCIPAL = Principal("faults-check", grants=frozenset({RoleGrant(ADMIN)}))
TIMER_ELEMENTS = ("wait", "overdue")
END_ELEMENTS = ("done", "expired")


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass
class Findings:
    instances: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    timer_fires: int = 0
    completions_checked: int = 0
    starts_checked: int = 0
    # drill "wait" timers that fell due inside a window (e.g. a database outage), and those of them fired once
    due_in_window: int = 0
    due_in_window_fired_once: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(self.by_status.items()))
        head = (
            f"{self.instances} instances ({statuses}); {self.timer_fires} timer firings; "
            f"{self.completions_checked} completions answered 200 and {self.starts_checked} starts answered 201 "
            f"checked; {len(self.problems)} problem(s)"
        )
        return "\n".join([head, *("  - " + p for p in self.problems[:30])])


def drill_instances(platform: Platform, since: datetime) -> list[int]:
    """Every drill instance started since ``since`` — those whose start answer a kill swallowed included."""
    ids: list[int] = []
    while True:
        query = InstanceQuery(
            process_id=PROCESS_ID, department=DEPARTMENT, started_from=since, limit=500, offset=len(ids)
        )
        page, total = platform.instances.list(ADMIN_PRINCIPAL, query)
        ids.extend(s.instance.id for s in page)
        if not page or len(ids) >= total:
            return sorted(ids)


def _count_windows(
    found: Findings, history: list[Any], fired: int, windows: Sequence[tuple[datetime, datetime]], wait: timedelta
) -> None:
    """The wait timer starts when "receive" completes, so it fell due at that moment plus the wait."""
    received = [e.at for e in history if e.action == "element_completed" and e.element_id == "receive"]
    if not received:
        return
    began = _utc(received[0])
    assert began is not None
    due = began + wait
    if any(start <= due <= end for start, end in windows):
        found.due_in_window += 1
        found.due_in_window_fired_once += fired == 1


def check(
    platform: Platform,
    since: datetime,
    record: Record,
    *,
    overdue_before: datetime,
    windows: Sequence[tuple[datetime, datetime]] = (),
    wait: timedelta = timedelta(seconds=1),
) -> Findings:
    """``windows``: count the drill's wait timers (of duration ``wait``) that fell due inside them."""
    found = Findings()
    # and the older drill instances whose tasks the clerks completed (their inbox holds earlier runs' tasks too)
    ids = sorted(set(drill_instances(platform, since)) | {iid for _, iid in record.completed})
    found.instances = len(ids)
    runtime = platform.ctx.runtime
    completed_tasks: dict[str, int] = dict(record.completed)
    done_in_state: set[str] = set()
    done_in_rows: set[str] = set()
    done_in_history: set[str] = set()
    for iid in ids:
        try:
            view = platform.instances.show(ADMIN_PRINCIPAL, iid)  # what the admin instance page loads
            wf = runtime.serializer.deserialize_json(view.instance.state)
        except Exception as exc:  # any failure to load is the finding
            found.problems.append(f"instance {iid} does not deserialize: {type(exc).__name__}: {exc}")
            continue
        instance = view.instance
        found.by_status[instance.status.value] += 1
        timers = projection.pending_timers(wf)
        ready = projection.ready_human_tasks(wf, timers)
        rows_ready = {t.task_id for t in view.tasks if t.state == TaskState.READY}
        if rows_ready != {t.task_id for t in ready}:
            in_state = sorted(t.task_id for t in ready)
            found.problems.append(
                f"instance {iid}: READY rows {sorted(rows_ready)} != ready tasks of the state {in_state}"
            )
        rows_timers = {(t.task_id, _utc(t.due_at)) for t in view.timers}
        state_timers = {(t.task_id, _utc(t.due_at)) for t in timers}
        if rows_timers != state_timers:
            found.problems.append(f"instance {iid}: timer rows {rows_timers} != waiting timers {state_timers}")
        is_open = instance.status in {InstanceStatus.RUNNING, InstanceStatus.SUSPENDED}
        expected_due = min((t.due_at for t in timers), default=None) if is_open else None
        if _utc(instance.next_due_at) != _utc(expected_due):
            found.problems.append(f"instance {iid}: next_due_at {instance.next_due_at} != state's {expected_due}")
        if wf.is_completed() != (instance.status == InstanceStatus.COMPLETED):
            found.problems.append(
                f"instance {iid}: status {instance.status.value}, state completed={wf.is_completed()}"
            )
        if instance.status == InstanceStatus.ERROR or view.incident is not None:
            found.problems.append(f"instance {iid}: incident {view.incident.message if view.incident else ''}")
        fired = Counter(e.element_id for e in view.history if e.action == "element_completed")
        found.timer_fires += sum(fired[t] for t in TIMER_ELEMENTS)
        for element in (*TIMER_ELEMENTS, *END_ELEMENTS):
            if fired[element] > 1:
                found.problems.append(f"instance {iid}: {element!r} completed {fired[element]} times")
        if fired["done"] and fired["expired"]:
            found.problems.append(f"instance {iid}: ended both by review and by its deadline")
        if windows:
            _count_windows(found, view.history, fired["wait"], windows, wait)
        ticks = sum(1 for e in view.history if e.action == "timer_fired")
        if ticks > len(TIMER_ELEMENTS):
            found.problems.append(f"instance {iid}: {ticks} timer_fired entries for {len(TIMER_ELEMENTS)} timers")
        for timer in timers:
            if _utc(timer.due_at) < overdue_before:  # type: ignore[operator]
                found.problems.append(f"instance {iid}: timer {timer.element_id} due {timer.due_at} never fired")
        done_in_rows |= {t.task_id for t in view.tasks if t.state == TaskState.COMPLETED}
        done_in_history |= {e.task_id for e in view.history if e.action == "task_completed" and e.task_id}
        for task_id, owner in completed_tasks.items():
            if owner == iid:
                task = wf.get_task_from_id(UUID(task_id))
                if task is not None and task.state == SpiffState.COMPLETED:
                    done_in_state.add(task_id)
    known = set(ids)
    twice = [task_id for task_id, n in Counter(t for t, _ in record.completed).items() if n > 1]
    found.problems += [f"task {task_id} completed with 200 by two requests" for task_id in twice]
    for task_id, iid in completed_tasks.items():
        found.completions_checked += 1
        where = [
            name
            for name, places in (("rows", done_in_rows), ("history", done_in_history), ("state", done_in_state))
            if task_id not in places
        ]
        if iid not in known or where:
            found.problems.append(f"completion of task {task_id} (instance {iid}) answered 200 but lost: {where}")
    for iid in record.started:
        found.starts_checked += 1
        if iid not in known:
            found.problems.append(f"instance {iid} answered 201 but is missing")
    return found
