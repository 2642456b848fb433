"""Keep the stored colour schedule of every accepted, undecided case (``case_colours``, engine/domain/
colour_schedule.py) in step with its clock, inside the transaction that changes the clock, and rebuild all of
it when what the instants depend on changes without a case changing (the work calendar, an item's thresholds)
or when cases were written without the services (an upgraded database, a benchmark's bulk insert).

Where a clock changes, and who calls ``keep`` then: a lifecycle step of the case's process or its end
(WarningSchedule.follow_case, beside the warning timers), a withdrawal or termination (CaseService._end_early),
a key-project review waiting for its prerequisites and its release (ProjectFlow._set_waiting). A case that is
not accepted-and-undecided has no row; the board counts its status from ``cases``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from engine.domain.calendar import WorkCalendar
from engine.domain.case_clock import CaseClock
from engine.domain.case_codec import case_from_dict
from engine.domain.cases import Case, CaseStatus
from engine.domain.colour_schedule import ColourSchedule, colour_schedule
from engine.domain.warnings import Thresholds, thresholds_for
from engine.errors import CalendarError
from engine.services.context import ServiceContext, UnitOfWorkLike, with_retry
from engine.services.supervision_live import clock_key, clock_of

__all__ = ["keep", "keep_case", "rebuild_colour_schedule"]

log = logging.getLogger("onestop")

#: accepted and undecided: the cases with a running (or paused) promised clock
CLOCKED = frozenset({CaseStatus.ACCEPTED, CaseStatus.PAUSED})
_CLOCKED_VALUES = tuple(sorted(s.value for s in CLOCKED))


def _row(
    case_no: str, item_code: str, department: str, window: str | None, schedule: ColourSchedule, now: datetime
) -> dict[str, Any]:
    return {
        "case_no": case_no,
        "item_code": item_code,
        "department": department,
        "window": window,
        "paused": schedule.paused,
        "remaining_days": schedule.remaining_days,
        "rank_day": schedule.rank_day,
        "yellow_at": schedule.yellow_at,
        "red_at": schedule.red_at,
        "overdue_at": schedule.overdue_at,
        "computed_at": now,
    }


def _thresholds(uow: UnitOfWorkLike, item_code: str) -> Thresholds:
    return thresholds_for((uow.catalogue.get(item_code) or {}).get("guide"))


def keep(
    ctx: ServiceContext, uow: UnitOfWorkLike, row: dict[str, Any], case: Case, now: datetime, *, closed: bool = False
) -> None:
    """Rewrite the schedule of ``case`` (its ``cases`` row gives department and window) as its clock stands now;
    none once it is not accepted-and-undecided or its process ``closed``."""
    clock = case.clock
    if closed or clock is None or case.status not in CLOCKED:
        uow.case_colours.drop(case.case_no)
        return
    try:
        schedule = colour_schedule(clock, ctx.runtime_calendar(), _thresholds(uow, case.item_code), now)
    except CalendarError:  # a year without calendar data: the board leaves the case out until a rebuild
        log.warning("case %s: the work calendar cannot read its clock", case.case_no)
        uow.case_colours.drop(case.case_no)
        return
    uow.case_colours.put(_row(case.case_no, case.item_code, row["department"], row["window"], schedule, now))


def keep_case(ctx: ServiceContext, uow: UnitOfWorkLike, case_no: str, now: datetime) -> None:
    """``keep`` for a case saved in this transaction, read back by its number."""
    row = uow.cases.get(case_no)
    if row is None:
        uow.case_colours.drop(case_no)
        return
    keep(ctx, uow, row, case_from_dict(row["record"]), now)


def _schedules(
    rows: list[dict[str, Any]], thresholds: dict[str, Thresholds], calendar: WorkCalendar, now: datetime
) -> Iterator[dict[str, Any]]:
    """The schedule of each clocked row, computed once per distinct clock (most cases share one)."""
    tokens: dict[Thresholds, int] = {}
    memo: dict[Any, ColourSchedule | None] = {}
    for row in rows:
        if not row["accepted_at"]:
            continue
        limits = thresholds.get(row["item_code"]) or Thresholds()
        clock: CaseClock = clock_of(row)
        key = clock_key(clock, calendar.zone, tokens.setdefault(limits, len(tokens)))
        if key not in memo:
            try:
                memo[key] = colour_schedule(clock, calendar, limits, now)
            except CalendarError:
                memo[key] = None
        schedule = memo[key]
        if schedule is None:
            log.warning("case %s: the work calendar cannot read its clock", row["case_no"])
            continue
        yield _row(row["case_no"], row["item_code"], row["department"], row["window"], schedule, now)


def rebuild_colour_schedule(ctx: ServiceContext, now: datetime | None = None) -> int:
    """Recompute the colour schedule of every accepted, undecided case from its clock, its item's thresholds
    and the calendar as they are now, in one transaction (the rows of other cases go); returns how many rows.
    Idempotent. Runs after ``onestop migrate``, a catalogue load, a calendar change and at scheduler start;
    call it after writing cases straight into the database (bench/): it also gives ready tasks written so
    their case's window."""
    at = now or ctx.now()
    return with_retry(3, lambda: _rebuild_once(ctx, at))


def _rebuild_once(ctx: ServiceContext, at: datetime) -> int:
    with ctx.uow(write=True) as uow:
        uow.case_colours.lock()  # first: a case changed meanwhile is read as changed, or rewrites its row after
        rows = uow.supervision_board.clocks_in_status(_CLOCKED_VALUES)
        # only now the calendar: a database just migrated, before ``onestop init`` seeds it, has no cases either
        calendar = ctx.runtime_calendar() if rows else None
        guides = uow.supervision_board.items_by_code({r["item_code"] for r in rows})
        thresholds = {code: thresholds_for(item.get("guide")) for code, item in guides.items()}
        written = uow.case_colours.replace_all(_schedules(rows, thresholds, calendar, at) if calendar else [])
        # the board's other stored projection of a case: the window on its ready tasks (migration 0022), missing
        # only where tasks were written straight into the database
        uow.supervision_board.fill_task_windows()
        uow.commit()
    return int(written)
