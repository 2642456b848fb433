"""Benchmark 4, timer precision: how late the real scheduler fires 10,000 timers that fall due within one minute.

What it measures: bench/timer_precision.bpmn (a review task with a boundary timer whose duration comes from the
instance data) is deployed and N instances are started, in batches of one transaction each, whose timers fall due
evenly spread over a W-second window. The window begins only after set-up has ended (a calibration batch, rolled
back, estimates how long set-up takes; the run says so and fails if set-up still overran). Then K scheduler
processes (engine.scheduler.TimerScheduler on the wall clock, exactly as `onestop scheduler` runs it) fire them.
For every timer: lateness = the instant the engine advanced the instance past its timer (the 'timer_fired' audit
event, written in the same transaction as the fire, so it also counts duplicates) minus the due instant the
engine itself stored (instances.next_due_at right after the start). Printed: p50/p90/p99/max lateness, fired,
fired twice (must be 0), never fired, per-process shares, and the machine.

Goal: p99 <= 1 s.

Run:  .venv/bin/python -m bench.timer_precision [--timers 10000] [--window 60] [--schedulers 1]
      [--database postgresql+psycopg://onestop:onestop@127.0.0.1:5432/onestop_timers --fresh]
(the default database is a fresh temporary SQLite file; --schedulers > 1 needs PostgreSQL; --fresh empties the
given database first, which the run refuses to do without being told.)
"""

from __future__ import annotations

import argparse
import json
import os
import platform as host
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from engine.bootstrap import Platform, build_platform
from engine.clock import FrozenClock, SystemClock
from engine.config import Settings
from engine.domain.access import Principal, RoleGrant
from engine.persistence.tables import audit_events, instances
from engine.services.definitions import read_paths
from engine.services.instances import start_in

ROOT = Path(__file__).resolve().parent.parent
BPMN = Path(__file__).resolve().parent / "timer_precision.bpmn"
PROCESS = "bench_timer"
STARTER = Principal("bench-window", grants=frozenset({RoleGrant("window_officer", "CENTRE")}))
#: set-up is estimated from a calibration batch; the window opens this much later than the estimate says
SAFETY_FACTOR, SAFETY_SECONDS = 1.5, 5.0


def settings(url: str, tmp: Path) -> Settings:
    return Settings.from_env(
        env={},
        database_url=url,
        instance_dir=tmp,
        secret_key="bench-timers",
        processes_dir=ROOT / "processes",
        forms_dir=ROOT / "forms",
        password_hashing="fast",
    )


@dataclass
class Plan:
    """What set-up created: each instance's due instant as the engine stored it, and when set-up ended."""

    dues: dict[int, datetime]
    window_start: datetime
    setup_seconds: float
    setup_end: datetime
    estimate_seconds: float
    created_per_s: float


@dataclass
class Outcome:
    lateness: list[float]
    fired_twice: list[int]
    never_fired: list[int]
    tenths: list[float] = field(default_factory=list)
    shares: list[int] = field(default_factory=list)
    cpu_seconds: float = 0.0
    run_seconds: float = 0.0


# -- set-up ----------------------------------------------------------------------------------------------
def prepare(url: str, tmp: Path, fresh: bool) -> None:
    """Migrate, empty the database if asked, deploy the bench process; refuse a database already in use."""
    boot = build_platform(settings(url, tmp), SystemClock(), migrate=False)
    engine = boot.database
    if fresh and engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    boot.close()
    platform = build_platform(settings(url, tmp), SystemClock(), migrate=True)
    with platform.database.connect() as conn:
        running = conn.execute(select(func.count()).where(instances.c.next_due_at.is_not(None))).scalar_one()
    if running:
        platform.close()
        raise SystemExit(f"{url} already has {running} instances with timers; use an empty database or --fresh")
    platform.calendar.ensure_current_years()
    platform.accounts.add_department("CENTRE", "县政务服务管理局")  # False when it exists already
    platform.definitions.deploy(read_paths([BPMN]), actor="bench")
    platform.close()


