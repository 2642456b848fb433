"""The centre's statistics (domain §10) as pure rules: one definition per metric, computed from plain facts.

The service layer turns rows into :class:`CaseFacts` and :class:`Event` values; this module only counts.

* **Cohort** figures are about the cases RECEIVED in the period (the cohort), read as they stand now (accepted,
  corrected, evaluated) except 办结, which must have happened before the period's end. So received ≥ accepted ≥
  completed always holds and every cohort rate lies within 0–100 %.
* **Flow** figures count what HAPPENED in the period whatever the case's receipt date (a case received last
  month and completed this month is in this month's flow); their keys end in ``_flow``. No rate is built from
  flow counts: completed-in-period over accepted-in-period can exceed 100 % and means nothing on its own.
* **Period** figures count records dated in the period: consultations, evaluations, complaints, warning cards
  (the ``warnings`` table: yellow and red cards ISSUED in the period, as they stand now — a card revoked on
  appeal is counted apart, in ``revoked_cards``) and accountability entries (the ``violations`` ledger; an entry
  marked revoked counts for nothing). ``red_cards`` counts cards, ``red_card_entries`` the ledger's entries of
  kind ``red_card``: a red card whose trigger already wrote its own entry (a second correction) adds none.

Grouping by a dimension partitions the cases and records by their value of it, so every count metric of the
groups adds up to the whole period's. Grouping by month or quarter splits the period into sub-periods and
applies the same definitions to each: each month is its own cohort with its own end, so the counts judged at
the period's end (:data:`JUDGED_AT_END`: a case of one month completed in the next is completed in the whole
period but not in its month) need not add up; all other counts do.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

__all__ = [
    "DIMENSIONS", "GROUPINGS", "GROUPING_NOTES", "JUDGED_AT_END", "LEVELS", "METRICS", "TIME_GROUPINGS",
    "CaseFacts", "Event", "Group", "Metric", "Span",
    "change_percent", "compute", "group", "metric",
]  # fmt: skip

#: what a report can be grouped by: a case's own attributes, then sub-periods
DIMENSIONS = ("department", "window", "officer", "item", "item_type", "channel", "level")
TIME_GROUPINGS = ("month", "quarter")
GROUPINGS = DIMENSIONS + TIME_GROUPINGS
#: service levels (domain §9): the county centre, a town 为民服务中心, a village 为民服务站
LEVELS = ("county", "town", "village")
UNATTRIBUTED = ""  # the group of cases and records with no value for the dimension
#: cohort counts that depend on where the period ends (they do not add up over months)
JUDGED_AT_END = frozenset({"completed", "late_completed", "overdue", "instant"})
#: what each grouping means, for the definitions page and docs/metrics.md
GROUPING_NOTES = {
    "department": "The item's department (cases); the department a record names (evaluations, complaints, "
    "accountability entries; a consultation's department or the one it was transferred to).",
    "window": "The window the item is handled at (cases); the window a rating names.",
    "officer": "Who decided the case (决定人); before a decision, who accepted it; before that, who received it. "
    "For records: the rated officer, the first responder of a consultation, the person an entry is against.",
    "item": "The item (事项) code.",
    "item_type": "The item's type: 行政许可, 非行政许可审批, 管理服务事项.",
    "channel": "How the case came in: window, online, agent (代办), mail; a consultation's own channel.",
    "level": "county, town or village: village or town when an agent of a village station or town centre "
    "opened the case, town when the case's window belongs to a town centre, otherwise county (the organisation "
    "does not say more). Records take the level of their case; consultations are the county centre's.",
    "month": "Calendar months of the period (local time); each month is its own cohort, completed by the month's "
    "end, so completed, completed late, overdue and instant need not add up to the period's.",
    "quarter": "Calendar quarters of the period (local time); each quarter is its own cohort, as for months.",
}


@dataclass(frozen=True)
class Metric:
    key: str
    zh: str
    en: str
    unit: str  # count | percent | working_days
    basis: str  # cohort | flow | period
    definition: str


def _m(key: str, zh: str, en: str, unit: str, basis: str, definition: str) -> Metric:
    return Metric(key, zh, en, unit, basis, definition)


METRICS: tuple[Metric, ...] = (
    _m("consultations", "咨询量（人次）", "Consultations", "count", "period",
       "Consultations logged (desk, window, phone, 96128 hotline, online) asked in the period."),
    _m("received", "收件量", "Received", "count", "cohort",
       "Cases received in the period: the cohort every other cohort figure is about."),
    _m("accepted", "受理量", "Accepted", "count", "cohort",
       "Cohort cases accepted by now, including those accepted after a correction, auto-accepted after 5 "
       "working days (第32条) and instant cases (即办件)."),
    _m("not_accepted", "不予受理量", "Not accepted", "count", "cohort",
       "Cohort cases refused at acceptance (不予受理)."),
    _m("corrections", "补正量", "Corrections", "count", "cohort",
       "Cohort cases that received at least one correction notice (一次性告知/补正材料通知书)."),
    _m("completed", "办结量", "Completed", "count", "cohort",
       "Accepted cohort cases 办结 before the period's end: decided (准予/不予许可), completed on the spot, or "
       "withdrawn or terminated after acceptance. The decision is the 办结 instant; delivery may follow."),
    _m("completion_rate", "办结率", "Completion rate", "percent", "cohort",
       "completed / accepted × 100 (cohort-based: both counts are about the cases received in the period)."),
    _m("on_time_rate", "按时办结率", "On-time rate", "percent", "cohort",
       "Completed cohort cases 办结 no later than their promised due time (承诺时限, extensions included; an "
       "item without a due time counts as on time) / completed × 100."),
    _m("late_completed", "超时办结件", "Completed late", "count", "cohort",
       "Completed cohort cases 办结 after their promised due time."),
    _m("overdue", "超期未办结", "Overdue, open", "count", "cohort",
       "Accepted cohort cases past their promised due time and not 办结 at the period's end (or now, if "
       "earlier); a case paused for a special procedure is not counted (第45条)."),
    _m("average_working_days", "承诺件平均办结时间（工作日）", "Average working days", "working_days", "cohort",
       "Mean working days from acceptance to 办结 of the completed cohort cases that are not instant cases "
       "(承诺件), the day after acceptance first, paused time (special procedures) left out."),
    _m("speed_up_rate", "实际提速率", "Speed-up rate", "percent", "cohort",
       "Mean over completed 承诺件 with a statutory limit of (1 − working days used / statutory working days) "
       "× 100; a case that used its whole statutory limit or more counts 0."),
    _m("instant", "即办件", "Instant cases", "count", "cohort",
       "Completed cohort cases completed on the spot (当场办结)."),
    _m("instant_share", "即办件占比", "Instant-case share", "percent", "cohort", "instant / completed × 100."),
    _m("agency_cases", "代办件", "Agency cases", "count", "cohort",
       "Cohort cases applied for through an agent (代办): the channel is 代办 or an agent account opened them."),
    _m("accepted_flow", "受理量（流量）", "Accepted (flow)", "count", "flow",
       "Cases accepted in the period, whenever received."),
    _m("completed_flow", "办结量（流量）", "Completed (flow)", "count", "flow",
       "Accepted cases 办结 in the period, whenever received (the count a centre's annual report usually gives)."),
    _m("evaluations", "评价数", "Evaluations", "count", "period", "好差评 ratings given in the period."),
    _m("satisfaction_rate", "满意率", "Satisfaction rate", "percent", "period",
       "Ratings 非常满意, 满意 or 基本满意 (levels 5–3) / ratings in the period × 100; bad reviews excluded on "
       "appeal are left out of both."),
    _m("bad_reviews", "差评数", "Bad reviews", "count", "period",
       "Ratings 不满意 or 非常不满意 (levels 2–1) given in the period, those excluded on appeal left out."),
    _m("excluded_reviews", "申诉剔除差评", "Excluded bad reviews", "count", "period",
       "Bad reviews given in the period and excluded by now on appeal (申诉复核: mistaken or malicious); they "
       "count in evaluations only."),
    _m("callback_rate", "回访率", "Call-back rate", "percent", "period",
       "Bad reviews given in the period (excluded ones left out) called back within their limit (1 working day "
       "after the review) / those of them called back or past the limit by now × 100."),
    _m("rectification_on_time_rate", "整改按时率", "On-time rectification rate", "percent", "period",
       "Bad reviews given in the period (excluded ones left out) fed back to the evaluator by their "
       "rectification deadline (ONESTOP_RECTIFICATION_DAYS working days, default 5, after the review; a ledgered "
       "one: after it was ledgered) / those of them fed back or past the deadline by now × 100."),
    _m("evaluation_rate", "评议率", "Evaluation rate", "percent", "cohort",
       "Completed cohort cases with at least one 好差评 rating / completed × 100."),
    _m("complaints", "投诉量", "Complaints", "count", "period", "Complaints received in the period."),
    _m("complaints_closed", "投诉办结量", "Complaints closed", "count", "period",
       "Complaints received in the period and closed by now."),
    _m("hotline_calls", "热线来电量（96128）", "Hotline calls", "count", "period",
       "Consultations that came in on the 96128 hotline (counted in 咨询量 too) asked in the period."),
    _m("yellow_cards", "黄牌数", "Yellow cards", "count", "period",
       "Yellow cards (黄牌, warning table) issued in the period and not revoked by now."),
    _m("red_cards", "红牌数", "Red cards", "count", "period",
       "Red cards (红牌, warning table) issued in the period and not revoked by now, whatever their trigger."),
    _m("revoked_cards", "撤销的黄红牌", "Revoked cards", "count", "period",
       "Yellow and red cards issued in the period and revoked on appeal by now (not in the two counts above)."),
    _m("red_card_entries", "红牌问责记录", "Red-card ledger entries", "count", "period",
       "Accountability ledger entries of kind red_card dated in the period, revoked ones left out; a red card "
       "whose trigger wrote its own entry (second correction) has none of this kind."),
    _m("accountability", "问责记录", "Accountability entries", "count", "period",
       "Accountability ledger entries (red card, first inquiry, second correction, attendance, leaving post, "
       "patrol, complaint) dated in the period, revoked ones left out."),
)  # fmt: skip
_BY_KEY = {m.key: m for m in METRICS}


def metric(key: str) -> Metric:
    return _BY_KEY[key]


@dataclass(frozen=True)
class CaseFacts:
    """One case as the statistics see it; ``dims`` maps each dimension to its value ("" when unknown)."""

    case_no: str
    received_at: datetime
    dims: Mapping[str, str] = field(default_factory=dict)
    accepted_at: datetime | None = None
    done_at: datetime | None = None  # the 办结 instant: decision, on-the-spot completion, or end after acceptance
    due_at: datetime | None = None  # the promised due time
    not_accepted: bool = False
    instant: bool = False
    corrections: int = 0
    agency: bool = False
    paused: bool = False  # in a special procedure now
    used_days: int | None = None  # working days acceptance → 办结, pauses left out
    statutory_days: int | None = None
    evaluated: bool = False


@dataclass(frozen=True)
class Event:
    """A dated record: a consultation, an evaluation (``level`` 1–5), a complaint (``closed``), a warning card
    (``tag`` = yellow | red) or an accountability entry (``tag`` = its kind); ``revoked`` for a card or an entry
    revoked by now, or a bad review excluded on appeal. A bad review's call back and rectification are records
    dated at the review (kind callback | rectification) with their ``due_at`` and ``done_at``."""

    kind: str  # consultation | evaluation | complaint | warning | violation
    at: datetime
    dims: Mapping[str, str] = field(default_factory=dict)
    level: int | None = None
    closed: bool = False
    tag: str = ""
    revoked: bool = False
    #: a bad review's call back or rectification (kind callback | rectification): its deadline, when done
    due_at: datetime | None = None
    done_at: datetime | None = None


@dataclass(frozen=True)
class Span:
    """The period [since, until) and the instant the report is made (overdue is judged at min(now, until))."""

    since: datetime
    until: datetime
    now: datetime

    @property
    def judged_at(self) -> datetime:
        return min(self.now, self.until)


@dataclass(frozen=True)
class Group:
    key: str
    figures: dict[str, float]


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def _mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 2) if values else 0.0


def _within(at: datetime | None, span: Span) -> bool:
    return at is not None and span.since <= at < span.until


def _case_figures(cases: Iterable[CaseFacts], span: Span) -> dict[str, float]:
    cases = list(cases)
    cohort = [c for c in cases if _within(c.received_at, span)]
    accepted = [c for c in cohort if c.accepted_at is not None]
    completed = [c for c in accepted if c.done_at is not None and c.done_at < span.until]
    on_time = [c for c in completed if c.due_at is None or c.done_at <= c.due_at]  # type: ignore[operator]
    promised = [c for c in completed if not c.instant and c.used_days is not None]
    timed = [c for c in promised if c.statutory_days]
    overdue = [
        c
        for c in accepted
        if (c.done_at is None or c.done_at >= span.until)
        and c.due_at is not None
        and c.due_at < span.judged_at
        and not c.paused
    ]
    instant = [c for c in completed if c.instant]
    return {
        "received": len(cohort),
        "accepted": len(accepted),
        "not_accepted": sum(1 for c in cohort if c.not_accepted),
        "corrections": sum(1 for c in cohort if c.corrections),
        "completed": len(completed),
        "completion_rate": _percent(len(completed), len(accepted)),
        "on_time_rate": _percent(len(on_time), len(completed)),
        "late_completed": len(completed) - len(on_time),
        "overdue": len(overdue),
        "average_working_days": _mean([float(c.used_days or 0) for c in promised]),
        "speed_up_rate": round(
            100 * _mean([max(0.0, 1 - (c.used_days or 0) / (c.statutory_days or 1)) for c in timed]), 2
        ),
        "instant": len(instant),
        "instant_share": _percent(len(instant), len(completed)),
        "agency_cases": sum(1 for c in cohort if c.agency),
        "accepted_flow": sum(1 for c in cases if _within(c.accepted_at, span)),
        "completed_flow": sum(1 for c in cases if c.accepted_at is not None and _within(c.done_at, span)),
        "evaluation_rate": _percent(sum(1 for c in completed if c.evaluated), len(completed)),
    }


def _timely_rate(records: Sequence[Event], now: datetime) -> float:
    """Done by the deadline / done or past the deadline by now (one not yet due and not done is not judged)."""
    judged = [
        e for e in records if not e.revoked and (e.done_at is not None or (e.due_at is not None and e.due_at <= now))
    ]
    timely = sum(1 for e in judged if e.done_at is not None and e.due_at is not None and e.done_at <= e.due_at)
    return _percent(timely, len(judged))


def _event_figures(events: Iterable[Event], span: Span) -> dict[str, float]:
    inside = [e for e in events if _within(e.at, span)]
    ratings = [e for e in inside if e.kind == "evaluation"]
    counted = [e for e in ratings if not e.revoked]  # an excluded bad review counts for evaluations only
    complaints = [e for e in inside if e.kind == "complaint"]
    cards = [e for e in inside if e.kind == "warning"]
    violations = [e for e in inside if e.kind == "violation" and not e.revoked]
    return {
        "consultations": sum(1 for e in inside if e.kind == "consultation"),
        "hotline_calls": sum(1 for e in inside if e.kind == "consultation" and e.dims.get("channel") == "hotline"),
        "evaluations": len(ratings),
        "satisfaction_rate": _percent(sum(1 for e in counted if (e.level or 0) >= 3), len(counted)),
        "bad_reviews": sum(1 for e in counted if (e.level or 0) <= 2),
        "excluded_reviews": len(ratings) - len(counted),
        "callback_rate": _timely_rate([e for e in inside if e.kind == "callback"], span.now),
        "rectification_on_time_rate": _timely_rate([e for e in inside if e.kind == "rectification"], span.now),
        "complaints": len(complaints),
        "complaints_closed": sum(1 for e in complaints if e.closed),
        "yellow_cards": sum(1 for e in cards if e.tag == "yellow" and not e.revoked),
        "red_cards": sum(1 for e in cards if e.tag == "red" and not e.revoked),
        "revoked_cards": sum(1 for e in cards if e.revoked),
        "red_card_entries": sum(1 for e in violations if e.tag == "red_card"),
        "accountability": len(violations),
    }


def compute(cases: Iterable[CaseFacts], events: Iterable[Event], span: Span) -> dict[str, float]:
    """Every metric of :data:`METRICS` for the span, in the registry's order."""
    figures = {**_case_figures(cases, span), **_event_figures(events, span)}
    return {m.key: figures[m.key] for m in METRICS}


