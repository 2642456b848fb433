"""The `onestop` command end to end on a fresh SQLite file: init --demo, deploy, users, calendar."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cli import main
from tests.conftest import DATA


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ONESTOP_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("ONESTOP_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("ONESTOP_SECRET_KEY", "cli-test")
    return tmp_path


def test_init_demo_loads_processes_accounts_and_sample_instances(fresh: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["init", "--demo", "--demo-cases", "25"]) == 0
    out = capsys.readouterr().out
    assert "process parallel_review v1 deployed" in out and "process item_xk_zrzy_001 v1 deployed" in out
    assert "calendar 2027: provisional" in out or "calendar 2027: official" in out
    assert "organisation: 14 departments; catalogue: 50 items" in out
    assert "demo: 25 sample cases" in out and "approver" in out
    assert "demo: 3 key projects of the fast track" in out
    from datetime import date, timedelta

    from engine.bootstrap import build_platform
    from tests.conftest import ADMIN

    platform = build_platform()  # the same environment: the demo database just made
    today = date.today()
    figures = platform.stats.period(ADMIN, today - timedelta(days=60), today)
    board = platform.projects.board(ADMIN)
    from sqlalchemy import func, select

    from engine.persistence.tables import relays, town_intakes

    with platform.database.connect() as conn:  # the cases the town and village demos opened
        town_cases = conn.execute(select(func.count()).select_from(town_intakes)).scalar_one()
        relayed = conn.execute(
            select(func.count()).select_from(relays).where(relays.c.case_no.isnot(None))
        ).scalar_one()
    platform.close()
    # the 25 window cases, the 7 department reviews the two triaged key projects opened, and those
    assert town_cases >= 1 and relayed >= 1
    assert figures["received"] == 25 + 7 + town_cases + relayed and figures["consultations"] > 0
    assert [p.status.value for p in board].count("in_review") == 2 and len(board) == 3
    assert any(p.has_waiting_child for p in board)
    assert any(c.forwarded for p in board for c in p.children)
    assert figures["received"] >= figures["accepted"] >= figures["completed"] > 0
    assert 0 <= figures["completion_rate"] <= 100 and 0 <= figures["on_time_rate"] <= 100
    assert main(["init"]) == 0  # idempotent: nothing is deployed twice
    assert "parallel_review v1 unchanged" in capsys.readouterr().out


def test_deploy_department_user_and_calendar_commands(fresh: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["migrate"]) == 0
    assert main(["deploy", str(DATA / "delivery.bpmn")]) == 0
    assert "delivery version 1 deployed" in capsys.readouterr().out
    assert main(["department", "add", "TAX", "县税务局"]) == 0
    assert main(["user", "add", "zhang", "--password", "pw-123456", "--role", "reviewer", "--department", "TAX"]) == 0
    assert main(["user", "add", "li", "--password", "pw", "--role", "reviewer", "--department", "NOPE"]) == 1
    assert "does not exist" in capsys.readouterr().err
    notice = DATA.parent / "unit" / "data" / "notice_2027.txt"
    assert main(["calendar", "import-notice", str(notice)]) == 0
    assert "2027:" in capsys.readouterr().out
    assert main(["calendar", "set-day", "2027-03-06", "--workday"]) == 0
    assert main(["calendar", "show"]) == 0
    assert "2027: official (notice)" in capsys.readouterr().out


def test_deploy_of_a_broken_file_prints_lines_and_fails(fresh: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "broken.bpmn"
    broken.write_text('<?xml version="1.0"?>\n<definitions>\n<oops>\n', encoding="utf-8")
    assert main(["migrate"]) == 0
    assert main(["deploy", str(broken)]) == 1
    err = capsys.readouterr().err
    assert f"{broken}:" in err and "Traceback" not in err
