"""Closing a window-discipline day: sessions nobody signed become 旷工 rows, every attendance row and absence
from the post is claimed once (``closed_at``) and its breaches of the rules go into the accountability ledger
(``violations``: kind "attendance" or "leaving_post", reference "attendance:<id>" / "post_leave:<id>", the
rule's deduction as ``details["points"]``, which the annual evaluation deducts). An absence nobody ended is
ended at the end of the session it began in."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from engine.domain.discipline import DisciplineRules, leave_breach, session_breaches
from engine.services.context import UnitOfWorkLike
from engine.services.discipline_views import Assignment, leave_record, session_record


def _minutes(later: datetime, earlier: datetime) -> int:
    return max(0, int((later - earlier).total_seconds() // 60))


def close_records(
    uow: UnitOfWorkLike, rules: DisciplineRules, day: date, zone: Any, now: datetime, people: dict[str, Assignment],
    *, workday: bool,
) -> int:  # fmt: skip
    """Close every open record of ``day`` inside the caller's transaction; returns the entries written."""
    if workday:
        _add_absences(uow, rules, day, people)
    written = 0
    for row in uow.discipline.attendance_on(day):
        if row["closed_at"] is None:
            written += _close_row(uow, rules, day, zone, row, now, workday)
    for leave in uow.discipline.leaves_on(day):
        if leave["closed_at"] is None:
            written += _close_leave(uow, rules, day, zone, leave, now)
    return written


def _add_absences(uow: UnitOfWorkLike, rules: DisciplineRules, day: date, people: dict[str, Assignment]) -> None:
    """A session an enrolled officer neither signed in nor out of gets a row, so its 旷工 has a reference."""
    signed = {(r["username"], r["session"]) for r in uow.discipline.attendance_on(day)}
    for person in people.values():
        for session in rules.sessions:
            if (person.username, session.name) not in signed:
                uow.discipline.add_attendance({
                    "username": person.username, "window": person.window, "department": person.department,
                    "work_date": day, "session": session.name, "signed_in_at": None, "signed_out_at": None,
                    "late_minutes": 0, "early_minutes": 0, "status": "absent",
                })  # fmt: skip


def _final_status(row: dict[str, Any]) -> str:
    if row["signed_in_at"] is None:
        return "absent" if row["signed_out_at"] is None else "missed_sign_in"
    return "missed_sign_out" if row["signed_out_at"] is None else "done"


def _close_row(
    uow: UnitOfWorkLike, rules: DisciplineRules, day: date, zone: Any, row: dict[str, Any], now: datetime, work: bool
) -> int:
    if not uow.discipline.claim_attendance(row["id"], now, _final_status(row)):
        return 0  # another run closed it
    session = rules.session(row["session"])
    breaches = session_breaches(rules, day, zone, session, session_record(row), now) if work else []
    for breach in breaches:
        at = {"late": row["signed_in_at"], "late_long": row["signed_in_at"], "early": row["signed_out_at"],
              "early_long": row["signed_out_at"]}.get(breach.rule.code) or session.ends_at(day, zone)  # fmt: skip
        _record(uow, "attendance", row, at, day, breach.reference, {
            "rule": breach.rule.code, "label": breach.rule.label, "deduction": breach.rule.deduction,
            "minutes": breach.minutes, "session": session.name, "session_label": session.label,
        })  # fmt: skip
    return len(breaches)


def _close_leave(
    uow: UnitOfWorkLike, rules: DisciplineRules, day: date, zone: Any, leave: dict[str, Any], now: datetime
) -> int:
    """An absence never ended counts until the end of the session it began in (the post was empty till then)."""
    if not uow.discipline.claim_leave(leave["id"], now):
        return 0
    ends = [s.ends_at(day, zone) for s in rules.sessions if s.ends_at(day, zone) > leave["left_at"]]
    bound = ends[0] if ends else leave["left_at"]
    breach = leave_breach(rules, leave_record(leave), bound)
    if leave["returned_at"] is None:  # ended at the bound, so it no longer reads as open on later days
        uow.discipline.update_leave(leave["id"], {"returned_at": bound, "minutes": _minutes(bound, leave["left_at"])})
    if breach is None:
        return 0
    _record(uow, "leaving_post", leave, leave["left_at"], day, breach.reference, {
        "rule": breach.rule.code, "label": breach.rule.label, "deduction": breach.rule.deduction,
        "minutes": breach.minutes, "reason": leave["reason"], "limit_minutes": rules.leave_limit_minutes,
    })  # fmt: skip
    return 1


def _record(
    uow: UnitOfWorkLike, kind: str, row: dict[str, Any], at: datetime, day: date, ref: str, details: dict[str, Any]
) -> None:
    # "points" is what the annual evaluation deducts (engine/domain/accountability.py ScoringRules.deduction)
    details = {**details, "points": details["deduction"], "work_date": day.isoformat(), "window": row["window"]}
    uow.violations.add(kind, row["username"], row["department"], at, day.year, False, ref, details)
