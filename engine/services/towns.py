"""Town 为民服务中心: what each town receives and decides per window category, its staff and agents, and a
case received at a town — during office hours by the window, outside them by the officer on duty, whose
intake's clocks (the 5-working-day acceptance limit and every other working-day timer the first steps set)
count from the next opening of the centre, so an intake on a Saturday or a holiday has the deadline of one
received on the next working day's morning."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.domain.access import Principal
from engine.domain.case_clock import acceptance_due
from engine.domain.case_codec import case_from_dict, case_to_dict
from engine.domain.organisation_model import TOWN_WINDOW_CATEGORIES
from engine.domain.roster import SHIFT_LABELS, counted_receipt, slot_at
from engine.errors import FieldError, FormValidationError, InvalidTransition, NotFound, PermissionDenied
from engine.services.advance import apply_snapshot
from engine.services.cases import CHANNELS, CaseService, CreatedCase
from engine.services.context import ServiceContext, UnitOfWorkLike, with_retry
from engine.services.instances import after_start
from engine.services.intake import may_open
from engine.services.roster import RosterService
from engine.services.town_data import Town, person, public_person


class TownService:
    def __init__(self, ctx: ServiceContext, cases: CaseService, roster: RosterService) -> None:
        self._ctx = ctx
        self._cases = cases
        self._roster = roster

    # -- the towns -----------------------------------------------------------------------------------------
    def overview(self) -> list[dict[str, Any]]:
        """Every town: windows by category with the items received and decided there, staff and agents (public:
        it is what the town centre's notice board shows, so people by their display names, no logins)."""
        directory = self._roster.directory()
        with self._ctx.uow() as uow:
            names = {i["code"]: i["name"] for i in uow.catalogue.all()}
        return [_town_view(town, names) for town in directory.towns()]

    def town(self, code: str) -> dict[str, Any]:
        overview = next((t for t in self.overview() if t["code"] == code), None)
        if overview is None:
            raise NotFound(f"no town centre {code!r}")
        return overview

    # -- intake --------------------------------------------------------------------------------------------
    def open_case(self, principal: Principal, town_code: str, body: dict[str, Any]) -> dict[str, Any]:
        """Receive a case at a town (an item the town receives or decides). Off-hours it is recorded with the
        officer on duty and its clocks count from the next opening; a roster with nobody on duty refuses."""
        town = self._roster.directory().town(town_code)
        if not town.may_receive(principal):
            raise PermissionDenied(f"{principal.username} does not work at {town.code}")
        item_code = body.get("item_code")
        category = town.plan.category_of(item_code) if isinstance(item_code, str) else None
        if category is None:
            message = f"{town.centre.name}不收此事项 / {town.code} does not receive this item"
            raise FormValidationError(message, [FieldError("item_code", message)])
        fields = _checked_input(body)
        return dict(with_retry(3, lambda: self._open_once(principal, town, category, fields)))

    def _open_once(self, principal: Principal, town: Town, category: str, fields: Any) -> dict[str, Any]:
        ctx = self._ctx
        calendar, hours = ctx.runtime_calendar(), self._roster.directory().hours
        now = ctx.now()
        slot = slot_at(now, calendar, hours)
        counted = counted_receipt(now, calendar, hours)
        with ctx.uow(write=True) as uow:
            item = uow.catalogue.get(fields.item_code)
            if item is None:
                raise FormValidationError("unknown item", [FieldError("item_code", f"no item {fields.item_code!r}")])
            if not may_open(principal, item["department"]):
                raise PermissionDenied(f"{principal.username} may not open cases of {item['department']}")
            on_duty = None
            if slot is not None:
                row = uow.roster.slot(town.code, slot.day, slot.shift)
                if row is None:
                    raise InvalidTransition(
                        f"{town.centre.name}{slot.day}无人值班，请先排班 / nobody is on duty at {town.code} "
                        f"on {slot.day} ({slot.shift}): generate the roster first"
                    )
                on_duty = row["username"]
            extra = {"service_point": town.code, "on_duty": on_duty, "counted_from": counted.isoformat()}
            opened = self._cases.open_in(
                uow, item, fields.applicant, fields.materials, fields.channel, principal.username, extra_data=extra
            )
            instance = opened.instance
            if slot is not None:
                instance = count_from(ctx, uow, instance, counted)
                case_counts_from(uow, opened.case_no, counted)
            uow.roster.add_intake(
                {"case_no": opened.case_no, "service_point": town.code, "category": category, "received_at": now,
                 "counted_from": counted, "off_hours": slot is not None, "shift": slot.shift if slot else None,
                 "on_duty": on_duty, "received_by": principal.username}
            )  # fmt: skip
            uow.commit()
        after_start(ctx, instance, opened.snapshot)
        created = CreatedCase(opened.case_no, opened.query_code, opened.case.status.value, instance.id)
        return {**created.__dict__, **self._receipt_view(town, opened.case_no)}

    def receipt(self, case_no: str) -> dict[str, Any]:
        """How a case was received at a town: when, off-hours or not, by whom, the officer on duty and the
        acceptance deadline counted from the next opening."""
        with self._ctx.uow() as uow:
            row = uow.roster.intake(case_no)
        if row is None:
            raise NotFound(f"case {case_no} was not received at a town centre")
        return self._receipt_view(self._roster.directory().town(row["service_point"]), case_no)

    def _receipt_view(self, town: Town, case_no: str) -> dict[str, Any]:
        with self._ctx.uow() as uow:
            row = uow.roster.intake(case_no)
        assert row is not None
        due = acceptance_due(row["counted_from"], self._ctx.runtime_calendar())
        return {
            "case_no": case_no,
            "town": town.code,
            "category": row["category"],
            "received_at": row["received_at"].isoformat(),
            "off_hours": row["off_hours"],
            "shift": row["shift"],
            "shift_label": SHIFT_LABELS.get(row["shift"] or "", None),
            "on_duty": person(town, row["on_duty"]),
            "received_by": person(town, row["received_by"]),
            "counted_from": row["counted_from"].isoformat(),
            "acceptance_due": due.due_at.isoformat(),
        }

    def duty_intakes(self, principal: Principal, town_code: str) -> list[dict[str, Any]]:
        """The off-hours intakes of a town, newest first (for its staff: who has which case to pass on)."""
        town = self._roster.directory().town(town_code)
        if not (town.may_receive(principal) or principal.is_admin):
            raise PermissionDenied(f"{principal.username} does not work at {town.code}")
        with self._ctx.uow() as uow:
            rows = uow.roster.intakes(service_point=town.code)
        return [self._receipt_view(town, r["case_no"]) for r in rows if r["off_hours"]]


@dataclass(frozen=True)
class _Input:
    item_code: str
    applicant: dict[str, str]
    materials: dict[str, bool]
    channel: str


def _checked_input(body: dict[str, Any]) -> _Input:
    """The fields of a case as CaseService.create reads them (the item, the applicant, materials, channel)."""
    errors: list[FieldError] = []

    def text(source: Any, name: str, limit: int, required: bool) -> str:
        value = source.get(name) if isinstance(source, dict) else None
        value = value.strip() if isinstance(value, str) else value
        if value in (None, ""):
            if required:
                errors.append(FieldError(name, "required"))
            return ""
        if not isinstance(value, str) or len(value) > limit:
            errors.append(FieldError(name, f"must be text of at most {limit} characters"))
            return ""
        return value

    applicant = body.get("applicant")
    if not isinstance(applicant, dict):
        errors.append(FieldError("applicant", "required: {name, id_number, phone}"))
    person_fields = {n: text(applicant, n, limit, n == "name") for n, limit in (("name", 100), ("id_number", 32),
                                                                                ("phone", 32))}  # fmt: skip
    raw = body.get("materials") or []
    if not isinstance(raw, list) or not all(isinstance(m, str) and m.strip() and len(m) <= 200 for m in raw):
        errors.append(FieldError("materials", "must be a list of material names"))
        raw = []
    channel = body.get("channel", "window")
    if channel not in CHANNELS:
        errors.append(FieldError("channel", f"one of {', '.join(CHANNELS)}"))
    item_code = text(body, "item_code", 64, True)
    if errors:
        raise FormValidationError("the case cannot be opened", errors)
    return _Input(item_code, person_fields, {m.strip(): True for m in raw}, str(channel))


def count_from(ctx: ServiceContext, uow: UnitOfWorkLike, instance: Any, counted: Any) -> Any:
    """Recount the timers the first steps set (the acceptance limit among them) from ``counted`` (also for a
    relay the town signs for off-hours, engine.services.agency_town)."""
    fresh = uow.instances.get(instance.id, for_update=True)
    snapshot = ctx.runtime.count_deadlines_from(fresh.state, counted)
    if snapshot is None:
        return fresh
    snapshot.force_projection = True
    apply_snapshot(ctx, uow, fresh, snapshot, now=ctx.now(), actor="system", action="clock_from_next_opening",
                   details={"counted_from": counted.isoformat()}, status=fresh.status)  # fmt: skip
    for task in snapshot.ready_tasks:
        uow.instances.update_task_due(task.task_id, task.due_at, task.due_provisional)
    return fresh


def case_counts_from(uow: UnitOfWorkLike, case_no: str, counted: Any) -> None:
    """Record on the case itself where its acceptance limit counts from: the case's own auto-acceptance
    (第32条(四), Case.auto_accept_if_overdue) must agree with the recounted process timers."""
    row = uow.cases.get(case_no, for_update=True)
    case = case_from_dict(row["record"])
    case.counted_from = counted
    uow.cases.save(case_no, row["row_version"], {"record": case_to_dict(case)})


def _town_view(town: Town, names: dict[str, str]) -> dict[str, Any]:
    def items(codes: tuple[str, ...]) -> list[dict[str, str]]:
        return [{"code": c, "name": names.get(c, c)} for c in codes]

    windows = {w.category: w for w in town.centre.windows}
    return {
        "code": town.code,
        "name": town.centre.name,
        "phone": town.centre.phone,
        "windows": [
            {
                "category": category,
                "code": windows[category].code if category in windows else None,
                "name": windows[category].name if category in windows else category,
                "staff": [
                    public_person(town, p.username)
                    for p in town.plan.staff
                    if windows.get(category) and p.window == windows[category].code
                ],
                "receives": items(town.plan.receives.get(category, ())),
                "decides": items(town.plan.decides.get(category, ())),
            }
            for category in TOWN_WINDOW_CATEGORIES
        ],  # fmt: skip
        "agents": [public_person(town, a.username) for a in town.centre.agents],
        "stations": [
            {"code": s.code, "name": s.name, "agent": public_person(town, s.agent.username)}
            for s in town.centre.stations
        ],  # fmt: skip
        "inferred": sorted(town.plan.inferred),
    }
