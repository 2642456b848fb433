"""Benchmark 3 (issue 8), scale: the hot reads over 1,000,000 completed and 50,000 open cases.

Measures p50/p95 (warm, through the service layer the HTTP handlers call) of a clerk's inbox in the busiest
department, the supervision dashboard, the statistics (a month report and a year report inside the data) and
the applicant's public lookup by case number and query code. Goal: p95 ≤ 50 ms each. Every read's answer is
checked against counts taken straight from the tables, and every SELECT it sends is EXPLAINed: a full scan of
a big table (cases, instances, human_tasks, evaluations …) is printed as such, otherwise "plan OK: index used".

The data (bench/scale_data.py) is the real catalogue and organisation (deployed through the services, as
``onestop init`` does) plus cases written straight into the tables in big batches.

Run:  .venv/bin/python -m bench.scale [--completed 1000000] [--open 50000] [--runs 50] [--budget 60]
                                       [--database sqlite:///path.db | postgresql+psycopg://…] [--reuse] [--plans]
``--reuse`` skips generation when the database already holds that many cases (use it with ``--database``);
``--budget`` caps the seconds spent timing one read (at least 3 runs); ``--only WORD`` (repeatable) times only
the reads whose name contains WORD (e.g. ``--only dashboard``), and with ``--reuse`` then rebuilds only the
colour schedule (no read uses the warning timers). Small development run:
      .venv/bin/python -m bench.scale --completed 20000 --open 2000 --runs 20
"""

from __future__ import annotations

import argparse
import os
import platform as host
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from bench import scale_data, scale_reads
from engine.bootstrap import Platform, build_platform
from engine.clock import FrozenClock
from engine.config import Settings
from engine.demo import load_platform_data
from engine.persistence.tables import cases

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-scale-secret"  # fixed, so a reused database's query codes still match
MONTH = (2026, 8)  # the month report's month and the year report's year: inside the generated two years
YEAR = 2025
Out = Callable[[str], None]


def open_platform(url: str, instance_dir: Path) -> Platform:
    settings = Settings.from_env(
        env={}, database_url=url, instance_dir=instance_dir, secret_key=SECRET, processes_dir=ROOT / "processes",
        forms_dir=ROOT / "forms", password_hashing="fast",
    )  # fmt: skip
    clock = FrozenClock(datetime(*scale_data.NOW_LOCAL, tzinfo=scale_data_zone()))
    return build_platform(settings, clock, migrate=True)


def scale_data_zone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def prepare(platform: Platform, out: Out) -> None:
    """The calendar of the two years, the organisation, the catalogue and every process, via the services."""
    platform.calendar.ensure_years(range(2024, 2028))
    load_platform_data(platform, lambda line: None)
    out("deployed: calendar 2024–2027, organisation, catalogue and processes (engine/demo.load_platform_data)")


def rebuild_schedule(platform: Platform, out: Out, warnings: bool = True) -> None:
    """Let the dashboard and the warnings see the generated open cases: rebuild the stored schedules they answer
    from (the colour schedule of engine/services/colour_schedule.py with the window of each ready task, the
    warning timers)."""
    from engine.services.colour_schedule import rebuild_colour_schedule

    steps: list[tuple[str, Callable[[], Any]]] = [
        ("colour_schedule.rebuild_colour_schedule()", lambda: rebuild_colour_schedule(platform.ctx)),
    ]
    if warnings:
        steps.append(("warnings.rebuild_all()", platform.warnings.rebuild_all))
    for name, step in steps:
        started = time.perf_counter()
        step()
        out(f"rebuilt {name} in {time.perf_counter() - started:.1f} s")


