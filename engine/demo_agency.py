"""Demo agency data: mandates (委托书) signed at village stations and relays at every stage — waiting for the
town, at the town, waiting for the county, at the county with its case open — driven through the real agency
service on a simulated clock, so /agency and the public lookup show hand-overs and the times per level.

Needs the demo accounts of processes/organisation.toml (village agents, town agents) and the civil-affairs
window officer of the organisation's staff; the relay and item processes deployed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from engine.bootstrap import build_platform
from engine.clock import FrozenClock
from engine.config import Settings
from engine.domain.access import Principal, RoleGrant
from engine.errors import OnestopError

ADMIN = Principal("admin", grants=frozenset({RoleGrant("admin", None)}))
#: (village agent, town agent, principal, item, the last hand-over done, working days ago it started);
#: FXK-MZ-001 goes up to the county, FW-MZ-002 stops at the town, which decides it (towns.toml)
RELAYS = [
    ("sy_chengdong", "songyang_agent1", "张小梅", "FXK-MZ-001", "county_receipt", 6),
    ("sy_chengxi", "songyang_agent2", "李国富", "FXK-MZ-001", "town_forward", 3),
    ("yl_xinzhuang", "yanglin_agent1", "赵春兰", "FXK-MZ-001", "town_receipt", 2),
    ("xj_dongcun", "xiaojie_agent1", "马永平", "FW-MZ-002", None, 1),
]
STEPS = ("town_receipt", "town_forward", "county_receipt")


def _agent(username: str) -> Principal:
    return Principal(username, grants=frozenset({RoleGrant("agent", None)}))


def generate_agency(settings: Settings, out: Callable[[str], None]) -> int:
    """Sign the demo mandates and drive the demo relays; returns how many relays were started."""
    zone = ZoneInfo(settings.timezone)
    now = datetime.now(zone)
    clock = FrozenClock(now)
    platform = build_platform(settings, clock)
    calendar = platform.ctx.runtime_calendar()
    started = 0
    try:
        for village, town, name, item, last, days_ago in RELAYS:
            day = now.date()
            for _ in range(days_ago):
                day = day - timedelta(days=1)
                while not calendar.is_workday(day):
                    day -= timedelta(days=1)
            start = datetime.combine(day, datetime.min.time(), zone) + timedelta(hours=9)
            clock.set(start)
            body = {
                "kind": "full",
                "principal": {"name": name, "phone": "13800000000"},
                "items": [item],
                "valid_from": day.isoformat(),
                "valid_to": (day + timedelta(days=180)).isoformat(),
            }
            mandate = platform.agency.create_mandate(_agent(village), body)
            materials = ["申请书", "户口簿复印件", "身份证复印件"]
            relay = platform.agency.start_relay(
                _agent(village), {"mandate": mandate["number"], "item_code": item, "materials": materials}
            )
            started += 1
            county = Principal("civil_clerk", grants=frozenset({RoleGrant("window_officer", "CIVIL")}))
            for n, step in enumerate(STEPS[: STEPS.index(last) + 1] if last else (), start=1):
                clock.set(min(now, start + timedelta(hours=20 * n)))
                who = county if step == "county_receipt" else _agent(town)
                platform.agency.act(who, relay["id"], step)
        out(f"demo agency: {started} relays under {started} mandates")
    except OnestopError as error:  # demo data must never stop the platform from starting
        out(f"demo agency: stopped early: {error}")
    finally:
        platform.close()
    return started
