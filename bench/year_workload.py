"""The year replay's workload plan (bench/year_replay.py): which cases, consultations and clerk actions happen
when — a seeded, deterministic list of timed events shared by the persisted run and the in-memory run.

Each case gets an item of processes/catalog.toml and a fate (补正, 不予受理, 不予许可, 特别程序, 延期, 即办件, late)
with a plan of clerk actions at times on working days; each action names a ``caseStep`` of the item's real BPMN
and the form data to submit. The plan also counts what it did, so the statistics report can be checked against
it: every case ends accepted-or-refused and 办结, on time unless its fate says late.
"""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from engine.domain.calendar import WorkCalendar
from engine.domain.catalogue import load_catalogue

ROOT = Path(__file__).resolve().parent.parent
#: the Songming centre's nine months (the issue's figures) and its working days
FULL_CASES, FULL_CONSULTATIONS, FULL_DAYS = 42_558, 66_749, 185
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
MAIN_STEPS = ("examination", "opinion", "review", "decision")
#: shares of the fates, in per mille (non-instant items; instant items: INSTANT_FATES)
FATES = {"normal": 830, "not_accepted": 20, "refused": 30, "special": 60, "extension": 30, "late": 30}
CORRECTION_SHARE = 0.10  # 一次性告知 before acceptance, whatever the later fate
INSTANT_FATES = {"instant": 850, "correction_then_same_day": 80, "not_accepted": 50, "refused": 20}
EVALUATION_SHARE, BAD_REVIEW_SHARE, FIX_RATED_SHARE = 0.30, 0.006, 0.6
CHANNELS = {"desk": 45, "window": 20, "phone": 15, "hotline": 15, "online": 5}
OUTCOMES = {"answered": 80, "transferred": 15, "referred": 5}
FORMS: dict[str, dict[str, Any]] = {
    "accept": {"decision": "accept"},
    "correction_notice": {"decision": "correction", "missing": ["身份证明复印件", "申请表（签字）"]},
    "not_accept": {"decision": "not_accept", "reasons": "申请事项不属于本机关职权范围"},
    "instant_done": {"decision": "instant_done"},
    "correction": {"supplied": True, "note": "申请人已按一次性告知单补齐材料"},
    "examination": {"opinion": "材料齐全，符合法定条件"},
    "opinion": {"approved": True, "opinion": "同意办理"},
    "review": {"approved": True, "opinion": "审核同意"},
    "approve": {"approved": True, "reasons": "符合法定条件，准予"},
    "refuse": {"approved": False, "reasons": "不符合法定条件，不予许可"},
    "delivery": {"method": "窗口领取", "receipt_no": "HZ-0001"},
    "special_procedure_end": {"result": "特别程序已结束，结论为通过"},
    "extension": {"approved": True, "reason": "情况复杂，同意延长"},
    "call_back": {"reached": True, "method": "phone", "findings": "申请人反映等候时间较长"},
    "classify": {"classification": "fix_now", "measures": "增开窗口，当场整改"},
    "feedback": {"method": "phone", "content": "已增开窗口并向评价人说明"},
}


@dataclass(frozen=True)
class ItemPlan:
    code: str
    process_id: str
    department: str
    instant: bool
    promised_days: int
    steps: dict[str, str]  # user task element id -> caseStep
    specials: tuple[str, ...]  # special procedures the BPMN routes that do not count toward the limit
    order: tuple[str, ...]  # the main path's caseSteps in process order (examination, opinion, review, decision)


@dataclass(order=True)
class Event:
    at: datetime
    seq: int
    kind: str = field(compare=False)  # open | step | evaluate | rect | rate_fix | consult | consult_close
    ref: int = field(compare=False)  # the case's or consultation's index
    step: str = field(compare=False, default="")  # a caseStep, or a rectification element id
    data: dict[str, Any] = field(compare=False, default_factory=dict)


