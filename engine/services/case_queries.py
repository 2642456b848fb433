"""Reading cases: the staff view, the applicant's masked lookup by case number and query code, and the notices
each may see. (CaseService adds opening cases and following their processes.)"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from engine.domain.access import Principal
from engine.domain.case_codec import case_from_dict
from engine.domain.cases import Case, CaseStatus
from engine.errors import NotFound, PermissionDenied
from engine.services.context import ServiceContext

CENTRE = "CENTRE"


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***: enough for an applicant to recognise, not to identify."""
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def may_see_case(principal: Principal, row: dict[str, Any]) -> bool:
    """Administrators and supervision; staff of the case's department or of the centre's own desks and windows;
    and whoever opened it (an agent sees the cases they filed, not the county's)."""
    if principal.is_admin or principal.has_role("supervisor") or row.get("created_by") == principal.username:
        return True
    return any(g.department is not None and g.department in (row["department"], CENTRE) for g in principal.grants)


class CaseReading:
    _ctx: ServiceContext

    def _code_hash(self, case_no: str, code: str) -> str:
        key = (self._ctx.settings.secret_key or "").encode()
        return hmac.new(key, f"{case_no}:{code}".encode(), hashlib.sha256).hexdigest()

    # -- notices -------------------------------------------------------------------------------------------
    def notices(self, principal: Principal, case_no: str) -> list[dict[str, Any]]:
        self.show(principal, case_no)  # the same permission as seeing the case
        with self._ctx.uow() as uow:
            return list(uow.notices.for_case(case_no))

    def notice(self, principal: Principal, case_no: str, notice_id: int) -> dict[str, Any]:
        self.show(principal, case_no)
        return self._notice(case_no, notice_id)

    def public_notice_list(self, case_no: str, query_code: str) -> list[dict[str, Any]]:
        self.public_status(case_no, query_code)  # a wrong code: the same 404 as no case
        with self._ctx.uow() as uow:
            return list(uow.notices.for_case(case_no))

    def public_notice(self, case_no: str, query_code: str, notice_id: int) -> dict[str, Any]:
        self.public_status(case_no, query_code)  # a wrong code: the same 404 as no case
        return self._notice(case_no, notice_id)

    def _notice(self, case_no: str, notice_id: int) -> dict[str, Any]:
        with self._ctx.uow() as uow:
            found = uow.notices.get(case_no, notice_id)
        if found is None:
            raise NotFound(f"case {case_no} has no notice {notice_id}")
        return found

    # -- reading -------------------------------------------------------------------------------------------
    def show(self, principal: Principal, case_no: str) -> dict[str, Any]:
        with self._ctx.uow() as uow:
            row = uow.cases.get(case_no)
        if row is None:
            raise NotFound(f"no case {case_no}")
        if not may_see_case(principal, row):
            raise PermissionDenied("this case belongs to another department")
        case = case_from_dict(row["record"])
        return {
            **self._summary(row, case),
            "applicant": row["applicant"],
            "channel": row["channel"],
            "instance_id": row["instance_id"],
            "record": row["record"],
        }

    def public_status(self, case_no: str, query_code: str) -> dict[str, Any]:
        """The applicant's lookup: a wrong code answers exactly like a case that does not exist."""
        with self._ctx.uow() as uow:
            row = uow.cases.get(case_no) if len(case_no) <= 64 else None
        expected = row["query_code_hash"] if row else self._code_hash("-", "-")
        given = self._code_hash(case_no, query_code or "")
        if row is None or not hmac.compare_digest(expected, given):
            raise NotFound("没有找到该办件，请核对办件编号和查询码 / no case with this number and query code")
        case = case_from_dict(row["record"])
        summary = self._summary(row, case)
        summary["applicant"] = mask_name(row["applicant"].get("name", ""))
        summary["steps"] = [{"at": s["at"], "status": s["status"], "label": s["label"]} for s in summary["steps"]]
        return summary

    def _summary(self, row: dict[str, Any], case: Case) -> dict[str, Any]:
        with self._ctx.uow() as uow:
            item = uow.catalogue.get(case.item_code) or {}
        return {
            "case_no": case.case_no,
            "item_code": case.item_code,
            "item_name": item.get("name"),
            "department": row["department"],
            "status": case.status.value,
            "status_label": case.status.label,
            "received_at": case.received_at.isoformat(),
            "accepted_at": case.accepted_at.isoformat() if case.accepted_at else None,
            "due_at": row["due_at"].isoformat() if row["due_at"] else None,
            "completed_at": case.completed_at.isoformat() if case.completed_at else None,
            "result": case.result.value if case.result else None,
            "auto_accepted": case.auto_accepted,
            "steps": [
                {"at": t.at.isoformat(), "status": t.to_status.value, "label": t.to_status.label, "action": t.action}
                for t in case.history
            ],
        }

    def counts_by_status(self) -> dict[str, int]:
        with self._ctx.uow() as uow:
            counts: dict[str, int] = uow.cases.counts_by_status()
        return {status.value: counts.get(status.value, 0) for status in CaseStatus}
