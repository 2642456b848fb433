"""The supervision window's board over the API: the live dashboard and the efficiency of a period
(supervisors and administrators)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from engine.errors import FieldError, FormValidationError
from engine.services.supervision import require_supervisor
from engine.services.supervision_views import Dashboard, Efficiency, EfficiencyRow, LiveCase
from webapp.api import bp
from webapp.api.render import jsonable
from webapp.auth import current_principal, platform


def live_case_json(case: LiveCase) -> dict[str, Any]:
    return {**jsonable(asdict(case)), "days_overdue": case.days_overdue}


def dashboard_json(board: Dashboard) -> dict[str, Any]:
    return {
        "now": board.now.isoformat(),
        "working_hours": board.working_hours,
        "year": board.year,
        "total": jsonable(asdict(board.total)),
        "departments": [jsonable(asdict(row)) for row in board.departments],
        "windows": [jsonable(asdict(row)) for row in board.windows],
        "warned": [live_case_json(c) for c in board.warned],
        "overdue": [live_case_json(c) for c in board.overdue],
        "first_inquiry": [jsonable(asdict(v)) for v in board.first_inquiry],
        # the lists hold at most list_limit entries, worst (or latest) first; the totals count them all
        "warned_total": board.warned_total,
        "overdue_total": board.overdue_total,
        "first_inquiry_total": board.first_inquiry_total,
        "list_limit": board.list_limit,
    }


def efficiency_row_json(row: EfficiencyRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "name": row.name,
        "completed": row.completed,
        "on_time": row.on_time,
        "instant": row.instant,
        "promised_cases": row.promised_cases,
        "on_time_rate": row.on_time_rate,
        "average_working_days": row.average_working_days,
        "speed_up_cases": row.speed_up_cases,
        "speed_up_rate": row.speed_up_rate,
    }


def efficiency_json(report: Efficiency) -> dict[str, Any]:
    return {
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "total": efficiency_row_json(report.total),
        "departments": [efficiency_row_json(r) for r in report.departments],
        "officers": [efficiency_row_json(r) for r in report.officers],
        "definitions": report.definitions,
    }


def period_args(today: date) -> tuple[date, date]:
    """``from`` and ``to`` (YYYY-MM-DD, both included); by default this month up to today."""
    found = []
    for name, default in (("from", today.replace(day=1)), ("to", today)):
        raw = request.args.get(name, "").strip()
        try:
            value = date.fromisoformat(raw) if raw else default
        except ValueError as exc:
            raise FormValidationError("invalid period", [FieldError(name, "a date YYYY-MM-DD")]) from exc
        if not 2000 <= value.year <= 2100:
            raise FormValidationError("invalid period", [FieldError(name, "a date between 2000 and 2100")])
        found.append(value)
    return found[0], found[1]


@bp.get("/supervision/dashboard")
def supervision_dashboard() -> ResponseReturnValue:
    return jsonify(dashboard_json(platform().supervision.dashboard(current_principal())))


@bp.get("/supervision/efficiency")
def supervision_efficiency() -> ResponseReturnValue:
    principal = current_principal()
    require_supervisor(principal)  # who may ask comes before what was asked
    services = platform()
    today = services.clock.now().astimezone(services.calendar.calendar().zone).date()
    start, end = period_args(today)
    return jsonify(efficiency_json(services.supervision.efficiency(principal, start, end)))
