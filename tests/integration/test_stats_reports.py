"""Statistics over the demo data (engine/demo_cases.py run on a database of its own): consistent in every group
and in total, equal to the contract's period figures, and exported to CSV and XLSX files that read back equal."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from engine.bootstrap import Platform, build_platform
from engine.clock import FrozenClock
from engine.demo import load_platform_data
from engine.demo_cases import generate
from engine.domain.metrics import GROUPINGS, JUDGED_AT_END, METRICS, TIME_GROUPINGS
from engine.domain.organisation import load_organisation
from engine.errors import FormValidationError, PermissionDenied
from engine.persistence import migrate
from engine.persistence.database import make_engine
from engine.services.stats_export import GROUPING_TITLES, to_csv, to_xlsx
from tests.conftest import ADMIN, CST, make_settings, principal

SUPERVISOR = principal("jw", ("supervisor", None))
COUNTS = [m.key for m in METRICS if m.unit == "count"]
PERCENTS = [m.key for m in METRICS if m.unit == "percent"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    tmp: Path = tmp_path_factory.mktemp("stats")
    url = f"sqlite:///{tmp / 'stats.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    settings = make_settings(url, tmp)
    platform = build_platform(settings, FrozenClock(datetime.now(CST)))
    load_platform_data(platform, lambda _line: None)
    organisation = load_organisation((settings.processes_dir / "organisation.toml").read_text(encoding="utf-8"))
    generate(settings, list(organisation.people()), lambda _line: None, count=60, days=50)
    platform.clock.set(datetime.now(CST))  # type: ignore[attr-defined]
    yield platform
    platform.close()


def _period() -> tuple[date, date]:
    today = datetime.now(CST).date()
    return today - timedelta(days=70), today


def _consistent(figures: dict[str, Any], where: str) -> None:
    assert figures["received"] >= figures["accepted"] >= figures["completed"], where
    assert figures["accepted"] + figures["not_accepted"] <= figures["received"], where
    for key in PERCENTS:
        assert 0 <= figures[key] <= 100, (where, key, figures[key])


def test_the_demo_report_is_consistent_in_total_and_in_every_group(demo: Platform) -> None:
    start, end = _period()
    report = demo.stats.report(SUPERVISOR, start, end, list(GROUPINGS))
    totals = report["totals"]
    assert totals["received"] == 60 and totals["completed"] > 0 and totals["consultations"] > 0
    _consistent(totals, "totals")
    for by, rows in report["groups"].items():
        assert rows, by
        for row in rows:
            _consistent(row["figures"], f"{by}={row['key']}")
        for key in COUNTS:  # every case and record falls in exactly one group
            if by in TIME_GROUPINGS and key in JUDGED_AT_END:
                assert sum(row["figures"][key] for row in rows) <= totals[key] or key == "overdue", (by, key)
                continue
            assert sum(row["figures"][key] for row in rows) == totals[key], (by, key)
    levels = {row["key"] for row in report["groups"]["level"]}
    assert "county" in levels and levels <= {"county", "town", "village", ""}
    departments = {row["key"]: row["label"] for row in report["groups"]["department"]}
    assert all(label and label != key for key, label in departments.items() if key)  # named, not coded


def test_the_report_agrees_with_the_contract_figures_of_get_stats(demo: Platform) -> None:
    start, end = _period()
    figures = demo.stats.period(ADMIN, start, end)
    totals = demo.stats.report(ADMIN, start, end)["totals"]
    for key in ("consultations", "received", "accepted", "not_accepted", "corrections", "completed"):
        assert totals[key] == figures[key], key
    for key in ("completion_rate", "on_time_rate", "overdue"):
        assert totals[key] == figures[key], key


def test_a_month_report_compares_with_the_previous_month(demo: Platform) -> None:
    today = datetime.now(CST).date()
    last = today.replace(day=1) - timedelta(days=1)
    report = demo.stats.monthly(SUPERVISOR, last.year, last.month)
    assert report["month"] == f"{last:%Y-%m}"
    headline = {row["key"]: row for row in report["headline"]}
    month = demo.stats.report(SUPERVISOR, last.replace(day=1), last)["totals"]
    assert headline["received"]["value"] == month["received"]
    before = (last.replace(day=1) - timedelta(days=1)).replace(day=1)
    previous = demo.stats.report(SUPERVISOR, before, last.replace(day=1) - timedelta(days=1))["totals"]
    assert headline["received"]["previous"] == previous["received"]
    volumes = [row["received"] for row in report["top_by_volume"]]
    assert volumes == sorted(volumes, reverse=True) and len(volumes) <= 10
    busy = {row["key"] for row in report["top_by_volume"]}
    assert not busy & {row["key"] for row in report["no_business"]}
    assert sum(volumes) <= month["received"]


def test_only_admin_and_supervision_see_reports_and_groupings_are_checked(demo: Platform) -> None:
    start, end = _period()
    with pytest.raises(PermissionDenied):
        demo.stats.report(principal("w", ("window_officer", "CENTRE")), start, end)
    with pytest.raises(PermissionDenied):
        demo.stats.monthly(principal("w", ("window_officer", "CENTRE")), 2026, 3)
    with pytest.raises(FormValidationError):
        demo.stats.report(ADMIN, start, end, ["colour"])


def test_the_csv_has_a_bom_and_parses_to_the_report(demo: Platform) -> None:
    start, end = _period()
    report = demo.stats.report(ADMIN, start, end, ["department"])
    body = to_csv(report, "department")
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header, lines = rows[0], rows[1:]
    assert header[:4] == ["统计期间", "分组", "编码", "名称"] and len(header) == 4 + len(METRICS)
    assert len(lines) == len(report["groups"]["department"]) + 1 and lines[-1][3] == "合计"
    expected = [*report["groups"]["department"], {"key": "", "figures": report["totals"]}]
    for line, group in zip(lines, expected, strict=True):
        assert line[2] == group["key"]
        assert [float(v) for v in line[4:]] == [float(group["figures"][m.key]) for m in METRICS]


def test_the_xlsx_opens_with_a_sheet_per_grouping_and_the_definitions(demo: Platform) -> None:
    start, end = _period()
    report = demo.stats.report(ADMIN, start, end, ["department", "month"])
    book = load_workbook(io.BytesIO(to_xlsx(report)))
    assert book.sheetnames == ["合计", GROUPING_TITLES["department"], GROUPING_TITLES["month"], "指标定义"]
    for by in ("department", "month"):
        sheet = book[GROUPING_TITLES[by]]
        values = list(sheet.iter_rows(values_only=True))
        assert values[0][:2] == ("编码", "名称")
        expected = [*report["groups"][by], {"key": "", "figures": report["totals"]}]
        assert len(values) - 1 == len(expected)
        for line, group in zip(values[1:], expected, strict=True):
            assert (line[0] or "") == group["key"]
            for m, cell in zip(METRICS, line[2:], strict=True):
                want = group["figures"][m.key]
                assert cell == pytest.approx(want / 100 if m.unit == "percent" else want), (by, m.key)
    first_percent = next(i for i, m in enumerate(METRICS) if m.unit == "percent")
    assert book[GROUPING_TITLES["department"]].cell(2, 3 + first_percent).number_format == "0.00%"
    definitions = list(book["指标定义"].iter_rows(values_only=True))
    assert {row[0] for row in definitions[1:]} >= {m.key for m in METRICS}
    assert all(row[5] for row in definitions[1:])
