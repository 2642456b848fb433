"""The case beside a task (办件信息): the item, the applicant with personal data masked, dates and status, the
materials checklist and the notices issued — what a clerk needs on the task page, read in one transaction.

Masking: the clerk working on the task sees the applicant's name in full (it is on every notice they issue),
but only the region code and last four characters of the ID number and the first three and last four digits of
the phone number: the page is on screens in an open-plan hall, and the full values stay in the case record for
the window that verifies them (GET /api/v1/cases/<case_no>).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.domain.case_codec import case_from_dict
from engine.services.context import UnitOfWorkLike


def mask_id_number(value: str) -> str:
    """530127199001011234 -> 530127********1234; short values keep only their last character."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * (len(value) - 1) + value[-1:]
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13812345678 -> 138****5678; short values keep only their last two characters."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) < 8:
        return "*" * max(0, len(value) - 2) + value[-2:]
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


@dataclass(frozen=True)
class MaterialLine:
    name: str
    required: bool
    received: bool
    form: str | None = None
    copies: int | None = None
    listed: bool = True  # False: submitted but not in the item's guide

    @property
    def state(self) -> str:
        """received | missing (required, not received) | not_submitted (optional, not received)."""
        if self.received:
            return "received"
        return "missing" if self.required else "not_submitted"


@dataclass(frozen=True)
class NoticeLine:
    id: int
    kind: str
    number: str
    title: str | None
    issued_at: datetime


@dataclass(frozen=True)
class CasePanel:
    case_no: str
    item_code: str
    item_name: str | None
    department: str
    channel: str
    status: str
    status_label: str
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str
    received_at: datetime
    accepted_at: datetime | None
    due_at: datetime | None
    completed_at: datetime | None
    materials: list[MaterialLine] = field(default_factory=list)
    open_corrections: list[str] = field(default_factory=list)
    notices: list[NoticeLine] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [m.name for m in self.materials if m.state == "missing"]


def materials_checklist(guide_materials: list[dict[str, Any]], recorded: dict[str, bool]) -> list[MaterialLine]:
    """The item's materials in guide order, each received or not as recorded at intake, then any material
    recorded that the guide does not list."""
    lines = []
    for entry in guide_materials:
        name = str(entry.get("name", ""))
        copies = entry.get("copies")
        lines.append(
            MaterialLine(
                name=name,
                required=bool(entry.get("required", True)),
                received=bool(recorded.get(name, False)),
                form=entry.get("form"),
                copies=copies if isinstance(copies, int) else None,
            )
        )
    listed = {line.name for line in lines}
    lines += [
        MaterialLine(name=name, required=False, received=received, listed=False)
        for name, received in recorded.items()
        if name not in listed
    ]
    return lines


def case_panel_for(uow: UnitOfWorkLike, instance_id: int) -> CasePanel | None:
    """The case run by this instance, or None for a process started without a case."""
    row = uow.cases.for_instance(instance_id)
    if row is None:
        return None
    case = case_from_dict(row["record"])
    item = uow.catalogue.get(case.item_code) or {}
    guide = item.get("guide") or {}
    applicant = row["applicant"] or {}
    notices = [
        NoticeLine(
            id=n["id"],
            kind=n["kind"],
            number=n["number"],
            title=(n["content"] or {}).get("title"),
            issued_at=n["issued_at"],
        )
        for n in uow.notices.for_case(case.case_no)
    ]
    return CasePanel(
        case_no=case.case_no,
        item_code=case.item_code,
        item_name=item.get("name"),
        department=row["department"],
        channel=row["channel"],
        status=case.status.value,
        status_label=case.status.label,
        applicant_name=str(applicant.get("name", "")),
        applicant_id_number=mask_id_number(str(applicant.get("id_number") or "")),
        applicant_phone=mask_phone(str(applicant.get("phone") or "")),
        received_at=row["received_at"],
        accepted_at=row["accepted_at"],
        due_at=row["due_at"],
        completed_at=row["completed_at"],
        materials=materials_checklist(list(guide.get("materials") or []), dict(case.materials)),
        open_corrections=[item for c in case.corrections if c.supplied_at is None for item in c.items],
        notices=notices,
    )
