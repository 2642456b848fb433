"""APScheduler wiring: wake at the earliest due timer (not on a slow poll), plus a safety-net interval.

The database is the source of truth (``instances.next_due_at``). Whenever a use case commits a new earliest
due time in this process, the scheduler moves its wake-up job there; other processes' changes are picked
up by the safety-net interval. At start-up, timers that fell due while nothing ran fire once.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from engine.bootstrap import Platform
from engine.services.colour_schedule import rebuild_colour_schedule
from engine.services.context import log

WAKE_JOB = "onestop-wake"
SAFETY_JOB = "onestop-safety"
CALENDAR_JOB = "onestop-calendar-years"
STALE_JOB = "onestop-stale-deadlines"
#: how often deadlines computed with an older calendar (e.g. in another process) are looked for
STALE_DEADLINE_SECONDS = 5.0
FIRST_INQUIRY_JOB = "onestop-first-inquiry"
#: how often open transfers past their follow-up time are turned into first-inquiry violations
FIRST_INQUIRY_SECONDS = 60.0
#: convenes the joint-review meetings whose day has come, daily at their configured time
MEETING_JOB = "onestop-joint-meetings"
#: closes the working day's attendance (考勤) into accountability entries, daily after the afternoon session
DISCIPLINE_JOB = "onestop-discipline-close"
# SpiffWorkflow fires a timer when its due instant is strictly in the past
_FIRE_MARGIN = timedelta(milliseconds=5)
_RETRY_BACKOFF = timedelta(milliseconds=200)


class TimerScheduler:
    def __init__(self, platform: Platform, *, safety_interval: float | None = None) -> None:
        self._platform = platform
        self._interval = safety_interval or platform.settings.scheduler_safety_interval
        self._scheduler = BackgroundScheduler(timezone="UTC")
        self._lock = threading.Lock()
        # the wake-up and the safety net are two jobs (max_instances is per job): their runs take turns, since
        # two at once in one process only contend for the GIL and the write lock
        self._run_lock = threading.Lock()
        self._next_wake: datetime | None = None
        # the earliest due time notified while a run was in progress (that run must not plan past it)
        self._notified_during_run: datetime | None = None
        self._running = False

    def start(self) -> None:
        self._platform.ctx.due_listeners.append(self.notify)
        self._scheduler.start()
        self._scheduler.add_job(
            self.run_due, "interval", seconds=self._interval, id=SAFETY_JOB, max_instances=1, coalesce=True
        )
        self._scheduler.add_job(
            self._platform.calendar.ensure_current_years, "interval", hours=12, id=CALENDAR_JOB, coalesce=True
        )
        self._scheduler.add_job(
            self._recompute_stale, "interval", seconds=STALE_DEADLINE_SECONDS, id=STALE_JOB, coalesce=True
        )
        self._scheduler.add_job(
            self._first_inquiry, "interval", seconds=FIRST_INQUIRY_SECONDS, id=FIRST_INQUIRY_JOB, coalesce=True
        )
        at = self._platform.meetings.schedule.at
        meeting_time = CronTrigger(hour=at.hour, minute=at.minute, timezone=self._platform.settings.timezone)
        self._scheduler.add_job(self.convene_meetings, meeting_time, id=MEETING_JOB, coalesce=True)
        close = self._platform.discipline.rules.close_at
        close_time = CronTrigger(hour=close.hour, minute=close.minute, timezone=self._platform.settings.timezone)
        self._scheduler.add_job(self.close_attendance, close_time, id=DISCIPLINE_JOB, coalesce=True)
        self._platform.calendar.ensure_current_years()
        self._platform.warnings.rebuild_all()  # open cases' warning timers, as thresholds and calendar are now
        rebuild_colour_schedule(self._platform.ctx)  # and the supervision board's stored colours
        self.run_due()  # timers that fell due while nothing ran fire now, once
        if self._platform.clock.now().astimezone(meeting_time.timezone).time() >= at:
            self.convene_meetings()  # started after today's meeting time: convene what is due (idempotent)
        self.close_attendance()  # closes the days whose close is due, a missed one too (idempotent)

    def shutdown(self) -> None:
        if self.notify in self._platform.ctx.due_listeners:
            self._platform.ctx.due_listeners.remove(self.notify)
        self._scheduler.shutdown(wait=True)

    def notify(self, due: datetime | None) -> None:
        """A committed change may have an earlier due time than the planned wake-up: move it earlier."""
        if due is None:
            return
        with self._lock:
            if self._running:
                pending = self._notified_during_run
                self._notified_during_run = due if pending is None else min(pending, due)
            if self._next_wake is not None and self._next_wake <= due and self._wake_pending():
                return
            self._plan(due)

    def _wake_pending(self) -> bool:
        return self._scheduler.get_job(WAKE_JOB) is not None

    def _plan(self, due: datetime) -> None:
        self._next_wake = due
        self._scheduler.add_job(
            self.run_due,
            DateTrigger(run_date=due + _FIRE_MARGIN),
            id=WAKE_JOB,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    def run_due(self) -> None:
        """Fire everything that is due, then plan the next wake-up at the earliest remaining timer."""
        with self._run_lock:
            self._run_due()

    def _run_due(self) -> None:
        with self._lock:
            self._running, self._notified_during_run = True, None
        earliest: datetime | None = None
        progressed, started = False, self._platform.clock.now()
        try:
            report = self._platform.timers.fire_due()
            if report.failed:
                log.warning("timer failures: %s", report.failed)
            warned = self._platform.warnings.fire_due()  # the warning cards' own schedule (warning_timers)
            progressed = bool(report.fired or warned.issued)
            dues = [self._platform.instances.earliest_due(), self._platform.warnings.earliest_due()]
            earliest = min((d for d in dues if d is not None), default=None)
        except Exception:
            log.exception("timer run failed; the safety interval will try again")
        with self._lock:
            self._running = False
            candidates = [d for d in (earliest, self._notified_during_run) if d is not None]
            self._next_wake = None
            if candidates:
                target = min(candidates)
                now = self._platform.clock.now()
                if target > now:
                    self._plan(target)
                elif progressed or target > started:  # fell due while this run went on: again at once
                    self._plan(now)
                else:  # due before this run and not fired by it: it failed or raced; back off, don't spin
                    self._plan(now + _RETRY_BACKOFF)

    def convene_meetings(self) -> None:
        """The daily meeting job (also callable directly): convene the meetings due today, once."""
        try:
            for meeting in self._platform.meetings.convene_due():
                log.info("joint meeting of %s convened: %d project(s)", meeting.held_on, len(meeting.agenda))
        except Exception:
            log.exception("convening the joint meetings failed; tomorrow's run or a restart tries again")

    def close_attendance(self) -> None:
        """The daily discipline job (also callable directly): every day whose closing time has passed and is not
        closed yet (today after its closing time, days a stopped scheduler missed) into accountability, once."""
        try:
            written = self._platform.discipline.close_due()
            if written:
                log.info("attendance closed: %d accountability entries", written)
        except Exception:
            log.exception("closing the day's attendance failed; a restart or tomorrow's run tries again")

    def _first_inquiry(self) -> None:
        try:
            self._platform.consultations.record_breaches()
        except Exception:
            log.exception("recording first-inquiry violations failed")

    def _recompute_stale(self) -> None:
        try:
            self._platform.calendar.recompute_stale_deadlines()
        except Exception:
            log.exception("recomputing deadlines after a calendar change failed")
