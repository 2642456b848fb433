"""Rows → the plain facts the metrics count (engine/domain/metrics.py): who decided a case, its service level,
whether an agent brought it, the working days it used; and the names a report shows for each group."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.domain.accountability import is_revoked
from engine.domain.calendar import WorkCalendar
from engine.domain.case_clock import CaseClock, Pause
from engine.domain.metrics import CaseFacts, Event
from engine.domain.warning_cards import WarningStatus

#: who the officer of a case is: the decision's actor, else the acceptance's (domain §4.3 环节记录)
DECIDING = ("decide", "complete_instantly", "refuse_acceptance")
ACCEPTING = ("accept",)
CHANNEL_LABELS = {
    "window": "窗口", "online": "网上", "agent": "代办", "mail": "邮寄", "desk": "咨询台", "phone": "电话",
    "hotline": "热线", "web": "网站", "app": "移动端", "sms": "短信",
}  # fmt: skip
LEVEL_LABELS = {"county": "县级", "town": "乡镇", "village": "村（社区）"}
UNATTRIBUTED_LABEL = "（未归属）"
REVOKED = WarningStatus.REVOKED.value


@dataclass
class Lookups:
    """The organisation as the statistics need it: names for labels, agents and windows for the level."""

    departments: dict[str, str] = field(default_factory=dict)
    windows: dict[str, str] = field(default_factory=dict)
    items: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (name, type)
    people: dict[str, str] = field(default_factory=dict)  # username -> display name
    agent_levels: dict[str, str] = field(default_factory=dict)  # agent username -> town | village
    town_windows: set[str] = field(default_factory=set)

    def label(self, by: str, key: str) -> str:
        if not key:
            return UNATTRIBUTED_LABEL
        names: dict[str, str] = {
            "department": self.departments,
            "window": self.windows,
            "officer": self.people,
            "item": {code: name for code, (name, _) in self.items.items()},
            "channel": CHANNEL_LABELS,
            "level": LEVEL_LABELS,
        }.get(by, {})
        return names.get(key, key)


def load_lookups(uow: Any) -> Lookups:
    found = Lookups()
    found.departments = {d["code"]: d["name"] for d in uow.organisation.departments()}
    found.items = {i["code"]: (i["name"], i["type"]) for i in uow.catalogue.all()}
    found.people = {g["username"]: g["display_name"] for g in uow.organisation.staff_grants()}
    kinds = {}
    for point in uow.organisation.service_points():
        kinds[point["code"]] = point["kind"]
        if point["kind"] in {"town", "village"}:
            for agent in point["agents"] or []:
                found.agent_levels[agent["username"]] = point["kind"]
                found.people.setdefault(agent["username"], agent.get("name", agent["username"]))
    for window in uow.organisation.windows():
        found.windows[window["code"]] = window["name"]
        if kinds.get(window["service_point"]) == "town":
            found.town_windows.add(window["code"])
    return found


def _officer(row: dict[str, Any]) -> str:
    history = row["record"].get("history", [])
    # the last decision's actor, else the last acceptance's: one backwards pass finds both
    accepting = None
    for step in reversed(history):
        action = step["action"]
        if action in DECIDING:
            return str(step["actor"])
        if accepting is None and action in ACCEPTING:
            accepting = step["actor"]
    if accepting is not None:
        return str(accepting)
    return str(row.get("created_by") or "")


def _level(row: dict[str, Any], lookups: Lookups) -> str:
    by_agent = lookups.agent_levels.get(row.get("created_by") or "")
    if by_agent:
        return by_agent
    return "town" if row.get("window") in lookups.town_windows else "county"


def case_dims(row: dict[str, Any], lookups: Lookups) -> dict[str, str]:
    return {
        "department": row["department"] or "",
        "window": row["window"] or "",
        "officer": _officer(row),
        "item": row["item_code"],
        "item_type": row["item_type"] or "",
        "channel": row["channel"] or "",
        "level": _level(row, lookups),
    }


def _clock(record: dict[str, Any]) -> CaseClock | None:
    """The case's clock, as ``case_from_dict(record).clock`` builds it, without decoding the rest of the case
    (the statistics read every case of a period: the full decode was most of their time)."""
    accepted = record.get("accepted_at")
    if not accepted:
        return None
    pauses = tuple(
        Pause(
            p["kind"],
            datetime.fromisoformat(p["started_at"]),
            datetime.fromisoformat(p["ended_at"]) if p.get("ended_at") else None,
            bool(p["counted"]),
        )
        for p in record.get("pauses", [])
    )
    extension = sum(e["days"] for e in record.get("extensions", []))
    return CaseClock(
        datetime.fromisoformat(accepted), int(record["promised_days"]), record.get("statutory_days"), pauses, extension
    )


def _used_days(row: dict[str, Any], done_at: datetime | None, calendar: WorkCalendar) -> int | None:
    if done_at is None or row["accepted_at"] is None:
        return None
    clock = _clock(row["record"])
    return clock.used_working_days(calendar, done_at) if clock is not None else None


def case_facts(
    row: dict[str, Any],
    lookups: Lookups,
    calendar: WorkCalendar,
    evaluated: set[str],
    dims: dict[str, str] | None = None,
) -> CaseFacts:
    record = row["record"]
    decided = record.get("decided_at")
    done_at = datetime.fromisoformat(decided) if decided else row["completed_at"]
    instant = any(h["action"] == "complete_instantly" for h in record.get("history", []))
    return CaseFacts(
        case_no=row["case_no"],
        received_at=row["received_at"],
        dims=dims if dims is not None else case_dims(row, lookups),
        accepted_at=row["accepted_at"],
        done_at=done_at,
        due_at=row["due_at"],
        not_accepted=row["status"] == "not_accepted",
        instant=instant,
        corrections=len(record.get("corrections") or []),
        agency=row["channel"] == "agent" or row.get("created_by") in lookups.agent_levels,
        paused=row["status"] == "paused",
        used_days=0 if instant else _used_days(row, done_at, calendar),
        statutory_days=record.get("statutory_days"),
        evaluated=row["case_no"] in evaluated,
    )


def _with(base: dict[str, str] | None, **own: str | None) -> dict[str, str]:
    """A record's dimensions: its case's, overridden by what the record itself names."""
    dims = dict(base or {})
    dims.update({k: v for k, v in own.items() if v})
    return dims


def _case_of(entry: dict[str, Any]) -> str | None:
    """The case a ledger entry is about: its reference ("case:<no>") or, for a card's entry, its details."""
    reference = entry["reference"]
    if reference and reference.startswith("case:"):
        return str(reference[5:])
    case_no = (entry.get("details") or {}).get("case_no")
    return str(case_no) if case_no else None


