"""The supervision board live in a real browser: the supervisor opens the board once; as the (frozen) clock
moves, an accepted case turns yellow and then red on the page without a click, because the board reloads
itself during working hours. Screenshots of the board and the case are saved in the test's tmp folder."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine.bootstrap import Platform
from engine.services.definitions import read_paths
from tests.browser.conftest import PASSWORD as BROWSER_PASSWORD
from tests.browser.conftest import _require_browser
from tests.conftest import CST, ROOT
from tests.integration.test_cases import PASSWORD, User
from tests.webapp.conftest import USERS
from webapp import create_app

ITEM = "XK-ZRZY-001"  # promised 5 working days: yellow from the 3rd, red from the 5th


@pytest.fixture
def server(deployed: Platform) -> Iterator[str]:
    """The browser tests' server, but with the board's reload floor lowered to 1 s by the app's configuration
    (the public ``?refresh=`` cannot go below 30 s), so the test sees the colours change within seconds."""
    _require_browser()
    from waitress.server import create_server

    for name, roles, department in USERS:
        deployed.accounts.add_user(name, BROWSER_PASSWORD, roles, department)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(deployed, config={"SUPERVISION_MIN_REFRESH": 1})
    wsgi = create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=wsgi.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    wsgi.close()
    thread.join(5)


@pytest.fixture
def accepted_case(deployed: Platform, clock: Any) -> str:
    deployed.catalogue.load()
    forms = sorted((ROOT / "forms").glob("*.json"))
    deployed.definitions.deploy(read_paths([ROOT / "processes" / "items" / "item_xk_zrzy_001.bpmn", *forms]))
    deployed.accounts.add_user("lwin", PASSWORD, ["window_officer"], "LAND")
    deployed.accounts.add_user("sup", BROWSER_PASSWORD, ["supervisor"], None)
    clock.set(datetime(2026, 3, 10, 9, 0, tzinfo=CST))  # a Tuesday morning
    window = User(create_app(deployed, config={"TESTING": True}).test_client(), "lwin")
    created = window.post("/cases", {"item_code": ITEM, "applicant": {"name": "嵩明县某某实业有限公司"}})
    case_no = str(created.json["case_no"])
    assert window.complete(case_no, "acceptance", {"decision": "accept"}).status_code == 200
    return case_no


def test_the_board_turns_a_case_yellow_then_red_as_the_clock_moves(
    accepted_case: str, server: str, page: Any, clock: Any, tmp_path: Path
) -> None:
    page.goto(f"{server}/login")
    page.fill("#username", "sup")
    page.fill("#password", BROWSER_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{server}/inbox")
    page.click("header >> text=电子监察")
    page.goto(f"{server}/supervision?refresh=1")
    row = f"#warned tr[data-case='{accepted_case}']"
    assert page.locator(row).count() == 0  # green: not warned yet
    assert page.text_content("#total-open") == "1"

    clock.set(datetime(2026, 3, 13, 10, 0, tzinfo=CST))  # Friday: 3 of 5 working days used
    page.wait_for_selector(f"{row}[data-colour='yellow']", timeout=5_000)
    assert "黄牌" in page.text_content(f"{row} .pill")
    assert page.text_content("#total-yellow") == "1"

    clock.set(datetime(2026, 3, 17, 10, 0, tzinfo=CST))  # next Tuesday: 5 of 5 used
    page.wait_for_selector(f"{row}[data-colour='red']", timeout=5_000)
    assert "red" in (page.get_attribute(f"{row} .pill", "class") or "")
    assert page.text_content("#total-red") == "1" and page.text_content("#total-yellow") == "0"
    page.screenshot(path=str(tmp_path / "board.png"), full_page=True)

    page.click(f"{row} a")  # drill down: the case, its reading and its diagram
    page.wait_for_selector("#case-diagram svg")
    assert "红牌" in page.text_content("#reading")
    page.screenshot(path=str(tmp_path / "case.png"), full_page=True)
