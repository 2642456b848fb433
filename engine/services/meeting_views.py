"""What the joint-review meeting service answers and accepts: meeting and action views, the agenda preview,
the projects board read as agenda signals, and the checks of submitted minutes (decisions, action items)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from engine.domain.meetings import ACTION_MAX_WORKDAYS, ActionStatus, ChildSignal, MeetingStatus, ProjectSignal
from engine.errors import FieldError, FormValidationError

if TYPE_CHECKING:  # the projects service is only a data source here (typed, not imported at run time)
    from engine.services.projects import ProjectProgress

MAX_MINUTES = 20000
MAX_DECISIONS = 50
MAX_ACTIONS = 50
MAX_TEXT = 1000


def business_key(held_on: date, number: int) -> str:
    """``JM-20260316-2``: the second action item of the meeting held on 16 March 2026."""
    return f"JM-{held_on:%Y%m%d}-{number}"


@dataclass(frozen=True)
class ActionView:
    id: int
    meeting_id: int
    held_on: date
    number: int
    description: str
    department: str
    project_code: str | None
    assignee: str | None
    due_at: datetime
    status: ActionStatus  # overdue: past its due instant and not done, whether or not the timer fired yet
    created_at: datetime
    done_at: datetime | None
    done_by: str | None
    done_note: str | None
    instance_id: int | None
    task_id: str | None = None  # the department's ready task, while open

    @property
    def business_key(self) -> str:
        return business_key(self.held_on, self.number)

    @property
    def overdue(self) -> bool:
        return self.status is ActionStatus.OVERDUE


@dataclass(frozen=True)
class MeetingView:
    id: int
    held_on: date
    scheduled_at: datetime
    chair: str
    status: MeetingStatus
    agenda: list[dict[str, Any]]  # AgendaEntry.as_dict(), as convened
    minutes: str | None
    decisions: list[str]
    created_at: datetime
    held_at: datetime | None
    recorded_by: str | None
    actions: tuple[ActionView, ...] = ()


@dataclass(frozen=True)
class AgendaPreview:
    """The next meeting and its agenda: as convened (stored) once it is, else built live from the board."""

    held_on: date
    scheduled_at: datetime
    chair: str
    convened: bool
    meeting_id: int | None
    entries: list[dict[str, Any]]


def action_view(row: dict[str, Any], now: datetime, task_id: str | None = None) -> ActionView:
    status = ActionStatus(row["status"])
    if status is ActionStatus.OPEN and row["due_at"] <= now:
        status = ActionStatus.OVERDUE  # the timer may not have fired yet (scheduler down): the clock decides
    return ActionView(
        id=row["id"],
        meeting_id=row["meeting_id"],
        held_on=row["held_on"],
        number=row["number"],
        description=row["description"],
        department=row["department"],
        project_code=row["project_code"],
        assignee=row["assignee"],
        due_at=row["due_at"],
        status=status,
        created_at=row["created_at"],
        done_at=row["done_at"],
        done_by=row["done_by"],
        done_note=row["done_note"],
        instance_id=row["instance_id"],
        task_id=task_id,
    )


def meeting_view(row: dict[str, Any], actions: tuple[ActionView, ...] = ()) -> MeetingView:
    return MeetingView(
        id=row["id"],
        held_on=row["held_on"],
        scheduled_at=row["scheduled_at"],
        chair=row["chair"],
        status=MeetingStatus(row["status"]),
        agenda=list(row["agenda"] or []),
        minutes=row["minutes"],
        decisions=list(row["decisions"] or []),
        created_at=row["created_at"],
        held_at=row["held_at"],
        recorded_by=row["recorded_by"],
        actions=actions,
    )


def project_signal(project: ProjectProgress) -> ProjectSignal:
    """The board's reading of one project, reduced to what the agenda rules need."""
    return ProjectSignal(
        code=project.code,
        name=project.name,
        status=project.status,
        warning=project.warning,
        due_at=project.due_at,
        steward=project.steward,
        lead_department=project.lead_department,
        children=tuple(
            ChildSignal(
                item_code=child.item_code,
                item_name=child.item_name,
                department=child.department,
                case_no=child.case_no,
                state=child.state,
                warning=child.warning,
                prerequisites=tuple(link.item_code for link in child.prerequisites),
            )
            for child in project.children
        ),
    )


# -- the minutes as submitted ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ActionInput:
    description: str
    department: str
    workdays: int
    project_code: str | None = None
    assignee: str | None = None


def _text(value: Any, field: str, max_length: int, errors: list[FieldError], *, required: bool) -> str | None:
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        if required:
            errors.append(FieldError(field, "required"))
        return None
    if not isinstance(value, str) or len(value) > max_length:
        errors.append(FieldError(field, f"must be text of at most {max_length} characters"))
        return None
    return value


def _workdays(value: Any, field: str, errors: list[FieldError]) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())  # from a form post
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= ACTION_MAX_WORKDAYS:
        errors.append(FieldError(field, f"a whole number of working days from 1 to {ACTION_MAX_WORKDAYS}"))
        return 0
    return value


def checked_minutes(minutes: Any, decisions: Any, actions: Any) -> tuple[str, list[str], list[ActionInput]]:
    """The minutes, decisions and action items, or FormValidationError naming every bad field."""
    errors: list[FieldError] = []
    text = _text(minutes, "minutes", MAX_MINUTES, errors, required=True) or ""
    kept: list[str] = []
    if not isinstance(decisions, list) or len(decisions) > MAX_DECISIONS:
        errors.append(FieldError("decisions", f"a list of at most {MAX_DECISIONS} decisions"))
    else:
        for index, decision in enumerate(decisions):
            value = _text(decision, f"decisions.{index}", MAX_TEXT, errors, required=False)
            if value:
                kept.append(value)
    items: list[ActionInput] = []
    if not isinstance(actions, list) or len(actions) > MAX_ACTIONS:
        errors.append(FieldError("actions", f"a list of at most {MAX_ACTIONS} action items"))
        actions = []
    for index, raw in enumerate(actions):
        where = f"actions.{index}"
        if not isinstance(raw, dict):
            errors.append(FieldError(where, "{description, department, workdays, project_code?, assignee?}"))
            continue
        description = _text(raw.get("description"), f"{where}.description", MAX_TEXT, errors, required=True)
        department = _text(raw.get("department"), f"{where}.department", 32, errors, required=True)
        workdays = _workdays(raw.get("workdays"), f"{where}.workdays", errors)
        project = _text(raw.get("project_code"), f"{where}.project_code", 32, errors, required=False)
        assignee = _text(raw.get("assignee"), f"{where}.assignee", 64, errors, required=False)
        if description and department and workdays:
            items.append(ActionInput(description, department, workdays, project, assignee))
    if errors:
        raise FormValidationError("the minutes cannot be recorded", errors)
    return text, kept, items
