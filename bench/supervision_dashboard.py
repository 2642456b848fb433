"""Benchmark: the supervision board (电子监察看板) over many open cases, page and JSON.

Workload: the bundled catalogue and organisation; N open cases spread over every item, written straight into the
database with SQL (rows built from real ``Case`` objects: history, materials, pauses and extensions as the case
service writes them), each with a process instance and one ready task. The mix: 10 % received, 2 % waiting for
a correction, 83 % accepted (3 % of them extended), 5 % paused (special procedure); receipt lies back from now
exponentially with a mean of six days, so every colour occurs.

Run:  .venv/bin/python -m bench.supervision_dashboard [--cases 50000] [--runs 15] [--database sqlite:///...]
Prints the p50/p95 time of GET /supervision (the HTML page) and of the board service alone, the page's size and
the JSON size of GET /api/v1/supervision/dashboard.
"""

from __future__ import annotations

import argparse
import contextlib
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

from sqlalchemy import insert, select

from engine.bootstrap import Platform, build_platform
from engine.clock import FrozenClock
from engine.config import Settings
from engine.domain.access import Principal, RoleGrant
from engine.domain.calendar import WorkCalendar
from engine.domain.case_codec import case_to_dict
from engine.domain.cases import Case
from engine.errors import OnestopError
from engine.persistence.tables import cases, human_tasks, instances, items, process_versions

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
    return {
        "cases": count,
        "seed_s": seeded,
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
    out(f"workload: {figures['open']} open cases ({figures['warned']} warned), seeded in {figures['seed_s']:.1f} s")
    out(f"GET /supervision              p50={figures['page_p50_ms']:.0f} ms  p95={figures['page_p95_ms']:.0f} ms")
    out(f"  HTML size                   {figures['html_kb']:.1f} KiB")
    out(f"board service alone           p50={figures['service_p50_ms']:.0f} ms  p95={figures['service_p95_ms']:.0f} ms")
    out(f"GET /api/v1/supervision/dashboard  p50={figures['api_p50_ms']:.0f} ms  JSON {figures['json_kb']:.1f} KiB")
    return figures


if __name__ == "__main__":
    main()
