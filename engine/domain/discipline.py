"""Window discipline rules (考勤管理办法, 窗口工作人员进出管理办法): the working sessions of a day, the rules an
officer's sign-ins, sign-outs and absences from the post are checked against, and which rule a day's records
break with its deduction.

Pure: standard library only. Times of day are local (the centre's zone); instants are timezone-aware.
The services store the records and write the breaches into the accountability ledger.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from typing import Any

from engine.domain.toml_fields import Fields, Problems

__all__ = [
    "Breach",
    "DisciplineRules",
    "LeaveRecord",
    "Rule",
    "Session",
    "SessionRecord",
    "evaluate_day",
    "leave_breach",
    "load_rules",
    "session_breaches",
]

# the rule codes; the services and pages refer to them by these names
LATE, EARLY, LATE_LONG, EARLY_LONG = "late", "early", "late_long", "early_long"
MISSED_SIGN, ABSENT, LEAVING_POST = "missed_sign", "absent", "leaving_post"
RULE_CODES = (LATE, EARLY, LATE_LONG, EARLY_LONG, MISSED_SIGN, ABSENT, LEAVING_POST)


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    deduction: int  # points off the 100-point monthly score
    source: str = ""


@dataclass(frozen=True)
class Session:
    """One half day the windows are staffed (上午 09:00–12:00)."""

    name: str
    label: str
    start: time
    end: time

    def starts_at(self, day: date, zone: tzinfo) -> datetime:
        return datetime.combine(day, self.start, zone)

    def ends_at(self, day: date, zone: tzinfo) -> datetime:
        return datetime.combine(day, self.end, zone)


_DEFAULT_RULES = (
    Rule(LATE, "迟到（10分钟以内）", 1, "gov-service-domain.md §5.4 [S28b]"),
    Rule(EARLY, "早退（10分钟以内）", 1, "gov-service-domain.md §5.4 [S28b]"),
    Rule(LATE_LONG, "迟到超过10分钟", 2, "inferred"),
    Rule(EARLY_LONG, "早退超过10分钟", 2, "inferred"),
    Rule(MISSED_SIGN, "漏签到或漏签退", 2, "gov-service-domain.md §5.4 [S28b]"),
    Rule(ABSENT, "旷工（半天）", 5, "gov-service-domain.md §5.4 [S28b]"),
    Rule(LEAVING_POST, "擅自离岗超过15分钟", 3, "gov-service-domain.md §5.4 [S28b]"),
)


@dataclass(frozen=True)
class DisciplineRules:
    sessions: tuple[Session, ...] = (
        Session("am", "上午", time(9, 0), time(12, 0)),
        Session("pm", "下午", time(13, 0), time(17, 0)),
    )
    grace_minutes: int = 0
    minor_minutes: int = 10
    absent_after_minutes: int = 60
    leave_limit_minutes: int = 15
    close_at: time = time(17, 30)
    rules: Mapping[str, Rule] = field(default_factory=lambda: {r.code: r for r in _DEFAULT_RULES})

    def rule(self, code: str) -> Rule:
        return self.rules[code]

    def session(self, name: str) -> Session:
        return next(s for s in self.sessions if s.name == name)

    def session_at(self, moment: time) -> Session | None:
        """The session in progress at this local time, if any."""
        return next((s for s in self.sessions if s.start <= moment < s.end), None)

    def session_to_sign_in(self, moment: time) -> Session | None:
        """The session a sign-in at this local time is for: the one in progress, else the next one today."""
        return next((s for s in self.sessions if moment < s.end), None)

    def latest_started(self, moment: time) -> Session | None:
        """The last session that has started by this local time (a sign-out belongs to it)."""
        started = [s for s in self.sessions if s.start <= moment]
        return started[-1] if started else None


# -- the records a day is judged on -------------------------------------------------------------------------
@dataclass(frozen=True)
class SessionRecord:
    """One officer's attendance for one session (an ``attendance`` row)."""

    id: int | None
    session: str
    signed_in_at: datetime | None
    signed_out_at: datetime | None


@dataclass(frozen=True)
class LeaveRecord:
    """One absence from the post (a ``post_leaves`` row); ``until`` bounds an absence still open."""

    id: int | None
    left_at: datetime
    returned_at: datetime | None
    approved: bool


@dataclass(frozen=True)
class Breach:
    rule: Rule
    source: str  # "attendance" | "post_leave"
    source_id: int | None
    session: str | None
    minutes: int = 0

    @property
    def reference(self) -> str:
        return f"{self.source}:{self.source_id}"


