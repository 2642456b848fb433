"""Window intake (窗口收件): the items an officer may open cases for, and the instant case (即办件) accepted and
completed on the spot.

Completing on the spot is the officer's two ordinary steps, the acceptance decision 当场办结 and the delivery,
each its own transaction through the task service, so the same rules, forms and audit apply as in the inbox.
Should the second step fail, the case stays consistent and waits in the officer's inbox for that step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.domain.access import Principal
from engine.domain.records import TaskState
from engine.errors import InvalidTransition, NotFound
from engine.services.case_queries import CENTRE
from engine.services.cases import OPENING_ROLES
from engine.services.context import ServiceContext
from engine.services.tasks import TaskService

INSTANT_DECISION = {"decision": "instant_done"}


@dataclass(frozen=True)
class InstantOutcome:
    case_no: str
    completed_steps: list[str]


def may_open(principal: Principal, department: str) -> bool:
    """An officer of the item's department, a general window of the centre, an agent, or an administrator."""
    return principal.is_admin or any(
        principal.holds(role, department) or principal.holds(role, CENTRE) for role in OPENING_ROLES
    )


class IntakeService:
    def __init__(self, ctx: ServiceContext, tasks: TaskService) -> None:
        self._ctx = ctx
        self._tasks = tasks

    def items_for(
        self, principal: Principal, words: str = "", kind: str = "", department: str = ""
    ) -> list[dict[str, Any]]:
        """The catalogue items this officer may receive, filtered by words in the name or code, type, department."""
        with self._ctx.uow() as uow:
            items = uow.catalogue.all()
        words = words.strip()
        return [
            item
            for item in items
            if may_open(principal, item["department"])
            and (not kind or item["type"] == kind)
            and (not department or item["department"] == department)
            and (not words or words in item["name"] or words.upper() in item["code"].upper())
        ]

    def _ready_step(self, case_no: str, element_id: str) -> str:
        with self._ctx.uow() as uow:
            case = uow.cases.get(case_no)
            if case is None or case["instance_id"] is None:
                raise NotFound(f"case {case_no} not found")
            ready = uow.instances.tasks_for_instance(case["instance_id"], state=TaskState.READY)
        for task in ready:
            if task.element_id == element_id:
                return task.task_id
        raise InvalidTransition(f"case {case_no} has no open step {element_id!r}")

    def complete_instantly(self, principal: Principal, case_no: str, delivery: dict[str, Any]) -> InstantOutcome:
        """Accept and complete an instant case at the window: 当场办结, then hand over the result."""
        self._tasks.complete(principal, self._ready_step(case_no, "acceptance"), dict(INSTANT_DECISION))
        self._tasks.complete(principal, self._ready_step(case_no, "delivery"), delivery)
        return InstantOutcome(case_no, ["acceptance", "delivery"])
