"""Benchmark: task completions through the service layer (SQLite file) vs raw SpiffWorkflow in memory.

Workload: the bundled 10-node approval (processes/parallel_review.bpmn): intake, three parallel department
reviews with JSON-Schema forms and working-day deadline timers, a script, a gateway and the approval — five
human-task completions per instance.

Run:  .venv/bin/python -m bench.completion [--instances 300] [--database sqlite:///...]
Prints completions/s, median and p95 latency, SQL statements per completion, and the ratio to raw Spiff.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine.bootstrap import build_platform
from engine.clock import FrozenClock
from engine.config import Settings
from engine.domain.access import Principal, RoleGrant
from engine.persistence.database import attach_counter
from engine.services.definitions import read_paths

ROOT = Path(__file__).resolve().parent.parent
FORMS: dict[str, dict[str, Any]] = {
    "intake": {"applicant_name": "张三", "materials_complete": True, "accepted": True},
    "review_land": {"approved": True, "opinion": "同意"},
    "review_housing": {"approved": True, "opinion": "同意"},
    "review_env": {"approved": True, "opinion": "同意"},
    "approve": {"decision": "准予许可"},
}
ORDER = ["intake", "review_land", "review_housing", "review_env", "approve"]
CST = timezone(timedelta(hours=8))


def _who(role: str, department: str) -> Principal:
    return Principal(f"{role}-{department}", grants=frozenset({RoleGrant(role, department)}))


PEOPLE = {
    "intake": _who("window_officer", "CENTRE"),
    "review_land": _who("reviewer", "LAND"),
    "review_housing": _who("reviewer", "HOUSING"),
    "review_env": _who("reviewer", "ENV"),
    "approve": _who("approver", "CENTRE"),
}


def _attach_sql_timer(engine: Any) -> list[float]:
    """Seconds spent inside database statements (driver + database), summed into a one-item list."""
    from sqlalchemy import event

    total = [0.0]

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn: Any, *args: Any) -> None:
        conn.info["bench_t0"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _stop(conn: Any, *args: Any) -> None:
        total[0] += time.perf_counter() - conn.info.pop("bench_t0", time.perf_counter())

    return total


def service_layer(instances: int, url: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{tmp}/bench.db"
        settings = Settings.from_env(
            env={},
            database_url=url,
            instance_dir=Path(tmp),
            secret_key="bench",
            processes_dir=ROOT / "processes",
            forms_dir=ROOT / "forms",
        )
        platform = build_platform(settings, FrozenClock(datetime(2026, 3, 10, 9, 0, tzinfo=CST)), migrate=True)
        platform.calendar.ensure_years(range(2025, 2028))
        for code in ("CENTRE", "LAND", "HOUSING", "ENV"):
            platform.accounts.add_department(code, code)
        platform.definitions.deploy(read_paths([ROOT / "processes", ROOT / "forms"]))
        counter = attach_counter(platform.database)
        sql_time = _attach_sql_timer(platform.database)
        latencies: list[float] = []
        statements: list[int] = []
        sql_ms: list[float] = []
        started = time.perf_counter()
        for n in range(instances):
            iid = platform.instances.start(
                PEOPLE["intake"], "parallel_review", {"department": "CENTRE", "case_no": f"B-{n}"}
            ).id
            for element in ORDER:
                with platform.ctx.uow() as uow:  # find the task id outside the measured call
                    task_id = next(
                        t.task_id
                        for t in uow.instances.tasks_for_instance(iid)
                        if t.element_id == element and t.state.value == "ready"
                    )
                before, sql_before = counter.count, sql_time[0]
                t0 = time.perf_counter()
                platform.tasks.complete(PEOPLE[element], task_id, FORMS[element])
                latencies.append(time.perf_counter() - t0)
                statements.append(counter.count - before)
                sql_ms.append((sql_time[0] - sql_before) * 1000)
        wall = time.perf_counter() - started
        platform.close()
    return {
        "completions": len(latencies),
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": statistics.quantiles(latencies, n=20)[-1] * 1000,
        "per_s": len(latencies) / sum(latencies),
        "sql_per_completion": statistics.mean(statements[5:]),
        "sql_time_ms": statistics.median(sql_ms),
        # the first instance also loads the spec, forms and calendar into the process caches
        "sql_max": max(statements[5:]),
        "sql_cold_max": max(statements[:5]),
        "wall_s": wall,
    }


def _raw_engine() -> PythonScriptEngine:
    def workdays_after(n: int) -> str:  # plain weekdays: the raw baseline has no calendar
        return (datetime.now(UTC) + timedelta(days=n)).isoformat()

    return PythonScriptEngine(environment=TaskDataEnvironment({"workdays_after": workdays_after}))


def raw_spiff(instances: int, round_trip: bool) -> dict[str, float]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(ROOT / "processes" / "parallel_review.bpmn"))
    spec, subs = parser.get_spec("parallel_review"), parser.get_subprocess_specs("parallel_review")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    engine = _raw_engine()
    latencies: list[float] = []
    serialize: list[float] = []
    for _ in range(instances):
        wf = BpmnWorkflow(spec, subs, script_engine=engine)
        wf.do_engine_steps()
        state = serializer.serialize_json(wf) if round_trip else ""
        for element in ORDER:
            t0 = time.perf_counter()
            if round_trip:
                wf = serializer.deserialize_json(state)
                wf.script_engine = engine
            task = next(t for t in wf.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id == element)
            task.data[element] = dict(FORMS[element])
            task.run()
            wf.refresh_timers()
            wf.do_engine_steps()
            if round_trip:
                t1 = time.perf_counter()
                state = serializer.serialize_json(wf)
                serialize.append(time.perf_counter() - t1)
            latencies.append(time.perf_counter() - t0)
        assert wf.is_completed()
    return {
        "completions": len(latencies),
        "median_ms": statistics.median(latencies) * 1000,
        "per_s": len(latencies) / sum(latencies),
        "serialize_ms": statistics.median(serialize) * 1000 if serialize else 0.0,
    }


def _row(label: str, figures: dict[str, float], keys: list[str]) -> str:
    return f"{label:<44}" + "  ".join(
        f"{k}={figures[k]:.3f}" if isinstance(figures[k], float) else f"{k}={figures[k]}" for k in keys
    )


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--instances", type=int, default=300)
    parser.add_argument("--database", default="", help="SQLAlchemy URL (default: a fresh SQLite file)")
    args = parser.parse_args(argv)
    raw = raw_spiff(args.instances, round_trip=False)
    cycle = raw_spiff(args.instances, round_trip=True)
    service = service_layer(args.instances, args.database)
    out(f"workload: {args.instances} instances x 5 completions of processes/parallel_review.bpmn")
    out(_row("raw SpiffWorkflow, in memory", raw, ["per_s", "median_ms"]))
    out(_row("raw SpiffWorkflow + JSON round trip per task", cycle, ["per_s", "median_ms", "serialize_ms"]))
    out(
        _row(
            "Onestop service layer (" + (args.database.split(":")[0] or "sqlite file") + ")",
            service,
            ["per_s", "median_ms", "p95_ms", "sql_time_ms", "sql_per_completion", "sql_max", "sql_cold_max"],
        )
    )
    out(f"ratio service/raw in-memory (median):      {service['median_ms'] / raw['median_ms']:.2f}x")
    out(f"ratio service/raw request cycle (median):  {service['median_ms'] / cycle['median_ms']:.2f}x")
    return {"raw": raw, "cycle": cycle, "service": service}


if __name__ == "__main__":
    main()
