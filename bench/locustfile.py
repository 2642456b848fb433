"""Locust clerks for bench/http_load.py: sign in, read the inbox, open a task, complete it, again and again.

Each simulated user takes one clerk account of its own (an exclusive claim file, so it also holds with locust's
``--processes``): the clerk's inbox holds intake tasks no other clerk may work on, so a 409 here is a real error.
Every request is also logged, with its exact latency and status, to a per-process file that http_load.py reads
(locust's own CSV rounds percentiles); a completion's line carries the task id, so the bench can check each
200 against the database. A clerk whose inbox is empty stops (the bench warns: its stock was too small).

Environment (set by http_load.py): ONESTOP_BENCH_CLERKS (JSON file: [[username, password], ...]),
ONESTOP_BENCH_DIR (folder for claims and logs), ONESTOP_BENCH_THINK (mean think time, seconds; 0 = none).
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, events, task
from locust.exception import StopUser

INTAKE_FORM = {"applicant_name": "张三", "project_name": "负载测试项目", "materials_complete": True, "accepted": True}
_log: Any = None


def _bench_dir() -> Path:
    return Path(os.environ["ONESTOP_BENCH_DIR"])


def _claim_clerk() -> tuple[str, str]:
    """The first clerk no other simulated user (in any locust process) has taken."""
    clerks = json.loads(Path(os.environ["ONESTOP_BENCH_CLERKS"]).read_text(encoding="utf-8"))
    claims = _bench_dir() / "claims"
    claims.mkdir(exist_ok=True)
    for username, password in clerks:
        try:
            os.close(os.open(claims / username, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            continue
        return str(username), str(password)
    raise StopUser()  # more simulated users than clerks


@events.request.add_listener
def _log_request(
    request_type: str,
    name: str,
    response_time: float,
    response: Any = None,
    context: dict[str, Any] | None = None,
    exception: Any = None,
    start_time: float | None = None,
    **_: Any,
) -> None:
    global _log
    if _log is None:  # one file per process; line-buffered so a killed process loses at most a line
        _log = (_bench_dir() / f"requests-{os.getpid()}.tsv").open("a", encoding="utf-8", buffering=1)
    status = getattr(response, "status_code", 0) or 0
    task_id = (context or {}).get("task_id", "")
    _log.write(f"{start_time or time.time():.6f}\t{request_type} {name}\t{status}\t{response_time:.3f}\t{task_id}\n")


class Clerk(HttpUser):
    """One window clerk working through their own inbox."""

    def wait_time(self) -> float:
        think = float(os.environ.get("ONESTOP_BENCH_THINK", "0"))
        return random.uniform(0.5 * think, 1.5 * think) if think > 0 else 0.0

    def on_start(self) -> None:
        username, password = _claim_clerk()
        signed_in = self.client.post("/api/v1/auth/token", json={"username": username, "password": password})
        if signed_in.status_code != 200:
            raise StopUser()
        self.client.headers["Authorization"] = f"Bearer {signed_in.json()['token']}"

    @task
    def complete_next(self) -> None:
        inbox = self.client.get("/api/v1/tasks?limit=20", name="/api/v1/tasks")
        if inbox.status_code != 200:
            return
        tasks = inbox.json()
        if not tasks:
            raise StopUser()  # stock exhausted: the bench reports it
        task_id = tasks[0]["id"]
        shown = self.client.get(f"/api/v1/tasks/{task_id}", name="/api/v1/tasks/{id}")
        if shown.status_code != 200:
            return
        self.client.post(
            f"/api/v1/tasks/{task_id}/complete",
            json={"data": INTAKE_FORM},
            name="/api/v1/tasks/{id}/complete",
            context={"task_id": task_id},
        )
