"""Fault drill 8 (issue 8): the PostgreSQL server restarted mid-run; the platform recovers without manual action.

What it proves. ``onestop serve`` (web + in-process scheduler) and a separate ``onestop scheduler`` run on
PostgreSQL while clerk threads drive them over real HTTP. Mid-run the database server is stopped, left down
for ``--outage`` seconds (timers of the drill fall due meanwhile), and started again — nobody touches the
platform processes. Then:

- requests during the outage fail cleanly: every server error is a JSON ``{"error": {...}}`` body (503
  ``database_unavailable`` with a Chinese-first message), no request hangs (each has a 30 s timeout), no client
  thread is stuck, no platform process died;
- outside the outage (after a short settling margin) there is no server error at all, and new requests
  succeed after the server is back (the time to the first 200 is printed);
- the timers that fell due during the outage fire once (each exactly once), none is left overdue;
- every check of faults/checks.py holds: states deserialize, projections match them, nothing that got a 200 is
  lost.

Command (needs root or the postgres account to restart the server; use a database of its own)::

    su postgres -c "createdb -O onestop onestop_faults"
    .venv/bin/python -m faults.pg_restart \\
        --database postgresql+psycopg://onestop:onestop@127.0.0.1:5432/onestop_faults \\
        --restart "pg_ctlcluster 15 main restart" --duration 60 --outage 5 --restarts 2

A ``--restart`` command ending in ``restart`` is run as ``stop``, a pause of ``--outage`` seconds, ``start``;
any other command is run as it is (``--outage`` then ignored). tests/faults/test_pg_restart.py runs a short
version when ONESTOP_TEST_PG_RESTART names the command (.ci/run sets it).
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from faults.checks import Findings, check
from faults.load import Answer, Load, Record
from faults.stack import Stack, clerk_names, machine, prepare, seconds_of

#: after the server is back, errors of requests that began during the outage may still arrive for this long
SETTLE = timedelta(seconds=2)


def default_restart_command() -> str:
    versions = sorted((p.name for p in Path("/etc/postgresql").glob("*")), key=lambda v: [int(x) for x in v.split(".")])
    return f"pg_ctlcluster {versions[-1]} main restart" if versions else ""


def _run(command: list[str]) -> None:
    subprocess.run(command, check=True, timeout=120, capture_output=True)  # noqa: S603 - the operator's command


def restart_server(command: str, outage: float) -> None:
    """Restart the database server: stop, pause ``outage`` seconds, start (or the command as given)."""
    words = shlex.split(command)
    if words and words[-1] == "restart" and outage > 0:
        _run([*words[:-1], "stop"])
        time.sleep(outage)
        _run([*words[:-1], "start"])
    else:
        _run(words)


def wait_for_database(url: str, timeout: float = 60.0) -> float:
    """Block until the server accepts a query again; returns how long that took."""
    began = time.monotonic()
    engine = create_engine(url, poolclass=None, pool_pre_ping=True)
    try:
        while True:
            try:
                with engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                return time.monotonic() - began
            except Exception:
                if time.monotonic() - began > timeout:
                    raise
                time.sleep(0.2)
    finally:
        engine.dispose()


@dataclass
class Outage:
    began: datetime
    ended: datetime  # the server answers queries again
    first_ok_after: float | None = None  # seconds from ``ended`` to the first completion answered 200


@dataclass
class Outcome:
    findings: Findings
    record: Record
    outages: list[Outage] = field(default_factory=list)
    unclean: list[Answer] = field(default_factory=list)  # server errors without the JSON error body
    outside: list[Answer] = field(default_factory=list)  # server errors away from any outage
    during: int = 0
    stuck_clients: list[str] = field(default_factory=list)
    processes_died: bool = False
    database: str = ""

    @property
    def ok(self) -> bool:
        return (
            self.findings.ok
            and not self.unclean
            and not self.outside
            and not self.stuck_clients
            and not self.processes_died
            and self.record.hung == 0
            and all(o.first_ok_after is not None for o in self.outages)
            and self.findings.due_in_window == self.findings.due_in_window_fired_once
        )


def run(
    url: str,
    workdir: Path,
    restart_command: str,
    *,
    duration: float = 60.0,
    restarts: int = 2,
    outage: float = 5.0,
    clerks: int = 6,
    wait: str = "PT1S",
    limit: str = "PT3S",
    seed: int = 8,
    out: Callable[[str], None] = print,
) -> Outcome:
    if not url.startswith("postgresql"):
        raise ValueError("the PostgreSQL restart drill needs a postgresql+psycopg:// URL")
    since = datetime.now(UTC) - timedelta(seconds=1)
    platform = prepare(url, workdir, clerks)
    stack = Stack(url, workdir, schedulers=1)
    load = Load(stack.port, clerk_names(clerks), seed=seed, wait=wait, limit=limit)
    outcome = Outcome(Findings(), load.record)
    try:
        stack.start()
        load.start()
        began = time.monotonic()
        segment = duration / (restarts + 1)
        for k in range(restarts):
            time.sleep(max(0.0, began + segment * (k + 0.6) - time.monotonic()))
            down = datetime.now(UTC)
            out(f"restart {k + 1}: database server going down at {time.monotonic() - began:.1f} s")
            restart_server(restart_command, outage)
            took = wait_for_database(url)
            up = datetime.now(UTC)
            out(f"restart {k + 1}: database answering again after {(up - down).total_seconds():.1f} s (+{took:.1f})")
            done_before = len(load.record.completed)
            record = Outage(down, up)
            while time.monotonic() - began < duration + 30 and len(load.record.completed) == done_before:
                time.sleep(0.05)  # the first completion answered 200 after the server came back
            if len(load.record.completed) > done_before:
                record.first_ok_after = (datetime.now(UTC) - up).total_seconds()
            outcome.outages.append(record)
        time.sleep(max(0.0, began + duration - time.monotonic()))
        load.stop()
        outcome.stuck_clients = load.stuck()
        grace = seconds_of(wait) + seconds_of(limit) + 3.0
        out(f"load stopped; {grace:.0f} s of grace for the timers still due")
        time.sleep(grace)
        overdue_before = datetime.now(UTC) - timedelta(seconds=2)
        outcome.processes_died = not stack.alive()
    finally:
        load.stop()
        stack.stop()
    windows = [(o.began, o.ended + SETTLE) for o in outcome.outages]
    for answer in outcome.record.server_errors:
        at = datetime.fromtimestamp(answer.at, UTC)
        if not answer.clean:
            outcome.unclean.append(answer)
        if any(start <= at <= end for start, end in windows):
            outcome.during += 1
        else:
            outcome.outside.append(answer)
    outcome.findings = check(
        platform,
        since,
        outcome.record,
        overdue_before=overdue_before,
        windows=[(o.began, o.ended) for o in outcome.outages],
        wait=timedelta(seconds=seconds_of(wait)),
    )
    engine = platform.database
    outcome.database = f"postgresql {'.'.join(str(p) for p in engine.dialect.server_version_info or ())}"
    platform.close()
    return outcome


def report(outcome: Outcome, *, duration: float, clerks: int, outage: float) -> str:
    counts = outcome.record.counts
    statuses = sorted({f"{a.status} {a.body[:120].strip()}" for a in outcome.record.server_errors})[:5]
    lines = [
        "== fault drill 8: PostgreSQL restarted mid-run (faults.pg_restart)",
        f"machine: {machine()}; database: {outcome.database}",
        f"load: {clerks} clerks over HTTP for {duration:.0f} s; {len(outcome.outages)} database restarts "
        f"(down about {outage:.0f} s each)",
        "answers: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())),
        f"server errors: {outcome.during} during outages, {len(outcome.outside)} outside, "
        f"{len(outcome.unclean)} without a JSON error body; hung requests: {outcome.record.hung}; "
        f"slowest answer: {outcome.record.slowest:.2f} s",
        *(f"  e.g. {s}" for s in statuses),
        "back to work: "
        + ", ".join(
            f"first 200 {o.first_ok_after:.2f} s after the server answered"
            if o.first_ok_after is not None
            else "no 200 after the server came back"
            for o in outcome.outages
        ),
        f"timers due during the outages: {outcome.findings.due_in_window}, fired exactly once: "
        f"{outcome.findings.due_in_window_fired_once}",
        "checks: " + outcome.findings.summary(),
        f"RESULT: {'PASS' if outcome.ok else 'FAIL'}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m faults.pg_restart", description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True, help="postgresql+psycopg:// URL of a database of its own")
    parser.add_argument("--restart", default=default_restart_command(), help="the server's restart command")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--restarts", type=int, default=2, help="how many times the server restarts (default 2)")
    parser.add_argument("--outage", type=float, default=5.0, help="seconds the server stays down (default 5)")
    parser.add_argument("--clerks", type=int, default=6, help="client threads, one account each (default 6)")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args(argv)
    if not args.restart:
        parser.error("no PostgreSQL cluster found in /etc/postgresql: give --restart")
    with tempfile.TemporaryDirectory(prefix="onestop-pg-") as folder:
        outcome = run(
            args.database,
            Path(folder),
            args.restart,
            duration=args.duration,
            restarts=args.restarts,
            outage=args.outage,
            clerks=args.clerks,
            seed=args.seed,
        )
        print(report(outcome, duration=args.duration, clerks=args.clerks, outage=args.outage))
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
