"""The written notices (文书) a case's steps produce, with their numbers (文号) and the facts printed on them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from engine.domain.cases import Case, CaseStatus, Transition
from engine.domain.fees import WAIVED_NOTE, fee_from_guide, fee_lines, payable_total
from engine.services.context import ServiceContext, UnitOfWorkLike

#: kind -> (title, the character in its 文号)
KINDS: dict[str, tuple[str, str]] = {
    "receipt": ("材料接收凭证", "收"),
    "acceptance": ("受理通知书", "受"),
    "non_acceptance": ("不予受理通知书", "不受"),
    "correction": ("一次性告知单（补正材料通知书）", "补"),
    "special_procedure": ("特别程序告知书", "特"),
    "extension": ("延期通知书", "延"),
    "approval": ("准予行政许可决定书", "准"),
    "refusal": ("不予行政许可决定书", "不准"),
    "delivery": ("送达回证", "送"),
}


def kinds_for(transition: Transition) -> list[str]:
    """Which notices a lifecycle transition must produce (行政许可法 第32、42、45条 and §4.2 of the domain)."""
    action, target = transition.action, transition.to_status
    if action in {"accept", "auto_accept", "supply_correction"} and target == CaseStatus.ACCEPTED:
        return ["acceptance"]
    if action == "refuse_acceptance":
        return ["non_acceptance"]
    if action == "request_correction":
        return ["correction"]
    if action == "start_pause":
        return ["special_procedure"]
    if action == "extend":
        return ["extension"]
    if action in {"decide", "complete_instantly"}:
        return ["refusal"] if target == CaseStatus.REFUSED else ["approval"]
    if action == "deliver":
        return ["delivery"]
    return []


#: the notices that tell a key project's applicant what it pays (the others have no fee to speak of)
FEE_KINDS = frozenset({"receipt", "acceptance", "approval", "delivery"})


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def fee_content(case: Case, guide: dict[str, Any], with_charged: bool) -> dict[str, Any]:
    """A statutory-fees-only case's fees as its notices print them: every charge of the item, the waived ones
    marked, the total payable and, ``with_charged`` (the 送达回证), what was collected."""
    fee = fee_from_guide(guide.get("fee"))
    lines = fee_lines(fee, case.statutory_fees_only)
    content: dict[str, Any] = {
        "statutory_only": case.statutory_fees_only,
        "amount_text": fee.amount_text,
        "basis": fee.basis,
        "lines": [
            {
                "name": line.name,
                "amount": f"{line.amount:.2f}",
                "statutory": line.statutory,
                "waived": line.waived,
                "basis": line.basis,
                "note": WAIVED_NOTE if line.waived else "",
            }
            for line in lines
        ],
        # not itemised: the published text is all there is, no total can be stated
        "total": f"{payable_total(lines):.2f}" if lines or fee.is_free else None,
    }
    charged = case.fees_charged if with_charged else []
    content["charged"] = [{"name": c.name, "amount": c.amount} for c in charged]
    if charged:
        content["charged_total"] = f"{sum((Decimal(c.amount) for c in charged), Decimal(0)):.2f}"
    return content


def notice_content(kind: str, case: Case, transition: Transition | None, facts: dict[str, Any]) -> dict[str, Any]:
    """The facts printed on one notice (see webapp/notices.py for the keys each template reads)."""
    guide: dict[str, Any] = facts.get("guide", {})
    content: dict[str, Any] = {
        "kind": kind,
        "title": KINDS[kind][0],
        "centre_name": facts["centre_name"],
        "department_name": facts.get("department_name", ""),
        "case_no": case.case_no,
        "item_code": case.item_code,
        "item_name": guide.get("name", ""),
        "applicant_name": facts.get("applicant_name", ""),
        "received_at": _iso(case.received_at),
        "accepted_at": _iso(case.accepted_at),
        "due_at": _iso(facts.get("due_at")),
        "promised_days": case.promised_days,
        "statutory_days": case.statutory_days,
        "complaint_phone": guide.get("complaint_phone", ""),
        "office_phone": guide.get("office_phone", ""),
        "legal_basis": guide.get("legal_basis", []),
        "inferred": sorted(set(guide.get("inferred", [])) & {"complaint_phone", "office_phone"}),
        "materials": [{"name": name, "received": received} for name, received in case.materials.items()],
        "reasons": list(case.reasons),
    }
    if kind == "correction" and case.corrections:
        content["missing"] = list(case.corrections[-1].items)
    if kind == "special_procedure" and case.pauses:
        pause = case.pauses[-1]
        content["procedure"] = {"name": pause.kind, "started_at": _iso(pause.started_at), "counted": pause.counted}
    if kind == "extension" and case.extensions:
        ext = case.extensions[-1]
        content["extension"] = {
            "days": ext.days,
            "reason": ext.reason,
            "approver": ext.approver,
            "new_due_at": _iso(facts.get("due_at")),
        }
    if kind in {"approval", "refusal"}:
        content["decision"] = {
            "approved": kind == "approval",
            "decided_at": _iso(case.decided_at or case.completed_at),
            "content": transition.note if transition else "",
        }
    if kind == "delivery":
        content["delivery"] = {"method": case.delivery_method, "delivered_at": _iso(case.delivered_at)}
    if case.statutory_fees_only and kind in FEE_KINDS:  # other cases' notices stay as they were
        content["fees"] = fee_content(case, guide, with_charged=kind == "delivery")
        if any(name == "fee" or name.startswith("fee.") for name in guide.get("inferred", [])):
            content["inferred"] = sorted({*content["inferred"], "fees"})  # demo amounts are marked as such
    return content


def issue(
    uow: UnitOfWorkLike,
    kind: str,
    case: Case,
    transition: Transition | None,
    facts: dict[str, Any],
    at: datetime,
    zone: Any,
) -> None:
    year = at.astimezone(zone).year
    number = f"嵩政服{KINDS[kind][1]}字〔{year}〕第{uow.notices.next_sequence(kind, year):05d}号"
    content = notice_content(kind, case, transition, facts)
    content.update(number=number, issued_at=at.isoformat())
    uow.notices.add(case.case_no, kind, number, at, content)


class NoticeService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def for_case(self, case_no: str) -> list[dict[str, Any]]:
        with self._ctx.uow() as uow:
            return list(uow.notices.for_case(case_no))

    def get(self, case_no: str, notice_id: int) -> dict[str, Any] | None:
        with self._ctx.uow() as uow:
            found: dict[str, Any] | None = uow.notices.get(case_no, notice_id)
        return found
