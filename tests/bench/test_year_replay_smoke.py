"""The year replay (bench/year_replay.py) at a tiny scale on the suite's database: every kind of case the full
run has, the statistics report checked against the workload, and the same workload in memory."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date

from sqlalchemy import select

from bench.year_checks import check_report
from bench.year_memory import MemoryReplay
from bench.year_replay import replay_persisted
from bench.year_workload import plan_year
from engine.bootstrap import Platform
from engine.clock import FrozenClock
from engine.demo import load_platform_data
from engine.persistence.tables import notices

#: every fate often enough that 60 cases meet each of them
EVEN_FATES = {"normal": 3, "not_accepted": 1, "refused": 1, "special": 2, "extension": 2, "late": 1}


def test_year_replay_statistics_agree_with_the_workload(platform: Platform, clock: FrozenClock) -> None:
    load_platform_data(platform, lambda _: None)
    calendar = platform.calendar.calendar()
    workload = plan_year(
        calendar, date(2026, 3, 11), cases=60, consultations=100, days=3, seed=8, fates=EVEN_FATES,
        bad_review_share=0.1,
    )  # fmt: skip
    x = workload.expected
    kinds = ("corrections", "fate_not_accepted", "fate_instant", "refused_decisions", "fate_special",
             "fate_extension", "late", "bad_reviews", "fixes_rated", "consult_transferred", "hotline")  # fmt: skip
    assert all(x[kind] > 0 for kind in kinds), {kind: x[kind] for kind in kinds}

    result = replay_persisted(platform, clock, workload)

    failed = [c for c in result["checks"] if not c.passed]
    assert failed == [], (failed, result["errors"])
    totals = result["report"]["totals"]
    assert totals["received"] == 60 and totals["consultations"] == 100 and totals["completion_rate"] == 100.0
    counts = result["counts"]
    assert counts["completions"] > 4 * 60 and counts["timer_ticks"] > 0  # real BPMN steps and timers ran

    # every case's receipt (受理回执) numbered in turn, none skipped or repeated
    with platform.database.connect() as conn:
        numbers = conn.execute(select(notices.c.number).where(notices.c.kind == "receipt")).scalars().all()
    assert sorted(int(re.findall(r"第(\d+)号", n)[0]) for n in numbers) == list(range(1, 61))

    # the checks can fail: a workload that claims one case more disagrees with the same report
    claimed = replace(workload, expected=x + Counter({"received": 1, "late": 1}))
    wrong = {c.name for c in check_report(totals, claimed, counts, platform) if not c.passed}
    assert {"received = cases generated", "completed late = planned late"} <= wrong

    # the in-memory baseline does exactly the same clerk work on the same BPMN
    memory = MemoryReplay(workload, calendar).run()
    assert memory["missing"] == 0 and memory["completions"] == counts["completions"]
