"""Shapes of the window-discipline reads: who is assigned to which window, each officer's state right now
(on duty, away, signed out, not signed in) with today's breaches, the supervisor's live window view and the
public window board. Built from rows already read in one transaction; no database access here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from engine.domain.discipline import (
    Breach,
    DisciplineRules,
    LeaveRecord,
    SessionRecord,
    evaluate_day,
    leave_minutes,
)

ON_DUTY, AWAY, SIGNED_OUT, NOT_SIGNED_IN = "on_duty", "away", "signed_out", "not_signed_in"
STAFFED, WINDOW_AWAY, UNSTAFFED, CLOSED = "staffed", "away", "unstaffed", "closed"
STATE_LABELS = {ON_DUTY: "在岗", AWAY: "暂时离岗", SIGNED_OUT: "已签退", NOT_SIGNED_IN: "未签到"}
WINDOW_LABELS = {STAFFED: "有人在岗", WINDOW_AWAY: "人员离岗", UNSTAFFED: "无人在岗", CLOSED: "非工作时间"}


@dataclass(frozen=True)
class Assignment:
    """An officer's place: the window their grant names and the department it is held in."""

    username: str
    name: str
    window: str
    department: str | None


def assignments(grants: list[dict[str, Any]]) -> dict[str, Assignment]:
    """One window per officer (the first their grants name; a person cannot sit at two)."""
    found: dict[str, Assignment] = {}
    for grant in sorted(grants, key=lambda g: (g["username"], g["window"] or "", g["department"] or "")):
        if grant["window"] and grant["username"] not in found:
            found[grant["username"]] = Assignment(
                grant["username"], grant["display_name"], grant["window"], grant["department"]
            )
    return found


def enrolled(people: dict[str, Assignment], cards: dict[str, Any]) -> dict[str, Assignment]:
    """The officers enrolled for window duty: those the centre has issued a 工号 (a staff card, the number the
    public window board shows). Only they are expected to sign in, watched live and recorded absent."""
    return {username: person for username, person in people.items() if username in cards}


def session_record(row: dict[str, Any]) -> SessionRecord:
    return SessionRecord(row["id"], row["session"], row["signed_in_at"], row["signed_out_at"])


def leave_record(row: dict[str, Any]) -> LeaveRecord:
    return LeaveRecord(row["id"], row["left_at"], row["returned_at"], row["approved_by"] is not None)


def breach_json(breach: Breach, rules: DisciplineRules) -> dict[str, Any]:
    session = rules.session(breach.session) if breach.session else None
    return {
        "rule": breach.rule.code,
        "label": breach.rule.label,
        "deduction": breach.rule.deduction,
        "minutes": breach.minutes,
        "session": breach.session,
        "session_label": session.label if session else None,
        "reference": breach.reference,
    }


@dataclass(frozen=True)
class Today:
    """What the reads need to know about the moment: the local day, whether it is a working day, the session
    in progress, and the rules."""

    rules: DisciplineRules
    zone: tzinfo
    day: date
    now: datetime
    workday: bool

    @property
    def session(self) -> Any:
        return self.rules.session_at(self.now.astimezone(self.zone).time()) if self.workday else None


def officer_state(
    today: Today, person: Assignment, rows: list[dict[str, Any]], leaves: list[dict[str, Any]]
) -> dict[str, Any]:
    """One officer right now: state, since when, the open absence (why, how long, over the limit) and the
    rules today's records already break."""
    open_rows = [r for r in rows if r["signed_in_at"] is not None and r["signed_out_at"] is None]
    current = max(open_rows, key=lambda r: r["signed_in_at"]) if open_rows else None
    away = next((leave for leave in leaves if leave["returned_at"] is None), None)
    leave = None
    if current is not None and away is not None:
        state, since = AWAY, away["left_at"]
        minutes = leave_minutes(leave_record(away), today.now)
        over = away["approved_by"] is None and minutes > today.rules.leave_limit_minutes
        leave = {"id": away["id"], "since": away["left_at"], "reason": away["reason"], "minutes": minutes,
                 "approved_by": away["approved_by"], "over_limit": over}  # fmt: skip
    elif current is not None:
        state, since = ON_DUTY, current["signed_in_at"]
    elif any(r["signed_out_at"] is not None for r in rows):
        state, since = SIGNED_OUT, max(r["signed_out_at"] for r in rows if r["signed_out_at"] is not None)
    else:
        state, since = NOT_SIGNED_IN, None
    breaches = evaluate_day(
        today.rules, today.day, today.zone, [session_record(r) for r in rows], [leave_record(x) for x in leaves],
        today.now, workday=today.workday,
    )  # fmt: skip
    return {
        "username": person.username,
        "name": person.name,
        "department": person.department,
        "state": state,
        "state_label": STATE_LABELS[state],
        "since": since,
        "leave": leave,
        "breaches": [breach_json(b, today.rules) for b in breaches],
    }


