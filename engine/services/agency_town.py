"""The relay's stop at the town for an item the town decides itself: which items those are (each town's
``decides`` list in processes/towns.toml) and the case the town opens when it signs for the village's
hand-over — received as TownService receives a case (the town as service point, a town intake record, an
off-hours receipt with the officer on duty and its clocks counted from the next opening), filed in the
village agent's name (channel "agent")."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from engine.domain.mandates import Handover
from engine.domain.roster import counted_receipt, slot_at
from engine.domain.towns import TownPlan
from engine.services.cases import CaseService
from engine.services.context import ServiceContext, UnitOfWorkLike
from engine.services.roster import RosterService
from engine.services.towns import case_counts_from, count_from  # the recount a town's own off-hours intake gets


class TownDecisions:
    """Which items each town decides, read from the town directory on first use."""

    def __init__(self, roster: RosterService | None) -> None:
        self.roster = roster

    def _plan(self, town: str) -> TownPlan | None:
        if self.roster is None:
            return None
        try:
            return self.roster.directory().config.town(town)
        except FileNotFoundError:  # a processes folder without towns.toml: no town decides anything
            return None

    def items(self, town: str) -> frozenset[str]:
        """The items the town's centre decides itself."""
        plan = self._plan(town)
        return frozenset(c for codes in plan.decides.values() for c in codes) if plan is not None else frozenset()

    def category(self, town: str, item_code: str) -> str | None:
        """The town window category that handles the item."""
        plan = self._plan(town)
        return plan.category_of(item_code) if plan is not None else None

    def hours(self) -> Any:
        return self.roster.directory().hours if self.roster is not None else None

    def staff(self) -> dict[str, frozenset[str]]:
        """Each town's window staff (its ``staff`` in towns.toml), by town code."""
        if self.roster is None:
            return {}
        try:
            towns = self.roster.directory().towns()
        except FileNotFoundError:
            return {}
        return {t.code: frozenset(p.username for p in t.plan.staff) for t in towns}


def open_at_town(
    ctx: ServiceContext,
    cases: CaseService,
    decisions: TownDecisions,
    uow: UnitOfWorkLike,
    relay: dict[str, Any],
    signer: str,
) -> Any:
    """The town's receipt of a relay whose item it decides opens the case there, in the caller's transaction;
    its materials are what the village handed over."""
    item = uow.catalogue.get(relay["item_code"])
    handed = next(h for h in uow.agency.handovers(relay["id"]) if h["level"] == Handover.VILLAGE_TOWN.value)
    applicant = {k: str(relay["principal"].get(k, "")) for k in ("name", "id_number", "phone")}
    materials = {name: True for name in handed["materials"]}
    now, calendar = ctx.now(), ctx.runtime_calendar()
    hours = decisions.hours()
    slot = slot_at(now, calendar, hours) if hours is not None else None
    counted = counted_receipt(now, calendar, hours) if hours is not None else now
    on_duty = None
    if slot is not None:  # off-hours: the officer on duty if the roster names one, else the signer at hand
        row = uow.roster.slot(relay["town"], slot.day, slot.shift)
        on_duty = row["username"] if row is not None else signer
    extra = {
        "relay_id": relay["id"], "relay_no": relay["number"], "service_point": relay["town"],
        "on_duty": on_duty, "counted_from": counted.isoformat(),
    }  # fmt: skip
    opened = cases.open_in(uow, item, applicant, materials, "agent", relay["agent"], extra_data=extra)
    if slot is not None:
        opened = replace(opened, instance=count_from(ctx, uow, opened.instance, counted))
        # the case's own acceptance limit (and its auto-acceptance) counts from the next opening too
        case_counts_from(uow, opened.case_no, counted)
    uow.roster.add_intake(
        {"case_no": opened.case_no, "service_point": relay["town"],
         "category": decisions.category(relay["town"], relay["item_code"]), "received_at": now,
         "counted_from": counted, "off_hours": slot is not None, "shift": slot.shift if slot else None,
         "on_duty": on_duty, "received_by": signer}
    )  # fmt: skip
    return opened
