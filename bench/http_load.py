"""Benchmark 2, HTTP load: N clerks completing tasks through the JSON API, served by gunicorn, driven by locust.

What it measures: latency (p50/p95/p99 per request type and overall), throughput (requests/s, completions/s)
and errors (any non-2xx; 409s shown apart, and errors too, since no two clerks ever share a task) while N
simulated clerks each sign in with an API token, read their inbox, open a task and complete it with valid form
data, over and over. Every completion that got a 200 is then checked against the database (no lost completion).
Goal (issue 8): p95 <= 20 ms at 50 clerks on 2 cores.

The workload: processes/parallel_review.bpmn; clerk NNN is a window officer of department BENCHNNN and has a
stock of ready intake tasks (instances started directly through the services, many per transaction) that only
they may work on. Completing one opens three parallel department reviews, so each completion does real work.

Command (one step does all: database, migrations, deployment, accounts, gunicorn, locust, report):
    .venv/bin/python -m bench.http_load [--users 50] [--workers 2*cores+1] [--duration 60] [--spawn-rate 50]
        [--think 1.0] [--database postgresql+psycopg://onestop:onestop@127.0.0.1:5432/onestop_bench]
The database is emptied first (its name must contain "bench", or pass --force-reset); sqlite:///file works too.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform as pyplatform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
DEFAULT_URL = "postgresql+psycopg://onestop:onestop@127.0.0.1:5432/onestop_bench"
PROCESS = "parallel_review"
FORMS = ("intake.json", "review.json", "approval.json")
PASSWORD = "bench-Clerk-2026"  # noqa: S105 - throwaway accounts of a throwaway database
TASK_NAMES = ("GET /api/v1/tasks", "GET /api/v1/tasks/{id}", "POST /api/v1/tasks/{id}/complete")
SIGN_IN = "POST /api/v1/auth/token"
COMPLETE = TASK_NAMES[2]


class BenchError(SystemExit):
    """A clear message for the operator instead of a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(f"http_load: {message}")


# --- the database -----------------------------------------------------------------------------------------


def check_database(url: str) -> str:
    """The database server's version, or a clear exit if it cannot be reached."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                return "PostgreSQL " + str(conn.execute(text("SHOW server_version")).scalar())
            return "SQLite " + str(conn.execute(text("SELECT sqlite_version()")).scalar())
    except OperationalError as exc:
        hint = "start it: pg_ctlcluster $(ls /etc/postgresql|sort -V|tail -1) main start; then "
        hint += "su postgres -c 'createdb -O onestop onestop_bench'"
        raise BenchError(f"cannot reach the database {engine.url!r}: {exc.orig}\n{hint}") from exc
    finally:
        engine.dispose()


def reset_database(url: str, force: bool) -> None:
    """Start from an empty database: the bench owns it (its name says so) unless --force-reset."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    name = engine.url.database or ""
    if "bench" not in Path(name).name and not force:
        raise BenchError(f"refusing to empty {name!r}: use a database whose name contains 'bench', or --force-reset")
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    elif name and Path(name).exists():
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)
    engine.dispose()


def settings_for(url: str, instance_dir: Path, secret: str) -> Any:
    from engine.config import Settings

    return Settings.from_env(
        env={},
        database_url=url,
        instance_dir=instance_dir,
        secret_key=secret,
        processes_dir=ROOT / "processes",
        forms_dir=ROOT / "forms",
    )


def clerk_names(users: int) -> list[str]:
    return [f"clerk{n:03d}" for n in range(1, users + 1)]


