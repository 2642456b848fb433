"""Agency (代办) use cases: town staff stationed in villages (驻点包村), mandates (委托书) with their lifecycle, and
the relay village → town → county: the agent files under an active mandate, every level signs its hand-over,
the county window opens the real case (channel "agent") in the same transaction, and the relay follows the case
until its result is handed back to the village.

Town staff are not a department (grants name departments; a town centre is a service point): who belongs to a
town is read from the organisation (the town's 代办员) and the village assignments, and this service checks the
signer of each hand-over before it delivers the relay process's message."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.domain.access import Principal
from engine.domain.cases import CaseStatus
from engine.domain.mandates import (
    Handover,
    Level,
    RelayStatus,
    deciding_level,
    relay_number,
)
from engine.domain.records import InstanceStatus
from engine.errors import (
    ConcurrentUpdate,
    FieldError,
    FormValidationError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
)
from engine.services.agency_mandates import MandateOperations, _names, _text
from engine.services.agency_town import TownDecisions, open_at_town
from engine.services.agency_views import (
    is_county_window,
    mandate_rules,
    relay_view,
    statutory_clock,
    times,
    towns_of,
)
from engine.services.cases import CaseService
from engine.services.context import AdvanceEvent, ServiceContext, UnitOfWorkLike, with_retry
from engine.services.instances import after_start, start_in, terminate_in
from engine.services.messages import deliver_in
from engine.services.roster import RosterService

PROCESS_ID = "relay"
#: the audit action of a cancelled relay's process: its details keep the agent's reason
CANCELLED_ACTION = "relay_cancelled"
#: what each hand-over's signature tells the relay process
MESSAGES = {
    "town_receipt": "relay_town_received",
    "town_forward": "relay_town_forwarded",
    "county_receipt": "relay_county_received",
    "case_done": "relay_case_done",
    "village_receipt": "relay_result_received",
}


class AgencyService(MandateOperations):
    def __init__(self, ctx: ServiceContext, cases: CaseService, roster: RosterService | None = None) -> None:
        self._ctx = ctx
        self._cases = cases
        #: the items each town's centre decides itself (towns.toml): the relay stops at the town for those
        self.town_decides = TownDecisions(roster)
        ctx.advance_hooks.append(self.follow_case)

    # -- the relay --------------------------------------------------------------------------------------------
    def start_relay(self, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
        """The village agent takes in an application under a mandate (村级受理) and hands it to the town."""
        errors: list[FieldError] = []
        number = _text(body, "mandate", 32, errors)
        item_code = _text(body, "item_code", 64, errors)
        materials = _names(body.get("materials"), "materials", errors)
        note = _text(body, "note", 500, errors, required=False)
        if errors:
            raise FormValidationError("the relay cannot start", errors)
        relay_id, started = with_retry(3, lambda: self._start_once(principal, number, item_code, materials, note))
        if started is not None:
            after_start(self._ctx, *started)
        return self.relay(principal, relay_id)

    def _start_once(
        self, principal: Principal, number: str, item_code: str, materials: list[str], note: str
    ) -> tuple[int, Any]:
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            row = uow.agency.mandate(number)
            if row is None or row["agent"] != principal.username:
                raise PermissionDenied(f"{principal.username} holds no mandate {number}")
            item = uow.catalogue.get(item_code)
            if item is None:
                raise FormValidationError("unknown item", [FieldError("item_code", f"no item {item_code!r}")])
            today = self._today()
            refusal = mandate_rules(row).refusal(item_code, today)
            if refusal is not None:
                raise PermissionDenied(f"mandate {number}: {refusal}")
            version = uow.definitions.get_version(PROCESS_ID)
            if version is None:
                raise NotFound(f"process {PROCESS_ID!r} is not deployed")
            station = uow.organisation.service_point(row["station"]) or {}
            now = ctx.now()
            relay = {
                "number": relay_number(today.year, uow.agency.count_relays(f"JL-{today.year}-") + 1),
                "mandate_id": row["id"], "item_code": item_code, "principal": dict(row["principal"]),
                "station": row["station"], "town": station["parent_code"],
                "deciding_level": deciding_level(item_code, self.town_decides.items(station["parent_code"])).value,
                "status": RelayStatus.TO_TOWN.value, "case_no": None, "instance_id": None,
                "agent": principal.username, "started_at": now, "ended_at": None,
            }  # fmt: skip
            relay_id = uow.agency.add_relay(relay)
            data = {"relay_id": relay_id, "relay_no": relay["number"], "item_code": item_code,
                    "deciding_level": relay["deciding_level"]}  # fmt: skip
            instance, snapshot = start_in(
                ctx,
                uow,
                version,
                data,
                department=relay["town"],
                business_key=relay["number"],
                actor=principal.username,
            )
            uow.agency.save_relay(relay_id, 1, {"instance_id": instance.id})
            self._hand_over(uow, relay_id, Handover.VILLAGE_TOWN, materials, note, principal.username, now)
            uow.commit()
        return relay_id, (instance, snapshot)

    def _hand_over(
        self,
        uow: UnitOfWorkLike,
        relay_id: int,
        level: Handover,
        materials: list[str],
        note: str,
        by: str,
        at: datetime,
    ) -> None:
        row = {"relay_id": relay_id, "level": level.value, "materials": materials, "note": note}
        uow.agency.add_handover({**row, "handed_at": at, "signer": by, "received_by": None, "received_at": None})

    def act(self, principal: Principal, relay_id: int, action: str, body: dict[str, Any] | None = None) -> Any:
        """Sign a hand-over: ``town_receipt``, ``town_forward`` (with materials), ``county_receipt`` (opens the
        case) or ``village_receipt`` (the result is back with the agent)."""
        if action not in {"town_receipt", "town_forward", "county_receipt", "village_receipt"}:
            raise NotFound(f"no relay action {action!r}")
        errors: list[FieldError] = []
        body = body or {}
        materials = _names(body.get("materials"), "materials", errors)
        note = _text(body, "note", 500, errors, required=False)
        if errors:
            raise FormValidationError("the hand-over cannot be recorded", errors)
        opened = with_retry(3, lambda: self._act_once(principal, relay_id, action, materials, note))
        # the window that just received the application (and opened its case) checks it with the full data
        view = self.relay(principal, relay_id, receiving=opened is not None)
        if opened is not None:
            after_start(self._ctx, opened.instance, opened.snapshot)
            # shown once to the county window, who writes it on the receipt going back with the agent
            view["query_code"] = opened.query_code
        return view

    def _act_once(self, principal: Principal, relay_id: int, action: str, materials: list[str], note: str) -> Any:
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            relay = uow.agency.relay(relay_id)
            if relay is None:
                raise NotFound(f"no relay {relay_id}")
            if action not in self._actions(uow, principal, relay):
                raise PermissionDenied(f"{principal.username} may not {action} relay {relay['number']} now")
            now, by = ctx.now(), principal.username
            opened, values = None, dict[str, Any]()
            if action == "town_receipt" and relay["deciding_level"] == Level.TOWN.value:
                # the town decides the item: its receipt opens the case there, the relay goes no higher
                uow.agency.sign_handover(relay_id, Handover.VILLAGE_TOWN.value, by, now)
                opened = open_at_town(ctx, self._cases, self.town_decides, uow, relay, by)
                values = {"status": RelayStatus.AT_TOWN_DECIDING.value, "case_no": opened.case_no}
            elif action == "town_receipt":
                uow.agency.sign_handover(relay_id, Handover.VILLAGE_TOWN.value, by, now)
                values = {"status": RelayStatus.AT_TOWN.value}
            elif action == "town_forward":
                handed = materials or list(uow.agency.handovers(relay_id)[0]["materials"])
                self._hand_over(uow, relay_id, Handover.TOWN_COUNTY, handed, note, by, now)
                values = {"status": RelayStatus.TO_COUNTY.value}
            elif action == "county_receipt":
                uow.agency.sign_handover(relay_id, Handover.TOWN_COUNTY.value, by, now)
                opened = self._open_case(uow, relay, relay["agent"])
                values = {"status": RelayStatus.AT_COUNTY.value, "case_no": opened.case_no}
            else:
                back = Handover.TOWN_VILLAGE if relay["deciding_level"] == Level.TOWN.value else Handover.COUNTY_VILLAGE
                uow.agency.sign_handover(relay_id, back.value, by, now)
                values = {"status": RelayStatus.DELIVERED.value, "ended_at": now}
            if not uow.agency.save_relay(relay_id, relay["row_version"], values):
                raise InvalidTransition(f"relay {relay['number']} changed meanwhile; reload")
            self._tell_process(uow, relay, action, by)
            uow.commit()
        return opened

    def cancel(self, principal: Principal, relay_id: int, reason: str) -> dict[str, Any]:
        """The agent withdraws the relay (with the reason) before a window opened its case: the relay process
        is terminated, the relay marked cancelled and ended; the reason is kept in the process's history."""
        text = (reason or "").strip()
        if not text or len(text) > 500:
            raise FormValidationError("the relay cannot be cancelled", [FieldError("reason", "required, 500 at most")])
        with_retry(3, lambda: self._cancel_once(principal, relay_id, text))
        return self.relay(principal, relay_id)

    def _cancel_once(self, principal: Principal, relay_id: int, reason: str) -> None:
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            relay = uow.agency.relay(relay_id)
            if relay is None:
                raise NotFound(f"no relay {relay_id}")
            if not (principal.is_admin or principal.username == relay["agent"]):
                raise PermissionDenied("only the relay's agent cancels it")
            if not RelayStatus(relay["status"]).cancellable:
                raise InvalidTransition(f"relay {relay['number']} is {relay['status']}: too late to cancel")
            instance = uow.instances.get(relay["instance_id"], for_update=True) if relay["instance_id"] else None
            if instance is not None and instance.status.is_open:
                terminate_in(ctx, uow, instance, principal.username, CANCELLED_ACTION, reason)
            values = {"status": RelayStatus.CANCELLED.value, "ended_at": ctx.now()}
            if not uow.agency.save_relay(relay_id, relay["row_version"], values):
                raise InvalidTransition(f"relay {relay['number']} changed meanwhile; reload")
            uow.commit()

    def _open_case(self, uow: UnitOfWorkLike, relay: dict[str, Any], agent: str) -> Any:
        """The county window's receipt opens the real case, filed by the agent (channel "agent"); its materials
        are what the town handed over."""
        item = uow.catalogue.get(relay["item_code"])
        handed = next(h for h in uow.agency.handovers(relay["id"]) if h["level"] == Handover.TOWN_COUNTY.value)
        applicant = {k: str(relay["principal"].get(k, "")) for k in ("name", "id_number", "phone")}
        materials = {name: True for name in handed["materials"]}
        extra = {"relay_id": relay["id"], "relay_no": relay["number"]}
        return self._cases.open_in(uow, item, applicant, materials, "agent", agent, extra_data=extra)

    def _tell_process(self, uow: UnitOfWorkLike, relay: dict[str, Any], action: str, actor: str) -> None:
        if relay["instance_id"] is None:
            return
        instance = uow.instances.get(relay["instance_id"], for_update=True)
        if instance is not None and instance.status is InstanceStatus.RUNNING:
            deliver_in(self._ctx, uow, instance, MESSAGES[action], {"relay": relay["number"], "by": actor}, actor)

    def _actions(self, uow: UnitOfWorkLike, principal: Principal, relay: dict[str, Any]) -> list[str]:
        """What the viewer may sign on the relay as it stands."""
        status = RelayStatus(relay["status"])
        staff = self.town_decides.staff()
        if status in (RelayStatus.TO_TOWN, RelayStatus.AT_TOWN):
            if principal.is_admin or relay["town"] in towns_of(uow, principal.username, staff):
                return ["town_receipt" if status is RelayStatus.TO_TOWN else "town_forward"]
        elif status is RelayStatus.TO_COUNTY:
            item = uow.catalogue.get(relay["item_code"]) or {}
            if is_county_window(principal, item.get("department", ""), staff):
                return ["county_receipt"]
        elif status is RelayStatus.RETURNING and (principal.is_admin or principal.username == relay["agent"]):
            return ["village_receipt"]
        return []

    # -- following the county's case ----------------------------------------------------------------------------
    def follow_case(self, event: AdvanceEvent) -> None:
        """Advance hook: when a relayed case ends (delivered, not accepted, withdrawn, terminated), the county
        hands the result back to the village and the relay process moves on — in the case's transaction."""
        relay_id = (event.instance.data or {}).get("relay_id")
        if not relay_id or event.instance.process_id == PROCESS_ID:
            return
        case = event.uow.cases.for_instance(event.instance.id)
        ended = event.instance.status in (InstanceStatus.COMPLETED, InstanceStatus.TERMINATED)
        if not (ended or (case is not None and case["status"] in {"delivered", "not_accepted"})):
            return
        relay = event.uow.agency.relay(int(relay_id))
        deciding = {RelayStatus.AT_COUNTY.value: Handover.COUNTY_VILLAGE, RelayStatus.AT_TOWN_DECIDING.value:
                    Handover.TOWN_VILLAGE}.get(relay["status"]) if relay is not None else None  # fmt: skip
        if relay is None or deciding is None:
            return
        result = _result_label(event, case)
        by = event.actor or "system"
        self._hand_over(event.uow, relay["id"], deciding, [f"办理结果：{result}"], "", by, event.now)
        if not event.uow.agency.save_relay(relay["id"], relay["row_version"], {"status": RelayStatus.RETURNING.value}):
            # another transaction moved the relay meanwhile: run the case's step again on fresh state
            raise ConcurrentUpdate(f"relay {relay['number']} changed meanwhile")
        self._tell_process(event.uow, relay, "case_done", by)

    # -- reading ----------------------------------------------------------------------------------------------
    def relay(self, principal: Principal, relay_id: int, *, receiving: bool = False) -> dict[str, Any]:
        """One relay; ``receiving``: the viewer's signature just opened its case (they see the full data)."""
        now, calendar = self._ctx.now(), self._ctx.runtime_calendar()
        with self._ctx.uow() as uow:
            relay = uow.agency.relay(relay_id)
            if relay is None:
                raise NotFound(f"no relay {relay_id}")
            actions = self._actions(uow, principal, relay)
            if not (actions or self._may_read(uow, principal, relay)):
                raise PermissionDenied("this relay belongs to another village")
            protected = not (receiving or _sees_principal(principal, relay, actions))
            view = relay_view(uow, relay, now, calendar, actions, protected=protected)
        mine = principal.is_admin or principal.username == relay["agent"]
        return {**view, "may_cancel": mine and RelayStatus(relay["status"]).cancellable}

    def _may_read(self, uow: UnitOfWorkLike, principal: Principal, relay: dict[str, Any]) -> bool:
        if principal.is_admin or principal.has_role("supervisor") or principal.username == relay["agent"]:
            return True
        staff = self.town_decides.staff()
        if relay["town"] in towns_of(uow, principal.username, staff):
            return True
        item = uow.catalogue.get(relay["item_code"]) or {}
        return relay["case_no"] is not None and is_county_window(principal, item.get("department", ""), staff)

    def relays(self, principal: Principal) -> list[dict[str, Any]]:
        """The relays the viewer works on: the agent's, the town team's, and those waiting for a county window
        the viewer staffs; newest first."""
        now, calendar = self._ctx.now(), self._ctx.runtime_calendar()
        with self._ctx.uow() as uow:
            if principal.is_admin or principal.has_role("supervisor"):
                rows = uow.agency.relays()
            else:
                towns = sorted(towns_of(uow, principal.username, self.town_decides.staff()))
                rows = uow.agency.relays(agents=[principal.username], towns=towns)
                seen = {r["id"] for r in rows}
                waiting = uow.agency.relays_in_status([RelayStatus.TO_COUNTY.value])
                rows += [r for r in waiting if r["id"] not in seen and self._actions(uow, principal, r)]
            views = []
            for r in rows:
                actions = self._actions(uow, principal, r)
                protected = not _sees_principal(principal, r, actions)
                views.append(relay_view(uow, r, now, calendar, actions, protected=protected))
            return views

    def public_times(self, case_no: str, query_code: str) -> dict[str, Any] | None:
        """For the applicant's lookup (same code check as the case): the total time since the village intake,
        the time per level and the deciding window's statutory clock; None when the case was not relayed."""
        self._cases.public_status(case_no, query_code)  # a wrong code: NotFound, as for any case
        now, calendar = self._ctx.now(), self._ctx.runtime_calendar()
        with self._ctx.uow() as uow:
            relay = uow.agency.relay_for_case(case_no)
            if relay is None:
                return None
            spans, total = times(relay, uow.agency.handovers(relay["id"]), now, calendar)
            station = uow.organisation.service_point(relay["station"]) or {}
            status = RelayStatus(relay["status"])
            return {
                "number": relay["number"], "station_name": station.get("name"),
                "status": status.value, "status_label": status.label, "spans": spans, "total": total,
                "statutory": statutory_clock(uow, case_no, now, calendar),
            }  # fmt: skip


