"""The towns' duty roster (值班表): generate a month's fair rotation from the town's staff and 代办员, show it,
swap a slot with a reason, and say who is on duty at an instant (the public sees this weekend's duty).
The public views (``public_*``) carry display names and days only; logins, swaps and their reasons are for
signed-in staff.

Who draws up and changes a town's roster: an administrator or one of that town's staff (role ``town_officer``,
listed in its ``staff`` in processes/towns.toml); the public reads it by display names (the 值班表 hangs at
the town centre's door), signed-in staff see logins and swaps too."""

from __future__ import annotations

import calendar as month_calendar
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from engine.domain.access import Principal
from engine.domain.roster import (
    REST_DAY,
    SHIFT_LABELS,
    SHIFTS,
    Assignment,
    DutySlot,
    RosterError,
    duty_slots,
    generate_rotation,
    slot_at,
    swap,
)
from engine.errors import ConcurrencyConflict, FieldError, FormValidationError, NotFound
from engine.services.context import ServiceContext
from engine.services.town_data import DirectoryCache, Town, TownDirectory, person, public_person, require_manager

UPCOMING_DAYS = 14  # the public view looks this far ahead for the next rest days


class RosterService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._directory = DirectoryCache(ctx.settings.processes_dir)

    def directory(self) -> TownDirectory:
        return self._directory.get()

    # -- generating ----------------------------------------------------------------------------------------
    def generate(
        self,
        principal: Principal,
        town_code: str,
        year: int,
        month: int,
        *,
        off_hours: bool | None = None,
        leave: Mapping[str, list[str]] | None = None,
    ) -> dict[str, Any]:
        """(Re)generate a month: every rest day, and each working day's off-hours when ``off_hours`` (default:
        the town's ``off_hours_duty`` in towns.toml, true unless the town keeps no evening duty); the turn
        carries on from the earlier months; a person's leave days are skipped."""
        town = self.directory().town(town_code)
        require_manager(town, principal)
        if off_hours is None:
            off_hours = town.plan.off_hours_duty
        first, last = _month(year, month)
        leave_days = _leave(leave or {}, town)
        calendar = self._ctx.runtime_calendar()
        now = self._ctx.now()
        today = now.astimezone(calendar.zone).date()
        with self._ctx.uow(write=True) as uow:
            # Regenerating rewrites the month from today on: the days gone by are what happened (who was on
            # duty, the swaps), and a swap already agreed for a later day stands. A month never drawn up yet
            # is generated whole.
            existing = uow.roster.between(town.code, first, last)
            start = max(first, today) if existing else first
            if start > last:
                message = "这个月已过去，值班记录不再重排 / a past month's roster is kept as it was"
                raise FormValidationError(message, [FieldError("month", message)])
            swapped = [r for r in existing if r["day"] >= start and r["swapped_from"] is not None]
            kept = {(r["day"], r["shift"]) for r in swapped}
            history = [_assignment(r) for r in (*uow.roster.before(town.code, start), *swapped)]
            slots = [s for s in duty_slots(start, last, calendar, off_hours=off_hours) if (s.day, s.shift) not in kept]
            try:
                rotation = generate_rotation(town.pool(), slots, leave_days, history)
            except RosterError as exc:
                raise FormValidationError(str(exc), [FieldError("leave", str(exc))]) from exc
            rows = [
                {"service_point": town.code, "day": a.day, "shift": a.shift, "username": a.username,
                 "generated_by": principal.username, "generated_at": now}
                for a in rotation
            ]  # fmt: skip
            uow.roster.replace(town.code, start, last, rows)
            uow.commit()
        return self.month(town_code, year, month)

    # -- reading -------------------------------------------------------------------------------------------
    def month(self, town_code: str, year: int, month: int) -> dict[str, Any]:
        """The month's roster with each person's counts (anybody may read it)."""
        town = self.directory().town(town_code)
        first, last = _month(year, month)
        with self._ctx.uow() as uow:
            rows = uow.roster.between(town.code, first, last)
        counts: Counter[tuple[str, str]] = Counter((r["username"], r["shift"]) for r in rows)
        return {
            "town": {"code": town.code, "name": town.centre.name},
            "year": year,
            "month": month,
            "hours": self.directory().hours.texts(),
            "off_hours_duty": town.plan.off_hours_duty,  # the generate form's default
            "duties": [_duty(town, r) for r in rows],
            "pool": [{**(person(town, u) or {}), "counts": {s: counts[(u, s)] for s in SHIFTS}} for u in town.pool()],
        }

    def public_month(self, town_code: str, year: int, month: int) -> dict[str, Any]:
        """The month as posted at the door: each duty's day, shift and the officer's display name."""
        town = self.directory().town(town_code)
        full = self.month(town_code, year, month)
        return {**{k: full[k] for k in ("town", "year", "month", "hours")},
                "duties": [public_duty(town, d) for d in full["duties"]]}  # fmt: skip

    def public_on_duty(self, town_code: str, instant: datetime | None = None) -> dict[str, Any]:
        """Who takes intake at ``instant`` and the next two weeks' rest-day duties, by display name."""
        town = self.directory().town(town_code)
        now = self.on_duty_at(town_code, instant)
        duty = public_duty(town, now["duty"]) if now["duty"] else None
        return {**now, "duty": duty, "upcoming": [public_duty(town, d) for d in self.upcoming_rest_days(town_code)]}

    def on_duty_at(self, town_code: str, instant: datetime | None = None) -> dict[str, Any]:
        """Who takes intake at the town at ``instant`` (default now): the windows while open, else the officer
        on duty (None when the roster has nobody for that slot)."""
        town = self.directory().town(town_code)
        instant = instant or self._ctx.now()
        slot = slot_at(instant, self._ctx.runtime_calendar(), self.directory().hours)
        if slot is None:
            return {"town": town.code, "at": instant.isoformat(), "open": True, "duty": None}
        with self._ctx.uow() as uow:
            row = uow.roster.slot(town.code, slot.day, slot.shift)
        duty = _duty(town, row) if row else {"day": slot.day.isoformat(), "shift": slot.shift, "officer": None}
        return {"town": town.code, "at": instant.isoformat(), "open": False, "duty": duty}

    def upcoming_rest_days(self, town_code: str, today: date | None = None) -> list[dict[str, Any]]:
        """The rest-day duties of the next two weeks from today (this weekend's 值班 first): the public view."""
        town = self.directory().town(town_code)
        calendar = self._ctx.runtime_calendar()
        today = today or self._ctx.now().astimezone(calendar.zone).date()
        last = today + timedelta(days=UPCOMING_DAYS - 1)
        with self._ctx.uow() as uow:
            rows = {(r["day"], r["shift"]): r for r in uow.roster.between(town.code, today, last)}
        result = []
        for slot in duty_slots(today, last, calendar):
            row = rows.get((slot.day, slot.shift))
            result.append(_duty(town, row) if row else {"day": slot.day.isoformat(), "shift": REST_DAY,
                                                         "label": SHIFT_LABELS[REST_DAY], "officer": None})  # fmt: skip
        return result

    # -- swapping ------------------------------------------------------------------------------------------
    def swap(
        self, principal: Principal, town_code: str, day: date, shift: str, username: str, reason: str
    ) -> dict[str, Any]:
        """Hand one slot to a colleague of the same town, with the reason (调班); the old holder is kept."""
        town = self.directory().town(town_code)
        require_manager(town, principal)
        if not isinstance(reason, str) or not reason.strip():
            raise FormValidationError("a swap needs its reason", [FieldError("reason", "required")])
        with self._ctx.uow(write=True) as uow:
            row = uow.roster.slot(town.code, day, shift, for_update=True)
            if row is None:
                raise NotFound(f"no duty at {town.code} on {day} ({shift})")
            try:
                swap([_assignment(row)], DutySlot(day, shift), username, town.pool())
            except RosterError as exc:
                raise FormValidationError(str(exc), [FieldError("username", str(exc))]) from exc
            values = {"username": username, "swapped_from": row["username"], "swap_reason": reason.strip(),
                      "swapped_by": principal.username, "swapped_at": self._ctx.now()}  # fmt: skip
            if not uow.roster.swap(row["id"], row["username"], values):
                raise ConcurrencyConflict("the duty was changed meanwhile; reload and try again")
            changed = uow.roster.slot(town.code, day, shift)
            uow.commit()
        return _duty(town, changed)


