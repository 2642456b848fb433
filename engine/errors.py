"""The one error tree of the platform; the web layer maps each class to an HTTP status in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class OnestopError(Exception):
    """Base of every error the platform raises on purpose."""

    code = "error"

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(OnestopError):
    code = "not_found"


class AuthenticationFailed(OnestopError):
    code = "unauthenticated"


class PermissionDenied(OnestopError):
    code = "forbidden"


class InvalidTransition(OnestopError):
    """The object exists but is not in a state that allows the request (e.g. a suspended instance)."""

    code = "invalid_state"


class ConcurrencyConflict(OnestopError):
    """Somebody else changed the object first, or the task is no longer ready: HTTP 409."""

    code = "conflict"


class ConcurrentUpdate(ConcurrencyConflict):
    """A write lost an optimistic-lock race; nothing was saved, so the use case may run again on fresh state."""


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class FormValidationError(OnestopError):
    code = "invalid_form"

    def __init__(self, message: str, field_errors: list[FieldError]) -> None:
        super().__init__(message, [e.as_dict() for e in field_errors])
        self.field_errors = field_errors


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in a definition file, printed as ``file:line: element: message``."""

    file: str
    line: int
    element_id: str
    message: str
    severity: str = field(default="error", compare=False)

    def __str__(self) -> str:
        # one problem, one line: names from modelling tools may carry line breaks
        element = " ".join((self.element_id or "-").split())
        return f"{self.file}:{self.line}: {element}: {' '.join(self.message.split())}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "element_id": self.element_id, "message": self.message}


class ProcessDefinitionError(OnestopError):
    """A BPMN/DMN/form file that cannot be deployed; ``problems`` says where and why."""

    code = "invalid_definition"

    def __init__(self, problems: list[Problem]) -> None:
        summary = "; ".join(str(p) for p in problems[:3])
        more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(f"invalid definition: {summary}{more}", [p.as_dict() for p in problems])
        self.problems = problems


class ScriptError(OnestopError):
    """A BPMN expression or script failed or was refused by the sandbox."""

    code = "script_error"

    def __init__(self, message: str, element_id: str = "", line: int | None = None) -> None:
        super().__init__(message, {"element_id": element_id, "line": line})
        self.element_id = element_id
        self.line = line


class CalendarError(OnestopError):
    """The work calendar cannot answer (e.g. a year with neither official nor provisional data)."""

    code = "calendar_error"


class MigrationRefused(InvalidTransition):
    """An instance cannot move to another version: ``details`` lists the blocking elements
    (``[{element_id, name, reason}]``); nothing was changed. HTTP 409."""

    code = "migration_refused"


class DatabaseUnavailable(OnestopError):
    """The database server cannot be reached (restarting, down, connection lost): nothing to fix in the request;
    the same request may succeed shortly. HTTP 503."""

    code = "database_unavailable"


class UnstorableValue(OnestopError):
    """A value in the request cannot be stored by the database (a number beyond its integer columns, a NUL
    character in text PostgreSQL refuses, text longer than its column): the request must change. HTTP 422."""

    code = "unstorable_value"