def _sees_principal(principal: Principal, relay: dict[str, Any], actions: list[str]) -> bool:
    """The principal's full name, ID number and phone: for the relay's (the mandate's) agent, an administrator,
    and the window about to receive the application and open its case — the county window at its receipt,
    or the town at its receipt of an item it decides. Town staff otherwise and supervisors see it masked."""
    if principal.is_admin or principal.username == relay["agent"]:
        return True
    deciding_town = relay["deciding_level"] == Level.TOWN.value
    return "county_receipt" in actions or (deciding_town and "town_receipt" in actions)


#: the case's end as its relay hands it back: a withdrawal or termination is the action that ended the
#: process (CaseService saves the case's own status only after the process's hooks ran)
_ENDED_BY = {"case_withdraw": CaseStatus.WITHDRAWN, "case_terminate": CaseStatus.TERMINATED}


def _result_label(event: AdvanceEvent, case: dict[str, Any] | None) -> str:
    """The result handed back to the village as a label (准予, 不予受理, 撤回, ...), read as the case stands
    after this step: for a process ended early, from the action recorded with its termination."""
    if event.instance.status is InstanceStatus.TERMINATED:  # withdrawn, ended early, or stopped by an admin
        ended = [e.action for e in event.uow.instances.history(event.instance.id) if e.action in _ENDED_BY]
        return (_ENDED_BY[ended[-1]] if ended else CaseStatus.TERMINATED).label
    code = (case or {}).get("result") or (case or {}).get("status")
    return CaseStatus(code).label if code in {s.value for s in CaseStatus} else CaseStatus.COMPLETED.label
