"""Fault drill 6 (issue 8): ``kill -9`` of the web server and the scheduler under load, then restart.

What it proves. The platform runs as an operator runs it — ``onestop serve`` (web + in-process scheduler) and a
separate ``onestop scheduler`` — while clerk threads drive it over real HTTP (instances started, tasks
completed through the JSON API, short timers of the drill process falling due all the time). At random moments
every platform process gets SIGKILL (no clean-up of any kind), stays dead briefly and is started again. After
the load stops and a grace period lets due timers fire, the checks (faults/checks.py) must all hold:

- every drill instance deserializes, through the service the admin instance page uses;
- the projections match the state: the READY inbox rows are exactly the state's ready user tasks, the timer
  rows and ``next_due_at`` exactly its waiting timers, the status its completion;
- no completion that got a 200 is lost (completed in the inbox rows, in the history and in the state), no
  start that got a 201 is missing, no task was completed twice;
- due timers fire once: no timer element completed twice, none left overdue after the grace period.

Command (defaults: a fresh SQLite file in a temporary folder, 60 s, 3 kills)::

    .venv/bin/python -m faults.kill_restart
    .venv/bin/python -m faults.kill_restart --duration 120 --kills 6 \\
        --database postgresql+psycopg://onestop:onestop@127.0.0.1:5432/onestop_faults

A PostgreSQL database is used as it is (migrated, the drill's department, clerks and process added; other data
is left alone and not checked). Exit status 0 when every check holds. tests/faults/test_kill_restart.py runs a
10-second version with one kill on the test suite's database.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from faults.checks import Findings, check
from faults.load import Load, Record
from faults.stack import Stack, clerk_names, machine, prepare, seconds_of

#: seconds of load the restarted platform gets at least
AFTER_RESTART = 3.0


@dataclass
class Outcome:
    findings: Findings
    record: Record
    kills: int = 0
    processes_killed: int = 0
    restart_seconds: list[float] = field(default_factory=list)
    completed_before_first_kill: int = 0
    completed_after_last_restart: int = 0
    stuck_clients: list[str] = field(default_factory=list)
    database: str = ""

    @property
    def ok(self) -> bool:
        return (
            self.findings.ok
            and not self.stuck_clients
            and self.record.hung == 0
            and self.completed_after_last_restart > 0
        )


def run(
    url: str,
    workdir: Path,
    *,
    duration: float = 60.0,
    kills: int = 3,
    clerks: int = 6,
    schedulers: int = 1,
    wait: str = "PT1S",
    limit: str = "PT3S",
    seed: int = 6,
    out: Callable[[str], None] = print,
) -> Outcome:
    rng = random.Random(seed)  # noqa: S311 - when to kill, not security
    since = datetime.now(UTC) - timedelta(seconds=1)
    platform = prepare(url, workdir, clerks)
    stack = Stack(url, workdir, schedulers=schedulers)
    load = Load(stack.port, clerk_names(clerks), seed=seed, wait=wait, limit=limit)
    outcome = Outcome(Findings(), load.record)
    try:
        stack.start()
        load.start()
        began = time.monotonic()
        segment = duration / (kills + 1)
        ready_at = began
        for k in range(kills):
            # a random moment of this segment, but never before the restarted platform took load again
            at = max(began + segment * k + segment * rng.uniform(0.5, 1.0), ready_at + AFTER_RESTART)
            time.sleep(max(0.0, at - time.monotonic()))
            if k == 0:
                outcome.completed_before_first_kill = len(load.record.completed)
            outcome.processes_killed += stack.kill()
            outcome.kills += 1
            out(f"kill {k + 1}: SIGKILL at {time.monotonic() - began:.1f} s, {len(load.record.completed)} done so far")
            time.sleep(rng.uniform(0.2, 1.0))
            restart = time.monotonic()
            stack.start()
            outcome.restart_seconds.append(time.monotonic() - restart)
            ready_at = time.monotonic()
        after_restart = len(load.record.completed)
        # the restarted platform must take load for a while, even when the restart ate the planned time
        time.sleep(max(AFTER_RESTART, began + duration - time.monotonic()))
        load.stop()
        outcome.stuck_clients = load.stuck()
        outcome.completed_after_last_restart = len(load.record.completed) - after_restart
        grace = seconds_of(wait) + seconds_of(limit) + 3.0
        out(f"load stopped; {grace:.0f} s of grace for the timers still due")
        time.sleep(grace)
        overdue_before = datetime.now(UTC) - timedelta(seconds=2)
        if not stack.alive():
            raise RuntimeError("a platform process died on its own:\n" + stack.log_tail())
    finally:
        load.stop()
        stack.stop()
    outcome.findings = check(platform, since, outcome.record, overdue_before=overdue_before)
    outcome.database = _database_line(platform)
    platform.close()
    return outcome


def _database_line(platform: object) -> str:
    engine = platform.database  # type: ignore[attr-defined]
    version = ".".join(str(p) for p in (engine.dialect.server_version_info or ()))
    return f"{engine.dialect.name} {version}"


def report(outcome: Outcome, *, duration: float, clerks: int) -> str:
    counts = outcome.record.counts
    lines = [
        "== fault drill 6: kill -9 of web and scheduler under load, then restart (faults.kill_restart)",
        f"machine: {machine()}; database: {outcome.database}",
        f"load: {clerks} clerks over HTTP for {duration:.0f} s; {outcome.kills} kills, "
        f"{outcome.processes_killed} processes SIGKILLed",
        "answers: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())),
        f"server errors: {len(outcome.record.server_errors)}; hung requests: {outcome.record.hung}; "
        f"slowest answer: {outcome.record.slowest:.2f} s",
        "restart to healthy: " + ", ".join(f"{s:.1f} s" for s in outcome.restart_seconds),
        f"completions answered 200: {len(outcome.record.completed)} "
        f"({outcome.completed_before_first_kill} before the first kill, "
        f"{outcome.completed_after_last_restart} after the last restart)",
        "checks: " + outcome.findings.summary(),
        f"RESULT: {'PASS' if outcome.ok else 'FAIL'}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m faults.kill_restart", description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file in a temporary folder)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--kills", type=int, default=3, help="how many times every process is killed (default 3)")
    parser.add_argument("--clerks", type=int, default=6, help="client threads, one account each (default 6)")
    parser.add_argument("--schedulers", type=int, default=1, help="separate scheduler processes (default 1)")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="onestop-kill-") as folder:
        workdir = Path(folder)
        url = args.database or f"sqlite:///{workdir / 'drill.db'}"
        outcome = run(
            url,
            workdir,
            duration=args.duration,
            kills=args.kills,
            clerks=args.clerks,
            schedulers=args.schedulers,
            seed=args.seed,
        )
        print(report(outcome, duration=args.duration, clerks=args.clerks))
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