def _month_starts(span: Span) -> list[date]:
    zone = span.since.tzinfo
    first = span.since.astimezone(zone).date().replace(day=1)
    starts = []
    while datetime.combine(first, time(0), zone) < span.until:
        starts.append(first)
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return starts


def _sub_spans(span: Span, by: str) -> list[tuple[str, Span]]:
    """The period cut at month (or quarter) boundaries in the period's own time zone."""
    zone = span.since.tzinfo
    cuts: dict[str, datetime] = {}
    for start in _month_starts(span):
        key = f"{start:%Y-%m}" if by == "month" else f"{start.year}-Q{(start.month - 1) // 3 + 1}"
        cuts.setdefault(key, max(span.since, datetime.combine(start, time(0), zone)))
    keys = list(cuts)
    bounds = [cuts[k] for k in keys] + [span.until]
    return [(k, Span(bounds[i], bounds[i + 1], span.now)) for i, k in enumerate(keys)]


def _bucketed(
    cases: Iterable[CaseFacts], events: Iterable[Event], subs: Sequence[Span]
) -> list[tuple[list[CaseFacts], list[Event]]]:
    """Each case and record put once into the sub-periods it can count in, so each sub-period computes over its
    own few instead of all of them: a case where it was received (the cohort and every cohort figure), accepted
    or 办结 (the flow figures); a record where it is dated."""
    starts = [sub.since for sub in subs]
    end = subs[-1].until if subs else None

    def index(at: datetime | None) -> int | None:
        if at is None or end is None or at < starts[0] or at >= end:
            return None
        return bisect_right(starts, at) - 1

    buckets: list[tuple[list[CaseFacts], list[Event]]] = [([], []) for _ in subs]
    for case in cases:
        for i in {index(case.received_at), index(case.accepted_at), index(case.done_at)} - {None}:
            buckets[i][0].append(case)  # type: ignore[index]
    for event in events:
        i = index(event.at)
        if i is not None:
            buckets[i][1].append(event)
    return buckets


