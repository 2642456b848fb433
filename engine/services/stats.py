"""The centre's figures for a period (domain §10), with each metric's definition beside it.

Case metrics are cohort-based: the cohort is the cases RECEIVED in the period, and every other case count is
about that cohort (so received ≥ accepted ≥ completed always holds). Consultations are those ASKED in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from engine.domain import metrics
from engine.domain.access import Principal
from engine.errors import FieldError, FormValidationError, PermissionDenied
from engine.services.context import ServiceContext
from engine.services.stats_facts import load_facts
from engine.services.stats_monthly import monthly_report

DEFINITIONS = {
    "consultations": "咨询量: consultations logged (any channel, incl. the 96128 hotline) asked in the period",
    "received": "收件量: cases received in the period (the cohort)",
    "accepted": "受理量: cohort cases accepted (incl. auto-accepted after 5 working days and 即办)",
    "not_accepted": "不予受理: cohort cases refused at acceptance",
    "corrections": "补正: cohort cases that received at least one 一次性告知单",
    "completed": "办结量: accepted cohort cases decided (准予/不予), completed on the spot, or withdrawn or terminated "
    "after acceptance, before the period's end; delivery may follow the decision (行政许可法第四十四条)",
    "completion_rate": "办结率: completed / accepted, in percent (cohort)",
    "on_time_rate": "按时办结率: completed (decided) no later than their promised due time / completed, in percent",
    "overdue": "超期: accepted cohort cases past their promised due time and not completed at the period's end "
    "(or now, if earlier); a case paused for a special procedure is not counted (第四十五条)",
    "instant": "即办件: cohort cases completed on the spot",
    "instant_share": "即办件占比: instant / completed, in percent",
}


def _done_at(case: dict[str, Any]) -> datetime | None:
    """When the case was 办结: its decision (delivery may follow within 第44条's ten days), or its end."""
    decided = case["record"].get("decided_at")
    return datetime.fromisoformat(decided) if decided else case["completed_at"]


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def _require_viewer(principal: Principal) -> None:
    if not (principal.is_admin or principal.has_role("supervisor")):
        raise PermissionDenied("only administrators and the supervision window see the statistics")


def definitions() -> list[dict[str, str]]:
    """Every metric of domain §10 with its one definition (engine/domain/metrics.py METRICS)."""
    return [
        {"key": m.key, "zh": m.zh, "en": m.en, "unit": m.unit, "basis": m.basis, "definition": m.definition}
        for m in metrics.METRICS
    ]


def check_groupings(group_by: Sequence[str]) -> list[str]:
    """The groupings asked for, each once, in the order given; an unknown one is a field error."""
    unknown = [g for g in group_by if g not in metrics.GROUPINGS]
    if unknown:
        raise FormValidationError(
            "invalid grouping", [FieldError("group_by", f"one of {', '.join(metrics.GROUPINGS)}; not {unknown[0]}")]
        )
    return list(dict.fromkeys(group_by))


class StatsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def _span(self, start: date, end: date) -> metrics.Span:
        zone = self._ctx.runtime_calendar().zone
        since = datetime.combine(start, time(0), zone)
        until = datetime.combine(end + timedelta(days=1), time(0), zone)  # `end` is inclusive
        return metrics.Span(since, until, self._ctx.now())

    def _facts(self, span: metrics.Span) -> tuple[list[metrics.CaseFacts], list[metrics.Event], Any]:
        calendar = self._ctx.runtime_calendar()
        with self._ctx.uow() as uow:
            return load_facts(uow, calendar, span.since, span.until)

    def report(self, principal: Principal, start: date, end: date, group_by: Sequence[str] = ()) -> dict[str, Any]:
        """Every metric for the period [start, end] (dates inclusive), overall and per grouping: ``groups``
        maps each grouping to rows of {key, label, figures}; the definitions travel with the figures."""
        _require_viewer(principal)
        groupings = check_groupings(group_by)
        span = self._span(start, end)
        cases, events, lookups = self._facts(span)
        groups = {
            by: [
                {"key": g.key, "label": lookups.label(by, g.key), "figures": g.figures}
                for g in metrics.group(cases, events, span, by)
            ]
            for by in groupings
        }
        return {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "group_by": groupings,
            "totals": metrics.compute(cases, events, span),
            "groups": groups,
            "metrics": definitions(),
            "groupings": {by: metrics.GROUPING_NOTES[by] for by in groupings},
        }

    def monthly(self, principal: Principal, year: int, month: int) -> dict[str, Any]:
        """The printable monthly report (防城港-style bulletin, domain §10) for one calendar month."""
        _require_viewer(principal)
        first = date(year, month, 1)
        previous = (first - timedelta(days=1)).replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        span = self._span(previous, last)
        cases, events, lookups = self._facts(span)
        with self._ctx.uow() as uow:
            active_departments = sorted({i["department"] for i in uow.catalogue.all()})
        return monthly_report(cases, events, span, first, lookups, active_departments)

    def period(self, principal: Principal, start: date, end: date) -> dict[str, Any]:
        _require_viewer(principal)
        zone = self._ctx.runtime_calendar().zone
        since = datetime.combine(start, time(0), zone)
        until = datetime.combine(end + timedelta(days=1), time(0), zone)  # `to` is inclusive
        now = min(self._ctx.now(), until)
        with self._ctx.uow() as uow:
            cohort = uow.cases.received_between(since, until)
            consultations = uow.consultations.count_between(since, until)
        instant = [c for c in cohort if any(h["action"] == "complete_instantly" for h in c["record"]["history"])]
        instant_nos = {c["case_no"] for c in instant}
        accepted = [c for c in cohort if c["accepted_at"] is not None or c["case_no"] in instant_nos]
        # a refusal at acceptance is not a completed case: completion counts accepted cases only
        for case in cohort:
            case["done_at"] = _done_at(case)
        completed = [c for c in accepted if c["done_at"] is not None and c["done_at"] < until]
        on_time = [c for c in completed if c["due_at"] is None or c["done_at"] <= c["due_at"]]
        overdue = [
            c
            for c in accepted
            if (c["done_at"] is None or c["done_at"] >= until)
            and c["due_at"] is not None
            and c["due_at"] < now
            and c["status"] != "paused"  # 第45条: a special procedure's time does not count
        ]
        figures = {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "consultations": consultations,
            "received": len(cohort),
            "accepted": len(accepted),
            "not_accepted": sum(1 for c in cohort if c["status"] == "not_accepted"),
            "corrections": sum(1 for c in cohort if c["record"].get("corrections")),
            "completed": len(completed),
            "completion_rate": _percent(len(completed), len(accepted)),
            "on_time_rate": _percent(len(on_time), len(completed)),
            "overdue": len(overdue),
            "instant": len(instant),
            "instant_share": _percent(len(instant), len(completed)),
            "definitions": DEFINITIONS,
        }
        return figures