def prepare(url: str, users: int, stock: int, instance_dir: Path, secret: str, out: Any = print) -> None:
    """Migrate, deploy the workload, and give each clerk an account and `stock` ready intake tasks of their own."""
    from engine.bootstrap import build_platform
    from engine.domain.access import Principal, RoleGrant
    from engine.services.definitions import read_paths
    from engine.services.instances import start_in

    platform = build_platform(settings_for(url, instance_dir, secret), migrate=True)
    try:
        year = platform.clock.now().year
        platform.calendar.ensure_years(range(year - 1, year + 2))
        for code in ("CENTRE", "LAND", "HOUSING", "ENV"):
            platform.accounts.add_department(code, code)
        files = [ROOT / "processes" / f"{PROCESS}.bpmn", *(ROOT / "forms" / name for name in FORMS)]
        platform.definitions.deploy(read_paths(files), actor="bench")
        started = time.perf_counter()
        for n, username in enumerate(clerk_names(users), start=1):
            department = f"BENCH{n:03d}"
            platform.accounts.add_department(department, f"负载测试窗口{n}")
            platform.accounts.add_user(username, PASSWORD, ["window_officer"], department=department)
            actor = Principal(username, grants=frozenset({RoleGrant("window_officer", department)}))
            with platform.ctx.uow(write=True) as uow:  # one transaction per clerk's stock: fast, and all or nothing
                version = uow.definitions.get_version(PROCESS, None)
                for k in range(stock):
                    data = {"department": department, "case_no": f"LOAD-{n:03d}-{k:05d}"}
                    start_in(
                        platform.ctx, uow, version, data, department=department, business_key=data["case_no"],
                        actor=actor.username,
                    )  # fmt: skip
                uow.commit()
        out(f"prepared {users} clerks x {stock} ready tasks in {time.perf_counter() - started:.1f} s")
    finally:
        platform.close()


# --- the server and the load ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(url: str, instance_dir: Path, secret: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(ONESTOP_DATABASE_URL=url, ONESTOP_SECRET_KEY=secret, ONESTOP_INSTANCE_DIR=str(instance_dir))
    return env


def start_gunicorn(env: dict[str, str], workers: int, port: int, log: Path) -> subprocess.Popen[bytes]:
    """The real app factory, as `onestop serve --no-scheduler` builds it, under gunicorn's sync workers."""
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    command += ["--log-level", "warning", "--graceful-timeout", "5", "webapp:create_app()"]
    with log.open("wb") as handle:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)


