"""The centre's figures for a period (domain §10), with each metric's definition beside it.

Every figure — GET /stats's top-level ones, the report's totals and groups, the monthly bulletin — is computed by
engine/domain/metrics.py, which holds the one definition of each. Case metrics are cohort-based: the cohort is the
cases RECEIVED in the period, and every other case count is about that cohort (so received ≥ accepted ≥ completed
always holds). A period covers at most :data:`MAX_PERIOD_DAYS` days.
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

#: the longest period a report or GET /stats covers (a leap year): longer ones are a field error, not a slow page
MAX_PERIOD_DAYS = 366


def _require_viewer(principal: Principal) -> None:
    if not (principal.is_admin or principal.has_role("supervisor")):
        raise PermissionDenied("only administrators and the supervision window see the statistics")


def definitions() -> list[dict[str, str]]:
    """Every metric of domain §10 with its one definition (engine/domain/metrics.py METRICS)."""
    return [
        {"key": m.key, "zh": m.zh, "en": m.en, "unit": m.unit, "basis": m.basis, "definition": m.definition}
        for m in metrics.METRICS
    ]


def contract_definitions() -> dict[str, str]:
    """Every metric's definition by key, "中文名: definition" — the ``definitions`` of GET /stats."""
    return {m.key: f"{m.zh}: {m.definition}" for m in metrics.METRICS}


def check_period(start: date, end: date) -> None:
    """[start, end] (dates inclusive) must run forwards and cover at most :data:`MAX_PERIOD_DAYS` days."""
    if end < start:
        raise FormValidationError("invalid period", [FieldError("to", "must not be before from")])
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise FormValidationError(
            "period too long", [FieldError("to", f"the period covers at most {MAX_PERIOD_DAYS} days from `from`")]
        )


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
        check_period(start, end)
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

    def period(self, principal: Principal, start: date, end: date, group_by: Sequence[str] = ()) -> dict[str, Any]:
        """GET /stats: every metric for [start, end] at the top level (the same figures as :meth:`report`'s
        totals, one definition each), ``definitions`` by key and, with ``group_by``, ``groups``."""
        report = self.report(principal, start, end, group_by)
        figures: dict[str, Any] = {"from": report["from"], "to": report["to"], **report["totals"]}
        figures["definitions"] = contract_definitions()
        if report["group_by"]:
            figures["groups"] = report["groups"]
        return figures