def _month(year: int, month: int) -> tuple[date, date]:
    if not (isinstance(year, int) and isinstance(month, int) and 2000 <= year <= 2100 and 1 <= month <= 12):
        raise FormValidationError("no such month", [FieldError("month", "a year 2000-2100 and a month 1-12")])
    return date(year, month, 1), date(year, month, month_calendar.monthrange(year, month)[1])


def _leave(raw: Mapping[str, Any], town: Town) -> dict[str, set[date]]:
    errors: list[FieldError] = []
    result: dict[str, set[date]] = {}
    for username, days in raw.items():
        if username not in town.pool():
            errors.append(FieldError(f"leave.{username}", "not on this town's duty list"))
            continue
        try:
            result[username] = {date.fromisoformat(str(d)) for d in days}
        except (TypeError, ValueError):
            errors.append(FieldError(f"leave.{username}", "a list of dates like 2026-10-01"))
    if errors:
        raise FormValidationError("the leave days cannot be read", errors)
    return result


def _assignment(row: Mapping[str, Any]) -> Assignment:
    return Assignment(row["day"], row["shift"], row["username"])


def public_duty(town: Town, duty: Mapping[str, Any]) -> dict[str, Any]:
    """A duty as the public sees it: the day, the shift and who by display name (no login, no swap)."""
    officer = duty.get("officer")
    return {
        "day": duty["day"],
        "weekday": date.fromisoformat(duty["day"]).isoweekday(),
        "shift": duty["shift"],
        "label": SHIFT_LABELS.get(duty["shift"], duty["shift"]),
        "officer": public_person(town, officer["username"]) if officer else None,
    }


def _duty(town: Town, row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "day": row["day"].isoformat(),
        "weekday": row["day"].isoweekday(),
        "shift": row["shift"],
        "label": SHIFT_LABELS.get(row["shift"], row["shift"]),
        "officer": person(town, row["username"]),
        "swapped_from": person(town, row.get("swapped_from")),
        "swap_reason": row.get("swap_reason"),
    }
