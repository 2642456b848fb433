"""The supervision window's live board (电子监察): every department and window with its open cases, ready tasks
and their oldest wait, the colours of the accepted cases at NOW (engine/domain/warnings.py, thresholds from
each item's guide), the warned and overdue cases with their current step and handler, first-inquiry
violations; one case drilled down; and the efficiency tables of a period.

Every count is made by the database: statuses and ready tasks by GROUP BY over covering indexes (each task row
carries its case's window: no join), colours from
the stored colour schedule of each accepted case (``case_colours``, kept in the transaction that changes its
clock: engine/services/colour_schedule.py) compared with NOW. Only the capped lists read clocks: the schedule
names the few cases that can be among the worst, and these are read exactly with ``read_colour``. Completed
history is read only by the efficiency report, for its period. Supervisors and administrators only.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from engine.domain.access import SUPERVISOR, Principal
from engine.domain.case_codec import case_from_dict
from engine.domain.warnings import Colour, Thresholds, colour_changes, read_colour, thresholds_for
from engine.errors import CalendarError, FieldError, FormValidationError, NotFound, PermissionDenied
from engine.services.context import ServiceContext
from engine.services.supervision_efficiency import DECIDED_STATUSES, DEFINITIONS, add_case, decided_in, tabulate
from engine.services.supervision_live import Read, read_all, worst
from engine.services.supervision_views import (
    BoardRow,
    CaseDrill,
    Dashboard,
    Efficiency,
    EfficiencyRow,
    InquiryBreach,
    LiveCase,
    StepNow,
    WarnedPage,
)

log = logging.getLogger("onestop")

#: undecided cases: still the centre's work (a decided case waits only for delivery)
OPEN_STATUSES = ("received", "correction_requested", "accepted", "paused")
AWAITING_ACCEPTANCE = frozenset({"received", "correction_requested"})
CLOCKED = frozenset({"accepted", "paused"})
#: the hours in which the board refreshes itself (the centre's 8-hour monitoring, with a margin)
OPENS, CLOSES = time(8, 0), time(18, 0)
MAX_PERIOD_DAYS = 366
#: the board lists at most this many warned / overdue cases / first-inquiry breaches (worst or latest first) and
#: says how many there are; the paged list (warned_page) shows the rest
LIST_LIMIT = 50
PAGE_SIZE, MAX_PAGE_SIZE = 50, 200
WARNED = (Colour.YELLOW, Colour.RED, Colour.OVERDUE)
WARNED_VALUES = tuple(c.value for c in WARNED)


def require_supervisor(principal: Principal) -> None:
    if not (principal.is_admin or principal.has_role(SUPERVISOR)):
        raise PermissionDenied("only the supervision window and administrators see the supervision board")


def thresholds_of(item: dict[str, Any] | None) -> Thresholds:
    """The item's thresholds: the one definition in engine/domain/warnings.py (defaults if malformed)."""
    return thresholds_for((item or {}).get("guide"))


def _thresholds_by_code(items: dict[str, dict[str, Any]]) -> Callable[[str], Thresholds]:
    """Each item's thresholds, parsed once per board."""
    parsed: dict[str, Thresholds] = {}

    def of(code: str) -> Thresholds:
        if code not in parsed:
            parsed[code] = thresholds_of(items.get(code))
        return parsed[code]

    return of