def window_status(officers: list[dict[str, Any]], working: bool) -> str:
    states = {o["state"] for o in officers}
    if ON_DUTY in states:
        return STAFFED
    if AWAY in states:
        return WINDOW_AWAY
    return UNSTAFFED if working else CLOSED


def live_view(
    today: Today,
    windows: list[dict[str, Any]],
    people: dict[str, Assignment],
    attendance: list[dict[str, Any]],
    leaves: list[dict[str, Any]],
    department_names: dict[str, str],
) -> dict[str, Any]:
    """Every window with its officers' states and today's breaches, and the totals (the 8-hour monitoring)."""
    rows_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    leaves_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in attendance:
        rows_of[row["username"]].append(row)
    for leave in leaves:
        leaves_of[leave["username"]].append(leave)
    at_window: dict[str, list[Assignment]] = defaultdict(list)
    for person in people.values():
        at_window[person.window].append(person)
    session = today.session
    working = session is not None
    shown = []
    for window in windows:
        officers = [
            officer_state(today, p, rows_of[p.username], leaves_of[p.username]) for p in at_window[window["code"]]
        ]
        status = window_status(officers, working)
        shown.append({
            "code": window["code"], "name": window["name"], "number": window["number"], "phone": window["phone"],
            "category": window["category"], "department": window["department"],
            "department_name": department_names.get(window["department"] or ""),
            "status": status, "status_label": WINDOW_LABELS[status], "officers": officers,
            "breaches": [dict(b, name=o["name"]) for o in officers for b in o["breaches"]],
        })  # fmt: skip
    counts = {s: sum(1 for w in shown if w["status"] == s) for s in (STAFFED, WINDOW_AWAY, UNSTAFFED, CLOSED)}
    return {
        "now": today.now,
        "work_date": today.day,
        "workday": today.workday,
        "working": working,
        "session": session.name if session else None,
        "session_label": session.label if session else None,
        "counts": counts,
        "breach_count": sum(len(w["breaches"]) for w in shown),
        "windows": shown,
    }


def public_board(
    live: dict[str, Any], cards: dict[str, dict[str, Any]], items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The 窗口工作人员信息公示栏: each window, who is on duty there now (name, staff number, title), the items
    it handles and the office phone. An officer away from the post is still shown, marked as briefly away;
    why and for how long are for the supervisor only."""
    items_of: dict[str, list[dict[str, str]]] = defaultdict(list)
    for item in items:
        items_of[item["window"]].append({"code": item["code"], "name": item["name"]})
    board = []
    for window in live["windows"]:
        on_duty = []
        for officer in window["officers"]:
            if officer["state"] not in (ON_DUTY, AWAY):
                continue
            card = cards.get(officer["username"], {})
            on_duty.append({
                "name": officer["name"], "staff_number": card.get("staff_number"), "title": card.get("title"),
                "phone": card.get("public_phone") or window["phone"], "away": officer["state"] == AWAY,
            })  # fmt: skip
        board.append({
            "code": window["code"], "number": window["number"], "name": window["name"],
            "department_name": window["department_name"], "phone": window["phone"], "on_duty": on_duty,
            "items": items_of[window["code"]],
        })  # fmt: skip
    return board
