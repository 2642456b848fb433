"""Efficiency (效能) of departments and officers over a period, from the decided cases' records (domain §5.4,
§10): how many they decided, how many by the promised time, the working days used and the speed-up against the
law — counted by WHO DECIDED WHEN, for holding departments and approvers to account.

These are NOT the figures of the statistics reports (engine/domain/metrics.py, /reports), and their names say
so (“决定于本期”): the reports follow the cohort of cases RECEIVED in the period (按时办结率, 承诺件平均办结时间,
实际提速率 there), and their speed-up counts a case slower than the law as 0. Here:

* a case counts in the period when its decision (准予 / 不予许可, or 当场办结 for an instant item) falls in it,
  whenever it was received; withdrawn and terminated cases have no decision and do not count;
* the officer is the actor of the decision transition in the case's history (the approver who signed);
* on time: decided no later than the promised due instant (承诺时限, extensions included, paused time left out);
* working days used: CaseClock.used_working_days at the decision (after acceptance, pauses left out);
* the average and the speed-up cover promised cases (承诺件) only: an instant case uses 0 days by design;
* speed-up = mean over promised cases with a statutory limit of (1 − used / statutory days), in percent; the
  statutory limit is the published 法定时限 without extensions, and a case slower than the law counts
  NEGATIVELY (the reports count it as 0), so a negative figure means slower than the law on average; the
  pages say so next to the figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.domain.calendar import WorkCalendar
from engine.domain.case_codec import case_from_dict
from engine.domain.cases import Case
from engine.services.supervision_views import EfficiencyRow

DECIDED_STATUSES = ("approved", "refused", "completed", "delivered")
DECISIONS = ("decide", "complete_instantly")
DEFINITIONS = {
    "scope": "决定于本期 (decided in the period): every figure here counts the cases whose decision falls in the "
    "period, whoever received them when; the statistics reports (/reports, 统计报表) count the cohort received "
    "in the period instead, so their 按时办结率 / 平均办结时间 / 实际提速率 differ from these by design",
    "completed": "决定件数（决定于本期）: cases whose decision (准予/不予许可, or 当场办结) falls in the period; "
    "withdrawn and terminated cases are not counted",
    "officer": "the actor of the decision transition in the case's history",
    "on_time_rate": "按期决定率（决定于本期）: decided no later than the promised due instant (extensions "
    "included, paused time left out) / decided in the period, in percent",
    "average_working_days": "平均决定用时（工作日，决定于本期）: mean working days from acceptance to decision "
    "(paused time left out) over promised (non-instant) cases decided in the period",
    "speed_up_rate": "较法定时限提速（决定于本期，可为负）: mean of (1 − working days used / statutory days) over "
    "promised cases with a statutory limit decided in the period, in percent; statutory days as published, "
    "without extensions; a case slower than the law counts negatively, so a negative figure means slower "
    "than the law on average (the reports' 实际提速率 counts such a case as 0)",
}


@dataclass(frozen=True)
class Decided:
    """One decided case reduced to what the efficiency tables need."""

    case_no: str
    department: str
    officer: str
    decided_at: datetime
    instant: bool
    on_time: bool
    used_days: int
    statutory_days: int | None


def _decision_actor(case: Case) -> str:
    for transition in reversed(case.history):
        if transition.action in DECISIONS:
            return transition.actor
    return "system"


def decided_in(rows: Iterable[dict[str, Any]], start: datetime, end: datetime, calendar: WorkCalendar) -> list[Decided]:
    """The rows' cases decided in [start, end)."""
    found = []
    for row in rows:
        case = case_from_dict(row["record"])
        clock, decided_at = case.clock, case.decided_at
        if clock is None or decided_at is None or not (start <= decided_at < end):
            continue
        due = clock.promised_due(calendar, decided_at).due_at
        found.append(
            Decided(
                case_no=case.case_no,
                department=row["department"],
                officer=_decision_actor(case),
                decided_at=decided_at,
                instant=case.instant,
                on_time=decided_at <= due,
                used_days=clock.used_working_days(calendar, decided_at),
                statutory_days=case.statutory_days,
            )
        )
    return found


def add_case(row: EfficiencyRow, case: Decided) -> None:
    row.completed += 1
    row.on_time += case.on_time
    if case.instant:
        row.instant += 1
        return
    row.promised_cases += 1
    row.working_days_total += case.used_days
    if case.statutory_days:
        row.speed_up_cases += 1
        row.speed_up_sum += 1.0 - case.used_days / case.statutory_days


def tabulate(cases: list[Decided], names: dict[str, str], key: str) -> list[EfficiencyRow]:
    """One row per department or officer (``key``: "department" or "officer"), most cases first."""
    rows: dict[str, EfficiencyRow] = {}
    for case in cases:
        code = getattr(case, key)
        row = rows.setdefault(code, EfficiencyRow(code, names.get(code, code)))
        add_case(row, case)
    return sorted(rows.values(), key=lambda r: (-r.completed, r.key))
