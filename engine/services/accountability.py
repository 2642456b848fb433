"""Accountability (效能问责): window patrols with their escalation ladder and printed documents, upheld
complaints as entries, the ledger's entries by person, department, kind and year, and the annual evaluation
where any veto-level entry disqualifies (一票否决).

Every source writes its own rows into the ``violations`` ledger (warnings: red_card; window discipline:
attendance / leaving_post; consultations: first_inquiry; case steps: second_correction); this service writes
"patrol" and "complaint" rows and reads them all. Supervision and administrators see everything; a
department's approver (首席代表) sees their own department.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from engine.domain.access import SUPERVISOR, Principal
from engine.domain.accountability import (
    CATEGORIES,
    KIND_LABELS,
    SEVERITIES,
    LadderStep,
    ScoringRules,
    document_number,
    is_revoked,
    is_veto,
    ladder_step,
    rank,
    score,
)
from engine.errors import ConcurrencyConflict, FieldError, FormValidationError, NotFound, PermissionDenied
from engine.services.context import ServiceContext

#: the department answers a patrol document within this many working days
REPLY_WORKDAYS = 5
NO_DEPARTMENT = "-"


def _text(body: dict[str, Any], name: str, limit: int, errors: list[FieldError], required: bool) -> str:
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(FieldError(name, "必填 / required"))
        return ""
    if not isinstance(value, str) or len(value.strip()) > limit:
        errors.append(FieldError(name, f"最多 {limit} 个字 / text of at most {limit} characters"))
        return ""
    return value.strip()


def _choice(body: dict[str, Any], name: str, choices: dict[str, str] | Any, errors: list[FieldError]) -> str | None:
    value = body.get(name) or None
    if value is not None and value not in choices:
        errors.append(FieldError(name, f"one of {', '.join(choices)}"))
        return None
    return str(value) if value is not None else None


class AccountabilityService:
    def __init__(self, ctx: ServiceContext, rules: ScoringRules | None = None) -> None:
        self._ctx = ctx
        #: the centre's scoring rules (configurable: replace with another ScoringRules)
        self.rules = rules or ScoringRules()

    # -- who sees what ---------------------------------------------------------------------------------------
    def scope(self, principal: Principal) -> frozenset[str] | None:
        """None: everything (supervision, administrators, a centre-wide approver); else the approver's
        departments. Anyone else is refused."""
        if principal.is_admin or principal.has_role(SUPERVISOR):
            return None
        approving = [g for g in principal.grants if g.role == "approver"]
        if not approving:
            raise PermissionDenied("only supervision, administrators and a department's approver see accountability")
        if any(g.department is None for g in approving):
            return None
        return frozenset(str(g.department) for g in approving)

    def _require_supervisor(self, principal: Principal) -> None:
        if not (principal.is_admin or principal.has_role(SUPERVISOR)):
            raise PermissionDenied("only the supervision window and administrators record accountability")

    # -- patrols ---------------------------------------------------------------------------------------------
    def record_patrol(self, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
        """Log a patrol of a window. A finding (a category given) takes the department's next ladder step,
        gets a numbered document and writes a "patrol" entry (veto-level when its severity says so)."""
        self._require_supervisor(principal)
        errors: list[FieldError] = []
        window = _text(body, "window", 32, errors, required=False) or None
        department = _text(body, "department", 32, errors, required=False) or None
        findings = _text(body, "findings", 2000, errors, required=True)
        category = _choice(body, "category", CATEGORIES, errors)
        severity = _choice(body, "severity", SEVERITIES, errors) or ("minor" if category else None)
        officer = _text(body, "officer", 64, errors, required=False) or None
        if errors:
            raise FormValidationError("the patrol is incomplete", errors)
        now = self._ctx.now()
        year = now.astimezone(self._ctx.runtime_calendar().zone).year
        with self._ctx.uow(write=True) as uow:
            if window and not department:
                known = uow.organisation.window(window)
                department = known["department"] if known else None
            self._check_people(uow, department, officer, required_department=True)
            row: dict[str, Any] = {
                "inspector": principal.username, "window": window, "department": department, "at": now,
                "year": year, "findings": findings, "category": category, "officer": officer,
                "severity": severity if category else None, "step": None, "document_number": None, "violation_id": None,
            }  # fmt: skip
            if category:
                uow.accountability.lock_year(year)
                step = ladder_step(uow.accountability.findings_count(department, year))
                row["step"] = int(step)
                row["document_number"] = document_number(year, uow.accountability.documents_count(year) + 1)
            row["id"] = uow.accountability.add_patrol({k: v for k, v in row.items() if k != "violation_id"})
            if category:
                details = {
                    "category": category, "severity": severity, "step": row["step"], "window": window,
                    "document_number": row["document_number"], "findings": findings, "inspector": principal.username,
                }  # fmt: skip
                row["violation_id"] = uow.violations.add(
                    "patrol", officer or "", department, now, year, severity == "veto", f"patrol:{row['id']}", details
                )
                uow.accountability.set_patrol(row["id"], violation_id=row["violation_id"])
            uow.commit()
        return self._patrol_view({**row, "follow_up": None, "follow_up_at": None, "follow_up_by": None})

    def _check_people(self, uow: Any, department: str | None, officer: str | None, required_department: bool) -> None:
        check_people(uow, department, officer, required_department)

    def record_follow_up(self, principal: Principal, patrol_id: int, text: str) -> dict[str, Any]:
        """The department's rectification (整改) reply, recorded by supervision or the department's approver."""
        errors: list[FieldError] = []
        reply = _text({"follow_up": text}, "follow_up", 2000, errors, required=True)
        if errors:
            raise FormValidationError("the follow-up is empty", errors)
        with self._ctx.uow(write=True) as uow:
            row = self._visible_patrol(uow, principal, patrol_id)
            if row["step"] is None:
                raise FormValidationError("nothing to follow up", [FieldError("follow_up", "该巡查未发现问题")])
            values = {"follow_up": reply, "follow_up_at": self._ctx.now(), "follow_up_by": principal.username}
            uow.accountability.set_patrol(patrol_id, **values)
            uow.commit()
        return self._patrol_view({**row, **values})

    def patrols(self, principal: Principal, *, year: int | None = None) -> list[dict[str, Any]]:
        departments = self.scope(principal)
        with self._ctx.uow() as uow:
            rows = uow.accountability.patrols(year=year, departments=departments)
        return [self._patrol_view(r) for r in rows]

    def patrol(self, principal: Principal, patrol_id: int) -> dict[str, Any]:
        with self._ctx.uow() as uow:
            return self._patrol_view(self._visible_patrol(uow, principal, patrol_id))

    def patrol_document(self, principal: Principal, patrol_id: int) -> dict[str, Any]:
        """What the printed document (政务服务催办单 …) says: number, addressee, finding, measure, reply date."""
        with self._ctx.uow() as uow:
            row = self._visible_patrol(uow, principal, patrol_id)
            names = dict(uow.accounts.departments())
        if row["step"] is None:
            raise NotFound(f"patrol {patrol_id} found nothing: it has no document")
        calendar = self._ctx.runtime_calendar()
        reply_by = calendar.deadline_after(row["at"], REPLY_WORKDAYS).due_at
        return {
            **self._patrol_view(row),
            "centre_name": self._ctx.settings.centre_name,
            "department_name": names.get(row["department"], row["department"]),
            "title": LadderStep(row["step"]).document_title,
            # a deadline is the end of a working day (the local midnight after it): print that day
            "reply_by": (reply_by - timedelta(microseconds=1)).astimezone(calendar.zone).date(),
            "reply_workdays": REPLY_WORKDAYS,
        }

    def _visible_patrol(self, uow: Any, principal: Principal, patrol_id: int) -> dict[str, Any]:
        departments = self.scope(principal)
        row = uow.accountability.patrol(patrol_id)
        if row is None or (departments is not None and row["department"] not in departments):
            raise NotFound(f"no patrol {patrol_id}")
        return dict(row)

    def _patrol_view(self, row: dict[str, Any]) -> dict[str, Any]:
        step = LadderStep(row["step"]) if row.get("step") else None
        return {
            **row,
            "category_label": CATEGORIES.get(row["category"]) if row.get("category") else None,
            "severity_label": SEVERITIES.get(row["severity"]) if row.get("severity") else None,
            "step_label": step.label if step else None,
            "finding": step is not None,
        }

    # -- complaints ------------------------------------------------------------------------------------------
    def record_complaint(
        self,
        principal: Principal,
        complaint_id: int,
        upheld: bool,
        username: str | None,
        department: str | None,
        note: str = "",
        *,
        veto: bool = False,
    ) -> dict[str, Any]:
        """Supervision's finding on a complaint about an officer or department: an upheld (查实) one writes a
        "complaint" entry (once per complaint); one not upheld writes nothing. The complaint's own handling
        (受理 → 调查 → 处置 → 反馈) stays with the complaint service."""
        self._require_supervisor(principal)
        errors: list[FieldError] = []
        note = _text({"note": note}, "note", 2000, errors, required=False)
        username = _text({"username": username}, "username", 64, errors, required=False) or None
        department = _text({"department": department}, "department", 32, errors, required=False) or None
        if errors:
            raise FormValidationError("the finding is invalid", errors)
        now = self._ctx.now()
        with self._ctx.uow(write=True) as uow:
            complaint = uow.accountability.complaint(complaint_id)
            if complaint is None:
                raise NotFound(f"no complaint {complaint_id}")
            result: dict[str, Any] = {"complaint_id": complaint_id, "number": complaint["number"], "upheld": upheld}
            if not upheld:
                return {**result, "entry": None}
            year = now.astimezone(self._ctx.runtime_calendar().zone).year
            entry = complaint_entry(uow, complaint, username, department, note, veto, principal.username, now, year)
            uow.commit()
        return {**result, "entry": entry}

    # -- the ledger and the annual evaluation ----------------------------------------------------------------
    def entries(
        self,
        principal: Principal,
        *,
        year: int | None = None,
        kind: str | None = None,
        department: str | None = None,
        username: str | None = None,
        limit: int = 500,
    ) -> list[dict[str, Any]]:
        """Ledger entries, newest first; revoked ones (e.g. a red card revoked on appeal) are marked revoked."""
        departments = self.scope(principal)
        if department:
            if departments is not None and department not in departments:
                raise PermissionDenied("that department's entries are not yours to see")
            departments = frozenset({department})
        with self._ctx.uow() as uow:
            rows = uow.accountability.entries(
                year=year, kind=kind or None, username=username or None, departments=departments, limit=limit
            )
        return [self._entry_view(r) for r in rows]

    def _entry_view(self, row: dict[str, Any]) -> dict[str, Any]:
        details = row.get("details") or {}
        revoked = is_revoked(details)
        return {
            **row,
            "kind_label": KIND_LABELS.get(row["kind"], row["kind"]),
            "revoked": revoked,
            "veto_level": is_veto(row, self.rules),
            "deduction": 0.0 if revoked else self.rules.deduction(row["kind"], details),
        }

    def annual_evaluation(self, principal: Principal, year: int) -> dict[str, Any]:
        """Per department (every visible one) and per person (with an entry that year): score, counts by
        source, veto and its reason, rank; the disqualified (一票否决) follow the ranked, unranked."""
        departments = self.scope(principal)
        with self._ctx.uow() as uow:
            rows = uow.accountability.entries(year=year, departments=departments)
            names = {c: n for c, n in uow.accounts.departments() if departments is None or c in departments}
        by_department: dict[str, list[dict[str, Any]]] = {code: [] for code in names}
        by_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in reversed(rows):  # oldest first: the first veto entry is the reason
            by_department.setdefault(row["department"] or NO_DEPARTMENT, []).append(row)
            if row["username"]:  # an entry about a department as a whole names nobody
                by_person[row["username"]].append(row)
        home = {user: entries[-1]["department"] for user, entries in by_person.items()}
        ranked_departments = rank(score(k, v, self.rules) for k, v in by_department.items())
        ranked_people = rank(score(k, v, self.rules) for k, v in by_person.items())
        return {
            "year": year,
            "rules": self.rules.as_dict(),
            "departments": [{**asdict(s), "name": names.get(s.key, s.key)} for s in ranked_departments],
            "people": [{**asdict(s), "department": home[s.key]} for s in ranked_people],
            "kind_labels": dict(KIND_LABELS),
        }

    def years(self, principal: Principal) -> list[int]:
        self.scope(principal)
        with self._ctx.uow() as uow:
            return list(uow.accountability.years())


def check_people(uow: Any, department: str | None, officer: str | None, required_department: bool) -> None:
    """The department and the officer a record names exist (else a FormValidationError naming the field)."""
    errors = []
    if department is None:
        if required_department:
            errors.append(FieldError("department", "必填 / required (or a window that belongs to one)"))
    elif not uow.accounts.department_exists(department):
        errors.append(FieldError("department", "没有该部门 / no such department"))
    if officer and uow.accounts.user_id(officer) is None:
        errors.append(FieldError("officer", "没有该工作人员 / no such user"))
    if errors:
        raise FormValidationError("the record names unknown people", errors)


def complaint_entry(
    uow: Any,
    complaint: dict[str, Any],
    username: str | None,
    department: str | None,
    note: str,
    veto: bool,
    recorded_by: str,
    now: datetime,
    year: int,
) -> dict[str, Any]:
    """Write the "complaint" entry of an upheld complaint inside the caller's transaction: once per complaint
    (ConcurrencyConflict when it exists), against the officer and/or department it concerns. Used by the
    supervision window's finding and by the complaint process's 处置 (engine.services.complaints)."""
    department = department or complaint["department"]
    if not department and not username:
        raise FormValidationError("whom does it concern?", [FieldError("username", "请填写被投诉人或部门")])
    check_people(uow, department, username, required_department=False)
    reference = f"complaint:{complaint['id']}"
    if uow.accountability.entry_for(reference) is not None:
        raise ConcurrencyConflict("该投诉已记入问责 / this complaint is already an accountability entry")
    details = {
        "number": complaint["number"], "subject": complaint["subject"], "category": complaint["category"],
        "note": note, "upheld": True, "recorded_by": recorded_by,
    }  # fmt: skip
    entry_id = uow.violations.add("complaint", username or "", department, now, year, veto, reference, details)
    return {"id": entry_id, "reference": reference, "username": username or ""}
