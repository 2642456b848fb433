"""Demo key projects of the fast track: three packages at different points of their joint review, driven
through the real services on a simulated clock so the board shows warnings, a waiting review and a
forwarded result."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from engine.bootstrap import build_platform
from engine.clock import FrozenClock
from engine.config import Settings
from engine.domain.access import Principal, RoleGrant
from engine.errors import OnestopError

OFFICE = "fasttrack"

#: (name, investor, location, investment 万元, stage, materials, working days since triage, reviews, steps)
#: reviews: item code -> prerequisites; steps: (item code, "pre_review" | "decision") done so far, in order
PROJECTS: list[dict[str, Any]] = [
    {
        "name": "嵩明职教园区配套产业园（一期）",
        "investor": {"name": "云南嵩明产业投资有限公司", "contact": "王强", "phone": "0871-67912345"},
        "location": "嵩明县杨林经济技术开发区",
        "investment": "58000",
        "stage": "construction_permit",
        "materials": ["项目申请报告", "用地红线图", "环境影响报告表", "建设工程设计方案", "施工图设计文件审查合格书"],
        "days_ago": 4,
        "reviews": {
            "XK-FZGG-001": [],
            "XK-ZRZY-001": [],
            "XK-STHJ-001": [],
            "XK-ZFCX-001": ["XK-ZRZY-001"],
        },
        "steps": [
            ("XK-ZFCX-001", "pre_review"),
            ("XK-STHJ-001", "pre_review"),
            ("XK-ZRZY-001", "pre_review"),
            ("XK-ZRZY-001", "decision"),
            ("XK-STHJ-001", "decision"),
        ],
    },
    {
        "name": "杨林冷链物流园仓储中心",
        "investor": {"name": "昆明杨林冷链物流有限公司", "contact": "李娟", "phone": "0871-67990001"},
        "location": "嵩明县杨林镇",
        "investment": "21500",
        "stage": "land_planning",
        "materials": ["项目备案证明", "用地预审申请表", "选址论证报告", "环境影响报告表"],
        "days_ago": 3,
        "reviews": {"XK-ZRZY-001": [], "XK-ZRZY-002": ["XK-ZRZY-001"], "XK-STHJ-001": []},
        "steps": [("XK-ZRZY-002", "pre_review")],
    },
    {
        "name": "小街镇农光互补光伏电站",
        "investor": {"name": "滇中新能源开发有限公司", "contact": "张涛", "phone": "0871-67880002"},
        "location": "嵩明县小街镇",
        "investment": "36000",
        "stage": "land_planning",
        "materials": ["项目申请报告", "用地踏勘报告"],
        "days_ago": None,  # received today: the office has yet to triage it
        "reviews": {},
        "steps": [],
    },
]


def _who(role: str, department: str) -> Principal:
    return Principal(f"{role}.{department.lower()}", grants=frozenset({RoleGrant(role, department)}))


def generate_projects(settings: Settings, out: Callable[[str], None]) -> int:
    """Register and drive the demo projects; returns how many were created."""
    zone = ZoneInfo(settings.timezone)
    now = datetime.now(zone)
    clock = FrozenClock(now)
    platform = build_platform(settings, clock)
    calendar = platform.ctx.runtime_calendar()
    office = Principal(OFFICE, grants=frozenset({RoleGrant("fast_track_officer", "CENTRE")}))
    created = 0
    try:
        for spec in PROJECTS:
            start = now if spec["days_ago"] is None else _working_days_before(calendar, now, spec["days_ago"])
            clock.set(start)
            body = {k: spec[k] for k in ("name", "investor", "location", "investment", "stage", "materials")}
            code = platform.projects.register(office, body).code
            created += 1
            if not spec["reviews"]:
                continue
            clock.set(start + timedelta(hours=2))
            reviews = [{"item_code": i, "prerequisites": p} for i, p in spec["reviews"].items()]
            lead = _department_of(platform, reviews[0]["item_code"])
            platform.projects.triage(office, code, reviews, OFFICE, lead)
            for n, (item_code, step) in enumerate(spec["steps"], start=1):
                clock.set(min(now, start + timedelta(days=n * 0.5, hours=3)))
                _complete(platform, code, item_code, step)
        clock.set(now)
        platform.timers.fire_due()
    except OnestopError as error:  # demo data must never stop the platform from starting
        out(f"demo projects: stopped early: {error}")
    finally:
        platform.close()
    out(f"demo: {created} key projects of the fast track")
    return created


def _department_of(platform: Any, item_code: str) -> str:
    for item in platform.catalogue.items():
        if item["code"] == item_code:
            return str(item["department"])
    raise KeyError(item_code)


def _complete(platform: Any, code: str, item_code: str, step: str) -> None:
    department = _department_of(platform, item_code)
    who = _who("case_officer" if step == "pre_review" else "approver", department)
    progress = platform.projects.show(Principal("admin", grants=frozenset({RoleGrant("admin", None)})), code)
    case_no = next(c.case_no for c in progress.children if c.item_code == item_code)
    for task in platform.tasks.inbox(who):
        if task.element_id == step and task.business_key == case_no:
            data = {"opinion": "材料齐全，符合要求"} if step == "pre_review" else {"approved": True}
            platform.tasks.complete(who, task.task_id, data)
            return


def _working_days_before(calendar: Any, now: datetime, days: int) -> datetime:
    day = now.astimezone(calendar.zone).date()
    back = 0
    while back < days:
        day -= timedelta(days=1)
        if calendar.is_workday(day):
            back += 1
    return datetime.combine(day, time(9, 30), calendar.zone)
