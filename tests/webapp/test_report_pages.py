"""The statistics pages and API: the report with its charts and downloads, the printable monthly report, the
definitions, and who may see them."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from engine.bootstrap import Platform
from engine.demo import load_platform_data
from engine.domain.metrics import METRICS
from tests.conftest import CST, principal
from tests.webapp.conftest import PASSWORD
from tests.webapp.test_workbench import sign_in
from webapp.charts import Series, bar_chart, line_chart

WINDOW = principal("window", ("window_officer", "CENTRE"))
MARCH_DATES = (date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture
def cases(app: Flask, deployed: Platform, clock) -> Platform:  # type: ignore[no-untyped-def]
    """Three cases of the catalogue received in March 2026 (one of an instant item); a supervisor account."""
    load_platform_data(deployed, lambda _line: None)
    deployed.accounts.add_user("jw", PASSWORD, ["supervisor"], None)
    items = deployed.catalogue.items()
    instant = next(i for i in items if i["instant"])
    promised = next(i for i in items if not i["instant"])
    clock.set(datetime(2026, 3, 10, 10, 0, tzinfo=CST))
    body = {"channel": "window", "applicant": {"name": "张三", "phone": "13800000000"}}
    for item in (instant, promised, promised):
        materials = [m["name"] for m in item["guide"].get("materials", []) if m.get("required")]
        deployed.cases.create(WINDOW, {**body, "item_code": item["code"], "materials": materials})
    clock.set(datetime(2026, 4, 2, 9, 0, tzinfo=CST))
    return deployed


MARCH = "from=2026-03-01&to=2026-03-31"


def test_the_report_page_shows_the_groups_charts_and_download_links(client: FlaskClient, cases: Platform) -> None:
    sign_in(client, "jw")
    page = client.get(f"/reports/?{MARCH}&group_by=department")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<svg") == 2 and "各部门收件量与办结量" in html and "<polyline" in html
    assert "/reports/export.csv?" in html and "/reports/export.xlsx?" in html
    for m in METRICS:
        assert m.zh in html
    totals = cases.stats.report(principal("jw", ("supervisor", None)), *MARCH_DATES)["totals"]
    assert totals["received"] == 3
    assert re.search(r'<tr class="total"><td>合计</td>\s*<td class="num">\d+</td>\s*<td class="num">3</td>', html)
    assert client.get(f"/reports/?{MARCH}&group_by=colour").status_code == 422
    assert client.get("/reports/?from=2026-03-31&to=2026-03-01").status_code == 422
    too_long = client.get("/reports/?from=2025-01-01&to=2026-01-02")  # 367 days
    assert too_long.status_code == 422 and "366" in too_long.get_data(as_text=True)
    assert client.get("/reports/export.xlsx?from=2025-01-01&to=2026-01-02").status_code == 422


def test_downloads_open_as_csv_and_xlsx(client: FlaskClient, cases: Platform) -> None:
    sign_in(client, "admin")
    response = client.get(f"/reports/export.csv?{MARCH}&group_by=item_type")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[-1][3] == "合计" and rows[-1][5] == "3"  # received, the first case metric after consultations
    workbook = client.get(f"/reports/export.xlsx?{MARCH}")
    book = load_workbook(io.BytesIO(workbook.get_data()))
    assert book.sheetnames == ["合计", "按部门", "按月", "指标定义"]


def test_the_monthly_report_is_printable_and_compares_months(client: FlaskClient, cases: Platform) -> None:
    sign_in(client, "jw")
    page = client.get("/reports/monthly?month=2026-03")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "@media print" in html and "size: A4" in html
    assert "2026-03" in html and "2026-02" in html
    assert "办件量前十位的部门" in html and "本月无业务的部门" in html and "满意率" in html and "红牌数" in html
    no_business = re.search(r'<p id="no-business">(.*?)</p>', html, re.S)
    assert no_business and "嵩明县" in no_business.group(1)  # most departments had nothing in March
    assert client.get("/reports/monthly").status_code == 200  # the previous month by default
    assert client.get("/reports/monthly?month=2026-13").status_code == 422


def test_the_definitions_page_lists_every_metric(client: FlaskClient, cases: Platform) -> None:
    sign_in(client, "window")
    html = client.get("/reports/definitions").get_data(as_text=True)
    for m in METRICS:
        assert f'id="metric-{m.key}"' in html and m.definition.split(" (")[0][:40] in html.replace("&#39;", "'")


def test_reports_are_for_admin_and_supervision_only(client: FlaskClient, cases: Platform) -> None:
    sign_in(client, "window")
    assert client.get(f"/reports/?{MARCH}").status_code == 403
    assert client.get(f"/reports/export.xlsx?{MARCH}").status_code == 403
    assert "/reports/" not in client.get("/inbox").get_data(as_text=True)
    other = client.application.test_client()
    sign_in(other, "jw")
    assert 'href="/reports/"' in other.get("/reports/definitions").get_data(as_text=True)


def test_the_stats_api_groups_exports_and_defines(as_user, cases: Platform) -> None:  # type: ignore[no-untyped-def]
    boss = as_user("jw")
    stats = boss.get(f"/stats?{MARCH}&group_by=department,month")
    assert stats.status_code == 200
    assert stats.json["received"] == 3 and {"definitions", "completion_rate", "overdue"} <= set(stats.json)
    assert set(stats.json["groups"]) == {"department", "month"}
    assert sum(g["figures"]["received"] for g in stats.json["groups"]["department"]) == 3
    assert boss.get(f"/stats?{MARCH}&group_by=colour").status_code == 422
    csv_file = boss.get(f"/stats/report.csv?{MARCH}&group_by=level")
    assert csv_file.status_code == 200 and csv_file.get_data().startswith(b"\xef\xbb\xbf")
    assert "县级" in csv_file.get_data().decode("utf-8-sig")
    xlsx = boss.get(f"/stats/report.xlsx?{MARCH}")
    assert load_workbook(io.BytesIO(xlsx.get_data())).sheetnames[0] == "合计"
    definitions = boss.get("/stats/definitions").json
    assert [d["key"] for d in definitions] == [m.key for m in METRICS]
    window = as_user("window")
    assert window.get(f"/stats/report.csv?{MARCH}").status_code == 403
    assert window.get("/stats/definitions").status_code == 200


def test_charts_escape_labels_and_scale_to_the_data() -> None:
    bars = bar_chart("<b>部门</b>", ["<script>x</script>", "住建局"], [Series("收件", [3, 12]), Series("办结", [1, 0])])
    assert "<script>" not in bars and "&lt;script&gt;" in bars and "&lt;b&gt;" in bars
    heights = [float(h) for h in re.findall(r'height="([\d.]+)" fill="#\w+"><title>', bars)]
    assert heights[2] > heights[0] > heights[1] and heights[3] == 0  # 12 > 3 > 1 > 0
    assert ">20<" in bars  # the axis tops at the next round number above 12
    lines = line_chart("逐月", ["2026-01", "2026-02"], [Series("收件", [0, 0])])
    assert lines.count("<circle") == 2 and "<polyline" in lines
