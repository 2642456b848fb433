"""Scale benchmark, part 2: the four hot reads through the service layer, timed, checked and EXPLAINed.

The reads are what the HTTP handlers call: a clerk's inbox (TaskService.inbox) for the busiest (role,
department), the supervision dashboard (SupervisionService.dashboard), the statistics (StatsService.monthly for
one month and StatsService.report for a year) and the applicant's public lookup (CaseService.public_status by
case number and query code). Each read's answer is checked against counts taken straight from the tables, and
every SELECT it sends is captured and EXPLAINed: a scan of a big table is flagged.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, and_, event, func, select, text

from bench.scale_data import query_code
from engine.bootstrap import Platform
from engine.domain.access import Principal, RoleGrant
from engine.persistence.tables import cases, human_tasks, instances

#: tables that grow with the centre's history: a full scan of any of them is a finding
BIG_TABLES = ("cases", "instances", "human_tasks", "evaluations", "audit_events", "notices", "timers",
              "warnings", "warning_timers", "consultations", "violations", "complaints")  # fmt: skip
OPEN = ("received", "correction_requested", "accepted", "paused")
SUPERVISOR = Principal("bench-supervisor", grants=frozenset({RoleGrant("supervisor", None)}))


@dataclass
class Read:
    name: str
    call: Callable[[int], Any]  # run number -> answer
    check: Callable[[Any], str | None]  # answer -> None, or what is wrong
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # this process's CPU time (a busy shared machine inflates wall)
    statements: list[tuple[str, Any]] = field(default_factory=list)
    verdicts: list[str] = field(default_factory=list)
    problem: str | None = None

    def p(self, q: float, cpu: bool = False) -> float:
        ordered = sorted(self.cpu if cpu else self.times)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000 if ordered else float("nan")


# -- what the answers must be (counted straight from the tables) ------------------------------------------------
def busiest_inbox(engine: Engine) -> tuple[str, str, int]:
    """The (role, department) with the most READY tasks of running instances, and how many."""
    ready = and_(human_tasks.c.state == "ready", instances.c.status == "running")
    query = (
        select(human_tasks.c.role, human_tasks.c.department, func.count().label("n"))
        .join(instances, instances.c.id == human_tasks.c.instance_id)
        .where(ready)
        .group_by(human_tasks.c.role, human_tasks.c.department)
        .order_by(func.count().desc(), human_tasks.c.role, human_tasks.c.department)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise RuntimeError("no ready tasks: generate open cases first")
    return str(row.role), str(row.department), int(row.n)


def count(engine: Engine, query: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def samples(engine: Engine, n: int) -> list[tuple[str, str]]:
    """``n`` case numbers spread over the table (every k-th by number) with their status."""
    total = count(engine, select(func.count()).select_from(cases))
    step = max(1, total // n)
    numbered = select(cases.c.case_no, cases.c.status, func.row_number().over(order_by=cases.c.case_no).label("k"))
    inner = numbered.subquery()
    query = select(inner.c.case_no, inner.c.status).where((inner.c.k % step) == 0).limit(n)
    with engine.connect() as conn:
        return [(r.case_no, r.status) for r in conn.execute(query)]


def _received_between(engine: Engine, platform: Platform, start: date, end: date) -> int:
    zone = platform.calendar.calendar().zone
    since = _local(start, zone)
    until = _local(end + timedelta(days=1), zone)
    return count(
        engine, select(func.count()).select_from(cases).where(cases.c.received_at >= since, cases.c.received_at < until)
    )


def _local(day: date, zone: Any) -> Any:
    from datetime import datetime, time

    return datetime.combine(day, time(0), zone)


# -- the reads ---------------------------------------------------------------------------------------------------
def build_reads(platform: Platform, engine: Engine, month: tuple[int, int], year: int) -> list[Read]:
    role, department, ready = busiest_inbox(engine)
    clerk = Principal("bench-clerk", grants=frozenset({RoleGrant(role, department)}))
    open_cases = count(engine, select(func.count()).select_from(cases).where(cases.c.status.in_(OPEN)))
    first = date(*month, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    in_month = _received_between(engine, platform, first, last)
    in_year = _received_between(engine, platform, date(year, 1, 1), date(year, 12, 31))
    lookups = samples(engine, 200)

    def inbox_ok(tasks: Any) -> str | None:
        wrong = [t for t in tasks if (t.role, t.department) != (role, department)]
        if len(tasks) != min(200, ready) or wrong:
            return f"inbox of {role}@{department}: {len(tasks)} tasks, expected {min(200, ready)} of {ready}"
        return None

    def board_ok(board: Any) -> str | None:
        found = board.total.open_cases
        return None if found == open_cases else f"dashboard: {found} open cases, expected {open_cases}"

    def month_ok(report: Any) -> str | None:
        found = report["totals"]["received"]
        return None if found == in_month else f"month report: received {found}, expected {in_month}"

    def year_ok(report: Any) -> str | None:
        found = report["totals"]["received"]
        return None if found == in_year else f"year report: received {found}, expected {in_year}"

    def lookup(run: int) -> Any:
        case_no, status = lookups[run % len(lookups)]
        return case_no, status, platform.cases.public_status(case_no, query_code(case_no))

    def lookup_ok(answer: Any) -> str | None:
        case_no, status, found = answer
        return None if found["status"] == status else f"lookup {case_no}: {found['status']}, expected {status}"

    def board(_: int) -> Any:
        return platform.supervision.dashboard(SUPERVISOR)

    def month_report(_: int) -> Any:
        return platform.stats.monthly(SUPERVISOR, *month)

    def year_report(_: int) -> Any:
        return platform.stats.report(SUPERVISOR, date(year, 1, 1), date(year, 12, 31))

    return [
        Read(f"inbox ({role}@{department}, {ready} ready)", lambda _: platform.tasks.inbox(clerk), inbox_ok),
        Read(f"supervision dashboard ({open_cases} open)", board, board_ok),
        Read(f"stats month {first:%Y-%m} ({in_month} received)", month_report, month_ok),
        Read(f"stats year {year} ({in_year} received)", year_report, year_ok),
        Read("public lookup (case no + query code)", lookup, lookup_ok),
    ]  # fmt: skip


# -- timing and capture -----------------------------------------------------------------------------------------
def capture(engine: Engine, read: Read) -> Any:
    """Run the read once, keeping every statement it sends (with its parameters) and checking its answer."""

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            read.statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        answer = read.call(0)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    read.problem = read.check(answer)
    return answer


def time_read(read: Read, runs: int, budget_s: float) -> None:
    """Up to ``runs`` warm runs, stopping early (after 3) once ``budget_s`` seconds are spent."""
    spent = 0.0
    for run in range(1, runs + 1):
        started, cpu = time.perf_counter(), time.process_time()
        read.call(run)
        elapsed = time.perf_counter() - started
        read.cpu.append(time.process_time() - cpu)
        read.times.append(elapsed)
        spent += elapsed
        if run >= 3 and spent > budget_s:
            break


# -- plans ------------------------------------------------------------------------------------------------------
def explain(engine: Engine, statement: str, parameters: Any) -> list[str]:
    """The plan's lines: EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
            return [str(r[-1]) for r in rows]
        rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).fetchall()
        return [str(r[0]) for r in rows]