def group(cases: Iterable[CaseFacts], events: Iterable[Event], span: Span, by: str) -> list[Group]:
    """The figures per value of ``by`` (a dimension, "month" or "quarter"); unattributed ("") last."""
    cases, events = list(cases), list(events)
    if by in TIME_GROUPINGS:
        subs = _sub_spans(span, by)
        buckets = _bucketed(cases, events, [sub for _, sub in subs])
        return [Group(key, compute(*bucket, sub)) for (key, sub), bucket in zip(subs, buckets, strict=True)]
    if by not in DIMENSIONS:
        raise ValueError(f"cannot group by {by!r}; one of {', '.join(GROUPINGS)}")
    case_groups: dict[str, list[CaseFacts]] = {}
    event_groups: dict[str, list[Event]] = {}
    for case in cases:
        case_groups.setdefault(case.dims.get(by) or UNATTRIBUTED, []).append(case)
    for event in events:
        event_groups.setdefault(event.dims.get(by) or UNATTRIBUTED, []).append(event)
    keys = sorted(set(case_groups) | set(event_groups), key=lambda k: (k == UNATTRIBUTED, k))
    groups = [Group(k, compute(case_groups.get(k, []), event_groups.get(k, []), span)) for k in keys]
    # a group with nothing in the period (e.g. only an old open case) says nothing: leave it out
    return [g for g in groups if any(g.figures[m.key] for m in METRICS)]


def change_percent(current: float, previous: float) -> float | None:
    """Month-on-month change (环比) in percent; None when the previous figure is 0."""
    return round(100.0 * (current - previous) / previous, 2) if previous else None
