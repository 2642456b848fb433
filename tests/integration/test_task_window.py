"""The window each human task carries (``human_tasks.window``, migration 0022), from which the supervision board
counts ready tasks per window without joining ``cases``: on cases of three departments driven through their real
item processes it is the window of the case holding the task's instance, from the case's first step (written
before the case records its instance) through later steps, a transfer (转办) to another department's inbox and a
generic process started under a case's number (no window: not that case's). The board's task counts per window
and per department equal SQL over the tables with the join. Tasks written straight into the database get their
window from the colour-schedule rebuild, and the migration gives existing tasks theirs."""

from __future__ import annotations

import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from engine.bootstrap import Platform
from engine.persistence import migrate
from engine.persistence.database import make_engine
from engine.services.colour_schedule import rebuild_colour_schedule
from engine.services.definitions import read_paths
from tests.conftest import ADMIN, ROOT
from tests.integration.test_cases import PASSWORD, User
from tests.integration.test_supervision_dashboard import (
    HOUSING_ITEM,
    LAND_ITEM,
    MARKET_ITEM,
    STAFF,
    _board,
    _by_code,
    _ok,
    _open,
    _sql,
    at,
)
from webapp import create_app


@pytest.fixture
def app(platform: Platform) -> Flask:
    """The supervision board's cases: three items of three departments, their staff and a supervisor."""
    platform.catalogue.load()
    forms = sorted((ROOT / "forms").glob("*.json"))
    for name in ("item_xk_zrzy_001", "item_xk_zfcx_001", "item_fw_scjg_001"):
        platform.definitions.deploy(read_paths([ROOT / "processes" / "items" / f"{name}.bpmn", *forms]))
    platform.accounts.add_department("MARKET", "市场监督管理局")
    for name, role, department in STAFF:
        platform.accounts.add_user(name, PASSWORD, [role], department)
    return create_app(platform, config={"TESTING": True})


TASKS_WITH_CASE = """
    SELECT h.task_id, h."window", c."window", h.department, h.state
    FROM human_tasks h LEFT JOIN cases c ON c.instance_id = h.instance_id
"""


def _assert_windows_follow_cases(platform: Platform) -> list[Any]:
    rows = _sql(platform, TASKS_WITH_CASE)
    assert rows, "no tasks"
    for task_id, stored, of_case, _, state in rows:
        assert stored == of_case, (task_id, state, stored, of_case)
    return rows


def _assert_board_counts_tasks_as_the_join(platform: Platform, sup: User) -> dict[str, Any]:
    board = _board(sup)
    ready = [r for r in _sql(platform, TASKS_WITH_CASE) if r[4] == "ready"]
    by_window = Counter(of_case for _, _, of_case, _, _ in ready if of_case)
    by_department = Counter(department for _, _, _, department, _ in ready if department)
    windows, departments = _by_code(board["windows"]), _by_code(board["departments"])
    assert {code: row["open_tasks"] for code, row in windows.items() if row["open_tasks"]} == dict(by_window)
    assert {code: row["open_tasks"] for code, row in departments.items() if row["open_tasks"]} == dict(by_department)
    assert board["total"]["open_tasks"] == len(ready)
    return board


