"""The supervision window's live board (电子监察): every department and window with its open cases, ready tasks
and their oldest wait, the colours of the accepted cases computed NOW from their clocks (engine/domain/
warnings.py, thresholds from each item's guide), the warned and overdue cases with their current step and
handler, first-inquiry violations; one case drilled down; and the efficiency tables of a period.

The board reads only undecided cases (status filtered in SQL) and ready tasks (aggregated in SQL); completed
history is read only by the efficiency report, for its period. Supervisors and administrators only.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from engine.domain.access import SUPERVISOR, Principal
from engine.domain.calendar import WorkCalendar
from engine.domain.case_codec import case_from_dict
from engine.domain.warnings import Colour, Thresholds, colour_changes, read_colour
from engine.errors import CalendarError, FieldError, FormValidationError, NotFound, PermissionDenied
from engine.services.context import ServiceContext
from engine.services.supervision_efficiency import DECIDED_STATUSES, DEFINITIONS, add_case, decided_in, tabulate
from engine.services.supervision_views import (
    BoardRow,
    CaseDrill,
    Dashboard,
    Efficiency,
    EfficiencyRow,
    InquiryBreach,
    LiveCase,
    StepNow,
)

log = logging.getLogger("onestop")

#: undecided cases: still the centre's work (a decided case waits only for delivery)
OPEN_STATUSES = ("received", "correction_requested", "accepted", "paused")
AWAITING_ACCEPTANCE = frozenset({"received", "correction_requested"})
CLOCKED = frozenset({"accepted", "paused"})
#: the hours in which the board refreshes itself (the centre's 8-hour monitoring, with a margin)
OPENS, CLOSES = time(8, 0), time(18, 0)
MAX_PERIOD_DAYS = 366


def require_supervisor(principal: Principal) -> None:
    if not (principal.is_admin or principal.has_role(SUPERVISOR)):
        raise PermissionDenied("only the supervision window and administrators see the supervision board")


def thresholds_of(item: dict[str, Any] | None) -> Thresholds:
    """The item's ``warning`` table from its guide; a malformed one falls back to the defaults (and says so)."""
    guide = (item or {}).get("guide") or {}
    try:
        return Thresholds.from_guide(guide.get("warning"))
    except (TypeError, ValueError, ArithmeticError):
        log.warning("item %s has malformed warning thresholds; using the defaults", (item or {}).get("code"))
        return Thresholds()


def _steps(tasks: list[dict[str, Any]]) -> dict[int, tuple[StepNow, ...]]:
    found: dict[int, list[StepNow]] = defaultdict(list)
    for t in tasks:
        found[t["instance_id"]].append(StepNow(t["name"], t["department"], t["role"], t["claimed_by"], t["created_at"]))
    return {instance_id: tuple(steps) for instance_id, steps in found.items()}


