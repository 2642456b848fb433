"""Turn a Case into plain JSON values and back, losslessly (instants as ISO strings, enums as values)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.domain.case_clock import Pause
from engine.domain.cases import Case, CaseResult, CaseStatus, CorrectionRequest, Extension, Transition, Violation
from engine.domain.fees import ChargedFee


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _req(value: str) -> datetime:
    return datetime.fromisoformat(value)


def case_to_dict(case: Case) -> dict[str, Any]:
    return {
        "case_no": case.case_no,
        "item_code": case.item_code,
        "received_at": _iso(case.received_at),
        "promised_days": case.promised_days,
        "statutory_days": case.statutory_days,
        "instant": case.instant,
        "status": case.status.value,
        "accepted_at": _iso(case.accepted_at),
        "auto_accepted": case.auto_accepted,
        "decided_at": _iso(case.decided_at),
        "completed_at": _iso(case.completed_at),
        "delivered_at": _iso(case.delivered_at),
        "delivery_method": case.delivery_method,
        "result": case.result.value if case.result else None,
        "reasons": list(case.reasons),
        "materials": dict(case.materials),
        "pauses": [
            {"kind": p.kind, "started_at": _iso(p.started_at), "ended_at": _iso(p.ended_at), "counted": p.counted}
            for p in case.pauses
        ],
        "extensions": [
            {"days": e.days, "approved_at": _iso(e.approved_at), "approver": e.approver, "reason": e.reason}
            for e in case.extensions
        ],
        "corrections": [
            {
                "requested_at": _iso(c.requested_at),
                "items": list(c.items),
                "actor": c.actor,
                "visible": sorted(c.visible),
                "supplied_at": _iso(c.supplied_at),
            }
            for c in case.corrections
        ],
        "violations": [
            {"kind": v.kind, "items": list(v.items), "at": _iso(v.at), "actor": v.actor} for v in case.violations
        ],
        "history": [
            {
                "at": _iso(t.at),
                "from": t.from_status.value,
                "to": t.to_status.value,
                "actor": t.actor,
                "action": t.action,
                "note": t.note,
            }
            for t in case.history
        ],
        "project_code": case.project_code,
        "statutory_fees_only": case.statutory_fees_only,
        "fees_charged": [
            {"name": c.name, "amount": c.amount, "statutory": c.statutory, "at": _iso(c.at), "actor": c.actor}
            for c in case.fees_charged
        ],
        "counted_from": _iso(case.counted_from),
    }


def case_from_dict(data: dict[str, Any]) -> Case:
    return Case(
        case_no=data["case_no"],
        item_code=data["item_code"],
        received_at=_req(data["received_at"]),
        promised_days=int(data["promised_days"]),
        statutory_days=data.get("statutory_days"),
        instant=bool(data.get("instant", False)),
        status=CaseStatus(data["status"]),
        accepted_at=_at(data.get("accepted_at")),
        auto_accepted=bool(data.get("auto_accepted", False)),
        decided_at=_at(data.get("decided_at")),
        completed_at=_at(data.get("completed_at")),
        delivered_at=_at(data.get("delivered_at")),
        delivery_method=data.get("delivery_method"),
        result=CaseResult(data["result"]) if data.get("result") else None,
        reasons=tuple(data.get("reasons", ())),
        materials=dict(data.get("materials", {})),
        pauses=[
            Pause(p["kind"], _req(p["started_at"]), _at(p.get("ended_at")), bool(p["counted"]))
            for p in data.get("pauses", [])
        ],
        extensions=[
            Extension(e["days"], _req(e["approved_at"]), e["approver"], e["reason"]) for e in data.get("extensions", [])
        ],
        corrections=[
            CorrectionRequest(
                _req(c["requested_at"]),
                tuple(c["items"]),
                c["actor"],
                frozenset(c["visible"]),
                _at(c.get("supplied_at")),
            )
            for c in data.get("corrections", [])
        ],
        violations=[
            Violation(v["kind"], tuple(v["items"]), _req(v["at"]), v["actor"]) for v in data.get("violations", [])
        ],
        history=[
            Transition(_req(t["at"]), CaseStatus(t["from"]), CaseStatus(t["to"]), t["actor"], t["action"], t["note"])
            for t in data.get("history", [])
        ],
        project_code=data.get("project_code"),
        statutory_fees_only=bool(data.get("statutory_fees_only", False)),
        fees_charged=[
            ChargedFee(c["name"], c["amount"], bool(c["statutory"]), _req(c["at"]), c["actor"])
            for c in data.get("fees_charged", [])
        ],
        counted_from=_at(data.get("counted_from")),  # absent in records written before it existed
    )
