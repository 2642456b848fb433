"""A statistics report (StatsService.report) as files a spreadsheet program opens: CSV in UTF-8 with a byte-order
mark (so Excel reads the Chinese correctly) and XLSX with a sheet per grouping and a definitions sheet."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from engine.domain.spreadsheet_cells import safe_cell, safe_row

GROUPING_TITLES = {
    "department": "按部门", "window": "按窗口", "officer": "按经办人", "item": "按事项", "item_type": "按事项类型",
    "channel": "按渠道", "level": "按层级", "month": "按月", "quarter": "按季度",
}  # fmt: skip
BASIS_LABELS = {"cohort": "队列（本期收件）", "flow": "流量（本期发生）", "period": "本期记录"}
UNIT_LABELS = {"count": "件/人次", "percent": "%", "working_days": "工作日"}
PERCENT_FORMAT = "0.00%"
DAYS_FORMAT = "0.00"
TOTAL = "合计"


def _headers(report: dict[str, Any]) -> list[str]:
    return [f"{m['zh']}{'（%）' if m['unit'] == 'percent' else ''}" for m in report["metrics"]]


def _values(report: dict[str, Any], figures: dict[str, float]) -> list[float]:
    return [figures[m["key"]] for m in report["metrics"]]


def to_csv(report: dict[str, Any], by: str | None = None) -> bytes:
    """One table: a row per group of ``by`` (or none) and the period's totals; percentages as numbers 0–100."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["统计期间", "分组", "编码", "名称", *_headers(report)])
    period = f"{report['from']}～{report['to']}"
    title = GROUPING_TITLES.get(by or "", "")
    for row in report["groups"].get(by, []) if by else []:
        # group keys and labels are names people typed (departments, officers, items): never formulas
        writer.writerow(safe_row([period, title, row["key"], row["label"], *_values(report, row["figures"])]))
    writer.writerow([period, title, "", TOTAL, *_values(report, report["totals"])])
    return out.getvalue().encode("utf-8-sig")


def _append_text_safe(sheet: Any, values: list[Any]) -> None:
    """Append a row whose text cells stay text: openpyxl stores a string starting with "=" as a formula, so
    names people typed (departments, items, officers) get the CSV's guard and the string type."""
    sheet.append([safe_cell(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _table(
    sheet: Any, report: dict[str, Any], header: list[str], rows: list[tuple[list[Any], dict[str, float]]]
) -> None:
    sheet.append([*header, *_headers(report)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    units = [m["unit"] for m in report["metrics"]]
    for lead, figures in rows:
        values = _values(report, figures)
        # a percent cell holds a fraction shown as a percentage, so spreadsheet sums and charts work
        _append_text_safe(
            sheet, [*lead, *(v / 100 if u == "percent" else v for v, u in zip(values, units, strict=True))]
        )
        line = sheet.max_row
        for offset, unit in enumerate(units, start=len(lead) + 1):
            if unit in {"percent", "working_days"}:
                sheet.cell(line, offset).number_format = PERCENT_FORMAT if unit == "percent" else DAYS_FORMAT
    sheet.freeze_panes = sheet.cell(2, len(header) + 1)
    for column in range(1, len(header) + len(units) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14


def to_xlsx(report: dict[str, Any]) -> bytes:
    """The totals, one sheet per grouping of the report (with a 合计 row), and the metrics' definitions."""
    book = Workbook()
    totals = book.active
    totals.title = TOTAL
    _table(totals, report, ["统计期间"], [([f"{report['from']}～{report['to']}"], report["totals"])])
    for by, rows in report["groups"].items():
        sheet = book.create_sheet(GROUPING_TITLES.get(by, by)[:31])
        lines = [([row["key"], row["label"]], row["figures"]) for row in rows]
        _table(sheet, report, ["编码", "名称"], [*lines, (["", TOTAL], report["totals"])])
    notes = book.create_sheet("指标定义")
    notes.append(["指标", "中文名", "English", "单位", "口径", "定义"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for m in report["metrics"]:
        _append_text_safe(
            notes, [m["key"], m["zh"], m["en"], UNIT_LABELS[m["unit"]], BASIS_LABELS[m["basis"]], m["definition"]]
        )
    for by, note in report.get("groupings", {}).items():
        _append_text_safe(notes, [by, GROUPING_TITLES.get(by, by), "", "", "分组", note])
    notes.column_dimensions["F"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
