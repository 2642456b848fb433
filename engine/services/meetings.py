"""Joint-review meetings (联审会): convene them on schedule with the agenda built from the projects board,
record their minutes with action items (each a ``meeting_action`` task in its department's inbox), follow the
tasks to done, and list the open and overdue items for supervision (会议督办)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from engine.domain.access import Principal
from engine.domain.meetings import MeetingSchedule, MeetingStatus, build_agenda
from engine.domain.records import TaskState
from engine.errors import (
    ConcurrencyConflict,
    FieldError,
    FormValidationError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
)
from engine.services.context import AdvanceEvent, ServiceContext, UnitOfWorkLike, log, with_retry
from engine.services.instances import after_start, start_in
from engine.services.meeting_views import (
    ActionInput,
    ActionView,
    AgendaPreview,
    MeetingView,
    action_view,
    business_key,
    checked_minutes,
    meeting_view,
    project_signal,
)
from engine.services.project_flow import is_overseer

if TYPE_CHECKING:
    from engine.services.projects import ProjectProgress

PROCESS_ID = "meeting_action"
TASK_ELEMENT = "carry_out"
OVERDUE_ELEMENT = "action_overdue"
DEADLINE_ELEMENT = "action_deadline"
CENTRE = "CENTRE"
#: who records the minutes (besides admins): the joint-review office of the centre
RECORDING_ROLE = "fast_track_officer"
#: who carries an action out in its department (the BPMN lane)
ACTION_ROLE = "case_officer"
#: who sees every department's open actions (督办)

ProjectSource = Callable[[], "list[ProjectProgress]"]


def _no_projects() -> list[ProjectProgress]:
    return []


class MeetingService:
    def __init__(self, ctx: ServiceContext, projects: ProjectSource | None = None) -> None:
        self._ctx = ctx
        #: where the agenda's projects come from (engine.bootstrap wires the projects service's open_projects)
        self.projects: ProjectSource = projects or _no_projects
        #: the project codes a viewer may see (engine.bootstrap wires the projects board); None: only overseers
        #: see agenda entries
        self.visible_projects: Callable[[Principal], set[str]] | None = None
        settings = ctx.settings
        self.schedule = MeetingSchedule.parse(settings.joint_meeting_days, settings.joint_meeting_at)
        self.chair = settings.joint_meeting_chair
        ctx.advance_hooks.append(self.follow_action)

    # -- convening -----------------------------------------------------------------------------------------
    def convene_due(self, now: datetime | None = None) -> list[MeetingView]:
        """Convene the meetings whose convening day has come (normally at most one) with the agenda of the
        projects as they stand now; the meetings this call created (none when already convened, e.g. by
        another scheduler process: the unique day decides)."""
        now = now or self._ctx.now()
        calendar = self._ctx.runtime_calendar()
        today = now.astimezone(calendar.zone).date()
        due = self.schedule.due_for_convening(today, calendar)
        if not due:
            return []
        with self._ctx.uow() as uow:
            known = uow.meetings.on_days(due)
        created = []
        for held_on in (day for day in due if day not in known):
            entries = [entry.as_dict() for entry in build_agenda(project_signal(p) for p in self.projects())]
            try:
                created.append(with_retry(3, partial(self._convene, held_on, entries, now)))
            except ConcurrencyConflict:
                log.info("joint meeting of %s was convened elsewhere", held_on)
        return created

    def _convene(self, held_on: date, agenda: list[dict[str, Any]], now: datetime) -> MeetingView:
        with self._ctx.uow(write=True) as uow:
            if held_on in uow.meetings.on_days([held_on]):
                raise ConcurrencyConflict(f"the meeting of {held_on} is already convened")
            row = {
                "held_on": held_on,
                "scheduled_at": self.schedule.scheduled_at(held_on, self._ctx.runtime_calendar()),
                "chair": self.chair,
                "status": MeetingStatus.PLANNED.value,
                "agenda": agenda,
                "minutes": None,
                "decisions": [],
                "created_at": now,
            }
            meeting_id = uow.meetings.add(row)  # AlreadyConvened (a conflict) when another one won
            uow.commit()
        return meeting_view({**row, "id": meeting_id, "held_at": None, "recorded_by": None})

    def next_meeting(self) -> datetime | None:
        """When the next meeting starts (now or later, not cancelled), or None past the loaded calendar."""
        now = self._ctx.now()
        calendar = self._ctx.runtime_calendar()
        days = self.schedule.upcoming(now.astimezone(calendar.zone).date(), calendar)
        with self._ctx.uow() as uow:
            known = uow.meetings.on_days(days)
        for day in days:
            at = self.schedule.scheduled_at(day, calendar)
            if at >= now and known.get(day, {}).get("status") != MeetingStatus.CANCELLED.value:
                return at
        return None

    # -- reading -------------------------------------------------------------------------------------------
    def agenda_preview(self, principal: Principal) -> AgendaPreview | None:
        """The next meeting not yet held and its agenda: stored once convened, else built live now."""
        _require_staff(principal)
        now = self._ctx.now()
        calendar = self._ctx.runtime_calendar()
        days = self.schedule.upcoming(now.astimezone(calendar.zone).date(), calendar)
        with self._ctx.uow() as uow:
            known = uow.meetings.on_days(days)
        day = next((d for d in days if known.get(d, {}).get("status", "planned") == "planned"), None)
        if day is None:
            return None
        row = known.get(day)
        if row is not None:
            entries = self._visible_entries(principal, list(row["agenda"]))
            return AgendaPreview(day, row["scheduled_at"], row["chair"], True, row["id"], entries)
        entries = [entry.as_dict() for entry in build_agenda(project_signal(p) for p in self.projects())]
        entries = self._visible_entries(principal, entries)
        return AgendaPreview(day, self.schedule.scheduled_at(day, calendar), self.chair, False, None, entries)

    def _visible_entries(self, principal: Principal, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The office, the supervision window and admins see the whole agenda; department staff see the
        projects their department reviews (as on the projects board)."""
        if is_overseer(principal):
            return entries
        visible = self.visible_projects(principal) if self.visible_projects is not None else set()
        return [entry for entry in entries if entry["code"] in visible]

    def _visible_actions(self, principal: Principal, actions: tuple[ActionView, ...]) -> tuple[ActionView, ...]:
        if is_overseer(principal):
            return actions
        departments = {g.department for g in principal.grants}
        return tuple(a for a in actions if a.department in departments)

    def show(self, principal: Principal, meeting_id: int) -> MeetingView:
        _require_staff(principal)
        now = self._ctx.now()
        with self._ctx.uow() as uow:
            row = uow.meetings.get(meeting_id)
            if row is None:
                raise NotFound(f"meeting {meeting_id} not found")
            actions = tuple(action_view(a, now, _ready_task(uow, a)) for a in uow.meetings.actions_of(meeting_id))
        view = meeting_view(row, self._visible_actions(principal, actions))
        return replace(view, agenda=self._visible_entries(principal, view.agenda))

    def open_actions(self, principal: Principal, department: str | None = None) -> list[ActionView]:
        """Action items not yet done, earliest due first (overdue ones marked): every department's for the
        joint-review office, supervisors and admins, else the viewer's own departments'."""
        _require_staff(principal)
        overseer = is_overseer(principal)
        departments: list[str] | None = None if overseer else sorted({g.department or "" for g in principal.grants})
        if department is not None:
            if departments is not None and department not in departments:
                raise PermissionDenied(f"{principal.username} may not see the actions of {department}")
            departments = [department]
        now = self._ctx.now()
        with self._ctx.uow() as uow:
            rows = uow.meetings.open_actions(departments)
            return [action_view(row, now, _ready_task(uow, row)) for row in rows]

    # -- minutes -------------------------------------------------------------------------------------------
    def record_minutes(
        self, principal: Principal, meeting_id: int, minutes: Any, decisions: Any, actions: Any
    ) -> MeetingView:
        """Record what the meeting decided: the meeting is held, and every action item becomes a task in its
        department's inbox, due in its working days; all in one transaction."""
        if not (principal.is_admin or principal.holds(RECORDING_ROLE, CENTRE)):
            raise PermissionDenied(f"{principal.username} may not record the minutes of joint meetings")
        text, kept, items = checked_minutes(minutes, decisions, actions)
        started = self._record_once(principal, meeting_id, text, kept, items)
        for instance, snapshot in started:
            after_start(self._ctx, instance, snapshot)
        return self.show(principal, meeting_id)

    def _record_once(
        self, principal: Principal, meeting_id: int, text: str, decisions: list[str], items: list[ActionInput]
    ) -> list[tuple[Any, Any]]:
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            meeting = uow.meetings.get(meeting_id, for_update=uow.skip_locked)
            if meeting is None:
                raise NotFound(f"meeting {meeting_id} not found")
            if meeting["status"] != MeetingStatus.PLANNED.value:
                raise InvalidTransition(f"meeting {meeting_id} is {meeting['status']}: its minutes are recorded")
            _check_people(uow, items)
            version = uow.definitions.get_version(PROCESS_ID) if items else None
            if items and version is None:
                raise NotFound(f"process {PROCESS_ID!r} is not deployed")
            now = ctx.now()
            recorded = uow.meetings.record_minutes(
                meeting_id, minutes=text, decisions=decisions, held_at=now, recorded_by=principal.username
            )
            if not recorded:
                raise ConcurrencyConflict(f"meeting {meeting_id} changed meanwhile; reload")
            started = [
                self._start_action(uow, version, meeting, number, item, principal.username, now)
                for number, item in enumerate(items, start=1)
            ]
            uow.commit()
        return started

    def _start_action(
        self,
        uow: UnitOfWorkLike,
        version: Any,
        meeting: dict[str, Any],
        number: int,
        item: ActionInput,
        actor: str,
        now: datetime,
    ) -> tuple[Any, Any]:
        held_on: date = meeting["held_on"]
        data = {
            "description": item.description,
            "workdays": item.workdays,
            "meeting": held_on.isoformat(),
            "meeting_id": meeting["id"],
            "action_no": number,
            "project_code": item.project_code or "",
        }
        key = business_key(held_on, number)
        instance, snapshot = start_in(
            self._ctx, uow, version, data, department=item.department, business_key=key, actor=actor
        )
        timers = snapshot.timers if snapshot is not None else []
        due = next((t.due_at for t in timers if t.element_id == DEADLINE_ELEMENT), None)
        if due is None:  # the process did not reach its task (an incident): the rule still sets the due date
            due = self._ctx.runtime_calendar().deadline_after(now, item.workdays).due_at
        uow.meetings.add_action(
            {
                "meeting_id": meeting["id"],
                "number": number,
                "project_code": item.project_code,
                "description": item.description,
                "department": item.department,
                "assignee": item.assignee,
                "due_at": due,
                "instance_id": instance.id,
                "status": "open",
                "created_at": now,
            }
        )
        if item.assignee and snapshot is not None:
            for task in snapshot.ready_tasks:  # assigned: the task waits claimed by that officer
                uow.instances.set_claim(task.task_id, item.assignee, None)
        return instance, snapshot

    # -- following the action's process --------------------------------------------------------------------
    def follow_action(self, event: AdvanceEvent) -> None:
        """Advance hook: the task done marks the action done (with the officer's note); the deadline timer
        firing first marks it overdue."""
        if event.instance.process_id != PROCESS_ID:
            return
        done = {e.element_id for e in event.snapshot.completed_elements}
        if not done & {TASK_ELEMENT, OVERDUE_ELEMENT}:
            return
        row = event.uow.meetings.action_for_instance(event.instance.id)
        if row is None:
            return
        if TASK_ELEMENT in done:
            data = event.form_data if isinstance(event.form_data, dict) else {}
            note = str(data.get("note", "")).strip()
            event.uow.meetings.mark_done(row["id"], at=event.now, by=event.actor, note=note)
        elif OVERDUE_ELEMENT in done:
            event.uow.meetings.mark_overdue(row["id"])

    # a method named list shadows the builtin in annotations below it (mypy), so it comes last
    def list(self, principal: Principal, limit: int = 100) -> list[MeetingView]:
        _require_staff(principal)
        with self._ctx.uow() as uow:
            views = [meeting_view(row) for row in uow.meetings.recent(limit)]
        return [replace(v, agenda=self._visible_entries(principal, v.agenda)) for v in views]


def _require_staff(principal: Principal) -> None:
    if not principal.grants:
        raise PermissionDenied(f"{principal.username} may not see joint meetings")


def _ready_task(uow: UnitOfWorkLike, row: dict[str, Any]) -> str | None:
    if row["status"] == "done" or row["instance_id"] is None:
        return None
    tasks = uow.instances.tasks_for_instance(row["instance_id"], state=TaskState.READY)
    return tasks[0].task_id if tasks else None


def _check_people(uow: UnitOfWorkLike, items: list[ActionInput]) -> None:
    """Every department exists, and an assignee is a case officer of it (else the task would be stuck)."""
    errors = []
    for index, item in enumerate(items):
        if not uow.accounts.department_exists(item.department):
            errors.append(FieldError(f"actions.{index}.department", f"no department {item.department!r}"))
            continue
        if item.assignee:
            person = uow.accounts.principal(item.assignee)
            if person is None or not person.holds(ACTION_ROLE, item.department):
                message = f"{item.assignee!r} is not a {ACTION_ROLE} of {item.department}"
                errors.append(FieldError(f"actions.{index}.assignee", message))
    if errors:
        raise FormValidationError("the minutes cannot be recorded", errors)
