"""What an administrator asks of the instance list: filters, a page, and the summary row each instance shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from engine.domain.records import HumanTaskRecord, InstanceRecord


@dataclass(frozen=True)
class InstanceQuery:
    """Filters combine with AND; ``None`` means "any". ``overdue_at`` keeps instances with an open task whose
    deadline passed before that instant; ``started_from``/``started_before`` bound the start time, half-open."""

    status: str | None = None
    process_id: str | None = None
    item_code: str | None = None
    department: str | None = None
    overdue_at: datetime | None = None
    started_from: datetime | None = None
    started_before: datetime | None = None
    limit: int = 50
    offset: int = 0


@dataclass
class InstanceSummary:
    """One line of the list: the instance, its case (when it runs one), and its open human tasks."""

    instance: InstanceRecord
    case_no: str | None = None
    item_code: str | None = None
    open_tasks: list[HumanTaskRecord] = field(default_factory=list)
    has_incident: bool = False

    def earliest_due(self) -> datetime | None:
        dues = [t.due_at for t in self.open_tasks if t.due_at is not None]
        return min(dues) if dues else None

    def overdue(self, now: datetime) -> bool:
        due = self.earliest_due()
        return due is not None and due <= now