def _start_batch(platform: Platform, waits: list[float], *, commit: bool) -> list[tuple[int, datetime]]:
    """Start one instance per wait (seconds after the platform clock's now) in one transaction."""
    ctx = platform.ctx
    started: list[tuple[int, datetime]] = []
    with ctx.uow(write=True) as uow:
        found = uow.definitions.get_version(PROCESS, None)
        assert found is not None
        for wait in waits:
            data = {"wait": f"PT{wait:.6f}S", "department": "CENTRE"}
            record, _ = start_in(ctx, uow, found, data, department="CENTRE", business_key=None, actor="bench")
            assert record.next_due_at is not None, "the bench process must be waiting on its timer"
            started.append((record.id, record.next_due_at))
        if commit:
            uow.commit()
    return started


def create_timers(url: str, tmp: Path, count: int, window: float, batch: int, lead: float | None) -> Plan:
    """Start `count` instances whose timers fall due evenly over `window` seconds, opening after set-up."""
    clock = FrozenClock(datetime.now(UTC))
    platform = build_platform(settings(url, tmp), clock)
    try:
        _start_batch(platform, [3600.0], commit=False)  # warm the spec cache before timing anything
        sample = min(count, 100)
        t0 = time.perf_counter()
        _start_batch(platform, [3600.0] * sample, commit=False)  # calibration, rolled back
        per_instance = (time.perf_counter() - t0) / sample
        estimate = per_instance * count
        lead_seconds = lead if lead is not None else estimate * SAFETY_FACTOR + SAFETY_SECONDS
        began = datetime.now(UTC)
        clock.set(began)  # every start reads this instant, so due = began + wait exactly
        window_start = began + timedelta(seconds=lead_seconds)
        offsets = [lead_seconds + window * i / count for i in range(count)]
        t1 = time.perf_counter()
        dues: dict[int, datetime] = {}
        for first in range(0, count, batch):
            dues.update(_start_batch(platform, offsets[first : first + batch], commit=True))
        setup_seconds = time.perf_counter() - t1
    finally:
        platform.close()
    return Plan(dues, window_start, setup_seconds, datetime.now(UTC), estimate, count / max(setup_seconds, 1e-9))


# -- the scheduler processes ------------------------------------------------------------------------------
def worker(url: str) -> None:
    """One scheduler process: the real TimerScheduler on the wall clock until stdin says stop; prints its count."""
    from engine.scheduler import TimerScheduler

    with tempfile.TemporaryDirectory() as tmp:
        platform = build_platform(settings(url, Path(tmp)), SystemClock())
        fired: list[int] = []
        fire_due = platform.timers.fire_due

        def counted(*args: Any, **kwargs: Any) -> Any:  # this process's share, for the sharing figure
            report = fire_due(*args, **kwargs)
            fired.extend(report.fired)
            return report

        platform.timers.fire_due = counted  # type: ignore[method-assign]
        scheduler = TimerScheduler(platform)
        scheduler.start()
        print("ready", flush=True)
        cpu0 = time.process_time()
        sys.stdin.readline()
        scheduler.shutdown()
        cpu = time.process_time() - cpu0  # this process's CPU while it scheduled (all its threads)
        platform.close()
        print(json.dumps({"fired": len(fired), "cpu_s": cpu}), flush=True)


def spawn(url: str, k: int) -> list[subprocess.Popen[str]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.timer_precision", "--worker", "--database", url],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(k)
    ]
    for proc in procs:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError(f"a scheduler process did not start (said {line!r})")
    return procs


def stop(procs: list[subprocess.Popen[str]]) -> list[dict[str, float]]:
    """Tell every scheduler process to stop; each one's fires and CPU seconds."""
    figures = []
    for proc in procs:
        out, _ = proc.communicate("stop\n", timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"a scheduler process failed with exit code {proc.returncode}")
        figures.append(json.loads(out.strip().splitlines()[-1]))
    return figures


