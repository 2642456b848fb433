"""Agency (代办) use cases, first half: the town staff stationed in villages (驻点包村) and the mandates
(委托书) with their lifecycle — signed by the village agent for the principal of their station, suspended
(中止单), renewed (续办委托书) or terminated (终止单) by the agent, the town's staff or an administrator.
AgencyService (engine.services.agency) adds the relay."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.domain.access import Principal
from engine.domain.mandates import MandateKind, mandate_number, new_mandate
from engine.errors import FieldError, FormValidationError, InvalidTransition, NotFound, PermissionDenied
from engine.services.agency_town import TownDecisions
from engine.services.agency_views import mandate_rules, mandate_view, station_of, towns_of
from engine.services.context import ServiceContext, UnitOfWorkLike, with_retry


def _text(body: dict[str, Any], field: str, limit: int, errors: list[FieldError], *, required: bool = True) -> str:
    value = body.get(field)
    value = value.strip() if isinstance(value, str) else value
    if value in (None, ""):
        if required:
            errors.append(FieldError(field, "required"))
        return ""
    if not isinstance(value, str) or len(value) > limit:
        errors.append(FieldError(field, f"text of at most {limit} characters"))
        return ""
    return value


def _names(raw: Any, field: str, errors: list[FieldError]) -> list[str]:
    """A list of names (materials, item codes), or one comma/newline separated text."""
    if isinstance(raw, str):
        raw = [part for line in raw.splitlines() for part in line.replace("，", ",").split(",")]
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > 100 or not all(isinstance(x, str) and len(x) <= 200 for x in raw):
        errors.append(FieldError(field, "a list of names"))
        return []
    return list(dict.fromkeys(x.strip() for x in raw if x.strip()))


def _day(body: dict[str, Any], field: str, errors: list[FieldError], default: date | None = None) -> date | None:
    raw = body.get(field)
    if raw in (None, "") and default is not None:
        return default
    try:
        return raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    except ValueError:
        errors.append(FieldError(field, "a date like 2026-03-10"))
        return None


def _sees_principal(principal: Principal, row: dict[str, Any]) -> bool:
    """The principal's full name, ID number and phone: for the mandate's agent and administrators only; the
    town's staff and supervisors see the name masked."""
    return principal.is_admin or row["agent"] == principal.username


