"""Benchmark: the supervision board (电子监察看板) over many open cases, page and JSON.

What it measures: p50/p95 of GET /supervision (the HTML page) and of the board service alone, p50 of GET
/api/v1/supervision/dashboard, the sizes of page and JSON. Goal (issue 8): page p95 <= 50 ms at 50,000 open
cases, every count exact.

How the board answers: the colours are counted in SQL at ``now`` from the stored colour schedule of each open
case (``case_colours``: when it turns yellow, red, overdue; engine/services/colour_schedule.py), one scan of a
covering index; only the capped lists read clocks. The seed writes cases straight into the database, so it
then calls ``rebuild_colour_schedule`` (timed: the backfill an upgraded database gets from ``onestop
migrate``). Checks, every run: the board's colour counts equal the per-case classification of every clock
(``read_colour``, the pre-schedule way), the ready tasks per window equal the join of each task to its case
(the board reads the window each task row carries, migration 0022), and the plans of the colour count, the
worst-first list and the task count use their indexes (the task count without ``cases``).

Workload: the bundled catalogue and organisation; N open cases spread over every item, written straight into the
database with SQL (rows built from real ``Case`` objects: history, materials, pauses and extensions as the case
service writes them), each with a process instance and one ready task. The mix: 10 % received, 2 % waiting for
a correction, 83 % accepted (3 % of them extended), 5 % paused (special procedure); receipt lies back from now
exponentially with a mean of six days, so every colour occurs.

Run:  .venv/bin/python -m bench.supervision_dashboard --cases 50000 --runs 15   [--database sqlite:///...]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform as pyplatform
import random
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from engine.bootstrap import Platform, build_platform
from engine.clock import FrozenClock
from engine.config import Settings
from engine.domain.access import Principal, RoleGrant
from engine.domain.calendar import WorkCalendar
from engine.domain.case_codec import case_to_dict
from engine.domain.cases import Case
from engine.errors import OnestopError
from engine.persistence.repositories.case_colours import CaseColourRepository
from engine.persistence.repositories.supervision_board import SupervisionBoardRepository
from engine.persistence.tables import cases, human_tasks, instances, items, process_versions
from engine.services.colour_schedule import rebuild_colour_schedule
from engine.services.supervision import CLOCKED, thresholds_of
from engine.services.supervision_live import read_all

ROOT = Path(__file__).resolve().parent.parent
CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=CST)  # a Friday morning: the board refreshes itself
PASSWORD = "bench-password"
MATERIALS = {"申请书": True, "营业执照复印件": True, "法定代表人身份证明": True, "授权委托书": True}


def _case(n: int, item: dict[str, Any], rng: random.Random, calendar: WorkCalendar) -> tuple[Case, str]:
    """One open case of ``item`` and the step its process waits in."""
    received = NOW - timedelta(days=rng.expovariate(1 / 6), hours=rng.uniform(0, 6))
    case = Case(
        case_no=f"B{n:08d}",
        item_code=item["code"],
        received_at=received,
        promised_days=int(item["promised_days"] or 0) or 5,
        statutory_days=item["statutory_days"],
        materials=dict(MATERIALS),
    )
    draw = rng.random()
    if draw < 0.10:
        return case, "受理"
    if draw < 0.12:
        case.request_correction(received + timedelta(minutes=20), "win", ["营业执照复印件"])
        return case, "受理"
    case.accept(received + timedelta(minutes=30), "win")
    if rng.random() < 0.03:
        with contextlib.suppress(OnestopError):  # too late for this one: it stays unextended
            case.extend(received + timedelta(days=1), "boss", "情况复杂，经负责人批准延长", calendar, days=5)
    if draw > 0.95:
        case.start_pause("专家评审", received + timedelta(days=1), False, "exam")
        return case, "专家评审"
    return case, rng.choice(["审查", "复核", "审批"])


def seed(platform: Platform, count: int, seed_value: int = 7) -> None:
    """Write ``count`` open cases with their instances and ready tasks, in a few bulk inserts."""
    rng = random.Random(seed_value)
    calendar = platform.calendar.calendar()
    with platform.database.begin() as conn:
        catalogue = [dict(r._mapping) for r in conn.execute(select(items))]
        version = conn.execute(select(process_versions.c.id, process_versions.c.process_id)).first()
        assert version is not None, "deploy a process first"
        case_rows, instance_rows, task_rows = [], [], []
        for n in range(count):
            item = catalogue[n % len(catalogue)]
            case, step = _case(n, item, rng, calendar)
            instance_id = n + 1
            clock = case.clock
            case_rows.append(
                {
                    "case_no": case.case_no,
                    "item_code": case.item_code,
                    "instance_id": instance_id,
                    "department": item["department"],
                    "window": item["window"],
                    "channel": "window",
                    "status": case.status.value,
                    "query_code_hash": uuid.uuid4().hex,
                    "applicant": {"name": f"嵩明县某某有限公司{n}", "phone": "13800000000"},
                    "received_at": case.received_at,
                    "accepted_at": case.accepted_at,
                    "due_at": clock.promised_due(calendar, NOW).due_at if clock else None,
                    "completed_at": None,
                    "result": None,
                    "record": case_to_dict(case),
                    "row_version": 1,
                    "created_by": "win",
                }
            )
            instance_rows.append(
                {
                    "id": instance_id,
                    "process_version_id": version.id,
                    "process_id": version.process_id,
                    "version": 1,
                    "status": "running",
                    "department": item["department"],
                    "business_key": case.case_no,
                    "state": "{}",
                    "serializer_version": "bench",
                    "row_version": 1,
                    "started_at": case.received_at,
                    "updated_at": case.received_at,
                    "data": {},
                }
            )
            task_rows.append(
                {
                    "task_id": str(uuid.UUID(int=rng.getrandbits(128))),
                    "instance_id": instance_id,
                    "element_id": "step",
                    "name": step,
                    "role": "case_officer",
                    "department": item["department"],
                    "state": "ready",
                    "claimed_by": rng.choice([None, "exam"]),
                    "due_provisional": False,
                    "created_at": case.accepted_at or case.received_at,
                    "business_key": case.case_no,
                    "process_id": version.process_id,
                    "window": item["window"],  # as InstanceRepository.insert_tasks writes it: its case's
                }
            )
        conn.execute(insert(instances), instance_rows)
        conn.execute(insert(cases), case_rows)
        conn.execute(insert(human_tasks), task_rows)


def _timed(call: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return times, result


def _p(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def per_case_colours(platform: Platform) -> dict[str, int]:
    """The colours of every clocked case read from its clock (the board before the stored schedule)."""
    calendar = platform.ctx.runtime_calendar()
    with platform.ctx.uow() as uow:
        rows = uow.supervision_board.clocks_in_status(CLOCKED)
        guides = uow.supervision_board.items_by_code({r["item_code"] for r in rows})
    found = dict.fromkeys(("green", "yellow", "red", "overdue"), 0)
    for read in read_all(rows, lambda code: thresholds_of(guides.get(code)), calendar, NOW):
        found[read.reading.colour.value] += 1
    return found


def tasks_per_window(platform: Platform) -> dict[str, int]:
    """Ready tasks per the window of their case, by joining ``cases`` (the board reads the tasks' own column)."""
    join = human_tasks.join(cases, cases.c.instance_id == human_tasks.c.instance_id)
    query = (
        select(cases.c.window, func.count())
        .select_from(join)
        .where(human_tasks.c.state == "ready", cases.c.window.is_not(None))
        .group_by(cases.c.window)
    )
    with platform.database.connect() as conn:
        return {window: int(n) for window, n in conn.execute(query)}


def plans(platform: Platform) -> dict[str, str]:
    """EXPLAIN QUERY PLAN (SQLite) / EXPLAIN (PostgreSQL) of the colour count and the worst-first list."""
    statements: list[tuple[str, Any]] = []
    engine = platform.database

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        statements.append((statement, parameters))

    from sqlalchemy import event

    found = {}
    with engine.connect() as conn:
        repo = CaseColourRepository(conn)
        event.listen(engine, "before_cursor_execute", capture)
        try:
            board = SupervisionBoardRepository(conn)
            for name, call, table in (
                ("count", lambda: repo.counts(NOW), "case_colours"),
                ("worst", lambda: repo.worst(NOW, ("overdue",), 50), "case_colours"),
                ("tasks", board.task_load, "human_tasks"),
            ):
                statements.clear()
                call()
                statement, parameters = next(s for s in statements if table in s[0])
                prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
                rows = conn.exec_driver_sql(prefix + statement, parameters).fetchall()
                found[name] = " | ".join(str(r[-1]) for r in rows)
        finally:
            event.remove(engine, "before_cursor_execute", capture)
    return found


def machine(platform: Platform) -> str:
    model = "?"
    with contextlib.suppress(OSError):
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        model = next((ln.split(":", 1)[1].strip() for ln in lines if "model name" in ln), "?")
    with platform.database.connect() as conn:
        if platform.database.dialect.name == "sqlite":
            version = "SQLite " + str(conn.execute(text("select sqlite_version()")).scalar())
        else:
            version = str(conn.execute(text("select version()")).scalar()).split(",")[0]
    return f"{os.cpu_count()} cores, {model}, Python {pyplatform.python_version()}, {version}"


def run(count: int, runs: int, url: str) -> dict[str, float]:
    from webapp import create_app

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env(
            env={},
            database_url=url or f"sqlite:///{tmp}/bench.db",
            instance_dir=Path(tmp),
            secret_key="bench",
            processes_dir=ROOT / "processes",
            forms_dir=ROOT / "forms",
            password_hashing="fast",
        )
        platform = build_platform(settings, FrozenClock(NOW), migrate=True)
        platform.calendar.ensure_years(range(2025, 2028))
        platform.catalogue.load()
        from engine.services.definitions import read_paths

        platform.definitions.deploy(read_paths([ROOT / "processes" / "parallel_review.bpmn", ROOT / "forms"]))
        platform.accounts.add_user("sup", PASSWORD, ["supervisor"], None)
        started = time.perf_counter()
        seed(platform, count)
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        scheduled = rebuild_colour_schedule(platform.ctx, NOW)  # the cases came without the services
        rebuilt = time.perf_counter() - started
        started = time.perf_counter()
        expected = per_case_colours(platform)  # what the board did before the schedule, on every request
        classified = time.perf_counter() - started
        query_plans, where = plans(platform), machine(platform)
        joined = tasks_per_window(platform)

        app = create_app(platform, config={"TESTING": True})
        client = app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True))
        assert token is not None
        form = {"username": "sup", "password": PASSWORD, "csrf_token": token.group(1)}
        assert client.post("/login", data=form).status_code == 302
        api = app.test_client()
        bearer = api.post("/api/v1/auth/token", json={"username": "sup", "password": PASSWORD}).json["token"]
        supervisor = Principal("sup", grants=frozenset({RoleGrant("supervisor", None)}))

        page_times, page = _timed(lambda: client.get("/supervision"), runs)
        assert page.status_code == 200, page.status_code
        service_times, board = _timed(lambda: platform.supervision.dashboard(supervisor), runs)
        api_times, answer = _timed(
            lambda: api.get("/api/v1/supervision/dashboard", headers={"Authorization": f"Bearer {bearer}"}), 3
        )
        assert answer.status_code == 200, answer.status_code
        platform.close()
    exact = board.total.colours == expected
    tasks_exact = {w.code: w.open_tasks for w in board.windows if w.open_tasks} == joined
    indexed = (
        "ix_case_colours_board" in query_plans["count"]
        and "ix_case_colours_worst" in query_plans["worst"]
        and "ix_human_tasks_ready_board" in query_plans["tasks"]
        and "cases" not in query_plans["tasks"]
    )
    assert tasks_exact, ({w.code: w.open_tasks for w in board.windows}, joined)
    if "sqlite" in (url or "sqlite"):
        assert exact, (board.total.colours, expected)
        assert indexed, query_plans
    return {
        "cases": count,
        "seed_s": seeded,
        "rebuild_s": rebuilt,
        "classify_ms": classified * 1000,
        "scheduled": scheduled,
        "exact": exact,
        "tasks_exact": tasks_exact,
        "indexed": indexed,
        "plans": query_plans,
        "machine": where,
        "colours": dict(board.total.colours),
        "page_p50_ms": _p(page_times, 0.5),
        "page_p95_ms": _p(page_times, 0.95),
        "service_p50_ms": _p(service_times, 0.5),
        "service_p95_ms": _p(service_times, 0.95),
        "api_p50_ms": _p(api_times, 0.5),
        "html_kb": len(page.data) / 1024,
        "json_kb": len(answer.data) / 1024,
        "warned": board.total.colours["yellow"] + board.total.colours["red"] + board.total.colours["overdue"],
        "open": board.total.open_cases,
        "median_s": statistics.median(page_times),
    }


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database", default="", help="SQLAlchemy URL (default: a fresh SQLite file)")
    args = parser.parse_args(argv)
    figures = run(args.cases, args.runs, args.database)
    f = figures
    out("== supervision dashboard (bench.supervision_dashboard) ==")
    out(f"command      : python -m bench.supervision_dashboard --cases {args.cases} --runs {args.runs}")
    out(f"machine      : {f['machine']}")
    out(f"workload     : {f['open']} open cases ({f['warned']} warned), seeded in {f['seed_s']:.1f} s")
    out(f"schedule     : {f['scheduled']} clocked cases rebuilt in {f['rebuild_s']:.2f} s")
    out(f"page         : GET /supervision p50 {f['page_p50_ms']:.1f} ms, p95 {f['page_p95_ms']:.1f} ms, ")
    out(f"               {f['html_kb']:.1f} KiB (goal p95 <= 50 ms)")
    out(f"service      : board alone p50 {f['service_p50_ms']:.1f} ms, p95 {f['service_p95_ms']:.1f} ms")
    out(f"api          : GET /api/v1/supervision/dashboard p50 {f['api_p50_ms']:.1f} ms, JSON {f['json_kb']:.1f} KiB")
    out(f"colours      : {f['colours']} equal to the per-case clock readings: {f['exact']}")
    out("before       : reading and classifying every clock (the board's way before the schedule) alone took")
    out(f"               {f['classify_ms']:.0f} ms once on this machine")
    out(f"plan count   : {f['plans']['count']}")
    out(f"plan worst   : {f['plans']['worst']}")
    out(f"plan tasks   : {f['plans']['tasks']}")
    out(f"tasks        : ready tasks per window equal the join of tasks to their cases: {f['tasks_exact']}")
    return figures


if __name__ == "__main__":
    main()