def wait_until_fired(url: str, tmp: Path, until: datetime) -> None:
    """Poll (cheaply, once a second) until no timer is left due, or the deadline passes."""
    platform = build_platform(settings(url, tmp), SystemClock())
    try:
        while datetime.now(UTC) < until and platform.instances.earliest_due() is not None:
            time.sleep(1.0)
    finally:
        platform.close()


# -- measuring -------------------------------------------------------------------------------------------
def collect(url: str, tmp: Path, dues: dict[int, datetime]) -> Outcome:
    platform = build_platform(settings(url, tmp), SystemClock())
    try:
        with platform.database.connect() as conn:
            rows = conn.execute(
                select(audit_events.c.instance_id, audit_events.c.at).where(audit_events.c.action == "timer_fired")
            ).all()
    finally:
        platform.close()
    fired: dict[int, list[datetime]] = {}
    for iid, at in rows:
        if iid in dues:
            fired.setdefault(iid, []).append(_utc(at))
    by_due = sorted((_utc(dues[iid]), (min(ats) - _utc(dues[iid])).total_seconds()) for iid, ats in fired.items())
    twice = sorted(iid for iid, ats in fired.items() if len(ats) > 1)
    never = sorted(iid for iid in dues if iid not in fired)
    tenth = max(1, -(-len(by_due) // 10))
    # the worst lateness in each tenth of the window (by due time): a scheduler that falls behind shows a
    # rising line, a stall one jump
    tenths = [max(late for _, late in by_due[i : i + tenth]) for i in range(0, len(by_due), tenth)]
    return Outcome(sorted(late for _, late in by_due), twice, never, tenths=tenths)


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values (q in 0..100)."""
    if not values:
        return float("nan")
    rank = max(1, min(len(values), -(-len(values) * q // 100)))
    return values[int(rank) - 1]


def machine(url: str, tmp: Path) -> str:
    platform = build_platform(settings(url, tmp), SystemClock())
    try:
        with platform.database.connect() as conn:
            if platform.database.dialect.name == "postgresql":
                version = str(conn.execute(text("SHOW server_version")).scalar())
                db = f"PostgreSQL {version}"
            else:
                db = f"SQLite {conn.execute(text('select sqlite_version()')).scalar()}"
    finally:
        platform.close()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        host.processor() or "unknown CPU",
    )
    return f"{os.cpu_count()} cores, {cpu}, Python {host.python_version()}, {db}"


# -- the run ---------------------------------------------------------------------------------------------
def run(args: argparse.Namespace, url: str, tmp: Path, out: Callable[[str], None]) -> dict[str, Any]:
    prepare(url, tmp, args.fresh)
    procs = spawn(url, args.schedulers)  # already running when the timers are created, as in production
    try:
        plan = create_timers(url, tmp, args.timers, args.window, args.batch, args.lead)
        out(
            f"set-up: {args.timers} instances in {plan.setup_seconds:.1f} s ({plan.created_per_s:.0f}/s; "
            f"estimated {plan.estimate_seconds:.1f} s); window opens {_ago(plan.window_start)}"
        )
        window_end = plan.window_start + timedelta(seconds=args.window)
        t0 = time.perf_counter()
        wait_until_fired(url, tmp, window_end + timedelta(seconds=args.grace))
        run_seconds = time.perf_counter() - t0
    finally:
        workers = stop(procs)
    outcome = collect(url, tmp, plan.dues)
    outcome.shares = [int(w["fired"]) for w in workers]
    outcome.cpu_seconds, outcome.run_seconds = sum(w["cpu_s"] for w in workers), run_seconds
    return report(args, url, tmp, plan, outcome, out)


def _ago(at: datetime) -> str:
    delta = (at - datetime.now(UTC)).total_seconds()
    return f"in {delta:.1f} s" if delta >= 0 else f"{-delta:.1f} s AGO (set-up overran: rerun with a larger --lead)"


def report(
    args: argparse.Namespace, url: str, tmp: Path, plan: Plan, o: Outcome, out: Callable[[str], None]
) -> dict[str, Any]:
    late = o.lateness
    figures: dict[str, Any] = {
        "timers": args.timers,
        "window_s": args.window,
        "schedulers": args.schedulers,
        "database": url.split(":", 1)[0] if "sqlite" not in url else "sqlite (file)",
        "setup_s": round(plan.setup_seconds, 2),
        "setup_overran": plan.setup_end > plan.window_start,
        "fired": len(late),
        "fired_twice": len(o.fired_twice),
        "never_fired": len(o.never_fired),
        "p50_s": percentile(late, 50),
        "p90_s": percentile(late, 90),
        "p99_s": percentile(late, 99),
        "max_s": late[-1] if late else float("nan"),
        "min_s": late[0] if late else float("nan"),
        "worst_by_tenth_s": o.tenths,
        "shares": o.shares,
        "scheduler_cpu_s": round(o.cpu_seconds, 2),
        "cpu_ms_per_fire": o.cpu_seconds * 1000 / max(len(late), 1),
        "machine": machine(url, tmp),
    }
    figures["goal_met"] = figures["p99_s"] <= 1.0 and not o.fired_twice and not o.never_fired
    out("---- timer precision " + "-" * 60)
    out(f"command:      python -m bench.timer_precision {' '.join(sys.argv[1:]) if args.echo_argv else ''}".rstrip())
    out(f"machine:      {figures['machine']}")
    out(
        f"workload:     {args.timers} timers due evenly over {args.window:g} s, {args.schedulers} scheduler process(es)"
    )
    out(f"set-up:       {plan.setup_seconds:.1f} s, ended before the window opened: {not figures['setup_overran']}")
    out(
        f"lateness:     p50 {late_ms(figures['p50_s'])}  p90 {late_ms(figures['p90_s'])}  "
        f"p99 {late_ms(figures['p99_s'])}  max {late_ms(figures['max_s'])}  (min {late_ms(figures['min_s'])})"
    )
    out(
        f"fired:        {figures['fired']} of {args.timers}; fired twice {figures['fired_twice']}; "
        f"never fired {figures['never_fired']}"
    )
    out("worst by tenth of the window: " + " ".join(late_ms(t) for t in o.tenths))
    out(f"per process:  {o.shares}  (fires counted by each scheduler process)")
    out(
        f"scheduler CPU: {o.cpu_seconds:.1f} s in {o.run_seconds:.0f} s of run = "
        f"{figures['cpu_ms_per_fire']:.2f} ms per fire (one core fires at most ~"
        f"{1000 / max(figures['cpu_ms_per_fire'], 1e-6):.0f}/s; the window asks {args.timers / args.window:.0f}/s)"
    )
    out(f"goal p99<=1s: {'met' if figures['goal_met'] else 'MISSED'}")
    out("-" * 81)
    return figures


def late_ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--timers", type=int, default=10_000)
    parser.add_argument("--window", type=float, default=60.0, help="seconds over which the timers fall due")
    parser.add_argument("--schedulers", type=int, default=1, help="scheduler processes (> 1 needs PostgreSQL)")
    parser.add_argument("--database", default="", help="SQLAlchemy URL (default: a fresh temporary SQLite file)")
    parser.add_argument("--fresh", action="store_true", help="empty the given PostgreSQL database first")
    parser.add_argument("--batch", type=int, default=100, help="instances started per set-up transaction")
    parser.add_argument("--lead", type=float, default=None, help="seconds from set-up start to the window")
    parser.add_argument("--grace", type=float, default=60.0, help="how long after the window to wait for stragglers")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.echo_argv = argv is None
    return args


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> dict[str, Any]:
    args = parse(argv)
    if args.worker:
        worker(args.database)
        return {}
    if args.schedulers > 1 and not args.database.startswith("postgresql"):
        raise SystemExit("--schedulers > 1 needs PostgreSQL (--database postgresql+psycopg://...)")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{tmp}/timers.db"
        return run(args, url, Path(tmp), out)


if __name__ == "__main__":
    figures = main()
    sys.exit(0 if figures == {} or (figures["fired_twice"] == 0 and figures["never_fired"] == 0) else 1)