def _live(read: Read, items: dict[str, dict[str, Any]], steps: dict[int, tuple[StepNow, ...]]) -> LiveCase:
    row, reading = read.row, read.reading
    return LiveCase(
        case_no=row["case_no"],
        item_code=row["item_code"],
        item_name=(items.get(row["item_code"]) or {}).get("name") or row["item_code"],
        department=row["department"],
        window=row["window"],
        status=row["status"],
        colour=reading.colour,
        limit_days=reading.limit_days,
        used_days=reading.used_days,
        remaining_days=reading.remaining_days,
        due_at=reading.due_at,
        paused=reading.paused,
        steps=steps.get(row["instance_id"], ()) if row["instance_id"] is not None else (),
    )


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
        """The board: every count exact, the lists capped at LIST_LIMIT (worst first) with their totals."""
        require_supervisor(principal)
        now = now or self._ctx.now()
        calendar = self._ctx.runtime_calendar()
        year = now.astimezone(calendar.zone).year
        with self._ctx.uow() as uow:
            board = uow.supervision_board
            counts = board.open_counts(OPEN_STATUSES)
            colours = uow.case_colours.counts(now)
            # the stored schedule names the few cases the lists can show (the worst warned come overdue first,
            # so they hold the worst overdue too); their clocks are read exactly
            chosen = uow.case_colours.worst(now, WARNED_VALUES, LIST_LIMIT)
            clocks = board.clocks_in_status(CLOCKED, case_nos=chosen)
            items = board.items_by_code({r["item_code"] for r in clocks})
            reads = read_all(clocks, _thresholds_by_code(items), calendar, now)
            warned = worst(reads, LIST_LIMIT, lambda c: c is not Colour.GREEN)
            overdue = worst(reads, LIST_LIMIT, lambda c: c is Colour.OVERDUE)
            shown = {r.row["instance_id"] for r in (*warned, *overdue) if r.row["instance_id"] is not None}
            steps = _steps(board.ready_tasks_of(shown))
            task_load = board.task_load()
            departments, windows = uow.accounts.departments(), uow.organisation.windows()
            breaches = board.violations_of_kind("first_inquiry", year, LIST_LIMIT)
            breaches_total = board.count_violations_of_kind("first_inquiry", year)
        by_department = {code: BoardRow(code, name) for code, name in departments}
        by_window = {w["code"]: BoardRow(w["code"], w["name"]) for w in windows if w["department"]}
        total = BoardRow("*", "全中心")
        self._count_cases(counts, colours, by_department, by_window, total)
        self._count_tasks(task_load, by_department, by_window, total, now)
        return Dashboard(
            now=now,
            working_hours=self.in_working_hours(now),
            departments=list(by_department.values()),
            windows=list(by_window.values()),
            total=total,
            warned=[_live(r, items, steps) for r in warned],
            overdue=[_live(r, items, steps) for r in overdue],
            first_inquiry=[
                InquiryBreach(v["id"], v["username"], v["department"], v["at"], v["veto"], v["reference"], v["details"])
                for v in breaches
            ],
            year=year,
            warned_total=sum(total.colours[c.value] for c in WARNED),
            overdue_total=total.colours[Colour.OVERDUE.value],
            first_inquiry_total=breaches_total,
            list_limit=LIST_LIMIT,
        )

    def warned_page(
        self,
        principal: Principal,
        *,
        colour: str | None = None,
        department: str | None = None,
        page: int = 1,
        per_page: int = PAGE_SIZE,
        now: datetime | None = None,
    ) -> WarnedPage:
        """The full list behind the board's capped one: warned cases (yellow, red, overdue, or one of them),
        of every department or one, worst first, one page at a time."""
        require_supervisor(principal)
        wanted = {c for c in WARNED if colour in (None, c.value)}
        if not wanted:
            raise FormValidationError("unknown colour", [FieldError("colour", "yellow, red or overdue")])
        now = now or self._ctx.now()
        calendar = self._ctx.runtime_calendar()
        page, per_page = max(1, page), max(1, min(per_page, MAX_PAGE_SIZE))
        values = [c.value for c in wanted]
        with self._ctx.uow() as uow:
            board = uow.supervision_board
            total = uow.case_colours.count(now, values, department)
            # the worst page * per_page per kind of clock contain this page; their clocks are read exactly
            candidates = uow.case_colours.worst(now, values, page * per_page, department)
            clocks = board.clocks_in_status(CLOCKED, department, case_nos=candidates)
            items = board.items_by_code({r["item_code"] for r in clocks})
            reads = sorted(
                (r for r in read_all(clocks, _thresholds_by_code(items), calendar, now) if r.reading.colour in wanted),
                key=lambda r: r.severity,
            )
            chosen = reads[(page - 1) * per_page : page * per_page]
            steps = _steps(board.ready_tasks_of({r.row["instance_id"] for r in chosen if r.row["instance_id"]}))
        return WarnedPage(now, [_live(r, items, steps) for r in chosen], total, page, per_page, colour, department)

    @staticmethod
    def _count_cases(
        counts: list[tuple[str, str | None, str, int]],
        colours: list[tuple[str, str | None, dict[str, int]]],
        by_department: dict[str, BoardRow],
        by_window: dict[str, BoardRow],
        total: BoardRow,
    ) -> None:
        """Status and colour counts as the database gave them, per department and window."""

        def targets(department: str, window: str | None) -> list[BoardRow]:
            found = [total, by_department.setdefault(department, BoardRow(department, department))]
            if window:
                found.append(by_window.setdefault(window, BoardRow(window, window)))
            return found

        for department, window, status, n in counts:
            for target in targets(department, window):
                target.open_cases += n
                target.awaiting_acceptance += n if status in AWAITING_ACCEPTANCE else 0
                target.paused += n if status == "paused" else 0
        for department, window, by_colour in colours:
            for target in targets(department, window):
                for colour, n in by_colour.items():
                    target.colours[colour] += n

    @staticmethod
    def _count_tasks(
        load: list[tuple[str | None, str | None, int, datetime]],
        by_department: dict[str, BoardRow],
        by_window: dict[str, BoardRow],
        total: BoardRow,
        now: datetime,
    ) -> None:
        """Ready tasks as the database counted them per (department, window of their case): each group adds to
        the total, its department (a task of none, e.g. centre-wide, counts in the total only) and its window
        (a task of no case has none)."""
        for department, window, count, oldest in load:
            targets = [total]
            if department:
                targets.append(by_department.setdefault(department, BoardRow(department, department)))
            if window:
                targets.append(by_window.setdefault(window, BoardRow(window, window)))
            for row in targets:
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
