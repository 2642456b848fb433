"""Sample cases for the demo: a few hundred cases of the catalogue's items over the last weeks, driven through
the real services in time order (a simulated clock), ending in every lifecycle state."""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from engine.bootstrap import Platform, build_platform
from engine.clock import FrozenClock
from engine.config import Settings
from engine.domain.access import Principal, RoleGrant
from engine.errors import OnestopError

#: fates and their shares: how far each sample case gets
FATES = [
    ("delivered", 56),
    ("refused", 4),
    ("decided", 4),
    ("not_accepted", 4),
    ("correction_then_done", 8),
    ("correction_pending", 3),
    ("paused", 4),
    ("in_examination", 8),
    ("awaiting_decision", 5),
    ("received", 4),
    ("withdrawn", 2),
    ("terminated", 1),
]
NAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "秀英", "志强", "丽华", "海燕", "明", "军", "芳", "伟", "娜", "磊", "婷", "云", "涛", "敏"]


@dataclass(order=True)
class _Event:
    at: datetime
    seq: int
    case_no: str = field(compare=False)
    step: str = field(compare=False)
    data: dict[str, Any] = field(compare=False)


def _principals(staff: list[Any]) -> Callable[[str, str | None], Principal]:
    by_role: dict[tuple[str, str | None], str] = {}
    for member in staff:
        for role in member.roles:
            by_role.setdefault((role, member.department), member.username)

    def who(role: str, department: str | None) -> Principal:
        name = by_role.get((role, department)) or by_role.get((role, None)) or f"{role}.{department}"
        return Principal(name, grants=frozenset({RoleGrant(role, department)}))

    return who


def _plan(fate: str, special: str, rng: random.Random) -> list[tuple[timedelta, str, dict[str, Any]]]:
    """The steps a case of this fate goes through, with delays from its receipt."""
    hours = lambda low, high: timedelta(hours=rng.uniform(low, high))  # noqa: E731
    if fate == "received":
        return []
    if fate == "not_accepted":
        return [(hours(0.2, 20), "acceptance", {"decision": "not_accept", "reasons": "申请事项不属于本机关职权范围"})]
    steps: list[tuple[timedelta, str, dict[str, Any]]] = []
    at = hours(0.2, 24)
    if fate == "correction_pending":  # the applicant has not brought the missing materials yet
        return [(at, "acceptance", {"decision": "correction", "missing": ["营业执照副本", "法定代表人身份证明"]})]
    if fate == "correction_then_done":
        steps += [
            (at, "acceptance", {"decision": "correction", "missing": ["身份证明复印件", "申请表（签字）"]}),
            (at + hours(20, 70), "correction", {"supplied": True}),
        ]
        at += hours(72, 100)
    steps.append((at, "acceptance", {"decision": "accept"}))
    if fate == "in_examination":
        return steps
    if fate in {"withdrawn", "terminated"}:
        reason = "申请人书面申请撤回" if fate == "withdrawn" else "项目依法被撤销，无法继续办理"
        return [*steps, (at + hours(20, 60), fate, {"reason": reason})]
    at += hours(20, 60)
    pause = special if fate == "paused" else ""
    steps.append((at, "examination", {"opinion": "材料齐全，符合法定条件", "special_procedure": pause}))
    if pause:
        return steps
    steps += [
        (at + hours(10, 30), "review", {"approved": True, "opinion": "同意承办意见"}),
        (at + hours(10, 30), "opinion", {"approved": True, "opinion": "无异议"}),
    ]
    if fate == "awaiting_decision":
        return steps
    at += hours(30, 60)
    approved = fate != "refused"
    steps.append((at, "decision", {"approved": approved, "reasons": "" if approved else "不符合法定条件"}))
    if fate != "decided":  # a decided case waits for its certificate to be collected
        steps.append((at + hours(4, 48), "delivery", {"method": rng.choice(["窗口领取", "邮寄", "电子送达"])}))
    return steps


