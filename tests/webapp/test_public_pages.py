"""Public pages without sign-in: the service guide catalogue (search, full guide with demo values marked) and
the applicant's case lookup (a wrong code reads exactly like a missing case)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from engine.bootstrap import Platform
from engine.services.definitions import read_paths
from tests.conftest import ROOT, principal
from webapp import create_app


def _client(platform: Platform) -> FlaskClient:
    platform.catalogue.load()
    return create_app(platform, config={"TESTING": True}).test_client()


def test_the_guide_lists_and_searches_the_catalogue(deployed: Platform) -> None:
    client = _client(deployed)
    everything = client.get("/guide").get_data(as_text=True)
    assert "共 50 项" in everything
    licences = client.get("/guide", query_string={"type": "行政许可"}).get_data(as_text=True)
    assert "共 33 项" in licences
    found = client.get("/guide", query_string={"q": "用地预审"}).get_data(as_text=True)
    assert "建设项目用地预审与选址意见书核发" in found and "共 1 项" in found


def test_an_item_page_shows_the_full_guide_and_marks_demo_values(deployed: Platform) -> None:
    page = _client(deployed).get("/guide/XK-ZRZY-001").get_data(as_text=True)
    for words in (
        "建设项目用地预审与选址意见书核发",
        "法定时限",
        "承诺时限",
        "申请材料",
        "设定依据",
        "土地管理法",
        "投诉电话",
    ):
        assert words in page, words
    assert "（示例数据）" in page  # the phones are demo values and say so
    assert _client(deployed).get("/guide/NOPE").status_code == 404
    assert "<svg" not in page  # the item's process is not deployed on this platform: the steps list only


def test_an_item_page_draws_its_procedure_diagram_without_sign_in(deployed: Platform) -> None:
    client = _client(deployed)
    forms = sorted((ROOT / "forms").glob("*.json"))
    deployed.definitions.deploy(read_paths([ROOT / "processes" / "items" / "item_xk_zrzy_001.bpmn", *forms]))
    page = client.get("/guide/XK-ZRZY-001").get_data(as_text=True)
    diagram = re.search(r"<svg.*?</svg>", page, re.S)
    assert (
        diagram
        and 'data-element-id="acceptance"' in diagram.group(0)
        and not re.search(r'class="[^"]*state-', diagram.group(0))
    )


def test_the_case_lookup_answers_with_the_code_and_not_without(deployed: Platform) -> None:
    client = _client(deployed)
    forms = sorted((ROOT / "forms").glob("*.json"))
    deployed.definitions.deploy(read_paths([ROOT / "processes" / "items" / "item_xk_zrzy_001.bpmn", *forms]))
    created = deployed.cases.create(
        principal("w", ("window_officer", "LAND")), {"item_code": "XK-ZRZY-001", "applicant": {"name": "王小红"}}
    )
    page = client.get("/lookup").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    found = client.post(
        "/lookup", data={"csrf_token": token, "case_no": created.case_no, "query_code": created.query_code}
    )
    assert (
        found.status_code == 200 and "王**" in found.get_data(as_text=True) and "收件" in found.get_data(as_text=True)
    )
    wrong = client.post("/lookup", data={"csrf_token": token, "case_no": created.case_no, "query_code": "x"})
    missing = client.post("/lookup", data={"csrf_token": token, "case_no": "NOPE", "query_code": "123456"})
    assert wrong.status_code == missing.status_code == 404
    message = re.compile(r'<p class="error" role="alert">([^<]+)</p>')
    assert message.search(wrong.get_data(as_text=True)).group(1) == message.search(  # type: ignore[union-attr]
        missing.get_data(as_text=True)
    ).group(1)  # type: ignore[union-attr]
    assert (
        client.post("/lookup", data={"case_no": created.case_no, "query_code": created.query_code}).status_code == 400
    )