def test_each_task_carries_the_window_of_its_case_through_steps_and_a_transfer(
    app: Flask, platform: Platform, clock: Any
) -> None:
    client = app.test_client()
    win, exam, *_, hwin, mwin, sup = (User(client, name) for name, _, _ in STAFF)
    clock.set(at(10, 9))
    land, waiting = _open(win, LAND_ITEM), _open(win, LAND_ITEM)
    housing, instant = _open(hwin, HOUSING_ITEM), _open(mwin, MARKET_ITEM)
    # the first steps were written before each case recorded its instance: they have its window already
    first = _assert_windows_follow_cases(platform)
    assert {stored for _, stored, _, _, _ in first} >= {"W06"} and None not in {r[1] for r in first}
    _ok(win.complete(land, "acceptance", {"decision": "accept"}))
    _ok(hwin.complete(housing, "acceptance", {"decision": "accept"}))
    _ok(mwin.complete(instant, "acceptance", {"decision": "instant_done"}))
    clock.set(at(11))
    _ok(exam.complete(land, "examination", {"opinion": "符合"}))
    board = _assert_board_counts_tasks_as_the_join(platform, sup)
    land_window = _sql(platform, f"SELECT \"window\" FROM cases WHERE case_no = '{land}'")[0][0]
    assert land_window and _by_code(board["windows"])[land_window]["open_tasks"] == 2  # land's review, waiting's

    # 转办: the land case's review moves to the housing department's inbox; it stays the land case's window
    [(task_id,)] = _sql(
        platform, f"SELECT h.task_id FROM human_tasks h JOIN cases c ON c.instance_id = h.instance_id "
        f"WHERE c.case_no = '{land}' AND h.state = 'ready'"
    )  # fmt: skip
    platform.tasks.transfer(ADMIN, task_id, "HOUSING", "该件涉及住建审查")
    [(department, window)] = _sql(
        platform, f"SELECT department, \"window\" FROM human_tasks WHERE task_id = '{task_id}'"
    )
    assert (department, window) == ("HOUSING", land_window)
    board = _assert_board_counts_tasks_as_the_join(platform, sup)
    assert _by_code(board["departments"])["HOUSING"]["open_tasks"] == 2  # its own case's and the transferred one

    # a generic process started under a case's number is not that case's: its tasks have no window
    platform.definitions.deploy(read_paths([ROOT / "processes" / "parallel_review.bpmn", ROOT / "forms"]))
    other = platform.instances.start(ADMIN, "parallel_review", {"department": "LAND", "case_no": waiting})
    assert _sql(platform, f'SELECT count(*), count("window") FROM human_tasks WHERE instance_id = {other.id}') == [
        (1, 0)
    ]
    _assert_windows_follow_cases(platform)
    _assert_board_counts_tasks_as_the_join(platform, sup)

    # the transferred task done (by an administrator): its case's next step has the case's window again, and
    # the completed tasks keep theirs; a later acceptance too
    platform.tasks.complete(ADMIN, task_id, {"approved": True, "opinion": "同意"})
    _ok(win.complete(waiting, "acceptance", {"decision": "accept"}))
    rows = _assert_windows_follow_cases(platform)
    assert Counter(state for _, stored, _, _, state in rows if stored == land_window) == {"completed": 4, "ready": 2}
    _assert_board_counts_tasks_as_the_join(platform, sup)


def test_tasks_written_straight_into_the_database_get_their_window_from_the_rebuild(
    app: Flask, platform: Platform, clock: Any
) -> None:
    client = app.test_client()
    win, *_, hwin, _mwin, sup = (User(client, name) for name, _, _ in STAFF)
    clock.set(at(10, 9))
    _open(win, LAND_ITEM), _open(hwin, HOUSING_ITEM)
    with platform.database.begin() as conn:  # as a bulk insert writes them
        conn.execute(text('UPDATE human_tasks SET "window" = NULL'))
    board = _board(sup)
    assert not any(row["open_tasks"] for row in board["windows"])  # the board reads the tasks' own window
    rebuild_colour_schedule(platform.ctx)
    _assert_windows_follow_cases(platform)
    _assert_board_counts_tasks_as_the_join(platform, sup)


def test_the_migration_gives_existing_tasks_the_window_of_their_case(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        migrate.upgrade(engine, "0021")
        now = "2026-03-10 09:00:00.000000"
        with closing(sqlite3.connect(path)) as conn, conn:  # rows as a release before 0022 left them
            conn.executemany(
                "INSERT INTO instances (id, process_version_id, process_id, version, status, department, state,"
                " serializer_version, row_version, started_at, updated_at, data)"
                " VALUES (?, 1, 'p', 1, 'running', 'LAND', '{}', 'x', 1, ?, ?, '{}')",
                [(1, now, now), (2, now, now)],
            )
            conn.execute(
                'INSERT INTO cases (case_no, item_code, instance_id, department, "window", channel, status,'
                " query_code_hash, applicant, received_at, record, row_version)"
                " VALUES ('C1', 'X', 1, 'LAND', 'W03', 'window', 'received', 'h', '{}', ?, '{}', 1)",
                (now,),
            )
            conn.executemany(
                "INSERT INTO human_tasks (task_id, instance_id, element_id, name, state, due_provisional, created_at,"
                " process_id) VALUES (?, ?, 'e', 'n', ?, 0, ?, 'p')",
                [("t1", 1, "ready", now), ("t2", 1, "completed", now), ("t3", 2, "ready", now)],
            )
        migrate.upgrade(engine)
        with engine.connect() as conn:
            found = dict(conn.execute(text('SELECT task_id, "window" FROM human_tasks')).all())
        assert found == {"t1": "W03", "t2": "W03", "t3": None}
        assert migrate.schema_differences(engine) == []
    finally:
        engine.dispose()