def rectification_events(orders: list[dict[str, Any]], dims: dict[str, dict[str, str]]) -> list[Event]:
    """A bad review's call back and rectification, dated at the review, with their deadlines (metrics)."""
    events = []
    for o in orders:
        own = _with(dims.get(o["case_no"]), department=o["department"], window=o["window"], officer=o["handled_by"])
        for kind, due, done in (
            ("callback", o["callback_due_at"], o["called_back_at"]),
            ("rectification", o["due_at"], o["feedback_at"]),
        ):
            events.append(Event(kind, o["evaluated_at"], own, revoked=bool(o["excluded"]), due_at=due, done_at=done))
    return events


def load_facts(
    uow: Any, calendar: WorkCalendar, since: datetime, until: datetime
) -> tuple[list[CaseFacts], list[Event], Lookups]:
    """Everything a report over [since, until) counts, read in one unit of work."""
    lookups = load_lookups(uow)
    stats = uow.stats
    evaluated = stats.evaluated_case_nos(since, until)
    rows = {r["case_no"]: r for r in stats.cases_touching(since, until)}
    ratings, complaints = stats.evaluations_between(since, until), stats.complaints_between(since, until)
    violations, cards = stats.violations_between(since, until), stats.warnings_between(since, until)
    referenced = {r["case_no"] for r in ratings} | {c["case_no"] for c in complaints if c["case_no"]}
    referenced |= {n for n in (_case_of(v) for v in violations) if n} | {w["case_no"] for w in cards}
    dims = {n: case_dims(r, lookups) for n, r in rows.items()}
    for row in stats.cases_by_number(referenced - set(rows)):
        dims[row["case_no"]] = case_dims(row, lookups)
    facts = [case_facts(r, lookups, calendar, evaluated, dims[n]) for n, r in rows.items()]
    events = [
        Event(
            "consultation",
            c["asked_at"],
            _with(
                {"level": "county"},
                department=c["department"] or c["transferred_to"],
                officer=c["first_responder"],
                item=c["item_code"],
                item_type=lookups.items.get(c["item_code"] or "", ("", ""))[1],
                channel=c["channel"],
            ),
        )
        for c in stats.consultations_between(since, until)
    ]
    events += [
        Event(
            "evaluation",
            r["evaluated_at"],
            _with(dims.get(r["case_no"]), department=r["department"], window=r["window"], officer=r["handled_by"]),
            level=int(r["level"]),
            revoked=bool(r["excluded"]),
        )
        for r in ratings
    ]
    events += rectification_events(uow.rectifications.between(since, until), dims)
    events += [
        Event(
            "complaint",
            c["received_at"],
            _with(dims.get(c["case_no"] or ""), department=c["department"]),
            closed=c["closed_at"] is not None,
        )
        for c in complaints
    ]
    events += [
        Event(
            "warning",
            w["issued_at"],
            _with(
                dims.get(w["case_no"]),
                department=w["department"],
                officer=w["handler"],
                item=w["item_code"],
                item_type=lookups.items.get(w["item_code"], ("", ""))[1],
            ),
            tag=w["level"],
            revoked=w["status"] == REVOKED,
        )
        for w in cards
    ]
    events += [
        Event(
            "violation",
            v["at"],
            _with(dims.get(_case_of(v) or ""), department=v["department"], officer=v["username"]),
            tag=v["kind"],
            revoked=is_revoked(v["details"]),
        )
        for v in violations
    ]
    return facts, events, lookups
