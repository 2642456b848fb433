"""A real browser against a real server: Debian's Chromium driven by Playwright (never a downloaded browser),
and the workbench served by waitress on a free loopback port over the test platform."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from engine.bootstrap import Platform
from tests.webapp.conftest import USERS

CHROMIUM = os.environ.get("ONESTOP_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "correct horse 电池"


def _require_browser() -> None:
    missing = not os.path.exists(CHROMIUM) or shutil.which("chromium") is None
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing = True
    if missing:
        if os.environ.get("ONESTOP_REQUIRE_BROWSER"):
            pytest.fail("ONESTOP_REQUIRE_BROWSER is set but Chromium or Playwright is missing")
        pytest.skip("needs Debian's chromium and the playwright package (.ci/run installs both)")


@pytest.fixture
def server(deployed: Platform) -> Iterator[str]:
    _require_browser()
    from waitress.server import create_server

    from webapp import create_app

    for name, roles, department in USERS:
        deployed.accounts.add_user(name, PASSWORD, roles, department)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    wsgi = create_server(create_app(deployed), host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=wsgi.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    wsgi.close()
    thread.join(5)


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        context.close()
        browser.close()
