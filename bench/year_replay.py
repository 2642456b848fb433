"""Benchmark: the year replay — the Songming centre's nine months (42,558 cases through the real BPMN of the
catalogue's 50 items, 66,749 consultations) driven through Onestop's service layer with a simulated clock.

Days advance over ~185 working days; the scheduler's due-timer routine fires every timer as the clock passes it;
a seeded share of cases meets 补正 (一次性告知), 不予受理, 不予许可, 特别程序, 延期, 即办件, late decisions, window
ratings and bad reviews (差评 → rectification process). Every case ends accepted-or-refused and 办结.

Prints wall time, cases/s, task completions/s, peak memory, database size and the period's statistics report
(engine/services/stats.py, the report users get), CHECKS the report against what the workload did (PASS/FAIL
each; exit status 1 on any FAIL), then runs the same workload with raw SpiffWorkflow in memory and prints the
ratio persisted / in-memory. Goal: persisted ≤ 2× in-memory.

Run:  .venv/bin/python -m bench.year_replay [--scale 0.01] [--database postgresql+psycopg://...] [--skip-memory]
      (defaults: the full figures on a fresh SQLite file; --database must name an empty, migratable database)
"""

from __future__ import annotations

import argparse
import os
import platform as machine
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from bench.year_checks import check_report, database_size, format_report, lateness_mismatches
from bench.year_memory import MemoryReplay
from bench.year_persisted import PersistedReplay
from bench.year_workload import FULL_CASES, FULL_CONSULTATIONS, ROOT, Workload, plan_year
from engine.bootstrap import Platform, build_platform
from engine.clock import FrozenClock
from engine.config import Settings
from engine.demo import load_platform_data
from engine.domain.calendar import WorkCalendar

START = date(2025, 1, 2)  # the first working day of the nine months
Out = Callable[[str], None]


def setup_platform(url: str, instance_dir: Path, start: date) -> tuple[Platform, FrozenClock]:
    """A migrated platform on ``url`` with the calendar, organisation, catalogue and every process deployed."""
    settings = Settings.from_env(
        env={},
        database_url=url,
        instance_dir=instance_dir,
        secret_key="bench-year-replay",
        processes_dir=ROOT / "processes",
        forms_dir=ROOT / "forms",
        password_hashing="fast",
    )
    clock = FrozenClock(datetime.combine(start, clock_time(8), _zone(settings.timezone)))
    platform = build_platform(settings, clock, migrate=True)
    if any(platform.cases.counts_by_status().values()):
        platform.close()
        raise SystemExit(f"{url}: the database already holds cases; the replay needs an empty one")
    platform.calendar.ensure_years(range(start.year - 1, start.year + 3))
    load_platform_data(platform, lambda _: None)
    return platform, clock


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


@contextmanager
def _progress(total: int, label: str, enabled: bool) -> Iterator[Callable[[int], None] | None]:
    if not enabled:
        yield None
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=label, unit="ev", mininterval=1.0, file=sys.stderr) as bar:
        yield bar.update


def replay_persisted(
    platform: Platform, clock: FrozenClock, workload: Workload, *, progress: bool = False
) -> dict[str, Any]:
    """Drive the workload through the services; returns the figures, the report and the checks."""
    replay = PersistedReplay(platform, clock, workload)
    started, cpu = time.perf_counter(), time.process_time()
    with _progress(len(workload.events), "persisted", progress) as bar:
        counts = replay.run(bar)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    admin = _admin()
    report = platform.stats.report(admin, workload.start, workload.end)
    checks = check_report(report["totals"], workload, counts, platform)
    if not all(c.passed for c in checks):
        mismatched = lateness_mismatches(platform, replay.case_nos, workload.fates)
        print(f"cases whose lateness differs from the plan: {len(mismatched)}", *mismatched[:40], sep="\n  ")
    return {"wall_s": wall, "cpu_s": cpu, "counts": counts, "report": report, "checks": checks, "errors": replay.errors}


def _admin() -> Any:
    from engine.domain.access import Principal, RoleGrant

    return Principal("bench-admin", grants=frozenset({RoleGrant("admin")}))


def replay_memory(workload: Workload, calendar: WorkCalendar, *, progress: bool = False) -> dict[str, Any]:
    replay = MemoryReplay(workload, calendar)
    started, cpu = time.perf_counter(), time.process_time()
    with _progress(len(workload.events), "in memory", progress) as bar:
        counts = replay.run(bar)
    return {"wall_s": time.perf_counter() - started, "cpu_s": time.process_time() - cpu, "counts": counts}


def _machine(platform: Platform) -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        machine.processor() or "?",
    )
    with platform.database.connect() as conn:
        version = conn.exec_driver_sql(
            "SELECT sqlite_version()" if platform.database.dialect.name == "sqlite" else "SHOW server_version"
        ).scalar()
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {machine.python_version()}, {platform.database.dialect.name} {version}"
    )


def main(argv: list[str] | None = None, out: Out = print) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full figures, e.g. 0.01")
    parser.add_argument("--cases", type=int, help=f"cases (default {FULL_CASES:,} × scale)")
    parser.add_argument("--consultations", type=int, help=f"consultations (default {FULL_CONSULTATIONS:,} × scale)")
    parser.add_argument("--days", type=int, help="working days of receipt (default: ~230 cases a day)")
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--database", default="", help="SQLAlchemy URL of an EMPTY database (default: SQLite file)")
    parser.add_argument("--skip-memory", action="store_true", help="skip the raw SpiffWorkflow in-memory run")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    cases = args.cases if args.cases is not None else round(FULL_CASES * args.scale)
    consultations = args.consultations if args.consultations is not None else round(FULL_CONSULTATIONS * args.scale)
    with tempfile.TemporaryDirectory(prefix="onestop-year-") as tmp:
        url = args.database or f"sqlite:///{tmp}/year.db"
        platform, clock = setup_platform(url, Path(tmp), START)
        try:
            calendar = platform.calendar.calendar()
            t0 = time.perf_counter()
            workload = plan_year(
                calendar, START, cases=cases, consultations=consultations, days=args.days, seed=args.seed
            )
            plan_s = time.perf_counter() - t0
            persisted = replay_persisted(platform, clock, workload, progress=not args.no_progress)
            peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            size = database_size(platform, url)
            host = _machine(platform)
        finally:
            platform.close()
    memory = None if args.skip_memory else replay_memory(workload, calendar, progress=not args.no_progress)
    for line in format_report(workload, persisted, memory, plan_s=plan_s, peak_mib=peak_mib, size=size, host=host):
        out(line)
    failed = [c for c in persisted["checks"] if not c.passed]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
