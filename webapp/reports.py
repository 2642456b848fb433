"""Statistics pages for administrators and the supervision window: the report for a period with its charts and
downloads, the printable monthly report, and the metrics' definitions (domain §10)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from engine.domain.access import Principal
from engine.domain.metrics import GROUPING_NOTES
from engine.errors import FormValidationError, PermissionDenied
from engine.services.stats import definitions
from engine.services.stats_export import GROUPING_TITLES, to_csv, to_xlsx
from webapp import report_args
from webapp.auth import platform
from webapp.charts import Series, bar_chart, line_chart
from webapp.security import login_required, signed_in_principal

bp = Blueprint("reports", __name__, url_prefix="/reports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_DEPARTMENTS = 15  # the busiest departments shown in the bar chart; the table has them all


def _principal() -> Principal:
    principal = signed_in_principal()
    assert principal is not None  # login_required ran first
    return principal


def _today() -> date:
    return platform().clock.now().astimezone(platform().calendar.calendar().zone).date()


def _english() -> bool:
    return str(get_locale()) == "en"


def _forbidden() -> ResponseReturnValue:
    return render_template("pages/error.html", message=_("只有管理员和纪检监察窗口可以查看统计报表")), 403


def _invalid(error: FormValidationError) -> ResponseReturnValue:
    fields = ", ".join(f"{e.field}: {e.message}" for e in error.field_errors)
    return render_template("pages/error.html", message=_("查询条件有误：%(fields)s", fields=fields)), 422


def _charts(report: dict[str, Any]) -> dict[str, Any]:
    received, completed = _("收件量"), _("办结量")
    departments = sorted(report["groups"]["department"], key=lambda g: -g["figures"]["received"])
    departments = [g for g in departments if g["key"]][:CHART_DEPARTMENTS]
    months = report["groups"]["month"]
    return {
        "by_department": bar_chart(
            _("各部门收件量与办结量"),
            [g["label"] for g in departments],
            [
                Series(received, [g["figures"]["received"] for g in departments]),
                Series(completed, [g["figures"]["completed"] for g in departments]),
            ],
        ),
        "by_month": line_chart(
            _("逐月收件量与办结量"),
            [g["key"] for g in months],
            [
                Series(received, [g["figures"]["received"] for g in months]),
                Series(completed, [g["figures"]["completed"] for g in months]),
                Series(_("办结量（流量）"), [g["figures"]["completed_flow"] for g in months]),
            ],
        ),
    }


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    try:
        start, end = report_args.period(request.args, _today())
        chosen = (report_args.groupings(request.args) or ["department"])[0]
        report = platform().stats.report(_principal(), start, end, [chosen, "department", "month"])
    except PermissionDenied:
        return _forbidden()
    except FormValidationError as error:
        return _invalid(error)
    return render_template(
        "pages/reports.html",
        report=report,
        chosen=chosen,
        rows=report["groups"][chosen],
        titles=GROUPING_TITLES,
        english=_english(),
        charts=_charts(report),
    )


def _export(kind: str) -> ResponseReturnValue:
    try:
        start, end = report_args.period(request.args, _today())
        chosen = report_args.groupings(request.args)
        if kind == "xlsx":
            chosen = chosen or ["department", "month"]
        report = platform().stats.report(_principal(), start, end, chosen)
    except PermissionDenied:
        return _forbidden()
    except FormValidationError as error:
        return _invalid(error)
    name = f"stats-{start}-{end}.{kind}"
    if kind == "csv":
        body, mimetype = to_csv(report, chosen[0] if chosen else None), "text/csv; charset=utf-8"
    else:
        body, mimetype = to_xlsx(report), XLSX
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/export.csv")
@login_required
def export_csv() -> ResponseReturnValue:
    return _export("csv")


@bp.get("/export.xlsx")
@login_required
def export_xlsx() -> ResponseReturnValue:
    return _export("xlsx")


@bp.get("/monthly")
@login_required
def monthly() -> ResponseReturnValue:
    try:
        year, month = report_args.month(request.args, _today())
        report = platform().stats.monthly(_principal(), year, month)
    except PermissionDenied:
        return _forbidden()
    except FormValidationError as error:
        return _invalid(error)
    return render_template("pages/reports_monthly.html", report=report, english=_english())


@bp.get("/definitions")
@login_required
def metric_definitions() -> ResponseReturnValue:
    return render_template(
        "pages/reports_definitions.html",
        metrics=definitions(),
        groupings=GROUPING_NOTES,
        titles=GROUPING_TITLES,
        english=_english(),
    )
