"""Demo town centres: accounts for each town's window staff (processes/towns.toml: roles agent and town_officer
with their town window; the 代办员 get theirs with the organisation's staff), a generated duty roster for last,
this and next month (rest days and working-day off-hours), and one case received off-hours at 嵩阳镇 on the
latest rest day, with the officer on duty."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from engine.bootstrap import Platform, build_platform
from engine.clock import FrozenClock
from engine.config import Settings
from engine.domain.access import ADMIN, Principal, RoleGrant
from engine.domain.organisation_model import AGENT
from engine.domain.towns import TOWN_OFFICER
from engine.errors import FormValidationError, OnestopError

DEMO_PASSWORD = "onestop-demo"  # noqa: S105 - the demo's one shared password (engine/demo.py)
DEMO_TOWN = "SONGYANG"
DEMO_ITEM = "FW-MZ-002"  # 最低生活保障审核确认, decided by the town
ROSTER_ADMIN = Principal("admin", grants=frozenset({RoleGrant(ADMIN)}))


def _months_around(now: datetime) -> list[tuple[int, int]]:
    first = now.replace(day=1)
    before = first - timedelta(days=1)
    after = (first + timedelta(days=32)).replace(day=1)
    return [(d.year, d.month) for d in (before, first, after)]


def generate_towns(settings: Settings, out: Callable[[str], None]) -> int:
    """Create the town staff accounts and the rosters; returns how many duties were scheduled."""
    zone = ZoneInfo(settings.timezone)
    now = datetime.now(zone)
    clock = FrozenClock(now)
    platform = build_platform(settings, clock)
    scheduled = 0
    try:
        directory = platform.roster.directory()
        for town in directory.towns():
            for officer in town.plan.staff:
                # the town's window, as its 代办员 have: ``agent`` to receive, ``town_officer`` for the roster —
                # not window_officer@CENTRE, which is the county window (any county case)
                platform.accounts.add_user(
                    officer.username, DEMO_PASSWORD, [AGENT, TOWN_OFFICER], None, officer.window, officer.name
                )
            for year, month in _months_around(now):
                try:
                    roster = platform.roster.generate(ROSTER_ADMIN, town.code, year, month)
                except FormValidationError:  # a past month drawn up by an earlier run stays as it was
                    roster = platform.roster.month(town.code, year, month)
                scheduled += len(roster["duties"])
        out(f"towns: {len(directory.towns())} town centres, {scheduled} duties scheduled (值班表)")
        _off_hours_case(platform, clock, now, out)
    finally:
        platform.close()
    return scheduled


def _off_hours_case(platform: Platform, clock: FrozenClock, now: datetime, out: Callable[[str], None]) -> None:
    """One case received on the latest rest day at the demo town, by the officer the roster put on duty."""
    calendar = platform.ctx.runtime_calendar()
    day = now.date() - timedelta(days=1)
    while calendar.is_workday(day):
        day -= timedelta(days=1)
    clock.set(datetime.combine(day, time(10, 30), calendar.zone))
    duty = platform.roster.on_duty_at(DEMO_TOWN)["duty"]
    if not duty or not duty["officer"]:
        return
    officer = platform.accounts.principal(duty["officer"]["username"])
    body = {
        "item_code": DEMO_ITEM,
        "applicant": {"name": "李秀英", "id_number": "530125196805121829", "phone": "13908712345"},
        "materials": ["申请书", "户口簿", "家庭收入情况说明"],
    }
    try:
        receipt = platform.towns.open_case(officer, DEMO_TOWN, body)
    except OnestopError as error:  # e.g. the item's process is not deployed in this installation
        out(f"towns: no off-hours demo case ({error})")
        return
    finally:
        clock.set(now)
    out(f"towns: case {receipt['case_no']} received {day} off-hours by {receipt['on_duty']['name']} (值班)")
