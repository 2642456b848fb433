"""Demo window discipline: staff numbers for every officer at a window, today's sign-ins for most of them (one
late, two missing), one officer away from the post past the limit, and two announcements on the public board —
driven through the real services on a simulated clock that never runs ahead of the real one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from engine.bootstrap import build_platform
from engine.clock import FrozenClock
from engine.config import Settings
from engine.domain.access import Principal, RoleGrant
from engine.errors import OnestopError

#: officers who do not come in today (their windows show unstaffed, and the day's close records 旷工)
ABSENT = ("market_clerk", "transport_clerk")
LATE = "land_clerk"  # signs in six minutes late
AWAY = "housing_clerk"  # leaves the post twenty minutes before "now" without approval
ANNOUNCEMENTS = [
    {
        "title": "办理营业执照需要哪些材料？",
        "body": "个体工商户登记：经营者身份证明、经营场所使用证明、登记申请书。\n"
        "公司设立登记：公司章程、股东主体资格证明、法定代表人任职文件、住所使用证明。\n"
        "具体以“办事指南”公布为准，可拨打96128咨询。",
        "category": "热点问题",
        "pinned": True,
    },
    {
        "title": "午间及周末窗口值班安排",
        "body": "工作日 9:00—12:00、13:00—17:00 各窗口正常办公；法定节假日调休的工作日照常办公。"
        "综合受理窗口午间安排值班人员，欢迎群众监督。",
        "category": "通知公告",
        "pinned": False,
    },
]


def _person(username: str, department: str | None) -> Principal:
    grants = frozenset({RoleGrant("window_officer", department)})
    return Principal(username, grants=grants)


def generate_discipline(settings: Settings, out: Callable[[str], None]) -> int:
    """Staff cards, today's attendance and two announcements; returns how many officers signed in."""
    zone = ZoneInfo(settings.timezone)
    # the demo's day stops before the afternoon session ends: after the day's close nothing can be signed,
    # so a demo loaded in the evening still shows today's attendance
    now = min(datetime.now(zone), datetime.combine(datetime.now(zone).date(), time(16, 50), zone))
    clock = FrozenClock(now)
    platform = build_platform(settings, clock)
    admin = Principal("admin", grants=frozenset({RoleGrant("admin", None)}))
    signed = 0
    try:
        officers = platform.disclosure.staff_cards(admin)
        for number, officer in enumerate(officers, start=1):
            platform.disclosure.set_card(admin, officer["username"], {"staff_number": f"SM-{number:04d}"})
        for announcement in ANNOUNCEMENTS:
            platform.disclosure.publish(admin, announcement)
        start = datetime.combine(now.date(), time(8, 40), zone)
        for n, officer in enumerate(officers):
            if officer["username"] in ABSENT:
                continue
            moment = start + timedelta(minutes=n % 18)
            if officer["username"] == LATE:
                moment = datetime.combine(now.date(), time(9, 6), zone)
            clock.set(min(moment, now))
            platform.discipline.sign_in(_person(officer["username"], None))
            signed += 1
            if officer["username"] == AWAY:
                clock.set(max(min(moment, now) + timedelta(minutes=1), now - timedelta(minutes=20)))
                platform.discipline.leave_post(_person(officer["username"], None), "到后台档案室调阅材料")
        out(f"demo discipline: {len(officers)} staff cards, {signed} officers signed in, 2 announcements")
    except OnestopError as error:  # demo data must never stop the platform from starting
        out(f"demo discipline: stopped early: {error}")
    finally:
        platform.close()
    return signed
