"""Demo bad-review rectification (差评整改): four bad reviews recorded at the window on sample cases, each driven
through the real services on a simulated clock that never runs ahead of the real one — one rectified under a
ledger and rated by the evaluator, one called back late and fixed at once, one excluded on appeal, one still
waiting for its call back.

Called by the lead from engine/demo.py after the sample cases exist: ``generate_rectification(settings, out)``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from engine.bootstrap import Platform, build_platform
from engine.clock import FrozenClock
from engine.config import Settings
from engine.domain.access import Principal, RoleGrant
from engine.domain.cases import CaseStatus
from engine.domain.feedback import evaluation_stage
from engine.errors import OnestopError

ADMIN = Principal("admin", grants=frozenset({RoleGrant("admin", None)}))
CALLED_BACK = {"reached": True, "method": "phone", "findings": "已电话联系评价人，反映情况基本属实"}
#: (level, comment, the steps after the call back: (element, form) …, whether the call back is late)
STORIES: list[tuple[int, str, list[tuple[str, dict[str, Any]]], bool]] = [
    (1, "同一份材料让我往返提交了三次", [
        ("classify", {"classification": "ledger", "measures": "修订一次性告知单，组织窗口人员培训"}),
        ("ledger", {"result": "一次性告知单已修订上墙，窗口人员完成培训"}),
        ("feedback", {"method": "phone", "content": "您反映的问题已整改，欢迎继续监督"}),
    ], False),
    (2, "窗口人员态度冷淡", [
        ("classify", {"classification": "fix_now", "measures": "当面致歉，对当事人批评教育"}),
        ("feedback", {"method": "visit", "content": "已当面致歉并对工作人员批评教育"}),
    ], True),
    (1, "（误评）本想点非常满意", [
        ("classify", {"classification": "appeal", "measures": "评价人回访中表示系误操作"}),
        ("review_appeal", {"approved": True, "opinion": "回访录音证实系误评，予以剔除"}),
    ], False),
    (2, "等候时间太长", [], False),
]  # fmt: skip


def _rateable(platform: Platform, since: datetime, until: datetime, count: int) -> list[str]:
    """Sample cases that can be rated now (accepted or ended), newest first."""
    with platform.ctx.uow() as uow:
        rows = uow.cases.received_between(since, until)
    rows = [r for r in rows if evaluation_stage(CaseStatus(r["status"])) is not None]
    return [r["case_no"] for r in sorted(rows, key=lambda r: r["case_no"], reverse=True)[:count]]


def _step(platform: Platform, number: str, element: str, data: dict[str, Any]) -> None:
    task = next(t for t in platform.tasks.inbox(ADMIN) if t.business_key == number and t.element_id == element)
    platform.tasks.complete(ADMIN, task.task_id, data)


def _tell(platform: Platform, case_no: str, level: int, comment: str) -> str:
    window = Principal("window", grants=frozenset({RoleGrant("window_officer", "CENTRE")}))
    platform.feedback.evaluate_at_window(window, case_no, level, comment)
    return next(o["number"] for o in platform.rectification.work_orders(ADMIN) if o["case_no"] == case_no)


def generate_rectification(settings: Settings, out: Callable[[str], None]) -> int:
    """Record the demo bad reviews and run their rectification; returns how many work orders were opened."""
    now = datetime.now(ZoneInfo(settings.timezone))
    clock = FrozenClock(now - timedelta(days=14))
    platform = build_platform(settings, clock)
    opened = 0
    try:
        cases = _rateable(platform, now - timedelta(days=365), now, len(STORIES))
        for case_no, (level, comment, steps, late) in zip(cases, STORIES, strict=False):
            clock.set(now - timedelta(days=14 - 3 * opened) if steps else now - timedelta(hours=2))
            number = _tell(platform, case_no, level, comment)
            opened += 1
            if not steps:
                continue  # waits for its call back
            clock.set(clock.now() + timedelta(days=4 if late else 0, hours=2))
            _step(platform, number, "call_back", CALLED_BACK)
            for element, data in steps:
                clock.set(min(now, clock.now() + timedelta(hours=20)))
                _step(platform, number, element, data)
        if opened:
            clock.set(now - timedelta(hours=1))
            platform.rectification.rate_fix_at_window(ADMIN, cases[0], "satisfied", "整改及时")
        out(f"demo rectification: {opened} bad-review work orders (差评工单) opened and followed")
    except (OnestopError, StopIteration) as error:  # demo data must never stop the platform from starting
        out(f"demo rectification: stopped early: {error!r}")
    finally:
        platform.close()
    return opened
