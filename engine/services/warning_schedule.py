"""Schedule, not scan: keep each case's warning timers (the instants it turns yellow, red and overdue) in step
with its clock, fire the due ones, and turn what the process itself reports (a step's own deadline passed, a
second correction request) into cards — all inside the transaction of the advance that caused it.

The clock of a case changes only through its process's lifecycle steps (accept, correction, pause start/end,
extension, decision, delivery) or when its process ends, so the advance hook recomputes the timers then. What
changes the instants without touching a case — an item's thresholds, the work calendar, or cases that were
open before the timers existed — is handled by rebuilding every open case's timers (``rebuild``).

A pause that counts toward the limit (计入时限, e.g. 现场核查) leaves the clock running: the case keeps its
timers while its status is ``paused``; only a pause that stops the clock (``clock.is_paused``) holds them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from engine.domain.case_codec import case_from_dict
from engine.domain.cases import Case, CaseStatus
from engine.domain.warning_cards import COLOUR_OF, TIMER_TRIGGERS, Level, Trigger, level_of
from engine.domain.warnings import Thresholds, colour_changes, read_colour, thresholds_for
from engine.services.colour_schedule import keep as keep_colours
from engine.services.context import AdvanceEvent, ServiceContext, UnitOfWorkLike
from engine.services.warning_issue import NewWarning, current_handler, issue_in

#: the process's own case-level timer script (``promised_overdue``) counts calendar time without pauses; the
#: warning timers count pauses, so only the per-step ``<step>_overdue`` scripts become cards
_PROMISED_SCRIPT = "promised_overdue"
_OVERDUE_SUFFIX = "_overdue"
#: accepted and undecided: the statuses whose clock may change colour (``paused`` too: a counted pause runs on)
_CLOCKED = frozenset({CaseStatus.ACCEPTED, CaseStatus.PAUSED})
#: the ledger entry CaseService writes for a case's own breach (engine/services/cases.py): kind, reference
_SECOND_CORRECTION = "second_correction"


def _case_reference(case_no: str) -> str:
    return f"case:{case_no}"


def _thresholds(uow: UnitOfWorkLike, item_code: str) -> Thresholds:
    return thresholds_for((uow.catalogue.get(item_code) or {}).get("guide"))


def _case_row(uow: UnitOfWorkLike, event: AdvanceEvent) -> dict[str, Any] | None:
    row = uow.cases.for_instance(event.instance.id)
    if row is None and event.instance.business_key:  # the first steps, before the case records its instance
        row = uow.cases.get(event.instance.business_key)
        if row is not None and row["instance_id"] not in (None, event.instance.id):
            row = None
    return row


class WarningSchedule:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # -- the advance hook -----------------------------------------------------------------------------------
    def follow_case(self, event: AdvanceEvent) -> None:
        """Runs after the case followed its process (CaseService's hook is registered first)."""
        lifecycle = [e for e in event.snapshot.completed_elements if e.properties.get("caseStep")]
        overdue_steps = [
            e.element_id[: -len(_OVERDUE_SUFFIX)]
            for e in event.snapshot.completed_elements
            if "Script" in e.kind and e.element_id.endswith(_OVERDUE_SUFFIX) and e.element_id != _PROMISED_SCRIPT
        ]
        ended = not event.instance.status.is_open
        if not (lifecycle or overdue_steps or ended):
            return
        row = _case_row(event.uow, event)
        if row is None:
            return
        case = case_from_dict(row["record"])
        due = None
        if lifecycle or ended:  # a step's own deadline passing leaves the case's clock (and so its timers) as is
            due = self.reschedule(event.uow, case, event.now, closed=ended)
            keep_colours(self._ctx, event.uow, row, case, event.now, closed=ended)  # the board's stored colours
        for step in overdue_steps:
            self._step_overdue(event, row, case, step)
        for violation in case.violations:  # recorded by this very advance: a second correction request
            if violation.kind == _SECOND_CORRECTION and violation.at == event.now:
                text = f"二次补正，首次告知时应一并告知的材料：{'、'.join(violation.items)}"
                card = self._card(row, case, Trigger.SECOND_CORRECTION, text, violation.actor, "acceptance")
                # CaseService's hook (run first) charged the breach already: the card points to that entry
                entry = event.uow.warnings.ledger_entry(_SECOND_CORRECTION, _case_reference(case.case_no), violation.at)
                card = replace(card, ledger_entry=entry)
                issue_in(event.uow, card, event.now, self._ctx.runtime_calendar().zone)
        if due is not None:
            self._ctx.notify_due(due)  # the scheduler moves its wake-up earlier if this is the earliest

    def reschedule(
        self,
        uow: UnitOfWorkLike,
        case: Case,
        now: datetime,
        *,
        closed: bool = False,
        thresholds: Thresholds | None = None,
    ) -> datetime | None:
        """Rewrite the case's timers from its clock (idempotent); none while the clock is stopped by a pause,
        before acceptance or once decided. Returns the earliest."""
        clock = case.clock
        if closed or clock is None or case.status not in _CLOCKED or clock.is_paused:
            uow.warnings.replace_timers(case.case_no, {})
            return None
        calendar = self._ctx.runtime_calendar()
        if thresholds is None:
            thresholds = _thresholds(uow, case.item_code)
        changes = colour_changes(clock, calendar, thresholds, now)
        issued = uow.warnings.issued_triggers(case.case_no)
        due = {
            TIMER_TRIGGERS[colour].value: at
            for colour, at in changes.items()
            if TIMER_TRIGGERS[colour].value not in issued  # past instants stay: they fire at once
        }
        uow.warnings.replace_timers(case.case_no, due)
        return min(due.values(), default=None)

    def rebuild(self, uow: UnitOfWorkLike, case_nos: list[str], now: datetime) -> tuple[int, datetime | None]:
        """Reschedule these cases (those still accepted and undecided) in the caller's transaction; returns how
        many and their earliest timer. Thresholds are read once per item."""
        thresholds: dict[str, Thresholds] = {}
        rebuilt, earliest = 0, None
        for row in uow.warnings.clocked_cases(case_nos):
            case = case_from_dict(row["record"])
            code = row["item_code"]
            if code not in thresholds:
                thresholds[code] = _thresholds(uow, code)
            due = self.reschedule(uow, case, now, thresholds=thresholds[code])
            rebuilt += 1
            if due is not None and (earliest is None or due < earliest):
                earliest = due
        return rebuilt, earliest

    # -- firing -------------------------------------------------------------------------------------------------
    def fire_one(self, uow: UnitOfWorkLike, case_no: str, trigger: str, now: datetime) -> int | None:
        """Take one due timer and issue its card if the case really shows that colour now; a timer that came
        early (the calendar changed) waits for its new instant, one for a closed case is dropped."""
        if not uow.warnings.take_timer(case_no, trigger):
            return None  # another run took it
        row = uow.cases.get(case_no)
        if row is None:
            return None
        case = case_from_dict(row["record"])
        clock = case.clock
        if clock is None or case.status not in _CLOCKED or clock.is_paused:
            return None  # the end of the pause schedules the timers again
        calendar = self._ctx.runtime_calendar()
        thresholds = _thresholds(uow, case.item_code)
        reading = read_colour(clock, now, calendar, thresholds)
        wanted = COLOUR_OF[Trigger(trigger)]
        if reading.colour.rank < wanted.rank:
            later = colour_changes(clock, calendar, thresholds, now).get(wanted)
            if later is not None and later > now:
                uow.warnings.move_timer(case_no, trigger, later)
            return None
        due_local = reading.due_at.astimezone(calendar.zone)
        text = (
            f"已用 {reading.used_days}/{reading.limit_days} 个工作日（不含暂停时间），"
            f"承诺时限至 {due_local:%Y-%m-%d %H:%M}"
        )
        handler = current_handler(uow, row["instance_id"])
        card = self._card(row, case, Trigger(trigger), text, handler, "")
        return issue_in(uow, card, now, calendar.zone)

    # -- helpers ------------------------------------------------------------------------------------------------
    def _step_overdue(self, event: AdvanceEvent, row: dict[str, Any], case: Case, step: str) -> None:
        tasks = event.uow.instances.tasks_for_instance(event.instance.id)  # one read for the handler and the name
        handler = current_handler(event.uow, event.instance.id, step, tasks=tasks)
        name = next((t.name for t in tasks if t.element_id == step), step)  # what the clerk sees, not the id
        card = self._card(row, case, Trigger.STEP_OVERDUE, f"环节「{name}」超过环节时限", handler, step)
        issue_in(event.uow, card, event.now, self._ctx.runtime_calendar().zone)

    @staticmethod
    def _card(
        row: dict[str, Any], case: Case, trigger: Trigger, text: str, handler: str | None, step: str
    ) -> NewWarning:
        level: Level = level_of(trigger)
        return NewWarning(case.case_no, case.item_code, row["department"], trigger, level, text, handler, step)
