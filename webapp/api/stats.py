"""The statistics report as files (CSV, XLSX) and the metrics' definitions; GET /stats is in centre.py."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask.typing import ResponseReturnValue

from engine.services.stats import definitions
from engine.services.stats_export import to_csv, to_xlsx
from webapp.api import bp
from webapp.auth import current_principal, platform
from webapp.report_args import groupings, period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(default_group: list[str]) -> dict[str, Any]:
    principal = current_principal()
    start, end = period(request.args)
    return platform().stats.report(principal, start, end, groupings(request.args) or default_group)


def _download(body: bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/stats/report.csv")
def stats_csv() -> ResponseReturnValue:
    report = _report([])
    by = report["group_by"][0] if report["group_by"] else None
    name = f"stats-{report['from']}-{report['to']}{'-' + by if by else ''}.csv"
    return _download(to_csv(report, by), "text/csv; charset=utf-8", name)


@bp.get("/stats/report.xlsx")
def stats_xlsx() -> ResponseReturnValue:
    report = _report(["department", "month"])
    return _download(to_xlsx(report), XLSX, f"stats-{report['from']}-{report['to']}.xlsx")


@bp.get("/stats/definitions")
def stats_definitions() -> ResponseReturnValue:
    return jsonify(definitions())