def wait_healthy(server: subprocess.Popen[bytes], base: str, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited ({server.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310 - our own server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise BenchError(f"gunicorn not healthy after {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def children_cpu() -> float:
    """CPU seconds (user + system) of reaped child processes and their reaped descendants."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_locust(base: str, args: argparse.Namespace, work: Path, clerks_file: Path) -> float:
    """Run locust headless to the end; return its CPU seconds."""
    prefix = work / "locust"
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", base]
    command += ["-u", str(args.users), "-r", str(args.spawn_rate or args.users), "-t", f"{args.duration}s"]
    command += ["--csv", str(prefix), "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING"]
    if args.processes:
        command += ["--processes", str(args.processes)]
    env = dict(os.environ, ONESTOP_BENCH_CLERKS=str(clerks_file), ONESTOP_BENCH_DIR=str(work))
    env["ONESTOP_BENCH_THINK"] = str(args.think)
    before = children_cpu()
    with (work / "locust.out").open("wb") as handle:
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, check=False)
    if done.returncode not in (0, 1):  # 1 = the run had failures: they are counted below
        raise BenchError(f"locust failed ({done.returncode}):\n{(work / 'locust.out').read_text()[-3000:]}")
    return children_cpu() - before


# --- the figures ------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Requests as the clerks saw them; latencies of the steady window (after the last sign-in) per name."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    completed: list[str] = field(default_factory=list)
    warmup: int = 0  # task requests started before every clerk had signed in: left out of the latencies
    first: float = math.inf
    last: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 300)

    @property
    def span(self) -> float:
        return max(self.last - self.first, 1e-9)


def read_logs(work: Path) -> Figures:
    rows = []
    for path in sorted(work.glob("requests-*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            started, name, status, ms, task_id = line.split("\t")
            rows.append((float(started), name, int(status), float(ms), task_id))
    figures = Figures()
    signed_in = max((t + ms / 1000 for t, name, _s, ms, _id in rows if name == SIGN_IN), default=0.0)
    for started, name, status, ms, task_id in rows:
        figures.statuses[status] += 1
        figures.first = min(figures.first, started)
        figures.last = max(figures.last, started + ms / 1000)
        if name != SIGN_IN and started < signed_in:
            figures.warmup += 1
        else:
            figures.latencies[name].append(ms)
        if name == COMPLETE and status == 200:
            figures.completed.append(task_id)
    return figures


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (no interpolation: a reported p95 is a latency some request really had)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else math.nan


def verify(url: str, completed: list[str], users: int) -> dict[str, int]:
    """Every 200 completion is completed in the database, exactly the ones that got a 200; clerks left idle."""
    from sqlalchemy import bindparam, create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            done = set(
                conn.execute(
                    text("SELECT task_id FROM human_tasks WHERE element_id = 'intake' AND state = 'completed'")
                ).scalars()
            )
            ready = conn.execute(
                text(
                    "SELECT department, COUNT(*) FROM human_tasks WHERE element_id = 'intake' AND state = 'ready'"
                    " AND department IN :deps GROUP BY department"
                ).bindparams(bindparam("deps", expanding=True)),
                {"deps": [f"BENCH{n:03d}" for n in range(1, users + 1)]},
            ).all()
    finally:
        engine.dispose()
    acknowledged = set(completed)
    return {
        "acknowledged": len(completed),
        "duplicate_acks": len(completed) - len(acknowledged),
        "lost": len(acknowledged - done),
        "unacknowledged": len(done - acknowledged),
        "exhausted_clerks": users - sum(1 for _dep, count in ready if count > 0),
    }


def machine(db_version: str) -> str:
    model = "?"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next(
            (ln.split(":", 1)[1].strip() for ln in cpuinfo.read_text().splitlines() if "model name" in ln), "?"
        )
    return f"{os.cpu_count()} cores, {model}, Python {pyplatform.python_version()}, {db_version}"


def report(args: argparse.Namespace, figures: Figures, checks: dict[str, int], cpu: dict[str, float], db: str) -> str:
    rows = [f"{'request':<36}{'count':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"]
    work = [v for name in TASK_NAMES for v in figures.latencies.get(name, [])]
    every = [v for values in figures.latencies.values() for v in values]
    groups = [(name, figures.latencies.get(name, [])) for name in (SIGN_IN, *TASK_NAMES)]
    groups += [("task work (excl. sign-in)", work), ("all requests", every)]
    for name, values in groups:
        cells = [percentile(values, p) for p in (50, 95, 99)] + [max(values, default=math.nan)]
        rows.append(f"{name:<36}{len(values):>8}" + "".join(f"{c:>9.1f}" for c in cells))
    conflicts = figures.statuses.get(409, 0)
    other = ", ".join(f"{s or 'no response'}: {n}" for s, n in sorted(figures.statuses.items()) if not 200 <= s < 300)
    span = figures.span
    p95 = percentile(work, 95)
    lines = [
        "=== Onestop HTTP load (bench/http_load.py) ===",
        f"command      : {' '.join([Path(sys.executable).name, '-m', 'bench.http_load', *sys.argv[1:]])}",
        f"machine      : {machine(db)}",
        f"server       : gunicorn, {args.workers} sync workers, webapp:create_app(); database {db}",
        f"load         : {args.users} clerks (locust, spawn {args.spawn_rate or args.users}/s, "
        f"{args.processes or 1} process(es)), think time {args.think:g} s mean, {args.duration} s",
        f"requests     : {figures.requests} in {span:.1f} s = {figures.requests / span:.1f} req/s",
        f"completions  : {len(figures.completed)} = {len(figures.completed) / span:.1f} completions/s",
        f"errors       : {figures.errors} (409 conflicts: {conflicts}){'; ' + other if other else ''}",
        *rows,
        f"goal p95 <= 20 ms (task work): {'met' if p95 <= 20 else f'missed by {p95 - 20:.1f} ms'} (p95 {p95:.1f} ms)",
        f"consistency  : {checks['acknowledged']} completions acknowledged, {checks['lost']} lost, "
        f"{checks['unacknowledged']} completed without a 200, {checks['duplicate_acks']} acknowledged twice",
        f"cpu (s)      : locust {cpu['locust']:.1f} ({cpu['locust'] / span * 100:.0f}% of a core), "
        f"gunicorn {cpu['server']:.1f} ({cpu['server'] / span * 100:.0f}%), "
        f"PostgreSQL backends {cpu['database']:.1f} ({cpu['database'] / span * 100:.0f}%), "
        f"anything else on the machine {cpu['other']:.1f} ({cpu['other'] / span * 100:.0f}%); "
        f"{os.cpu_count()} cores = {os.cpu_count() or 1}00%",
        f"latencies    : steady window after the last sign-in ({figures.warmup} earlier task requests left out)",
    ]
    if checks["exhausted_clerks"]:
        lines.append(f"WARNING      : {checks['exhausted_clerks']} clerks ran out of tasks; raise --tasks-per-clerk")
    return "\n".join(lines)


def tree_cpu(pid: int) -> float:
    """CPU seconds of a running process and its children (the gunicorn master and workers)."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def database_cpu(url: str) -> float:
    """CPU seconds of the PostgreSQL backends serving this database (0 for SQLite: it runs in the workers)."""
    import psutil
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        return 0.0
    marker = f" {parsed.database} "
    total = 0.0
    for proc in psutil.process_iter(["name", "cmdline"]):
        try:
            if proc.info["name"] == "postgres" and marker in " ".join(proc.info["cmdline"] or []) + " ":
                times = proc.cpu_times()
                total += times.user + times.system
        except psutil.Error:
            continue
    return total


def machine_cpu() -> float:
    """CPU seconds all cores spent busy since boot (every process, ours and anyone else's)."""
    import psutil

    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


# --- the command ------------------------------------------------------------------------------------------


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="simulated clerks (default 50)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument("--spawn-rate", type=float, default=0, help="clerks started per second (default: all)")
    parser.add_argument("--database", default=DEFAULT_URL, help=f"SQLAlchemy URL (default {DEFAULT_URL})")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time between tasks, s (0 = none)")
    parser.add_argument("--tasks-per-clerk", type=int, default=0, help="ready tasks per clerk (default: enough)")
    parser.add_argument("--processes", type=int, default=0, help="locust --processes (default: one process)")
    parser.add_argument("--force-reset", action="store_true", help="empty a database not named *bench*")
    args = parser.parse_args(argv)
    if not args.tasks_per_clerk:  # enough for the run: one task per think time, or ~60 completions/s in all
        per_second = 1 / args.think if args.think > 0 else 60 * (os.cpu_count() or 1) / 2 / args.users
        args.tasks_per_clerk = math.ceil(args.duration * per_second * 1.3) + 5
    return args


def run(args: argparse.Namespace, work: Path, out: Any = print, reset: bool = True) -> dict[str, Any]:
    """The whole benchmark in `work`; returns the figures and checks (the smoke test asserts on them)."""
    db = check_database(args.database)
    if reset:
        reset_database(args.database, args.force_reset)
    secret, instance_dir = secrets.token_urlsafe(32), work / "instance"
    prepare(args.database, args.users, args.tasks_per_clerk, instance_dir, secret, out)
    clerks_file = work / "clerks.json"
    clerks_file.write_text(json.dumps([[name, PASSWORD] for name in clerk_names(args.users)]), encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(server_env(args.database, instance_dir, secret), args.workers, port, work / "gunicorn.log")
    try:
        wait_healthy(server, base, work / "gunicorn.log")
        out(f"gunicorn up on {base} with {args.workers} workers; locust: {args.users} clerks for {args.duration} s")
        before = (tree_cpu(server.pid), database_cpu(args.database), machine_cpu())
        locust_cpu = run_locust(base, args, work, clerks_file)
        after = (tree_cpu(server.pid), database_cpu(args.database), machine_cpu())
    finally:
        stop(server)
    server_cpu, db_cpu, busy = (a - b for a, b in zip(after, before, strict=True))
    cpu = {"locust": locust_cpu, "server": server_cpu, "database": db_cpu}
    cpu["other"] = max(0.0, busy - locust_cpu - server_cpu - db_cpu)
    figures = read_logs(work)
    checks = verify(args.database, figures.completed, args.users)
    out(report(args, figures, checks, cpu, db))
    return {"figures": figures, "checks": checks, "cpu": cpu}


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    from engine.errors import DatabaseUnavailable

    with tempfile.TemporaryDirectory(prefix="onestop-http-load-") as tmp:
        try:
            result = run(args, Path(tmp))
        except DatabaseUnavailable as exc:  # e.g. the server restarted while the bench prepared its data
            raise BenchError(f"{exc}; run the bench again once the database is back") from exc
    figures, checks = result["figures"], result["checks"]
    return 0 if figures.errors == 0 and checks["lost"] == 0 and checks["duplicate_acks"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
