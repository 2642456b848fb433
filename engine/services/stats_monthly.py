"""The monthly report (月度通报, like the 防城港 bulletin of domain §10): headline figures with their change on
the previous month, the top ten departments by volume and by speed, departments with no business, 好差评,
complaints and warnings."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from engine.domain import metrics
from engine.services.stats_facts import Lookups

#: the bulletin's headline figures, in its order
HEADLINE = (
    "received", "accepted", "completed", "completion_rate", "on_time_rate", "average_working_days", "speed_up_rate",
    "late_completed", "overdue", "instant_share", "agency_cases", "completed_flow", "consultations",
)  # fmt: skip
FEEDBACK = ("evaluations", "evaluation_rate", "satisfaction_rate", "bad_reviews", "complaints", "complaints_closed")
WARNINGS = ("yellow_cards", "red_cards", "revoked_cards", "red_card_entries", "accountability")
TOP = 10


def _row(key: str, current: dict[str, float], previous: dict[str, float]) -> dict[str, Any]:
    m = metrics.metric(key)
    return {
        "key": key,
        "zh": m.zh,
        "en": m.en,
        "unit": m.unit,
        "value": current[key],
        "previous": previous[key],
        "change": metrics.change_percent(current[key], previous[key]),
    }


def monthly_report(
    cases: list[metrics.CaseFacts],
    events: list[metrics.Event],
    span: metrics.Span,
    first: date,
    lookups: Lookups,
    departments: list[str],
) -> dict[str, Any]:
    """``span`` runs from the previous month's first day to this month's end; ``departments`` are those with
    items in the catalogue (the ones that could have had business)."""
    start = datetime.combine(first, time(0), span.since.tzinfo)
    this = metrics.Span(start, span.until, span.now)
    before = metrics.Span(span.since, start, span.now)
    current, previous = metrics.compute(cases, events, this), metrics.compute(cases, events, before)
    per_department = {g.key: g.figures for g in metrics.group(cases, events, this, "department") if g.key}
    rows: list[dict[str, Any]] = [
        {"key": code, "label": lookups.label("department", code), **figures} for code, figures in per_department.items()
    ]
    by_volume = sorted((r for r in rows if r["received"]), key=lambda r: (-r["received"], r["key"]))[:TOP]
    timed = [r for r in rows if r["completed"] and r["completed"] > r["instant"]]
    by_speed = sorted(timed, key=lambda r: (-r["speed_up_rate"], r["average_working_days"], r["key"]))[:TOP]
    idle = [
        {"key": code, "label": lookups.label("department", code)}
        for code in departments
        if not per_department.get(code, {}).get("received")
    ]
    return {
        "month": f"{first:%Y-%m}",
        "previous_month": f"{span.since:%Y-%m}",
        "headline": [_row(k, current, previous) for k in HEADLINE],
        "feedback": [_row(k, current, previous) for k in FEEDBACK],
        "warnings": [_row(k, current, previous) for k in WARNINGS],
        "top_by_volume": by_volume,
        "top_by_speed": by_speed,
        "no_business": idle,
        "totals": current,
        "metrics": {m.key: {"zh": m.zh, "en": m.en, "definition": m.definition} for m in metrics.METRICS},
    }