@dataclass
class Workload:
    start: date
    end: date  # the local date of the last event: the statistics period is [start, end]
    items: dict[str, ItemPlan]
    case_items: list[str]
    events: list[Event]
    fates: dict[int, str] = field(default_factory=dict)  # each case's fate, by its index
    expected: Counter[str] = field(default_factory=Counter)


def _main_order(tree: Any, steps: dict[str, str]) -> tuple[str, ...]:
    """The main path's caseSteps in the order the process reaches them (breadth first from the start event):
    some items ask another department's opinion before the examination, most after it."""
    flows: dict[str, list[str]] = {}
    for flow in tree.iter(f"{BPMN}sequenceFlow"):
        flows.setdefault(str(flow.get("sourceRef")), []).append(str(flow.get("targetRef")))
    start = str(next(tree.iter(f"{BPMN}startEvent")).get("id"))
    seen, queue, order = {start}, [start], []
    while queue:
        node = queue.pop(0)
        if steps.get(node) in MAIN_STEPS and steps[node] not in order:
            order.append(steps[node])
        for target in flows.get(node, []):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return tuple(order)


def _bpmn_facts(path: Path) -> tuple[dict[str, str], set[str], tuple[str, ...]]:
    """(element id -> caseStep of every user task, special procedures the examination route names, the main
    path's order)."""
    tree = ET.parse(path)  # noqa: S314 - our own repository's files
    steps = {}
    for task in tree.iter(f"{BPMN}userTask"):
        props = {p.get("name"): p.get("value") for p in task.iter(f"{SPIFF}property")}
        steps[str(task.get("id"))] = str(props.get("caseStep") or "")
    routed: set[str] = set()
    for cond in tree.iter(f"{BPMN}conditionExpression"):
        found = re.search(r'examination\.get\("special_procedure", ""\) in \[(.*?)\]', cond.text or "")
        if found:
            routed |= set(re.findall(r'"([^"]+)"', found.group(1)))
    return steps, routed, _main_order(tree, steps)


def load_items(root: Path = ROOT) -> dict[str, ItemPlan]:
    catalogue = load_catalogue((root / "processes" / "catalog.toml").read_text(encoding="utf-8"))
    items = {}
    for item in catalogue.items:
        pid = "item_" + item.code.lower().replace("-", "_")
        steps, routed, order = _bpmn_facts(root / "processes" / "items" / f"{pid}.bpmn")
        specials = tuple(p.name for p in item.special_procedures if not p.counted and p.name in routed)
        items[item.code] = ItemPlan(
            item.code, pid, item.department, item.instant, item.promised_days, steps, specials, order
        )
    return items


def _pick(rng: random.Random, shares: dict[str, int]) -> str:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


class _Planner:
    """Builds the events in working-day terms: ``day`` indexes the calendar's working days from the start."""

    def __init__(self, calendar: WorkCalendar, start: date, horizon: int, rng: random.Random) -> None:
        self.zone, self.rng = calendar.zone, rng
        self.days = [calendar.add_working_days(start, n) for n in range(horizon)]
        self.events: list[Event] = []
        self.fates: dict[int, str] = {}
        self.fate_shares, self.bad_review_share = FATES, BAD_REVIEW_SHARE

    def at(self, day: int, minutes: float) -> datetime:
        return datetime.combine(self.days[day], time(9), self.zone) + timedelta(minutes=minutes)

    def add(self, at: datetime, kind: str, ref: int, step: str = "", data: dict[str, Any] | None = None) -> None:
        self.events.append(Event(at, len(self.events), kind, ref, step, dict(data or {})))

    def run(self, ref: int, day: int, cursor: datetime, steps: list[tuple[int, str, dict[str, Any]]]) -> datetime:
        """Schedule (day, caseStep, form) actions in order after ``cursor``; returns the last one's time."""
        for step_day, step, data in steps:
            if self.days[step_day] > cursor.astimezone(self.zone).date():
                cursor = self.at(step_day, self.rng.uniform(0, 120))
            else:
                cursor += timedelta(minutes=self.rng.uniform(5, 25))
            self.add(cursor, "step", ref, step, data)
        return cursor