def generate(
    settings: Settings,
    staff: list[Any],
    out: Callable[[str], None],
    count: int = 300,
    days: int = 45,
    seed: int = 20261129,
) -> dict[str, int]:
    """Open ``count`` cases over the last ``days`` days and drive them in time order."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    zone = ZoneInfo(settings.timezone)
    now = datetime.now(zone)
    start = datetime.combine((now - timedelta(days=days)).date(), time(9), zone)
    clock = FrozenClock(start)
    platform = build_platform(settings, clock)
    who = _principals(staff)
    deployed = {v.process_id for v in platform.definitions.list_versions()}
    items = [i for i in platform.catalogue.items() if i["process_id"] in deployed]
    events: list[_Event] = []
    fates = [f for f, share in FATES for _ in range(share)]
    seq = 0
    for n in range(count):
        item = rng.choice(items)
        fate = "delivered" if item["instant"] and rng.random() < 0.7 else rng.choice(fates)
        received = start + timedelta(days=rng.uniform(0, days - 1))
        received = received.replace(hour=rng.randint(9, 16), minute=rng.randint(0, 59))
        if fate == "received":  # arrived in the last days: still within the 5 working days to decide on it
            received = now - timedelta(days=rng.uniform(0.2, 2.5))
        specials = [p["name"] for p in item["guide"].get("special_procedures", []) if not p.get("counted")]
        if fate == "paused" and not specials:
            fate = "in_examination"
        plan = [(timedelta(0), "open", {"item": item, "fate": fate})] + (
            [
                (timedelta(minutes=10), "acceptance", {"decision": "instant_done"}),
                (timedelta(minutes=20), "delivery", {"method": "窗口领取"}),
            ]
            if item["instant"] and fate == "delivered"
            else _plan(fate, specials[0] if specials else "", rng)
        )
        for delay, step, data in plan:
            seq += 1
            heapq.heappush(events, _Event(received + delay, seq, f"#{n}", step, data))
    for n in range(count * 2 // 3):  # about two inquiries for every three cases, as in the seed's figures
        asked = start + timedelta(days=rng.uniform(0, days - 0.5))
        asked = asked.replace(hour=rng.randint(9, 16), minute=rng.randint(0, 59))
        seq += 1
        heapq.heappush(events, _Event(asked, seq, f"q{n}", "consult", {"department": rng.choice(items)["department"]}))
    case_nos: dict[str, str] = {}
    departments: dict[str, str] = {}
    failures = skipped = 0
    while events:
        event = heapq.heappop(events)
        if event.at > now:
            continue
        clock.set(event.at)
        platform.timers.fire_due()
        try:
            if not _apply(platform, event, case_nos, departments, who, rng):
                skipped += 1  # e.g. a review step already answered with the parallel opinions
        except OnestopError:
            failures += 1  # a step the case model refused: the plan moves on, the count is reported
    clock.set(now)
    platform.timers.fire_due()
    platform.consultations.record_breaches()
    counts = platform.cases.counts_by_status()
    platform.close()
    states = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
    out(f"demo: {len(case_nos)} sample cases ({states}); {skipped} planned steps not needed, {failures} refused")
    return counts


def _consult(
    platform: Platform, event: _Event, who: Callable[[str, str | None], Principal], rng: random.Random
) -> None:
    desk = who("consultant", "CENTRE")
    channel = rng.choice(["desk"] * 5 + ["window"] * 2 + ["phone", "hotline", "hotline", "online"])
    roll = rng.random()
    department = event.data["department"]
    if roll < 0.8:
        platform.consultations.log(
            desk,
            {
                "channel": channel,
                "subject": "办事咨询",
                "question": "需要准备哪些材料？",
                "outcome": "answered",
                "answer": "已按办事指南一次性告知",
            },
        )
    elif roll < 0.95:
        record = platform.consultations.log(
            desk,
            {
                "channel": channel,
                "subject": "办件进度",
                "question": "何时办结？",
                "outcome": "transferred",
                "transferred_to": department,
            },
        )
        if rng.random() < 0.95:  # almost all are followed up in time; the rest become violations
            platform.consultations.close(who("case_officer", department), record.id, "已电话答复")
    else:
        platform.consultations.log(
            desk,
            {
                "channel": channel,
                "subject": "户籍业务",
                "question": "能否在此办理？",
                "outcome": "referred",
                "referred_to": "县公安局户政大厅",
            },
        )


def _apply(
    platform: Platform,
    event: _Event,
    case_nos: dict[str, str],
    departments: dict[str, str],
    who: Callable[[str, str | None], Principal],
    rng: random.Random,
) -> bool:
    """Carry out one planned event; False when the step it expected was not there to be done."""
    if event.step == "consult":
        _consult(platform, event, who, rng)
        return True
    if event.step == "open":
        item = event.data["item"]
        surname, given = rng.choice(NAMES), rng.choice(GIVEN)
        body = {
            "item_code": item["code"],
            "channel": rng.choice(["window"] * 6 + ["online", "agent"]),
            "applicant": {"name": surname + given, "phone": f"138{rng.randint(10000000, 99999999)}"},
            "materials": [m["name"] for m in item["guide"].get("materials", []) if m.get("required")],
        }
        created = platform.cases.create(who("window_officer", item["department"]), body)
        case_nos[event.case_no] = created.case_no
        departments[event.case_no] = item["department"]
        return True
    case_no = case_nos.get(event.case_no)
    if case_no is None:
        return False
    if event.step in {"withdrawn", "terminated"}:
        department = departments[event.case_no]
        if event.step == "withdrawn":
            platform.cases.withdraw(who("window_officer", department), case_no, event.data["reason"])
        else:
            platform.cases.terminate(who("approver", department), case_no, event.data["reason"])
        return True
    view = platform.cases.show(Principal("demo", grants=frozenset({RoleGrant("admin")})), case_no)
    instance = platform.instances.show(Principal("demo", grants=frozenset({RoleGrant("admin")})), view["instance_id"])
    wanted = _FORMS.get(event.step, event.step)
    ready = [t for t in instance.tasks if t.state.value == "ready" and (t.form_ref or "").startswith(wanted)]
    # review-form steps run in parallel (several departments' opinions): a review event answers all of them
    for task in ready if wanted == "review" else ready[:1]:
        platform.tasks.complete(who(task.role or "admin", task.department), task.task_id, event.data)
    return bool(ready)


_FORMS = {"opinion": "review", "review": "review", "special_procedure_end": "special_procedure"}