#: a table with fewer rows than this may be scanned: reading it whole is what a planner should do
SMALL_TABLE = 10_000
_sizes: dict[tuple[str, str], int] = {}


def _rows_in(engine: Engine, table: str) -> int:
    key = (str(engine.url), table)
    if key not in _sizes:
        with engine.connect() as conn:
            _sizes[key] = int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608
    return _sizes[key]


def full_scans(engine: Engine, lines: list[str], small: int = SMALL_TABLE) -> list[str]:
    """The plan lines that read a whole big table (or a whole index of one) of at least SMALL_TABLE rows."""
    names = "|".join(BIG_TABLES)
    if engine.dialect.name == "sqlite":
        pattern = re.compile(rf"^\s*SCAN ({names})\b(?! USING INTEGER PRIMARY KEY)")
    else:
        pattern = re.compile(rf"Seq Scan on ({names})\b")
    found = []
    for line in lines:
        match = pattern.search(line)
        if match and (small <= 0 or _rows_in(engine, match.group(1)) >= small):
            found.append(line.strip())
    return found


def check_plans(engine: Engine, read: Read, small: int = SMALL_TABLE) -> None:
    seen: set[str] = set()
    for statement, parameters in read.statements:
        if statement in seen:
            continue
        seen.add(statement)
        lines = explain(engine, statement, parameters)
        bad = full_scans(engine, lines, small)
        head = " ".join(statement.split())[:160]
        read.verdicts.append(
            f"  SQL: {head}{'…' if len(head) == 160 else ''}\n"
            + "".join(f"      | {line}\n" for line in lines)
            + ("      plan OK: index used" if not bad else "      FULL SCAN: " + "; ".join(bad))
        )


def scans_of(read: Read) -> int:
    return sum(1 for v in read.verdicts if "FULL SCAN" in v)


def ensure_engine_sees(platform: Platform) -> Engine:
    """The platform's own SQLAlchemy engine (the one its units of work use)."""
    engine: Engine = platform.database
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return engine
