"""Plain helpers of the organisation service: database rows from the organisation's records, the overview
shape built from rows, and the field checks of an administrator's edit (every problem reported at once)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from engine.domain.organisation import Organisation, StaffMember, Window
from engine.domain.organisation_model import (
    AGENT,
    CENTRE_WINDOW_CATEGORIES,
    DESK_KINDS,
    TOWN_WINDOW_CATEGORIES,
    Desk,
)
from engine.domain.toml_fields import WHOLE_RECORD
from engine.errors import FieldError, FormValidationError

CENTRE, SUB_CENTRE, TOWN, VILLAGE = "centre", "sub_centre", "town", "village"
POINT_KINDS = (CENTRE, SUB_CENTRE, TOWN, VILLAGE)
#: the kind of service point each kind hangs under (the centre is the root)
PARENT_KINDS = {SUB_CENTRE: CENTRE, TOWN: CENTRE, VILLAGE: TOWN}
WINDOW_FIELDS = ("code", "name", "category", "department", "service_point", "number", "phone", "note")
DEPARTMENT_FIELDS = ("code", "abbr", "name", "chief_representative", "chief_username")


def window_categories(point_kind: str) -> tuple[str, ...]:
    """The window categories a service point of this kind may have (a village station has none)."""
    if point_kind == TOWN:
        return TOWN_WINDOW_CATEGORIES
    return CENTRE_WINDOW_CATEGORIES if point_kind in (CENTRE, SUB_CENTRE) else ()


def confirmed(inferred: Iterable[str], edited: Iterable[str], fields: tuple[str, ...]) -> list[str]:
    """The inferred names left after an administrator set ``edited``: what they entered is no demo value."""
    names = set(inferred)
    if WHOLE_RECORD in names:
        names = (names - {WHOLE_RECORD}) | set(fields)
    return sorted(names - set(edited))


# -- rows from the organisation's records ------------------------------------------------------------------
def _person(person: StaffMember) -> dict[str, Any]:
    return {"username": person.username, "name": person.name, "inferred": sorted(person.inferred)}


def _window(window: Window, point: str) -> dict[str, Any]:
    return {
        "code": window.code,
        "name": window.name,
        "category": window.category,
        "department": window.department,
        "service_point": point,
        "number": window.number,
        "phone": window.phone or None,
        "note": window.note or None,
        "inferred": sorted(window.inferred),
    }


def _desk(desk: Desk, point: str) -> dict[str, Any]:
    """A desk is a window of the centre whose category is its kind (咨询 or 投诉)."""
    row = _window(Window(desk.code, desk.name, desk.kind, phone=desk.phone, note=desk.note), point)
    return {**row, "inferred": sorted(desk.inferred)}


def _point(code: str, name: str, kind: str, parent: str | None, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"code": code, "name": name, "kind": kind, "parent_code": parent, "category": None}
    row.update(phone=None, note=None, agents=[], details={}, inferred=[])
    return {**row, **extra}


def organisation_rows(org: Organisation) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(departments, service points parents first, windows) as rows; the centre is also a department (its
    authority), since centre staff hold their roles there."""
    departments = [{"code": org.code, "name": org.authority or org.name, "inferred": sorted(org.inferred)}]
    departments += [
        {
            "code": d.code,
            "name": d.name,
            "abbr": d.abbr,
            "chief_representative": d.chief_representative,
            "chief_username": d.chief_username,
            "inferred": sorted(d.inferred),
        }
        for d in org.departments
    ]
    details = {"authority": org.authority, "sections": list(org.sections), "hotline": org.hotline}
    points = [
        _point(org.code, org.name, CENTRE, None, phone=org.hotline or None, note=org.note or None,
               details={**details, "staff_count": org.staff_count}, inferred=sorted(org.inferred))
    ]  # fmt: skip
    points += [
        _point(s.code, s.name, SUB_CENTRE, org.code, category=s.kind, note=s.note or None, inferred=sorted(s.inferred))
        for s in org.sub_centres
    ]
    windows = [_window(w, org.code) for w in org.windows] + [_desk(d, org.code) for d in org.desks]
    for town in org.towns:
        points.append(
            _point(town.code, town.name, TOWN, org.code, phone=town.phone or None,
                   agents=[_person(a) for a in town.agents], inferred=sorted(town.inferred))
        )  # fmt: skip
        points += [
            _point(s.code, s.name, VILLAGE, town.code, agents=[_person(s.agent)], inferred=sorted(s.inferred))
            for s in town.stations
        ]
        windows += [_window(w, town.code) for w in town.windows]
    return departments, points, windows


