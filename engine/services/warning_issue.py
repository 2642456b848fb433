"""Issue one warning card inside the caller's transaction: the record (once per case, trigger and step), a red
card's accountability entry in ``violations`` (or, when the card's source already wrote one — a second
correction request — a link to that entry, so the breach is charged once), and the in-app notices to the
handler and the department's chief representatives (首席代表: its approvers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from engine.domain.records import TaskState
from engine.domain.warning_cards import Level, Trigger, WarningStatus
from engine.services.context import UnitOfWorkLike

#: the ledger's kind for a red card (issue 6: every part writes its own kind into ``violations``)
RED_CARD = "red_card"
WARNING_LINK = "/warnings?case_no={case_no}"


@dataclass(frozen=True)
class NewWarning:
    case_no: str
    item_code: str
    department: str
    trigger: Trigger
    level: Level
    text: str
    handler: str | None = None
    step: str = ""  # "" = the case as a whole
    issued_by: str = "system"
    #: the ledger entry the card's source wrote for the same breach (its id in ``violations``): the red card
    #: points to it instead of charging the breach a second time
    ledger_entry: int | None = None


def current_handler(
    uow: UnitOfWorkLike, instance_id: int | None, step: str | None = None, *, tasks: list[Any] | None = None
) -> str | None:
    """Whoever holds the case's open task (of ``step``, when named), if someone claimed it. ``tasks``: the
    instance's tasks (any state) when the caller has just read them."""
    if instance_id is None:
        return None
    if tasks is None:
        tasks = uow.instances.tasks_for_instance(instance_id, state=TaskState.READY)
    for task in tasks:
        if task.state is TaskState.READY and task.claimed_by and (step is None or task.element_id == step):
            return str(task.claimed_by)
    return None


def issue_in(uow: UnitOfWorkLike, card: NewWarning, now: datetime, zone: tzinfo) -> int | None:
    """The new card's id, or None when this trigger already warned about this case and step."""
    linked = card.level is Level.RED and card.ledger_entry is not None
    warning_id = uow.warnings.add_once(
        {
            **({"violation_id": card.ledger_entry} if linked else {}),  # revoking the card revokes that entry
            "case_no": card.case_no,
            "item_code": card.item_code,
            "department": card.department,
            "handler": card.handler,
            "step": card.step,
            "level": card.level.value,
            "trigger": card.trigger.value,
            "status": WarningStatus.ISSUED.value,
            "issued_at": now,
            "issued_by": card.issued_by,
            "text": card.text,
        }
    )
    if warning_id is None:  # this trigger warned about this case and step already
        return None
    if card.level is Level.RED and not linked:  # 红牌 = 问责: an accountability entry from the moment it is issued
        violation_id = uow.violations.add(
            RED_CARD,
            card.handler or "",
            card.department,
            now,
            now.astimezone(zone).year,
            False,
            f"warning:{warning_id}",
            {"case_no": card.case_no, "trigger": card.trigger.value, "step": card.step, "text": card.text},
        )
        uow.warnings.update(warning_id, {"violation_id": violation_id})
    recipients = ([card.handler] if card.handler else []) + uow.warnings.chief_representatives(card.department)
    message = f"{card.level.label}：办件 {card.case_no} {card.trigger.label}。{card.text}"
    uow.notifications.add(recipients, now, "warning", message, WARNING_LINK.format(case_no=card.case_no))
    return warning_id