class MandateOperations:
    _ctx: ServiceContext
    town_decides: TownDecisions  # set by AgencyService: also each town's window staff

    def _today(self) -> date:
        return self._ctx.now().astimezone(self._ctx.runtime_calendar().zone).date()

    # -- 驻点包村 ---------------------------------------------------------------------------------------------
    def assign(self, principal: Principal, station: str, username: str) -> dict[str, Any]:
        """An administrator stations a town service-team member in a village (驻点包村)."""
        if not principal.is_admin:
            raise PermissionDenied("only an administrator assigns town staff to villages")
        with self._ctx.uow(write=True) as uow:
            point = uow.organisation.service_point(station)
            if point is None or point["kind"] != "village":
                raise FormValidationError("unknown station", [FieldError("station", f"no village station {station!r}")])
            if uow.accounts.principal(username) is None:
                raise FormValidationError("unknown user", [FieldError("username", f"no account {username!r}")])
            if any(a["station"] == station for a in uow.agency.assignments(username=username)):
                raise InvalidTransition(f"{username} is already stationed in {station}")
            row = {"station": station, "town": point["parent_code"], "username": username}
            row |= {"assigned_at": self._ctx.now(), "assigned_by": principal.username}
            row["id"] = uow.agency.add_assignment(row)
            uow.commit()
        return row

    def end_assignment(self, principal: Principal, assignment_id: int) -> dict[str, Any]:
        """An administrator ends a stationing: the member no longer signs for the village's town through it."""
        if not principal.is_admin:
            raise PermissionDenied("only an administrator ends a village assignment")
        with self._ctx.uow(write=True) as uow:
            row = uow.agency.assignment(assignment_id)
            if row is None:
                raise NotFound(f"no village assignment {assignment_id}")
            now = self._ctx.now()
            if not uow.agency.end_assignment(assignment_id, now):
                raise InvalidTransition(f"assignment {assignment_id} has ended already")
            uow.commit()
        return {**row, "ended_at": now}

    def assignments(self, principal: Principal, town: str | None = None) -> list[dict[str, Any]]:
        if not principal.grants:
            raise PermissionDenied("only staff see the village assignments")
        with self._ctx.uow() as uow:
            return list(uow.agency.assignments(town=town))

    # -- mandates ---------------------------------------------------------------------------------------------
    def create_mandate(self, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
        """Record a signed 委托书: the village agent for the principal (applicant) of their station."""
        errors: list[FieldError] = []
        given = body.get("principal")
        raw: dict[str, Any] = given if isinstance(given, dict) else {}
        person = {
            "name": _text(raw, "name", 100, errors),
            "id_number": _text(raw, "id_number", 32, errors, required=False),
            "phone": _text(raw, "phone", 32, errors, required=False),
        }
        errors = [FieldError("principal." + e.field, e.message) for e in errors]
        kind = body.get("kind", MandateKind.FULL.value)
        if kind not in {k.value for k in MandateKind}:
            errors.append(FieldError("kind", "full (全程代办) or authorised (授权代办)"))
        items = [] if body.get("scope_all") in (True, "on", "true") else _names(body.get("items"), "items", errors)
        today = self._today()
        valid_from = _day(body, "valid_from", errors, today)
        valid_to = _day(body, "valid_to", errors)
        if errors or valid_from is None or valid_to is None:
            raise FormValidationError("the mandate cannot be recorded", errors)
        # the number is the year's count + 1: two agents signing at once collide on it, and the loser runs again
        return dict(
            with_retry(3, lambda: self._create_once(principal, person, kind, items, valid_from, valid_to, today))
        )

    def _create_once(
        self,
        principal: Principal,
        person: dict[str, str],
        kind: str,
        items: list[str],
        valid_from: date,
        valid_to: date,
        today: date,
    ) -> dict[str, Any]:
        with self._ctx.uow(write=True) as uow:
            station = station_of(uow, principal.username)
            if station is None:
                raise PermissionDenied(f"{principal.username} is not the agent of a village station")
            unknown = [code for code in items if uow.catalogue.get(code) is None]
            if unknown:
                raise FormValidationError("unknown items", [FieldError("items", f"no item {c!r}") for c in unknown])
            now = self._ctx.now()
            try:
                rules = new_mandate(
                    MandateKind(kind), principal.username, items, valid_from, valid_to, now, principal.username
                )
            except ValueError as error:
                field = "items" if "items" in str(error) else "valid_to"
                raise FormValidationError("the mandate cannot be recorded", [FieldError(field, str(error))]) from error
            prefix = f"WT-{today.year}-"
            number = mandate_number(today.year, uow.agency.count_mandates(prefix) + 1)
            row = {
                "number": number, "kind": rules.kind.value, "principal": person, "agent": principal.username,
                "station": station["code"], "scope_all": rules.scope_all, "items": list(rules.items),
                "valid_from": rules.valid_from, "valid_to": rules.valid_to, "status": rules.status.value,
                "history": [e.as_dict() for e in rules.history], "created_at": now,
            }  # fmt: skip
            row["id"] = uow.agency.add_mandate(row)
            uow.commit()
        return mandate_view(row, today)

    def mandates(self, principal: Principal) -> list[dict[str, Any]]:
        """The agent's own mandates; a town's staff see their villages' and supervisors every one (principal
        masked); admins all in full."""
        today = self._today()
        with self._ctx.uow() as uow:
            if principal.is_admin or principal.has_role("supervisor"):
                rows = uow.agency.mandates()
                return [mandate_view(r, today, protected=not _sees_principal(principal, r)) for r in rows]
            own = uow.agency.mandates(agents=[principal.username])
            towns = towns_of(uow, principal.username, self.town_decides.staff())
            stations = [p["code"] for p in uow.organisation.service_points() if p["parent_code"] in towns]
            others = uow.agency.mandates(stations=stations) if stations else []
        seen = {r["id"] for r in own}
        views = [mandate_view(r, today) for r in own]
        return views + [mandate_view(r, today, protected=True) for r in others if r["id"] not in seen]

    def mandate(self, principal: Principal, number: str) -> dict[str, Any]:
        """One mandate (for the printout): its agent, the town's staff, supervisors and admins; the principal
        in full for the agent and admins only, masked for the others."""
        with self._ctx.uow() as uow:
            row = uow.agency.mandate(number)
            if row is None:
                raise NotFound(f"no mandate {number}")
            self._check_mandate_reader(uow, principal, row)
            station = uow.organisation.service_point(row["station"]) or {}
            town = uow.organisation.service_point(station.get("parent_code") or "") or {}
            names = {code: (uow.catalogue.get(code) or {}).get("name", "") for code in row["items"]}
        view = mandate_view(row, self._today(), protected=not _sees_principal(principal, row))
        return {**view, "station_name": station.get("name"), "town_name": town.get("name"), "item_names": names}

    def _check_mandate_reader(self, uow: UnitOfWorkLike, principal: Principal, row: dict[str, Any]) -> None:
        if principal.is_admin or principal.has_role("supervisor") or row["agent"] == principal.username:
            return
        station = uow.organisation.service_point(row["station"]) or {}
        if station.get("parent_code") not in towns_of(uow, principal.username, self.town_decides.staff()):
            raise PermissionDenied("this mandate belongs to another village")

    def suspend_mandate(self, principal: Principal, number: str, reason: str) -> dict[str, Any]:
        return self._change(principal, number, lambda m, now: m.suspend(now, principal.username, reason))

    def terminate_mandate(self, principal: Principal, number: str, reason: str) -> dict[str, Any]:
        return self._change(principal, number, lambda m, now: m.terminate(now, principal.username, reason))

    def renew_mandate(self, principal: Principal, number: str, reason: str, valid_to: Any = None) -> dict[str, Any]:
        errors: list[FieldError] = []
        until = _day({"valid_to": valid_to}, "valid_to", errors) if valid_to not in (None, "") else None
        if errors:
            raise FormValidationError("the mandate cannot be renewed", errors)
        return self._change(principal, number, lambda m, now: m.renew(now, principal.username, reason, until))

    def _change(self, principal: Principal, number: str, change: Any) -> dict[str, Any]:
        with self._ctx.uow(write=True) as uow:
            row = uow.agency.mandate(number)
            if row is None:
                raise NotFound(f"no mandate {number}")
            self._check_mandate_reader(uow, principal, row)
            try:
                changed = change(mandate_rules(row), self._ctx.now())
            except ValueError as error:
                raise FormValidationError("the mandate cannot change", [FieldError("reason", str(error))]) from error
            values = {
                "status": changed.status.value,
                "valid_to": changed.valid_to,
                "history": [e.as_dict() for e in changed.history],
            }
            if not uow.agency.save_mandate(row["id"], row["row_version"], values):
                raise InvalidTransition(f"mandate {number} changed meanwhile; reload")
            uow.commit()
        return mandate_view({**row, **values}, self._today(), protected=not _sees_principal(principal, row))