class SupervisionService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # -- the live board ------------------------------------------------------------------------------------
    def in_working_hours(self, now: datetime | None = None) -> bool:
        """A working day of the calendar, between OPENS and CLOSES local time (a year without calendar data:
        no)."""
        calendar = self._ctx.runtime_calendar()
        local = (now or self._ctx.now()).astimezone(calendar.zone)
        try:
            workday = calendar.is_workday(local.date())
        except CalendarError:
            return False
        return workday and OPENS <= local.time() < CLOSES

    def dashboard(self, principal: Principal, now: datetime | None = None) -> Dashboard:
        require_supervisor(principal)
        now = now or self._ctx.now()
        calendar = self._ctx.runtime_calendar()
        year = now.astimezone(calendar.zone).year
        with self._ctx.uow() as uow:
            board = uow.supervision_board
            open_rows = board.cases_in_status(OPEN_STATUSES)
            items = board.items_by_code({r["item_code"] for r in open_rows})
            readings = self._read_all(open_rows, items, calendar, now)
            warned_instances = {r["instance_id"] for r, live in readings if live.colour is not Colour.GREEN}
            steps = _steps(board.ready_tasks_of({i for i in warned_instances if i is not None}))
            task_load = board.task_load_by_department(), board.task_load_by_window()
            departments, windows = uow.accounts.departments(), uow.organisation.windows()
            breaches = board.violations_of_kind("first_inquiry", year)
        by_department = {code: BoardRow(code, name) for code, name in departments}
        by_window = {w["code"]: BoardRow(w["code"], w["name"]) for w in windows if w["department"]}
        total = BoardRow("*", "全中心")
        self._count_cases(open_rows, {c.case_no: c.colour for _, c in readings}, by_department, by_window, total)
        self._count_tasks(task_load, by_department, by_window, total, now)
        live = [
            replace(case, steps=steps.get(row["instance_id"], ()))
            for row, case in readings
            if case.colour is not Colour.GREEN
        ]
        live.sort(key=lambda c: (-c.colour.rank, c.remaining_days, c.case_no))
        overdue = sorted((c for c in live if c.colour is Colour.OVERDUE), key=lambda c: (-c.days_overdue, c.case_no))
        return Dashboard(
            now=now,
            working_hours=self.in_working_hours(now),
            departments=list(by_department.values()),
            windows=list(by_window.values()),
            total=total,
            warned=live,
            overdue=overdue,
            first_inquiry=[
                InquiryBreach(v["id"], v["username"], v["department"], v["at"], v["veto"], v["reference"], v["details"])
                for v in breaches
            ],
            year=year,
        )

    def _read_all(
        self, rows: list[dict[str, Any]], items: dict[str, dict[str, Any]], calendar: WorkCalendar, now: datetime
    ) -> list[tuple[dict[str, Any], LiveCase]]:
        """Each accepted or paused case's colour now (a case the calendar cannot read is logged and skipped)."""
        found = []
        for row in rows:
            if row["status"] not in CLOCKED:
                continue
            clock = case_from_dict(row["record"]).clock
            if clock is None:
                continue
            item = items.get(row["item_code"])
            try:
                reading = read_colour(clock, now, calendar, thresholds_of(item))
            except CalendarError:
                log.warning("case %s: the work calendar cannot read its clock", row["case_no"])
                continue
            live = LiveCase(
                case_no=row["case_no"],
                item_code=row["item_code"],
                item_name=(item or {}).get("name") or row["item_code"],
                department=row["department"],
                window=row["window"],
                status=row["status"],
                colour=reading.colour,
                limit_days=reading.limit_days,
                used_days=reading.used_days,
                remaining_days=reading.remaining_days,
                due_at=reading.due_at,
                paused=reading.paused,
                steps=(),
            )
            found.append((row, live))
        return found

    @staticmethod
    def _count_cases(
        rows: list[dict[str, Any]],
        colours: dict[str, Colour],
        by_department: dict[str, BoardRow],
        by_window: dict[str, BoardRow],
        total: BoardRow,
    ) -> None:
        for row in rows:
            targets = [
                total,
                by_department.setdefault(row["department"], BoardRow(row["department"], row["department"])),
            ]
            if row["window"]:
                targets.append(by_window.setdefault(row["window"], BoardRow(row["window"], row["window"])))
            colour = colours.get(row["case_no"])
            for target in targets:
                target.open_cases += 1
                target.awaiting_acceptance += row["status"] in AWAITING_ACCEPTANCE
                target.paused += row["status"] == "paused"
                if colour is not None:
                    target.colours[colour.value] += 1

    @staticmethod
    def _count_tasks(
        load: tuple[dict[str | None, tuple[int, datetime]], dict[str | None, tuple[int, datetime]]],
        by_department: dict[str, BoardRow],
        by_window: dict[str, BoardRow],
        total: BoardRow,
        now: datetime,
    ) -> None:
        departments, windows = load
        for code, (count, oldest) in departments.items():
            total.open_tasks += count
            total.wait_since(oldest, now)
            if code:  # a task of no department (e.g. centre-wide) counts in the total only
                row = by_department.setdefault(code, BoardRow(code, code))
                row.open_tasks += count
                row.wait_since(oldest, now)
        for code, (count, oldest) in windows.items():
            if code:
                row = by_window.setdefault(code, BoardRow(code, code))
                row.open_tasks += count
                row.wait_since(oldest, now)

    # -- one case ------------------------------------------------------------------------------------------
    def case(self, principal: Principal, case_no: str, now: datetime | None = None) -> CaseDrill:
        require_supervisor(principal)
        now = now or self._ctx.now()
        calendar = self._ctx.runtime_calendar()
        with self._ctx.uow() as uow:
            row = uow.cases.get(case_no)
            if row is None:
                raise NotFound(f"no case {case_no}")
            item = uow.supervision_board.items_by_code({row["item_code"]}).get(row["item_code"])
            instance = row["instance_id"]
            steps = _steps(uow.supervision_board.ready_tasks_of({instance} if instance else set()))
        case = case_from_dict(row["record"])
        clock, thresholds = case.clock, thresholds_of(item)
        reading, changes = None, {}
        if clock is not None and row["status"] in CLOCKED:
            try:
                reading = read_colour(clock, now, calendar, thresholds)
                changes = {c.value: at for c, at in colour_changes(clock, calendar, thresholds, now).items()}
            except CalendarError:
                log.warning("case %s: the work calendar cannot read its clock", case_no)
        return CaseDrill(
            case_no=case.case_no,
            item_code=case.item_code,
            item_name=(item or {}).get("name") or case.item_code,
            department=row["department"],
            window=row["window"],
            status=case.status.value,
            applicant=str(row["applicant"].get("name", "")),
            received_at=case.received_at,
            accepted_at=case.accepted_at,
            decided_at=case.decided_at,
            completed_at=case.completed_at,
            statutory_days=case.statutory_days,
            promised_days=case.promised_days,
            instance_id=instance,
            reading=reading,
            changes=changes,
            steps=steps.get(instance, ()) if instance else (),
            history=tuple(case.history),
        )

    # -- efficiency ----------------------------------------------------------------------------------------
    def efficiency(self, principal: Principal, start: date, end: date) -> Efficiency:
        """Cases decided from ``start`` to ``end`` (local dates, both included), per department and officer."""
        require_supervisor(principal)
        if end < start or (end - start).days >= MAX_PERIOD_DAYS:
            raise FormValidationError(
                "the period must run forwards and span at most a year",
                [FieldError("to", f"on or after from, within {MAX_PERIOD_DAYS} days")],
            )
        calendar = self._ctx.runtime_calendar()
        since = datetime.combine(start, time(0), calendar.zone)
        until = datetime.combine(end + timedelta(days=1), time(0), calendar.zone)
        with self._ctx.uow() as uow:
            rows = uow.supervision_board.decided_candidates(since, until, DECIDED_STATUSES)
            departments = dict(uow.accounts.departments())
            decided = decided_in(rows, since, until, calendar)
            officers = uow.supervision_board.display_names({d.officer for d in decided})
        total = EfficiencyRow("*", "全中心")
        for case in decided:
            add_case(total, case)
        return Efficiency(
            start=start,
            end=end,
            departments=tabulate(decided, departments, "department"),
            officers=tabulate(decided, officers, "officer"),
            total=total,
            definitions=DEFINITIONS,
        )