def _minutes(later: datetime, earlier: datetime) -> int:
    return max(0, int((later - earlier).total_seconds() // 60))


def _lateness(rules: DisciplineRules, minutes: int, minor: str, long: str) -> str | None:
    if minutes <= rules.grace_minutes:
        return None
    if minutes <= rules.minor_minutes:
        return minor
    if minutes <= rules.absent_after_minutes:
        return long
    return ABSENT


def session_breaches(
    rules: DisciplineRules, day: date, zone: tzinfo, session: Session, record: SessionRecord | None, until: datetime
) -> list[Breach]:
    """What one session's record breaks, as far as is known at ``until`` (a missing sign-in is 旷工 and a
    missing sign-out 漏签 only once the session is over)."""
    start, end = session.starts_at(day, zone), session.ends_at(day, zone)
    ident = record.id if record else None

    def breach(code: str, minutes: int = 0) -> Breach:
        return Breach(rules.rule(code), "attendance", ident, session.name, minutes)

    if record is None or (record.signed_in_at is None and record.signed_out_at is None):
        return [breach(ABSENT)] if until >= end else []
    found: list[Breach] = []
    if record.signed_in_at is None:
        found.append(breach(MISSED_SIGN))
    else:
        late = _minutes(record.signed_in_at, start)
        code = _lateness(rules, late, LATE, LATE_LONG)
        if code is not None:
            found.append(breach(code, late))
    if record.signed_out_at is None:
        if until >= end and record.signed_in_at is not None:
            found.append(breach(MISSED_SIGN))
    else:
        early = _minutes(end, record.signed_out_at)
        code = _lateness(rules, early, EARLY, EARLY_LONG)
        if code is not None and not (code == ABSENT and any(b.rule.code == ABSENT for b in found)):
            found.append(breach(code, early))
    return found


def leave_minutes(leave: LeaveRecord, until: datetime) -> int:
    """How long the officer was (or has been, while still away) off the post."""
    return _minutes(leave.returned_at or until, leave.left_at)


def leave_breach(rules: DisciplineRules, leave: LeaveRecord, until: datetime) -> Breach | None:
    """An unapproved absence longer than the limit breaks the leaving-post rule."""
    minutes = leave_minutes(leave, until)
    if leave.approved or minutes <= rules.leave_limit_minutes:
        return None
    return Breach(rules.rule(LEAVING_POST), "post_leave", leave.id, None, minutes)


def evaluate_day(
    rules: DisciplineRules,
    day: date,
    zone: tzinfo,
    records: Iterable[SessionRecord],
    leaves: Iterable[LeaveRecord],
    until: datetime,
    *,
    workday: bool,
) -> list[Breach]:
    """Every rule one officer's records of ``day`` break, as known at ``until``. On a day off nobody is
    expected, so only the absences from the post of those who came in count."""
    by_session = {r.session: r for r in records}
    found: list[Breach] = []
    if workday:
        for session in rules.sessions:
            if until >= session.starts_at(day, zone):
                found += session_breaches(rules, day, zone, session, by_session.get(session.name), until)
    for leave in leaves:
        breach = leave_breach(rules, leave, until)
        if breach is not None:
            found.append(breach)
    return found


# -- loading the rules from processes/discipline.toml -------------------------------------------------------
class RulesError(ValueError):
    """The rules file is unusable; the message lists every problem."""


def _clock(text: object, where: str, name: str, problems: Problems) -> time:
    try:
        return time.fromisoformat(str(text))
    except ValueError:
        problems.add(where, name, f"expected HH:MM, got {text!r}")
        return time(0, 0)


def _sessions(raw: object, problems: Problems) -> tuple[Session, ...]:
    sessions = []
    for index, table in enumerate(raw if isinstance(raw, list) else []):
        where = f"hours.sessions[{index}]"
        f = Fields(table, where, problems, ("name", "label", "start", "end"))
        start = _clock(f.raw.get("start"), where, "start", problems)
        end = _clock(f.raw.get("end"), where, "end", problems)
        if end <= start:
            problems.add(where, "end", "must be after start")
        sessions.append(Session(str(f.raw.get("name", "")), str(f.raw.get("label", "")), start, end))
    ordered = all(a.end <= b.start for a, b in zip(sessions, sessions[1:], strict=False))
    if not sessions or not ordered:
        problems.add("hours", "sessions", "one or more sessions, in order, not overlapping")
    return tuple(sessions)


def _whole(raw: Mapping[str, Any], name: str, default: int, problems: Problems) -> int:
    value = raw.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        problems.add("hours", name, "expected a whole number of minutes, 0 or more")
        return default
    return value


def load_rules(text: str) -> DisciplineRules:
    """Parse the rules file; raises RulesError naming every problem."""
    problems = Problems()
    data = tomllib.loads(text)
    hours = data.get("hours", {})
    if not isinstance(hours, dict):
        raise RulesError("hours: expected a table")
    defaults = DisciplineRules()
    rules = dict(defaults.rules)
    for index, table in enumerate(data.get("rules", [])):
        f = Fields(table, f"rules[{index}]", problems, ("code", "label", "deduction", "source"))
        code = str(f.raw.get("code", ""))
        if code not in RULE_CODES:
            problems.add(f"rules[{index}]", "code", f"one of {', '.join(RULE_CODES)}")
            continue
        deduction = f.raw.get("deduction", 0)
        if not isinstance(deduction, int) or deduction < 0:
            problems.add(f"rules[{index}]", "deduction", "expected a whole number, 0 or more")
            continue
        rules[code] = Rule(code, str(f.raw.get("label", code)), deduction, str(f.raw.get("source", "")))
    loaded = DisciplineRules(
        sessions=_sessions(hours.get("sessions"), problems) if "sessions" in hours else defaults.sessions,
        grace_minutes=_whole(hours, "grace_minutes", defaults.grace_minutes, problems),
        minor_minutes=_whole(hours, "minor_minutes", defaults.minor_minutes, problems),
        absent_after_minutes=_whole(hours, "absent_after_minutes", defaults.absent_after_minutes, problems),
        leave_limit_minutes=_whole(hours, "leave_limit_minutes", defaults.leave_limit_minutes, problems),
        close_at=_clock(hours.get("close_at", "17:30"), "hours", "close_at", problems),
        rules=rules,
    )
    if loaded.sessions and loaded.close_at < loaded.sessions[-1].end:
        # the close freezes the day's records; a sign-out after it would contradict the ledger
        problems.add("hours", "close_at", f"must not be before the last session ends ({loaded.sessions[-1].end})")
    if problems.lines:
        raise RulesError("discipline rules: " + "; ".join(problems.lines))
    return loaded
