"""Agency reading helpers: who a user is in the village/town network (the station they serve as village agent,
the towns whose service team they belong to), mandates as stored rows <-> rules, and the relay's timeline with
the time per level, the total since village intake and the deciding window's statutory clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from engine.domain.access import Principal
from engine.domain.calendar import WorkCalendar
from engine.domain.case_clock import acceptance_due
from engine.domain.case_codec import case_from_dict
from engine.domain.mandates import (
    Handover,
    HandoverTimes,
    Level,
    Mandate,
    MandateEvent,
    MandateKind,
    MandateStatus,
    RelayStatus,
    Span,
    level_spans,
    total_span,
)
from engine.domain.towns import TOWN_OFFICER
from engine.services.case_queries import CENTRE, mask_name
from engine.services.context import UnitOfWorkLike
from engine.services.town_data import read_directory

VILLAGE, TOWN = "village", "town"
#: each town's window staff (its ``staff`` in towns.toml) by town code
TownStaff = Mapping[str, frozenset[str]]
SPAN_LABELS = {"village": "村级", "town": "乡镇", "county": "县级", "return": "结果回交", "total": "合计"}


# -- who is who ------------------------------------------------------------------------------------------------
def _listed(point: dict[str, Any], username: str) -> bool:
    return any(person.get("username") == username for person in point.get("agents") or [])


def station_of(uow: UnitOfWorkLike, username: str) -> dict[str, Any] | None:
    """The village station whose agent (村代办员) the user is, or None."""
    points = uow.organisation.service_points()
    return next((p for p in points if p["kind"] == VILLAGE and _listed(p, username)), None)


def towns_of(uow: UnitOfWorkLike, username: str, staff: TownStaff) -> set[str]:
    """The towns whose service team the user belongs to: a 代办员 of the town centre, one of its window staff
    (``staff``: each town's ``staff`` in towns.toml, see ``TownDecisions.staff``), or stationed in one of its
    villages (驻点包村)."""
    points = uow.organisation.service_points()
    towns = {p["code"] for p in points if p["kind"] == TOWN and _listed(p, username)}
    towns |= {town for town, names in staff.items() if username in names}
    return towns | {a["town"] for a in uow.agency.assignments(username=username)}


def is_town_staff(principal: Principal, staff: TownStaff) -> bool:
    """A town centre's window staff: the town role, or listed in a town's ``staff`` in towns.toml."""
    return principal.has_role(TOWN_OFFICER) or any(principal.username in names for names in staff.values())


def is_county_window(principal: Principal, department: str, staff: TownStaff) -> bool:
    """The item's department's window or the county centre's general window (综合受理) receives relayed
    applications. Town staff never do: databases where the old demo ran still grant them
    ``window_officer@CENTRE``, which must not make a town officer the county window."""
    if principal.is_admin:
        return True
    if is_town_staff(principal, staff):
        return False
    return principal.holds("window_officer", department) or principal.holds("window_officer", CENTRE)


def town_staff_in(folder: Path) -> TownStaff:
    """Each town's window staff read from a processes folder (for a service without the roster's cache);
    none when the folder has no towns.toml."""
    try:
        towns = read_directory(folder).towns()
    except FileNotFoundError:
        return {}
    return {t.code: frozenset(p.username for p in t.plan.staff) for t in towns}


# -- mandates ----------------------------------------------------------------------------------------------------
def mandate_rules(row: dict[str, Any]) -> Mandate:
    return Mandate(
        kind=MandateKind(row["kind"]),
        agent=row["agent"],
        items=tuple(row["items"]),
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        status=MandateStatus(row["status"]),
        history=tuple(MandateEvent.from_dict(e) for e in row["history"]),
    )


def protected_person(person: dict[str, Any]) -> dict[str, Any]:
    """The principal as the town and supervisors see them: the name masked, no ID number, no phone."""
    return {"name": mask_name(str(person.get("name", "")))}


def mandate_view(row: dict[str, Any], today: date, *, protected: bool = False) -> dict[str, Any]:
    """A mandate for its agent and the town (``protected``: the principal's name masked, no id or phone)."""
    rules = mandate_rules(row)
    status = rules.effective_status(today)
    principal = protected_person(row["principal"]) if protected else dict(row["principal"])
    return {
        "id": row["id"],
        "number": row["number"],
        "kind": rules.kind.value,
        "kind_label": rules.kind.label,
        "principal": principal,
        "agent": row["agent"],
        "station": row["station"],
        "scope_all": rules.scope_all,
        "items": list(rules.items),
        "valid_from": rules.valid_from.isoformat(),
        "valid_to": rules.valid_to.isoformat(),
        "status": status.value,
        "status_label": status.label,
        "history": list(row["history"]),
        "created_at": row["created_at"].isoformat(),
    }


# -- the relay's timeline -----------------------------------------------------------------------------------------
def local(instant: datetime | None, calendar: WorkCalendar) -> str | None:
    return instant.astimezone(calendar.zone).strftime("%Y-%m-%d %H:%M") if instant else None


def _span(s: Span, calendar: WorkCalendar) -> dict[str, Any]:
    return {
        "level": s.level,
        "label": SPAN_LABELS[s.level],
        "start": local(s.start, calendar),
        "end": local(s.end, calendar),
        "running": s.end is None,
        "hours": s.hours,
        "working_days": s.working_days,
    }


def handover_view(row: dict[str, Any], calendar: WorkCalendar) -> dict[str, Any]:
    level = Handover(row["level"])
    return {
        "level": level.value,
        "label": level.label,
        "materials": list(row["materials"]),
        "note": row["note"],
        "signer": row["signer"],
        "handed_at": local(row["handed_at"], calendar),
        "received_by": row["received_by"],
        "received_at": local(row["received_at"], calendar),
    }


def times(relay: dict[str, Any], handovers: list[dict[str, Any]], now: datetime, calendar: WorkCalendar) -> Any:
    """The time per level and the total since village intake, as the applicant and the staff see them."""
    recorded = [HandoverTimes(Handover(h["level"]), h["handed_at"], h["received_at"]) for h in handovers]
    spans = level_spans(relay["started_at"], recorded, now, calendar, Level(relay["deciding_level"]))
    total = total_span(relay["started_at"], relay["ended_at"], now, calendar)
    return [_span(s, calendar) for s in spans], _span(total, calendar)


def statutory_clock(uow: UnitOfWorkLike, case_no: str | None, now: datetime, calendar: WorkCalendar) -> Any:
    """The deciding window's own clock: the acceptance limit until accepted, then the promised (承诺) and the
    statutory (法定) due dates with the working days used — counted from the window's 受理, not the village."""
    row = uow.cases.get(case_no) if case_no else None
    if row is None:
        return None
    case = case_from_dict(row["record"])
    clock = case.clock
    view: dict[str, Any] = {
        "case_no": case.case_no,
        "status": case.status.value,
        "status_label": case.status.label,
        "received_at": local(case.received_at, calendar),
        "accepted_at": local(case.accepted_at, calendar),
        "promised_days": case.promised_days,
        "statutory_days": case.statutory_days,
        "acceptance_due": None,
        "promised_due": None,
        "statutory_due": None,
        "used_working_days": None,
        "remaining_working_days": None,
        "completed_at": local(case.completed_at, calendar),
    }
    at = case.completed_at or now
    if clock is None:
        # from the counted-from of an off-hours town intake (its next opening), else the receipt
        view["acceptance_due"] = local(acceptance_due(case.acceptance_start, calendar).due_at, calendar)
        return view
    statutory = clock.statutory_due(calendar, at)
    view.update(
        promised_due=local(clock.promised_due(calendar, at).due_at, calendar),
        statutory_due=local(statutory.due_at, calendar) if statutory else None,
        used_working_days=clock.used_working_days(calendar, at),
        remaining_working_days=clock.remaining_working_days(calendar, at),
    )
    return view


def relay_view(
    uow: UnitOfWorkLike,
    relay: dict[str, Any],
    now: datetime,
    calendar: WorkCalendar,
    actions: list[str],
    *,
    protected: bool = True,
) -> dict[str, Any]:
    """The relay as a viewer sees it; ``protected`` (the default) masks the principal: only the agent, an
    administrator and the window signing for the application at its receipt see the full name, ID and phone."""
    item = uow.catalogue.get(relay["item_code"]) or {}
    station = uow.organisation.service_point(relay["station"]) or {}
    town = uow.organisation.service_point(relay["town"]) or {}
    mandate = uow.agency.mandate_by_id(relay["mandate_id"]) or {}
    handovers = uow.agency.handovers(relay["id"])
    spans, total = times(relay, handovers, now, calendar)
    status = RelayStatus(relay["status"])
    return {
        "id": relay["id"],
        "number": relay["number"],
        "status": status.value,
        "status_label": status.label,
        "item_code": relay["item_code"],
        "item_name": item.get("name"),
        "department": item.get("department"),
        "principal": protected_person(relay["principal"]) if protected else dict(relay["principal"]),
        "mandate": mandate.get("number"),
        "agent": relay["agent"],
        "station": relay["station"],
        "station_name": station.get("name"),
        "town": relay["town"],
        "town_name": town.get("name"),
        "deciding_level": relay["deciding_level"],
        "deciding_label": Level(relay["deciding_level"]).label,
        "case_no": relay["case_no"],
        "started_at": local(relay["started_at"], calendar),
        "ended_at": local(relay["ended_at"], calendar),
        "handovers": [handover_view(h, calendar) for h in handovers],
        "spans": spans,
        "total": total,
        "statutory": statutory_clock(uow, relay["case_no"], now, calendar),
        "cancel_reason": cancel_reason(uow, relay) if status is RelayStatus.CANCELLED else None,
        "actions": actions,
    }


def cancel_reason(uow: UnitOfWorkLike, relay: dict[str, Any]) -> str | None:
    """Why the agent cancelled the relay: kept with the termination of its process."""
    if relay["instance_id"] is None:
        return None
    events = [e for e in uow.instances.history(relay["instance_id"]) if e.action == "relay_cancelled"]
    return str((events[-1].details or {}).get("reason", "")) if events else None