# -- the overview ------------------------------------------------------------------------------------------
def build_overview(
    departments: list[dict[str, Any]],
    points: list[dict[str, Any]],
    windows: list[dict[str, Any]],
    grants: list[dict[str, Any]],
) -> dict[str, Any]:
    """The organisation as staff see it. Each window appears once: a centre window under its department (or,
    without one, under the centre; the desks apart), a sub-centre's or town's window under that point."""
    centre = next((p for p in points if p["kind"] == CENTRE), None)
    centre_code = centre["code"] if centre else None
    people: dict[str | None, set[str]] = defaultdict(set)
    at_window: dict[str, set[str]] = defaultdict(set)
    for grant in grants:
        people[grant["department"]].add(grant["username"])
        if grant["window"]:
            at_window[grant["window"]].add(grant["username"])
    accounts = {g["username"] for g in grants}

    def show(window: dict[str, Any]) -> dict[str, Any]:
        return {**window, "staff": sorted(at_window.get(window["code"], ()))}

    def own(point: str | None) -> list[dict[str, Any]]:
        return [show(w) for w in windows if w["service_point"] == point and w["department"] is None]

    def agent(person: dict[str, Any]) -> dict[str, Any]:
        return {**person, "has_account": person["username"] in accounts}

    centre_windows = [w for w in own(centre_code) if w["category"] not in DESK_KINDS]
    stationed = [
        {
            **d,
            "windows": [show(w) for w in windows if w["department"] == d["code"] and w["service_point"] == centre_code],
            "staff_count": len(people.get(d["code"], ())),
        }
        for d in departments
        if d["code"] != centre_code
    ]
    staff = {g["username"] for g in grants if g["role"] != AGENT}  # department staff work in the centre too
    result_centre = None
    if centre is not None:
        result_centre = {
            **_public(centre),
            "department": next((d for d in departments if d["code"] == centre_code), None),
            "windows": centre_windows,
            "window_count": len(centre_windows) + sum(len(d["windows"]) for d in stationed),
            "staff_count": len(staff),
        }
    return {
        "centre": result_centre,
        "departments": stationed,
        "desks": [w for w in own(centre_code) if w["category"] in DESK_KINDS],
        "sub_centres": [
            {**_public(p), "windows": [show(w) for w in windows if w["service_point"] == p["code"]]}
            for p in points
            if p["kind"] == SUB_CENTRE
        ],
        "towns": [
            {
                **_public(town),
                "windows": [show(w) for w in windows if w["service_point"] == town["code"]],
                "agents": [agent(a) for a in town["agents"]],
                "villages": [
                    {**_public(v), "agent": agent(v["agents"][0]) if v["agents"] else None}
                    for v in points
                    if v["kind"] == VILLAGE and v["parent_code"] == town["code"]
                ],
            }
            for town in points
            if town["kind"] == TOWN
        ],
    }


def _public(point: dict[str, Any]) -> dict[str, Any]:
    """A service point without its raw agent list (shown with accounts) and, but for the centre, details."""
    return {k: v for k, v in point.items() if k != "agents" and (k != "details" or v)}


# -- an administrator's edit -------------------------------------------------------------------------------
class EditInput:
    """The fields of one edit: checked one by one, every problem collected, raised together as 422."""

    def __init__(self, given: Mapping[str, object], allowed: tuple[str, ...]) -> None:
        self.given = dict(given)
        self.errors = [FieldError(name, "unknown field") for name in given if name not in allowed]
        self.values: dict[str, Any] = {}

    def fail(self, name: str, message: str) -> None:
        self.errors.append(FieldError(name, message))

    def text(
        self,
        name: str,
        limit: int,
        *,
        required: bool = False,
        nullable: bool = False,
        pattern: re.Pattern[str] | None = None,
        hint: str = "",
    ) -> None:
        """``required``: must be given; ``nullable``: null or "" clears it. Absent optional fields stay as they are."""
        if name not in self.given:
            if required:
                self.fail(name, "required")
            return
        value = self.given[name]
        if value is None or value == "":
            if nullable:
                self.values[name] = None
            else:
                self.fail(name, "required" if value is None else "must not be empty")
            return
        if not isinstance(value, str) or not value.strip() or len(value.strip()) > limit:
            self.fail(name, f"text of at most {limit} characters")
        elif pattern is not None and not pattern.match(value.strip()):
            self.fail(name, hint or "bad format")
        else:
            self.values[name] = value.strip()

    def choice(self, name: str, options: tuple[str, ...], *, required: bool = False) -> None:
        self.text(name, 64, required=required)
        if name in self.values and self.values[name] not in options:
            self.fail(name, f"one of {', '.join(options)}")
            del self.values[name]

    def number(self, name: str) -> None:
        """A positive whole number, or null to clear it."""
        if name not in self.given:
            return
        value = self.given[name]
        if value is None:
            self.values[name] = None
        elif isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9999:
            self.values[name] = value
        else:
            self.fail(name, "a whole number from 1 to 9999, or null")

    def check(self, message: str) -> None:
        if self.errors:
            raise FormValidationError(message, list(self.errors))
