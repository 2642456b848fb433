"""A case step reads its case and its item once: what one transaction wrote or read is kept for it (engine/
persistence/repositories/txn_memo.py), never across transactions, and a kept row is exactly what the database
holds. Statement counts are of a real item's case (XK-ZFCX-003, HOUSING) on the test database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from engine.bootstrap import Platform
from engine.domain.records import TaskState
from engine.domain.warning_cards import WarningFilter
from engine.persistence.tables import cases
from engine.services.definitions import read_paths
from tests.conftest import CST, ROOT, principal

ITEM = "XK-ZFCX-003"
WINDOW = principal("win", ("window_officer", "HOUSING"))
EXAMINER = principal("exam", ("case_officer", "HOUSING"))


@pytest.fixture
def item_platform(platform: Platform) -> Platform:
    platform.catalogue.load()
    forms = sorted((ROOT / "forms").glob("*.json"))
    platform.definitions.deploy(read_paths([ROOT / "processes" / "items" / "item_xk_zfcx_003.bpmn", *forms]))
    return platform


@contextmanager
def statements(platform: Platform) -> Iterator[list[str]]:
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.strip().upper() not in {"BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"}:
            seen.append(" ".join(statement.split()))

    event.listen(platform.database, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(platform.database, "before_cursor_execute", listen)


def reads_of(seen: list[str], table: str) -> int:
    return sum(1 for s in seen if s.startswith("SELECT") and f" FROM {table} " in f"{s} ")


def _open(platform: Platform) -> tuple[str, int]:
    body = {"item_code": ITEM, "applicant": {"name": "某某建设工程质量检测有限公司"}, "materials": ["申请书"]}
    created = platform.cases.create(WINDOW, body)
    return created.case_no, created.instance_id


def _ready(platform: Platform, instance_id: int, element_id: str) -> str:
    with platform.ctx.uow() as uow:
        tasks = uow.instances.tasks_for_instance(instance_id, state=TaskState.READY)
    return next(t.task_id for t in tasks if t.element_id == element_id)


def _notices(platform: Platform, case_no: str) -> list[dict[str, Any]]:
    with platform.ctx.uow() as uow:
        return list(uow.notices.for_case(case_no))


def _department_name(platform: Platform, code: str) -> str:
    return dict(platform.accounts.departments())[code]


def test_opening_reads_the_item_with_its_department_once(item_platform: Platform) -> None:
    with statements(item_platform) as seen:
        case_no, _ = _open(item_platform)
    assert reads_of(seen, "items") == 1
    assert not any(s.startswith("SELECT departments.") for s in seen)  # the name came with the item
    receipt = _notices(item_platform, case_no)[0]["content"]
    assert receipt["department_name"] == _department_name(item_platform, "HOUSING") != ""


def test_a_case_step_reads_its_case_and_item_once_and_prints_the_department(item_platform: Platform) -> None:
    case_no, instance_id = _open(item_platform)
    task_id = _ready(item_platform, instance_id, "acceptance")
    with statements(item_platform) as seen:
        item_platform.tasks.complete(WINDOW, task_id, {"decision": "accept"})
    assert reads_of(seen, "cases") == 1  # the warning timers and the colours use the row the step saved
    assert reads_of(seen, "items") == 1
    assert not any(s.startswith("SELECT departments.") for s in seen)
    hooks = seen[next(i for i, s in enumerate(seen) if s.startswith("INSERT INTO audit_events")) + 1 :]
    hooks = [s for s in hooks if "pg_advisory_xact_lock" not in s]  # PostgreSQL: the notice number's lock
    # the case's part: case, item (with its department), notice number and notice, the case, the issued
    # cards, the warning timers (delete, insert) and the colours (update, then insert for a first row)
    assert len(hooks) <= 10, "\n".join(x[:90] for x in hooks)
    notices = _notices(item_platform, case_no)
    acceptance = next(n["content"] for n in notices if n["kind"] == "acceptance")
    assert acceptance["department_name"] == _department_name(item_platform, "HOUSING")
    with item_platform.ctx.uow() as uow:  # what the later hooks wrote from the kept row
        assert uow.cases.get(case_no)["status"] == "accepted"
        assert uow.warnings.timers_for(case_no)
        assert uow.case_colours.get(case_no)["department"] == "HOUSING"


def _raw(uow: Any, case_no: str) -> dict[str, Any]:
    """The row straight from the database, past every memo."""
    return dict(uow.cases._conn.execute(select(cases).where(cases.c.case_no == case_no)).one()._mapping)


def test_a_kept_row_is_exactly_what_the_database_holds(item_platform: Platform) -> None:
    case_no, _ = _open(item_platform)
    local = datetime(2026, 3, 20, 17, 30, tzinfo=CST)  # not UTC: the database gives instants back in UTC
    with item_platform.ctx.uow(write=True) as uow:
        row = uow.cases.get(case_no)
        record = {**row["record"], "reasons": ("一", "二")}  # a tuple: the database gives a list back
        uow.cases.save(case_no, row["row_version"], {"status": "accepted", "due_at": local, "record": record})
        kept = uow.cases.get(case_no)
        assert kept == _raw(uow, case_no)
        assert kept["row_version"] == row["row_version"] + 1
        assert kept["due_at"] == local and kept["due_at"].utcoffset().total_seconds() == 0
        assert kept["record"]["reasons"] == ["一", "二"]
        kept["status"] = "changed by the caller"  # a copy: the kept row stays as stored
        assert uow.cases.get(case_no)["status"] == "accepted"
        uow.commit()


def test_nothing_is_kept_across_transactions(item_platform: Platform) -> None:
    case_no, _ = _open(item_platform)
    with item_platform.ctx.uow(write=True) as uow:
        row = uow.cases.get(case_no)
        uow.cases.save(case_no, row["row_version"], {"status": "accepted"})
        uow.commit()  # the connection's next transaction must see what others commit meanwhile
        with item_platform.ctx.uow(write=True) as other:
            fresh = other.cases.get(case_no)
            other.cases.save(case_no, fresh["row_version"], {"status": "paused"})
            other.commit()
        again = uow.cases.get(case_no)
        assert again["status"] == "paused"
        assert again["row_version"] == row["row_version"] + 2


def test_an_item_written_in_the_transaction_is_read_afresh(item_platform: Platform, clock: Any) -> None:
    with item_platform.ctx.uow(write=True) as uow:
        item = uow.catalogue.get(ITEM)
        assert uow.catalogue.get(ITEM) == item
        uow.catalogue.upsert({**item, "name": "改名后的事项"}, clock.now())
        assert uow.catalogue.get(ITEM)["name"] == "改名后的事项"
        found, department = uow.catalogue.get_with_department(ITEM)
        assert found is not None and found["name"] == "改名后的事项"
        assert department == _department_name(item_platform, "HOUSING")


def test_an_item_read_in_one_transaction_is_read_again_in_the_next(item_platform: Platform, clock: Any) -> None:
    with item_platform.ctx.uow(write=True) as uow:
        assert uow.catalogue.get(ITEM)["name"] != "另一进程改的名"
        uow.commit()
        with item_platform.ctx.uow(write=True) as other:  # e.g. another process loading the catalogue
            other.catalogue.upsert({**other.catalogue.get(ITEM), "name": "另一进程改的名"}, clock.now())
            other.commit()
        assert uow.catalogue.get(ITEM)["name"] == "另一进程改的名"


def test_a_step_deadline_issues_its_card_and_leaves_the_case_timers_alone(item_platform: Platform, clock: Any) -> None:
    case_no, instance_id = _open(item_platform)
    item_platform.tasks.complete(WINDOW, _ready(item_platform, instance_id, "acceptance"), {"decision": "accept"})
    with item_platform.ctx.uow() as uow:
        timers = dict(uow.warnings.timers_for(case_no))
        colours = uow.case_colours.get(case_no)
    assert timers and colours
    due = item_platform.instances.earliest_due()  # the examination's own limit (3 working days)
    assert due is not None
    clock.set(due + timedelta(seconds=1))
    with statements(item_platform) as seen:
        item_platform.timers.fire_due()  # the process's timers only: the warning timers stay as they are
    with item_platform.ctx.uow() as uow:
        cards = uow.warnings.find(WarningFilter(case_no=case_no))
        assert [(c["trigger"], c["step"]) for c in cards] == [("step_overdue", "examination")]
        assert dict(uow.warnings.timers_for(case_no)) == timers
        assert uow.case_colours.get(case_no) == colours
    assert not [s for s in seen if "warning_timers" in s or "case_colours" in s or s.startswith("SELECT items.")]


def test_numbering_a_case_reads_a_range_of_the_primary_key_not_every_case_number(item_platform: Platform) -> None:
    """The daily sequence counts the prefix's numbers inside prefix+0000..prefix+9999: a LIKE alone read every
    case number of the table for each new case (bench/scale.py, 1,000,000 cases)."""
    first, _ = _open(item_platform)
    second, _ = _open(item_platform)
    assert second[:-4] == first[:-4] and int(second[-4:]) == int(first[-4:]) + 1
    with statements(item_platform) as seen:
        _open(item_platform)
    counted = [s for s in seen if s.startswith("SELECT count(*)") and " FROM cases " in f"{s} "]
    assert len(counted) == 1 and "case_no >=" in counted[0] and "case_no <=" in counted[0], counted
    if item_platform.database.dialect.name == "sqlite":
        with item_platform.database.connect() as conn:
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + counted[0], ("X0000", "X9999", "X%")).fetchall()
        assert any("SEARCH cases" in str(row) for row in plan), plan