def _work(item: ItemPlan, fate: str, special: str) -> list[tuple[str, dict[str, Any]]]:
    """The actions after acceptance in the item's order; the examination carries a detour (special procedure or
    extension) and is examined again after it; the decision approves or refuses."""
    actions: list[tuple[str, dict[str, Any]]] = []
    for step in item.order:
        if step == "examination" and fate == "special":
            actions += [("examination", {**FORMS["examination"], "special_procedure": special})]
            actions += [("special_procedure_end", FORMS["special_procedure_end"])]
        elif step == "examination" and fate == "extension":
            asked = {"opinion": "情况复杂", "extension_requested": True, "extension_reason": "需补充调查"}
            actions += [("examination", asked), ("extension", FORMS["extension"])]
        if step == "decision":
            actions.append(("decision", FORMS["refuse" if fate == "refused" else "approve"]))
        else:
            actions.append((step, FORMS[step]))
    return actions


def _days_of(
    work: list[tuple[str, dict[str, Any]]], first: int, last: int, pause: int, rng: random.Random
) -> list[tuple[int, str, dict[str, Any]]]:
    """The working day of each action: the first on ``first``, a detour on the day it is asked for (within the
    promise), a special procedure's end ``pause`` days later, the decision on ``last``, the rest in between."""
    plan: list[tuple[int, str, dict[str, Any]]] = []
    for n, (step, data) in enumerate(work):
        previous = plan[-1][0] if n else first
        if step == "special_procedure_end":
            at = previous + pause
        elif step == "extension" or (n + 1 < len(work) and work[n + 1][0] in {"special_procedure_end", "extension"}):
            at = previous
        elif step == "decision":
            at = last
        else:
            at = previous + rng.randint(0, max(0, last - pause - previous)) if n else first
        plan.append((at, step, data))
    return plan


