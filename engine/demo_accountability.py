"""Demo accountability records: a few window patrols (one department climbs to the ladder's 2nd step, another
has a clean patrol and a 1st finding) and one complaint upheld against a window officer.

Called by the lead from engine/demo.py after the demo accounts exist: ``generate_accountability(platform, out)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.bootstrap import Platform
from engine.domain.access import Principal, RoleGrant
from engine.domain.organisation import load_organisation
from engine.errors import OnestopError

INSPECTOR = Principal("supervisor", grants=frozenset({RoleGrant("supervisor", None)}))


def _window_officers(platform: Platform) -> list[Any]:
    """Window officers of departments other than the centre itself, from processes/organisation.toml."""
    path = platform.settings.processes_dir / "organisation.toml"
    if not path.is_file():
        return []
    staff = load_organisation(path.read_text(encoding="utf-8")).staff
    return [m for m in staff if "window_officer" in m.roles and m.department and m.department != "CENTRE"]


def _patrols(first: Any, second: Any) -> list[dict[str, Any]]:
    return [
        {"window": first.window, "department": first.department, "officer": first.username, "category": "discipline",
         "severity": "minor", "findings": "工作时间离开窗口未放置暂离牌，群众等候约10分钟"},
        {"window": second.window, "department": second.department, "findings": "在岗在位，着装规范，秩序良好"},
        {"window": first.window, "department": first.department, "officer": first.username, "category": "attitude",
         "severity": "serious", "findings": "对咨询群众态度生硬，使用“不归我管”等服务禁语"},
        {"window": second.window, "department": second.department, "officer": second.username, "category": "dress",
         "severity": "minor", "findings": "未按规定佩戴工作牌"},
    ]  # fmt: skip


def generate_accountability(platform: Platform, out: Callable[[str], None]) -> int:
    """Record the demo patrols and the upheld complaint; returns how many accountability entries were made."""
    officers = _window_officers(platform)
    departments = {m.department: m for m in officers}
    if len(departments) < 2:
        out("demo accountability: skipped (no window officers of two departments in organisation.toml)")
        return 0
    first, second = list(departments.values())[:2]
    made = 0
    try:
        for body in _patrols(first, second):
            made += platform.accountability.record_patrol(INSPECTOR, {k: v for k, v in body.items() if v})["finding"]
        complaint = platform.feedback.file_complaint(
            {
                "name": "张丽（示例）",
                "phone": "13800001234",
                "category": "conduct",
                "department": first.department,
                "content": "窗口工作人员对咨询不耐烦，让我自己去网上查。",
            }
        )
        platform.accountability.record_complaint(
            INSPECTOR, complaint["id"], True, first.username, None, "经调取窗口录像核实，投诉属实（示例数据）"
        )
        made += 1
    except OnestopError as error:  # demo data must never stop the platform from starting
        out(f"demo accountability: stopped early: {error}")
    out(f"demo: {made} accountability entries (window patrols and an upheld complaint)")
    return made