def fill(platform: Platform, completed: int, open_: int, reuse: bool, out: Out, warnings: bool = True) -> float | None:
    engine = platform.database
    with engine.connect() as conn:
        have = int(conn.execute(select(func.count()).select_from(cases)).scalar_one())
    if reuse and have >= completed + open_:
        out(f"reusing the database: {have} cases already there")
        rebuild_schedule(platform, out, warnings)  # idempotent; the board's stored schedule may predate this tree
        return None
    if have:
        raise SystemExit(f"the database already holds {have} cases; use an empty one, or --reuse")
    prepare(platform, out)
    started = time.perf_counter()
    done = [0]

    def progress(n: int) -> None:
        done[0] += n
        if done[0] % 200_000 == 0:
            out(f"  … {done[0]:,} cases in {time.perf_counter() - started:.0f} s")

    calendar = platform.calendar.calendar()
    scale_data.generate(engine, calendar, platform.settings.secret_key or SECRET, completed, open_, progress=progress)
    generated = time.perf_counter() - started
    scale_data.analyse(engine)
    rebuild_schedule(platform, out)
    return generated


def machine(engine: Any) -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    if engine.dialect.name == "sqlite":
        database = f"SQLite {sqlite3.sqlite_version}"
    else:
        with engine.connect() as conn:
            database = str(conn.execute(text("SHOW server_version")).scalar_one()).split()[0]
            database = f"PostgreSQL {database}"
    return f"{os.cpu_count()} cores, {cpu}; Python {host.python_version()}; {database}"


def run(args: argparse.Namespace, out: Out = print) -> list[scale_reads.Read]:
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{tmp}/scale.db"
        platform = open_platform(url, Path(tmp))
        try:
            engine = platform.database
            generated = fill(platform, args.completed, args.open, args.reuse, out, warnings=not args.only)
            reads = scale_reads.build_reads(platform, engine, MONTH, YEAR)
            if args.only:
                reads = [r for r in reads if any(word.lower() in r.name.lower() for word in args.only)]
                if not reads:
                    raise SystemExit(f"no read's name contains any of {args.only}")
            for read in reads:
                scale_reads.capture(engine, read)
                scale_reads.check_plans(engine, read)
                scale_reads.time_read(read, args.runs, args.budget)
            report(reads, args, generated, machine(engine), engine.dialect.name, out)
        finally:
            platform.close()
    return reads


def report(reads: list[scale_reads.Read], args: argparse.Namespace, generated: float | None, where: str,
           dialect: str, out: Out) -> None:  # fmt: skip
    if args.plans:
        for read in reads:
            out(f"\n== plans of {read.name}")
            for verdict in read.verdicts:
                out(verdict)
    out("\n== scale benchmark ==================================================================")
    only = "".join(f" --only {word}" for word in args.only)
    out(f"command : python -m bench.scale --completed {args.completed} --open {args.open} --runs {args.runs}"
        f" --database {dialect}{only}")  # fmt: skip
    out(f"machine : {where}")
    gen = f"{generated:.1f} s ({(args.completed + args.open) / generated:,.0f} cases/s)" if generated else "reused"
    out(f"data    : {args.completed:,} completed + {args.open:,} open cases; generation {gen}")
    out(f"{'read':<52} {'runs':>5} {'p50 ms':>9} {'p95 ms':>9} {'cpu p50':>8}  goal  plans")
    for read in reads:
        goal = "ok" if read.p(0.95) <= 50 else "MISS"
        plans = (
            f"{len(read.verdicts)} OK" if not scale_reads.scans_of(read) else f"{scale_reads.scans_of(read)} FULL SCAN"
        )
        figures = f"{read.p(0.5):>9.1f} {read.p(0.95):>9.1f} {read.p(0.5, True):>8.1f}"
        out(f"{read.name:<52} {len(read.times):>5} {figures}  {goal:<4}  {plans}")
    problems = [r.problem for r in reads if r.problem]
    out("checks  : " + ("every answer matches the tables" if not problems else "; ".join(problems)))


def main(argv: list[str] | None = None, out: Out = print) -> list[scale_reads.Read]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--completed", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds of timing per read at most")
    parser.add_argument("--database", default="", help="SQLAlchemy URL (default: a fresh SQLite temp file)")
    parser.add_argument("--reuse", action="store_true", help="skip generation if the database is already filled")
    parser.add_argument("--plans", action="store_true", help="print every statement's plan, not only the verdict")
    parser.add_argument(
        "--only", action="append", default=[], metavar="WORD", help="time only the reads whose name contains WORD"
    )
    return run(parser.parse_args(argv), out)


if __name__ == "__main__":
    main()