def _plan_case(p: _Planner, ref: int, item: ItemPlan, day: int, expected: Counter[str]) -> None:
    rng = p.rng
    received = p.at(day, rng.uniform(0, 450))
    p.add(received, "open", ref)
    cursor = received
    fate = _pick(rng, INSTANT_FATES) if item.instant else _pick(rng, p.fate_shares)
    if fate == "special" and not item.specials:
        fate = "normal"
    if fate == "extension" and "extension" not in item.steps.values():
        fate = "normal"
    corrected = fate == "correction_then_same_day" or (
        not item.instant and fate != "not_accepted" and rng.random() < CORRECTION_SHARE
    )
    expected["received"] += 1
    expected[f"fate_{fate}"] += 1
    p.fates[ref] = fate
    if fate == "not_accepted":
        p.run(ref, day, cursor, [(day, "acceptance", FORMS["not_accept"])])
        return
    if corrected:
        expected["corrections"] += 1
        supplied = day + rng.randint(1, 4)
        cursor = p.run(ref, day, cursor, [(day, "acceptance", FORMS["correction_notice"])])
        cursor = p.run(ref, supplied, cursor, [(supplied, "correction", FORMS["correction"])])
        day = supplied
    expected["accepted"] += 1
    if fate == "instant":
        cursor = p.run(
            ref, day, cursor, [(day, "acceptance", FORMS["instant_done"]), (day, "delivery", FORMS["delivery"])]
        )
        _plan_evaluation(p, ref, item, cursor, expected)
        return
    work = _work(item, fate, rng.choice(item.specials) if fate == "special" else "")
    p_days = item.promised_days
    used = rng.randint(max(0, p_days // 5), p_days)  # the working days after acceptance the case takes
    if fate in {"late", "extension"}:
        used = p_days + rng.randint(1, 2)  # past the promise; an extension covers it (≥ 3 days everywhere)
        expected["late"] += fate == "late"
    pause = rng.randint(2, 8) if fate == "special" else 0
    first = day + rng.randint(0, min(used, p_days))  # the first step after acceptance
    plan = [(day, "acceptance", FORMS["accept"]), *_days_of(work, first, day + used + pause, pause, rng)]
    plan.append((plan[-1][0] + rng.randint(0, 2), "delivery", FORMS["delivery"]))
    expected["refused_decisions"] += fate == "refused"
    cursor = p.run(ref, day, cursor, plan)
    _plan_evaluation(p, ref, item, cursor, expected)


def _plan_evaluation(p: _Planner, ref: int, item: ItemPlan, cursor: datetime, expected: Counter[str]) -> None:
    """A share of the finished cases is rated at the window; a bad review runs its rectification."""
    rng = p.rng
    roll = rng.random()
    if roll >= EVALUATION_SHARE:
        return
    cursor += timedelta(minutes=rng.uniform(1, 10))
    expected["evaluations"] += 1
    if roll >= p.bad_review_share:
        p.add(cursor, "evaluate", ref, data={"level": rng.choices([5, 4, 3], weights=[70, 22, 8])[0]})
        return
    expected["bad_reviews"] += 1
    p.add(cursor, "evaluate", ref, data={"level": rng.choice([1, 2]), "comment": "等候时间太长"})
    for step, delay in (("call_back", 60), ("classify", 30), ("feedback", 60)):
        cursor += timedelta(minutes=delay)
        p.add(cursor, "rect", ref, step, FORMS[step])
    if rng.random() < FIX_RATED_SHARE:
        expected["fixes_rated"] += 1
        p.add(cursor + timedelta(minutes=30), "rate_fix", ref, data={"rating": "satisfied"})


def _plan_consultations(p: _Planner, count: int, days: int, departments: list[str], expected: Counter[str]) -> None:
    rng = p.rng
    for ref in range(count):
        asked = p.at(rng.randrange(days), rng.uniform(0, 500))
        channel, outcome = _pick(rng, CHANNELS), _pick(rng, OUTCOMES)
        data: dict[str, Any] = {"channel": channel, "subject": "办事咨询", "question": "需要准备哪些材料？"}
        data["outcome"] = outcome
        if outcome == "answered":
            data["answer"] = "已按办事指南一次性告知"
        elif outcome == "transferred":
            data["transferred_to"] = rng.choice(departments)
            p.add(asked + timedelta(minutes=rng.uniform(10, 120)), "consult_close", ref, data={"answer": "已电话答复"})
        else:
            data["referred_to"] = "县公安局户政大厅"
        p.add(asked, "consult", ref, data=data)
        expected["consultations"] += 1
        expected["hotline"] += channel == "hotline"
        expected[f"consult_{outcome}"] += 1


def plan_year(
    calendar: WorkCalendar,
    start: date,
    *,
    cases: int = FULL_CASES,
    consultations: int = FULL_CONSULTATIONS,
    days: int | None = None,
    seed: int = 20250101,
    root: Path = ROOT,
    fates: dict[str, int] | None = None,
    bad_review_share: float = BAD_REVIEW_SHARE,
) -> Workload:
    """The workload: ``cases`` and ``consultations`` received over ``days`` working days from ``start``
    (default: as many as keep the centre's daily volume, ~230 cases a day), then worked until all are 办结.
    ``fates`` and ``bad_review_share`` replace the realistic shares (a smoke test wants every kind at once)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible workload, not secrets
    items = load_items(root)
    days = days or max(1, round(FULL_DAYS * cases / FULL_CASES))
    p = _Planner(calendar, start, days + 80, rng)  # room after the last receipt for the longest plans
    p.fate_shares, p.bad_review_share = fates or FATES, bad_review_share
    codes = sorted(items)
    weights = [3 if items[c].instant else 1 for c in codes]  # 即办件 are the bulk of a centre's traffic
    case_items = rng.choices(codes, weights=weights, k=cases)
    expected: Counter[str] = Counter()
    for ref, code in enumerate(case_items):
        _plan_case(p, ref, items[code], rng.randrange(days), expected)
    _plan_consultations(p, consultations, days, sorted({i.department for i in items.values()}), expected)
    events = sorted(p.events)
    end = max(e.at for e in events).astimezone(calendar.zone).date() if events else start
    return Workload(start, end, items, case_items, events, p.fates, expected)
