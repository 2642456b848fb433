"""Window discipline (考勤, 窗口工作人员进出管理): officers sign in and out at their window and log leaving the
post with a reason; supervisors watch every window live (staffed, away, unstaffed, which rule was broken);
the daily close evaluates the day and writes the breaches into the accountability ledger (``violations``,
kinds "attendance" and "leaving_post"), once; a day whose close was missed is closed by the next run. From the
closing time on (or once the day is closed) the day's records are frozen. The public window board reads the
same records.

Only officers enrolled for window duty keep attendance: those with a window and a staff card (the 工号 the
centre issues and the public board shows). A window officer without one is not expected, not watched and
never recorded absent."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from engine.domain.access import ADMIN, SUPERVISOR, Principal
from engine.domain.discipline import DisciplineRules, load_rules
from engine.errors import CalendarError, FieldError, FormValidationError, InvalidTransition, NotFound, PermissionDenied
from engine.services.context import ServiceContext, UnitOfWorkLike, with_retry
from engine.services.discipline_close import close_records
from engine.services.discipline_views import (
    Assignment,
    Today,
    assignments,
    enrolled,
    live_view,
    public_board,
)

RULES_FILE = "discipline.toml"
CENTRE_KIND = "centre"
REASON_MAX = 200
#: the most days one close run catches up (a scheduler down for longer leaves older days to close_day)
CATCH_UP_DAYS = 31


def _minutes(later: datetime, earlier: datetime) -> int:
    return max(0, int((later - earlier).total_seconds() // 60))


class DisciplineService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @cached_property
    def rules(self) -> DisciplineRules:
        """processes/discipline.toml, else the defaults (the same values)."""
        path = self._ctx.settings.processes_dir / RULES_FILE
        return load_rules(path.read_text(encoding="utf-8")) if path.is_file() else DisciplineRules()

    def today(self, now: datetime | None = None) -> Today:
        now = now or self._ctx.now()
        zone = self._ctx.runtime_calendar().zone
        day = now.astimezone(zone).date()
        return Today(self.rules, zone, day, now, self._is_workday(day))

    def _frozen(self, uow: UnitOfWorkLike, today: Today) -> None:
        """Refuse a change to a day past its closing time or already closed: the ledger must agree with the
        records it was written from."""
        if today.now.astimezone(today.zone).time() >= self.rules.close_at or uow.discipline.day_closed(today.day):
            raise InvalidTransition("今天的考勤已结算，不能再签到、签退或登记离岗")

    def _is_workday(self, day: date) -> bool:
        try:
            return bool(self._ctx.runtime_calendar().is_workday(day))
        except CalendarError:  # a year without calendar data: weekdays, so the monitoring still shows something
            return day.weekday() < 5

    # -- the officer's own records ------------------------------------------------------------------------
    def my_day(self, principal: Principal) -> dict[str, Any]:
        """The officer's window, today's sessions and absences, and what they may do now."""
        today = self.today()
        with self._ctx.uow() as uow:
            person = _assignment(uow, principal)
            numbered = person is not None and uow.discipline.card(principal.username) is not None
            rows = uow.discipline.attendance_on(today.day, principal.username)
            leaves = uow.discipline.leaves_on(today.day, principal.username)
            window = uow.organisation.window(person.window) if person else None
        signed_in = any(r["signed_in_at"] and not r["signed_out_at"] for r in rows)
        away = any(x["returned_at"] is None for x in leaves)
        return {
            "window": window,
            "assigned": numbered,  # enrolled for window duty: a window and a 工号
            "unnumbered": person is not None and not numbered,
            "attendance": rows,
            "leaves": leaves,
            "signed_in": signed_in,
            "away": away,
            "session": today.session.label if today.session else None,
            "rules": self.rules,
        }

    def sign_in(self, principal: Principal) -> dict[str, Any]:
        return with_retry(3, lambda: self._sign_in(principal))

    def _sign_in(self, principal: Principal) -> dict[str, Any]:
        today = self.today()
        local = today.now.astimezone(today.zone)
        session = self.rules.session_to_sign_in(local.time())
        if session is None:
            raise InvalidTransition("今天的工作时间已结束，不能再签到")
        with self._ctx.uow(write=True) as uow:
            person = _require_assignment(uow, principal)
            self._frozen(uow, today)
            rows = uow.discipline.attendance_on(today.day, principal.username)
            if any(r["session"] == session.name for r in rows):
                raise InvalidTransition(f"{session.label}已签到或已签退")
            row = {
                "username": person.username, "window": person.window, "department": person.department,
                "work_date": today.day, "session": session.name, "signed_in_at": today.now, "signed_out_at": None,
                "late_minutes": _minutes(today.now, session.starts_at(today.day, today.zone)), "early_minutes": 0,
                "status": "present",
            }  # fmt: skip
            row["id"] = uow.discipline.add_attendance(row)
            uow.commit()
        return row

    def sign_out(self, principal: Principal) -> dict[str, Any]:
        return with_retry(3, lambda: self._sign_out(principal))

    def _sign_out(self, principal: Principal) -> dict[str, Any]:
        """Close the open session; without one, record the sign-out alone (漏签到) for the session under way."""
        today = self.today()
        with self._ctx.uow(write=True) as uow:
            person = _require_assignment(uow, principal)
            self._frozen(uow, today)
            rows = uow.discipline.attendance_on(today.day, principal.username)
            open_rows = [r for r in rows if r["signed_in_at"] is not None and r["signed_out_at"] is None]
            if open_rows:
                row = max(open_rows, key=lambda r: r["signed_in_at"])
                end = self.rules.session(row["session"]).ends_at(today.day, today.zone)
                values = {"signed_out_at": today.now, "early_minutes": _minutes(end, today.now), "status": "done"}
                uow.discipline.update_attendance(row["id"], values)
                row.update(values)
            else:
                session = self.rules.latest_started(today.now.astimezone(today.zone).time())
                if session is None:
                    raise InvalidTransition("还未到工作时间，不能签退")
                if any(r["session"] == session.name for r in rows):
                    raise InvalidTransition(f"{session.label}已签退")
                end = session.ends_at(today.day, today.zone)
                row = {
                    "username": person.username, "window": person.window, "department": person.department,
                    "work_date": today.day, "session": session.name, "signed_in_at": None,
                    "signed_out_at": today.now, "late_minutes": 0, "early_minutes": _minutes(end, today.now),
                    "status": "missed_sign_in",
                }  # fmt: skip
                row["id"] = uow.discipline.add_attendance(row)
            _end_leave(uow, principal.username, today.day, today.now)
            uow.commit()
        return row

    def leave_post(self, principal: Principal, reason: str) -> dict[str, Any]:
        """Log leaving the window (离岗) with its reason; only while signed in, and not twice."""
        reason = (reason or "").strip()
        if not reason or len(reason) > REASON_MAX:
            message = f"请填写离岗事由（{REASON_MAX}字以内）"
            raise FormValidationError(message, [FieldError("reason", message)])
        today = self.today()
        with self._ctx.uow(write=True) as uow:
            person = _require_assignment(uow, principal)
            self._frozen(uow, today)
            rows = uow.discipline.attendance_on(today.day, principal.username)
            if not any(r["signed_in_at"] is not None and r["signed_out_at"] is None for r in rows):
                raise InvalidTransition("请先签到再登记离岗")
            if uow.discipline.open_leave(principal.username, today.day) is not None:
                raise InvalidTransition("已登记离岗，请先登记返岗")
            row = {
                "username": person.username, "window": person.window, "department": person.department,
                "work_date": today.day, "left_at": today.now, "returned_at": None, "reason": reason,
                "approved_by": None, "approved_at": None, "minutes": None,
            }  # fmt: skip
            row["id"] = uow.discipline.add_leave(row)
            uow.commit()
        return row

    def return_to_post(self, principal: Principal) -> dict[str, Any]:
        today = self.today()
        with self._ctx.uow(write=True) as uow:
            self._frozen(uow, today)
            leave = _end_leave(uow, principal.username, today.day, today.now)
            if leave is None:
                raise InvalidTransition("没有未返岗的离岗登记")
            uow.commit()
        return leave

    def approve_leave(self, principal: Principal, leave_id: int) -> dict[str, Any]:
        """Approve an absence (before or after the fact): the supervision window, an administrator or the
        department's 首席代表 (its approver) — never the officer who left."""
        now = self._ctx.now()
        with self._ctx.uow(write=True) as uow:
            leave = uow.discipline.leave(leave_id)
            if leave is None:
                raise NotFound(f"no leaving-post record {leave_id}")
            if not (_overseer(principal) or principal.holds("approver", leave["department"])):
                raise PermissionDenied("只有监察窗口、管理员或本部门首席代表可以批准离岗")
            if leave["username"] == principal.username:
                raise PermissionDenied("不能批准自己的离岗")
            if leave["closed_at"] is not None:
                raise InvalidTransition("当天已结算，不能再批准")
            if leave["approved_by"] is None:
                leave.update(approved_by=principal.username, approved_at=now)
                uow.discipline.update_leave(leave_id, {"approved_by": principal.username, "approved_at": now})
            uow.commit()
        return leave

    # -- reads --------------------------------------------------------------------------------------------
    def live_windows(self, principal: Principal, now: datetime | None = None) -> dict[str, Any]:
        """The 8-hour monitoring: every window of the centre with who is on duty, away (since when, why) or
        missing, and the rules today's records break (supervision window and administrators)."""
        if not _overseer(principal):
            raise PermissionDenied("只有监察窗口和管理员可以查看窗口实时状态")
        return self._live(self.today(now))

    def public_windows(self) -> list[dict[str, Any]]:
        """The public window board (no sign-in): who is on duty at each window now."""
        today = self.today()
        live = self._live(today)
        with self._ctx.uow() as uow:
            cards = uow.discipline.cards()
            items = uow.catalogue.all()
        return public_board(live, cards, items)

    def _live(self, today: Today) -> dict[str, Any]:
        with self._ctx.uow() as uow:
            people = enrolled(assignments(uow.organisation.staff_grants()), uow.discipline.cards())
            centre = {p["code"] for p in uow.organisation.service_points() if p["kind"] == CENTRE_KIND}
            staffed = {p.window for p in people.values()}
            windows = [w for w in uow.organisation.windows() if w["service_point"] in centre or w["code"] in staffed]
            attendance = uow.discipline.attendance_on(today.day)
            leaves = uow.discipline.leaves_on(today.day)
            names = {d["code"]: d["name"] for d in uow.organisation.departments()}
        return live_view(today, windows, people, attendance, leaves, names)

    # -- the daily close ----------------------------------------------------------------------------------
    def close_due(self) -> int:
        """The scheduler's daily job (idempotent): close every day whose closing time has passed and which is
        not closed yet — today once its closing time has come, and the days a stopped scheduler missed, oldest
        first: from the oldest unclosed record or the day after the last closed one (at most CATCH_UP_DAYS).
        A database without any record yet has nothing to catch up. Returns the entries written."""
        today = self.today()
        due = today.now.astimezone(today.zone).time() >= self.rules.close_at
        last = today.day if due else today.day - timedelta(days=1)
        with self._ctx.uow() as uow:
            oldest, closed = uow.discipline.oldest_open_day(), uow.discipline.last_closed_day()
        starts = [d for d in (oldest, closed + timedelta(days=1) if closed else None) if d is not None]
        day = max(min(starts, default=today.day), last - timedelta(days=CATCH_UP_DAYS - 1))
        written = 0
        while day <= last:
            written += self.close_day(day)
            day += timedelta(days=1)
        return written

    def close_day(self, day: date) -> int:
        """Evaluate a finished day: sessions nobody signed become 旷工 rows, every row and absence is judged
        against the rules and its breaches are written to ``violations`` — each row once, even when two
        schedulers close the same day. Returns how many accountability entries were written."""
        return with_retry(3, lambda: self._close_day(day))

    def _close_day(self, day: date) -> int:
        zone, rules, now = self._ctx.runtime_calendar().zone, self.rules, self._ctx.now()
        day_end = rules.sessions[-1].ends_at(day, zone)
        if now < day_end:
            raise InvalidTransition(f"{day} 的工作时间还未结束")
        workday = self._is_workday(day)
        with self._ctx.uow(write=True) as uow:
            people = enrolled(assignments(uow.organisation.staff_grants()), uow.discipline.cards())
            written = close_records(uow, rules, day, zone, now, people, workday=workday)
            uow.commit()
        return written


def _overseer(principal: Principal) -> bool:
    return principal.is_admin or principal.has_role(SUPERVISOR) or principal.has_role(ADMIN)


def _assignment(uow: UnitOfWorkLike, principal: Principal) -> Assignment | None:
    return assignments(uow.organisation.staff_grants(principal.username)).get(principal.username)


def _require_assignment(uow: UnitOfWorkLike, principal: Principal) -> Assignment:
    """The officer's window, if they are enrolled for window duty (a window and a 工号)."""
    person = _assignment(uow, principal)
    if person is None:
        raise PermissionDenied("只有安排了窗口的工作人员需要签到（请管理员在组织机构中指定窗口）")
    if uow.discipline.card(principal.username) is None:
        raise PermissionDenied("尚未登记工号，不参加窗口考勤（请管理员在工作人员公示信息中登记工号）")
    return person


def _end_leave(uow: UnitOfWorkLike, username: str, day: date, now: datetime) -> dict[str, Any] | None:
    leave: dict[str, Any] | None = uow.discipline.open_leave(username, day)
    if leave is not None:
        values = {"returned_at": now, "minutes": _minutes(now, leave["left_at"])}
        uow.discipline.update_leave(leave["id"], values)
        leave.update(values)
    return leave
