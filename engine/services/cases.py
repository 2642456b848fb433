"""Cases (办件): create one at a window (case number, query code, the item's process), follow its process's
lifecycle steps, show it to staff, and answer the public lookup by case number and query code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.domain.access import Principal
from engine.domain.case_codec import case_from_dict, case_to_dict
from engine.domain.cases import Case, Transition, new_case_no, new_query_code
from engine.domain.towns import TOWN_OFFICER
from engine.errors import FieldError, FormValidationError, NotFound, PermissionDenied
from engine.services.case_queries import CENTRE, CaseReading
from engine.services.case_steps import apply_case_step
from engine.services.colour_schedule import keep_case as keep_colours
from engine.services.context import AdvanceEvent, ServiceContext, with_retry
from engine.services.instances import after_start, start_in, terminate_in
from engine.services.notices import issue, kinds_for

CHANNELS = ("window", "online", "agent", "mail")
#: who may open a case: an officer of the item's department, the centre's general windows, or an agent
OPENING_ROLES = ("window_officer", "agent")


@dataclass(frozen=True)
class CreatedCase:
    case_no: str
    query_code: str
    status: str
    instance_id: int


def _text(body: dict[str, Any], field: str, max_length: int, errors: list[FieldError], required: bool) -> str:
    value = body.get(field)
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        if required:
            errors.append(FieldError(field, "required"))
        return ""
    if not isinstance(value, str) or len(value) > max_length:
        errors.append(FieldError(field, f"must be text of at most {max_length} characters"))
        return ""
    return value


def _materials(raw: Any, errors: list[FieldError]) -> dict[str, bool]:
    if raw is None:
        return {}
    if not isinstance(raw, list) or len(raw) > 200:
        errors.append(FieldError("materials", "must be a list of material names (or {name, received})"))
        return {}
    result: dict[str, bool] = {}
    for index, entry in enumerate(raw):
        name, received = (entry, True) if isinstance(entry, str) else (None, True)
        if isinstance(entry, dict):
            name, received = entry.get("name"), entry.get("received", True)
            if not isinstance(received, bool):
                errors.append(FieldError(f"materials.{index}.received", "true or false"))
                continue
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            errors.append(FieldError(f"materials.{index}", "needs a material name"))
            continue
        result[name.strip()] = received
    return result


@dataclass(frozen=True)
class OpenedCase:
    """A case opened inside a transaction: after the commit, ``after_start(ctx, instance, snapshot)``."""

    case_no: str
    query_code: str
    case: Case
    instance: Any
    snapshot: Any


class CaseService(CaseReading):
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        ctx.advance_hooks.append(self.follow_process)

    # -- creating ------------------------------------------------------------------------------------------
    def create(self, principal: Principal, body: dict[str, Any]) -> CreatedCase:
        errors: list[FieldError] = []
        item_code = _text(body, "item_code", 64, errors, required=True)
        applicant_raw = body.get("applicant")
        applicant = applicant_raw if isinstance(applicant_raw, dict) else {}
        if not isinstance(applicant_raw, dict):
            errors.append(FieldError("applicant", "required: {name, id_number, phone}"))
        name = _text(applicant, "name", 100, errors, required=True)
        id_number = _text(applicant, "id_number", 32, errors, required=False)
        phone = _text(applicant, "phone", 32, errors, required=False)
        channel = body.get("channel", "window")
        if channel not in CHANNELS:
            errors.append(FieldError("channel", f"one of {', '.join(CHANNELS)}"))
        materials = _materials(body.get("materials"), errors)
        if errors:
            raise FormValidationError("the case cannot be opened", errors)
        return with_retry(
            3,
            lambda: self._create_once(
                principal, item_code, {"name": name, "id_number": id_number, "phone": phone}, materials, str(channel)
            ),
        )

    def _create_once(
        self, principal: Principal, item_code: str, applicant: dict[str, str], materials: dict[str, bool], channel: str
    ) -> CreatedCase:
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            item, department_name = uow.catalogue.get_with_department(item_code)
            if item is None:
                raise FormValidationError("unknown item", [FieldError("item_code", f"no item {item_code!r}")])
            department = item["department"]
            if not (
                principal.is_admin
                or any(principal.holds(r, department) or principal.holds(r, CENTRE) for r in OPENING_ROLES)
            ):
                raise PermissionDenied(f"{principal.username} may not open cases of {department}")
            opened = self.open_in(
                uow, item, applicant, materials, channel, principal.username, department_name=department_name
            )
            uow.commit()
        instance, snapshot = opened.instance, opened.snapshot
        case_no, query_code, case = opened.case_no, opened.query_code, opened.case
        after_start(ctx, instance, snapshot)
        return CreatedCase(case_no, query_code, case.status.value, instance.id)

    def open_in(
        self,
        uow: Any,
        item: dict[str, Any],
        applicant: dict[str, str],
        materials: dict[str, bool],
        channel: str,
        actor: str,
        *,
        process_id: str | None = None,
        project_code: str | None = None,
        extra_data: dict[str, Any] | None = None,
        department_name: str | None = None,
    ) -> OpenedCase:
        """Open a case of ``item`` and start its process inside the caller's transaction (no permission check:
        the caller decided). A fast-track review passes its own process and the project; such a case pays
        statutory fees only. ``department_name``: the item's department's name when the caller read it with the
        item (the receipt prints it), else it is read here."""
        ctx = self._ctx
        process = process_id or item["process_id"]
        version = uow.definitions.get_version(process)
        if version is None:
            raise NotFound(f"the process of item {item['code']} ({process}) is not deployed")
        item_code, department = item["code"], item["department"]
        now = ctx.now()
        local_now = now.astimezone(ctx.runtime_calendar().zone)
        prefix = f"{item_code}{local_now:%Y%m%d}"  # new_case_no: item code + yyyyMMdd + NNNN
        case_no = new_case_no(item_code, local_now, uow.cases.next_sequence(prefix))
        query_code = new_query_code()
        case = Case(
            case_no=case_no,
            item_code=item_code,
            received_at=now,
            promised_days=item["promised_days"],
            statutory_days=item["statutory_days"],
            instant=item["instant"],
            materials=materials,
            project_code=project_code,
            statutory_fees_only=project_code is not None,
        )
        data = {
            "case_no": case_no,
            "item_code": item_code,
            "department": department,
            "promised_days": item["promised_days"],
            "statutory_days": item["statutory_days"],
            "instant": item["instant"],
            "received_at": now.isoformat(),
            "materials": sorted(materials),
            **(extra_data or {}),
        }
        # the case exists before its process takes its first steps, so a first step that means something
        # for the case (a caseStep) is applied to it like any later one
        uow.cases.add(
            {
                "case_no": case_no,
                "item_code": item_code,
                "instance_id": None,
                "department": department,
                "window": item["window"],
                "channel": channel,
                "status": case.status.value,
                "query_code_hash": self._code_hash(case_no, query_code),
                "applicant": applicant,
                "received_at": now,
                "accepted_at": None,
                "due_at": None,
                "completed_at": None,
                "result": None,
                "record": case_to_dict(case),
                "created_by": actor,
            }
        )
        instance, snapshot = start_in(ctx, uow, version, data, department=department, business_key=case_no, actor=actor)
        uow.cases.set_instance(case_no, instance.id)
        self._issue(uow, ["receipt"], case, None, item, applicant["name"], None, now, department_name)
        return OpenedCase(case_no, query_code, case, instance, snapshot)

    # -- following the process -----------------------------------------------------------------------------
    def follow_process(self, event: AdvanceEvent) -> None:
        """Advance hook: apply the lifecycle steps (``caseStep`` properties) the process just completed."""
        steps = [e for e in event.snapshot.completed_elements if e.properties.get("caseStep")]
        if not steps:
            return
        row = event.uow.cases.for_instance(event.instance.id)
        if row is None and event.instance.business_key:  # the case's first steps, before it records its instance
            row = event.uow.cases.get(event.instance.business_key)
            if row is not None and row["instance_id"] is not None:
                row = None
        if row is None:
            return
        case = case_from_dict(row["record"])
        calendar = self._ctx.runtime_calendar()
        found, department_name = event.uow.catalogue.get_with_department(case.item_code)
        item = found or {}
        seen, breaches = len(case.history), len(case.violations)
        for element in steps:
            # the form that triggered this advance: also what a script step right after it acts on
            data = event.form_data if isinstance(event.form_data, dict) else None
            apply_case_step(
                case,
                element.properties["caseStep"],
                data or {},
                event.now,
                event.actor or "system",
                calendar,
                item.get("guide", {}),
            )
        clock = case.clock
        due = clock.promised_due(calendar, event.now).due_at if clock is not None else None
        zone = calendar.zone
        for violation in case.violations[breaches:]:  # e.g. a second correction request (一次性告知制)
            event.uow.violations.add(
                violation.kind,
                violation.actor,
                row["department"],
                violation.at,
                violation.at.astimezone(zone).year,
                False,
                f"case:{case.case_no}",
                {"items": list(violation.items)},
            )
        for transition in case.history[seen:]:
            self._issue(
                event.uow,
                kinds_for(transition),
                case,
                transition,
                item,
                row["applicant"].get("name", ""),
                due,
                event.now,
                department_name,
            )
        event.uow.cases.save(
            case.case_no,
            row["row_version"],
            {
                "status": case.status.value,
                "accepted_at": case.accepted_at,
                "due_at": due,
                "completed_at": case.completed_at,
                "result": case.result.value if case.result else None,
                "record": case_to_dict(case),
            },
        )

    def _issue(
        self,
        uow: Any,
        kinds: list[str],
        case: Case,
        transition: Transition | None,
        item: dict[str, Any],
        applicant_name: str,
        due: datetime | None,
        now: datetime,
        department_name: str | None = None,
    ) -> None:
        if not kinds:
            return
        if department_name is None:  # the caller did not read it with the item
            department_name = dict(uow.accounts.departments()).get(item.get("department", ""), "")
        facts = {
            "centre_name": self._ctx.settings.centre_name,
            "guide": item.get("guide", {}),
            "department_name": department_name,
            "applicant_name": applicant_name,
            "due_at": due,
        }
        zone = self._ctx.runtime_calendar().zone
        for kind in kinds:
            issue(uow, kind, case, transition, facts, now, zone)

    # -- ending a case early ------------------------------------------------------------------------------
    def withdraw(self, principal: Principal, case_no: str, reason: str) -> dict[str, Any]:
        """The applicant withdraws the application (recorded by the window); allowed until the decision."""
        return self._end_early(principal, case_no, "withdraw", reason, ("window_officer", "agent"))

    def terminate(self, principal: Principal, case_no: str, reason: str) -> dict[str, Any]:
        """终止: a legal bar or force majeure ends the case; the department's approver decides it."""
        return self._end_early(principal, case_no, "terminate", reason, ("approver",))

    def _end_early(
        self, principal: Principal, case_no: str, action: str, reason: str, roles: tuple[str, ...]
    ) -> dict[str, Any]:
        return with_retry(3, lambda: self._end_early_once(principal, case_no, action, reason, roles))

    def _end_early_once(
        self, principal: Principal, case_no: str, action: str, reason: str, roles: tuple[str, ...]
    ) -> dict[str, Any]:
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            # lock the instance before the case, as a task completion does, so the two cannot deadlock
            first = uow.cases.get(case_no)
            if first is None:
                raise NotFound(f"no case {case_no}")
            if first["instance_id"]:
                uow.instances.get(first["instance_id"], for_update=True)
            row = uow.cases.get(case_no, for_update=uow.skip_locked)
            department = row["department"]
            opened_it = action == "withdraw" and row["created_by"] == principal.username
            # the centre's general windows take a withdrawal for any case; town staff never act as them, even
            # with a centre window grant left over from an earlier set-up
            centre_window = (
                action == "withdraw"
                and principal.holds("window_officer", CENTRE)
                and not principal.has_role(TOWN_OFFICER)
            )
            if not (
                principal.is_admin
                or opened_it
                or centre_window
                or any(g.role in roles and g.department == department for g in principal.grants)
            ):
                raise PermissionDenied(f"{action} needs the role {' or '.join(roles)} in {department}")
            if not reason or not reason.strip():
                raise FormValidationError("a reason is required", [FieldError("reason", "required")])
            now = ctx.now()
            case = case_from_dict(row["record"])
            getattr(case, action)(now, reason.strip(), principal.username)
            instance = uow.instances.get(row["instance_id"], for_update=True) if row["instance_id"] else None
            if instance is not None and instance.status.is_open:
                terminate_in(ctx, uow, instance, principal.username, f"case_{action}", reason)
            fresh = uow.cases.get(case_no)
            uow.cases.save(
                case_no,
                fresh["row_version"],
                {
                    "status": case.status.value,
                    "completed_at": case.completed_at,
                    "result": case.result.value if case.result else None,
                    "record": case_to_dict(case),
                },
            )
            keep_colours(ctx, uow, case_no, now)  # an ended case leaves the board's stored colours
            uow.commit()
        return {"case_no": case_no, "status": case.status.value}
