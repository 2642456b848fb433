"""The work calendar: seed years from the holiday libraries, import the State Council's notice, edit days,
and recompute open working-day deadlines when the calendar changes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from engine import holiday_sources
from engine.domain.access import Principal
from engine.domain.calendar import (
    DayRule,
    NoticeParseError,
    WorkCalendar,
    YearInfo,
    parse_notice,
    rules_from_notice,
)
from engine.errors import CalendarError, FieldError, FormValidationError, PermissionDenied
from engine.services.advance import apply_snapshot
from engine.services.context import ServiceContext, log, with_retry


@dataclass
class NoticeImport:
    year: int
    holidays: int
    workdays: int
    deadlines_moved: int


class CalendarService:
    """Owns the in-process WorkCalendar; checks the table's version every ``ttl`` seconds and reloads it
    when another process changed it. Deadlines remember the version they were computed with, so any
    computed with an older calendar (here or in another process) are found and recomputed."""

    def __init__(self, ctx: ServiceContext, ttl: float = 2.0) -> None:
        self._ctx = ctx
        self._ttl = ttl
        self._cached: WorkCalendar | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()
        #: run after an import or an edit changed the calendar (e.g. the warning timers; wired in bootstrap)
        self.after_change: list[Callable[[], object]] = []

    def calendar(self) -> WorkCalendar:
        cached = self._cached
        if cached is not None and time.monotonic() - self._checked_at < self._ttl:
            return cached
        with self._lock:
            # a separate short read: this may run inside another use case's transaction (a timer expression)
            with self._ctx.uow() as uow:
                version = uow.calendar.version()
                if self._cached is None or self._cached.version != version:
                    rules, years = uow.calendar.rules(), uow.calendar.years()
                    if not years:
                        raise CalendarError("the work calendar is empty: run `onestop init` to seed it")
                    settings = self._ctx.settings
                    self._cached = WorkCalendar(
                        rules, years, tz=settings.timezone, day_end=settings.workday_end, version=version
                    )
            self._checked_at = time.monotonic()
            return self._cached

    def invalidate(self) -> None:
        self._cached = None

    def ensure_years(self, years: Iterable[int]) -> list[YearInfo]:
        """Seed years that are not loaded yet: official data where the library has it, else provisional."""
        with self._ctx.uow(write=True) as uow:
            loaded = {y.year for y in uow.calendar.years()}
            missing = sorted(set(years) - loaded)
            if not missing:
                return []
            rules, infos = holiday_sources.seed_years(missing)
            for info in infos:
                uow.calendar.replace_year(info, [r for r in rules if r.day.year == info.year], self._ctx.now())
            uow.commit()
        self.invalidate()
        return list(infos)

    def ensure_current_years(self) -> list[YearInfo]:
        year = self._ctx.now().year
        return self.ensure_years(range(year - 2, year + 2))

    def years(self) -> list[YearInfo]:
        with self._ctx.uow() as uow:
            return list(uow.calendar.years())

    def import_notice(self, principal: Principal | None, text: str) -> NoticeImport:
        """Load the official arrangement of a year and recompute every open deadline that depends on it."""
        if principal is not None and not principal.is_admin:
            raise PermissionDenied("only administrators may import the holiday notice")
        try:
            notice = parse_notice(text)
        except NoticeParseError as exc:
            raise FormValidationError(str(exc), [FieldError("notice", str(exc))]) from exc
        with self._ctx.uow(write=True) as uow:
            uow.calendar.replace_year(
                YearInfo(notice.year, provisional=False, source="notice"), rules_from_notice(notice), self._ctx.now()
            )
            uow.commit()
        self.invalidate()
        moved = self.recompute_stale_deadlines()
        self._changed()
        return NoticeImport(notice.year, len(notice.holidays), len(notice.workdays), moved)

    def set_day(self, principal: Principal, rule: DayRule) -> int:
        if not principal.is_admin:
            raise PermissionDenied("only administrators may edit the work calendar")
        with self._ctx.uow(write=True) as uow:
            uow.calendar.set_day(DayRule(rule.day, rule.is_workday, rule.label, "admin"), self._ctx.now())
            uow.commit()
        self.invalidate()
        moved = self.recompute_stale_deadlines()
        self._changed()
        return moved

    def _changed(self) -> None:
        for hook in list(self.after_change):
            try:
                hook()
            except Exception:  # the change is committed; what follows it must not undo that
                log.exception("a hook after a calendar change failed")

    def recompute_stale_deadlines(self) -> int:
        """Recompute deadlines computed with an older calendar; returns how many instances changed."""
        current = self.calendar().version
        with self._ctx.uow() as uow:
            candidates = uow.instances.instances_with_stale_deadlines(current)
        moved = 0
        for instance_id in candidates:
            try:
                moved += with_retry(5, partial(self._recompute, instance_id))
            except Exception:
                log.exception("recomputing deadlines of instance %s failed", instance_id)
        return moved

    def _recompute(self, instance_id: int) -> int:
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            instance = uow.instances.get(instance_id, for_update=uow.skip_locked)
            if instance is None or not instance.status.is_open:
                return 0
            snapshot = ctx.runtime.recompute_deadlines(instance.state)
            if snapshot is None:
                return 0
            snapshot.force_projection = True
            # an instance in error keeps its status: its saved state is the last good one, retry resumes it
            apply_snapshot(
                ctx,
                uow,
                instance,
                snapshot,
                now=ctx.now(),
                actor="calendar",
                action="deadlines_recomputed",
                status=instance.status,
            )
            for task in snapshot.ready_tasks:
                uow.instances.update_task_due(task.task_id, task.due_at, task.due_provisional)
            uow.commit()
        ctx.notify_due(instance.next_due_at)
        return 1
