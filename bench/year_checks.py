"""The year replay's checks and printout: the period's statistics report against what the workload did (each
check PASS or FAIL), the database's size, and the copyable block of figures."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from bench.year_workload import Workload
from engine.bootstrap import Platform
from engine.persistence.tables import cases as cases_table


@dataclass(frozen=True)
class Check:
    name: str
    expected: Any
    actual: Any
    passed: bool


def _results(platform: Platform) -> Counter[str]:
    """Cases by status and by result (a read for the check only: no service lists every case's result)."""
    counts: Counter[str] = Counter()
    with platform.database.connect() as conn:
        for status, n in conn.execute(select(cases_table.c.status, func.count()).group_by(cases_table.c.status)):
            counts[f"status:{status}"] += int(n)
        for result, n in conn.execute(select(cases_table.c.result, func.count()).group_by(cases_table.c.result)):
            counts[f"result:{result}"] += int(n)
    return counts


def check_report(totals: dict[str, Any], workload: Workload, counts: Counter[str], platform: Platform) -> list[Check]:
    """Every figure the workload determines, compared with the report (and the cases' own end states)."""
    x = workload.expected
    results = _results(platform)
    ended = results["status:delivered"] + results["status:not_accepted"]
    exact = [
        ("received = cases generated", x["received"], totals["received"]),
        ("consultations = generated", x["consultations"], totals["consultations"]),
        ("hotline calls = generated", x["hotline"], totals["hotline_calls"]),
        ("accepted = generated - 不予受理", x["accepted"], totals["accepted"]),
        ("不予受理 = planned", x["fate_not_accepted"], totals["not_accepted"]),
        ("补正 cases = planned", x["corrections"], totals["corrections"]),
        ("办结 = every accepted case", x["accepted"], totals["completed"]),
        ("即办件 = planned", x["fate_instant"], totals["instant"]),
        ("不予许可 results = planned", x["refused_decisions"], results["result:refused"]),
        ("completed late = planned late", x["late"], totals["late_completed"]),
        ("overdue open = 0", 0, totals["overdue"]),
        ("every case delivered or not accepted", x["received"], ended),
        ("evaluations = planned", x["evaluations"], totals["evaluations"]),
        ("bad reviews = planned", x["bad_reviews"], totals["bad_reviews"]),
        ("fixes rated = planned", x["fixes_rated"], counts["fixes_rated"]),
        ("planned actions without their task", 0, sum(v for k, v in counts.items() if k.startswith("missing_"))),
        ("actions the services refused", 0, sum(v for k, v in counts.items() if k.startswith("errors_"))),
        ("timer incidents and stuck timers", 0, counts["timer_incidents"] + counts["timers_stuck"]),
    ]
    checks = [Check(name, want, got, want == got) for name, want, got in exact]
    completed = max(1, x["accepted"])
    on_time = round(100.0 * (completed - x["late"]) / completed, 2)
    checks.append(Check("on-time rate = (办结 - late) / 办结", on_time, totals["on_time_rate"],
                        abs(on_time - totals["on_time_rate"]) < 0.01))  # fmt: skip
    if x["bad_reviews"]:
        for key in ("callback_rate", "rectification_on_time_rate"):
            checks.append(Check(f"{key} = 100 (every bad review followed up in time)", 100.0, totals[key],
                                totals[key] == 100.0))  # fmt: skip
    return checks


def lateness_mismatches(platform: Platform, case_nos: dict[int, str], fates: dict[int, str]) -> list[str]:
    """The cases whose lateness (decided after the due instant, as the statistics judge it) differs from their
    planned fate, one line each with what decides it: the figures say how many, this says which."""
    by_no = {no: ref for ref, no in case_nos.items()}
    lines: list[str] = []
    with platform.database.connect() as conn:
        rows = conn.execute(
            select(cases_table.c.case_no, cases_table.c.accepted_at, cases_table.c.due_at, cases_table.c.record)
        )
        for row in rows:
            ref = by_no.get(row.case_no)
            record = row.record if isinstance(row.record, dict) else {}
            decided = record.get("decided_at")
            if ref is None or not decided or row.due_at is None:
                continue
            due = row.due_at if row.due_at.tzinfo else row.due_at.replace(tzinfo=UTC)
            late = datetime.fromisoformat(decided) > due
            planned_late = fates.get(ref) == "late"
            if late != planned_late:
                lines.append(
                    f"{row.case_no} fate={fates.get(ref)} accepted={row.accepted_at} due={row.due_at} "
                    f"decided={decided} pauses={record.get('pauses')} extensions={record.get('extensions')}"
                )
    return lines


def database_size(platform: Platform, url: str) -> int:
    """Bytes on disk: the SQLite file (+ WAL) or pg_database_size."""
    database = platform.database
    if database.dialect.name == "sqlite":
        path = database.url.database or ""
        return sum(os.path.getsize(p) for p in (path, f"{path}-wal") if p and os.path.exists(p))
    with database.connect() as conn:
        return int(conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar() or 0)


def _rate(n: float, seconds: float) -> str:
    return f"{n / seconds:,.1f}/s" if seconds > 0 else "-"


def format_report(
    workload: Workload,
    persisted: dict[str, Any],
    memory: dict[str, Any] | None,
    *,
    plan_s: float,
    peak_mib: float,
    size: int,
    host: str,
) -> list[str]:
    x, counts, wall = workload.expected, persisted["counts"], persisted["wall_s"]
    report, totals = persisted["report"], persisted["report"]["totals"]
    lines = ["", "== year replay: statistics report " + f"{report['from']} .. {report['to']} =="]
    lines += [f"  {m['zh']:<24} {m['key']:<28} {totals[m['key']]}" for m in report["metrics"]]
    lines += ["", "== checks (report against workload) =="]
    for c in persisted["checks"]:
        lines.append(f"  {'PASS' if c.passed else 'FAIL'}  {c.name}: expected {c.expected}, got {c.actual}")
    lines += [f"  first refusal: {e}" for e in persisted.get("errors", [])]
    fates = ", ".join(f"{k} {v}" for k, v in sorted(x.items()))
    lines += [
        "",
        "== year replay figures ==",
        f"machine            {host}",
        f"workload           {x['received']:,} cases, {x['consultations']:,} consultations, "
        f"{len(workload.events):,} events, {workload.start} .. {workload.end} (planned in {plan_s:.1f} s)",
        f"workload detail    {fates}",
        f"persisted wall     {wall:,.1f} s (CPU of this process {persisted['cpu_s']:,.1f} s; a PostgreSQL server's "
        "CPU is not in it)",
        f"cases/s            {_rate(x['received'], wall)}",
        f"task completions   {counts['completions']:,} ({_rate(counts['completions'], wall)}); timer ticks "
        f"{counts['timer_ticks']:,}; warning cards {counts['warning_cards']:,}",
        f"peak memory        {peak_mib:,.0f} MiB (ru_maxrss after the persisted run)",
        f"database size      {size / 2**20:,.1f} MiB",
    ]
    if memory is not None:
        m = memory["counts"]
        lines += [
            f"in-memory wall     {memory['wall_s']:,.1f} s, CPU {memory['cpu_s']:,.1f} s (raw SpiffWorkflow; "
            f"{m['completions']:,} completions {_rate(m['completions'], memory['wall_s'])}, "
            f"{m['timer_ticks']:,} timer ticks, {m['missing']} misses)",
            f"ratio              persisted / in-memory = {wall / max(memory['wall_s'], 1e-9):.1f}x wall, "
            f"{persisted['cpu_s'] / max(memory['cpu_s'], 1e-9):.1f}x CPU (goal <= 2x)",
        ]
        if m["completions"] != counts["completions"]:
            lines.append(f"NOTE               completions differ: persisted {counts['completions']}, memory "
                         f"{m['completions']}")  # fmt: skip
    failed = sum(1 for c in persisted["checks"] if not c.passed)
    lines.append(f"checks             {'ALL PASS' if not failed else f'{failed} FAILED'}")
    return lines
