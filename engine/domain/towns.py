"""Load processes/towns.toml: each town centre's items (received and relayed up, or decided there) per window
category, its window staff and the centres' office hours; validated against the organisation and the
catalogue, every problem reported as ``towns.toml: <where>: <field>: <message>``."""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from engine.domain.organisation import USERNAME
from engine.domain.organisation_model import TOWN_WINDOW_CATEGORIES, Organisation, TownCentre
from engine.domain.roster import OfficeHours
from engine.domain.toml_fields import WHOLE_RECORD, Fields, Problems, Table, check_inferred_names, duplicates

FILE = "towns.toml"
TOWN_KEYS = ("code", "receives", "decides", "staff", "off_hours_duty", "inferred")
STAFF_KEYS = ("username", "name", "window", "inferred")
HOURS_KEYS = ("sessions", "inferred")
MIN_DUTY_POOL = 2  # one person cannot be on duty every weekend
#: the role of a town centre's window staff: with it, one listed in the town's ``staff`` draws up its roster.
#: Town staff hold it centre-wide with ``agent`` (as the town's 代办员 do) and their town window, never
#: ``window_officer`` — that role is the county centre's window and would let them act on any county case.
TOWN_OFFICER = "town_officer"


class TownsError(ValueError):
    """towns.toml is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(f"{len(problems)} problem(s) in {FILE}:\n" + "\n".join(problems))


@dataclass(frozen=True)
class TownOfficer:
    """A window officer of a town centre (on the duty roster with the town's 代办员)."""

    username: str
    name: str
    window: str
    inferred: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TownPlan:
    code: str
    receives: Mapping[str, tuple[str, ...]]  # window category -> items received here, decided upward
    decides: Mapping[str, tuple[str, ...]]  # window category -> items the town decides itself
    staff: tuple[TownOfficer, ...]
    inferred: frozenset[str] = frozenset()
    #: whether working-day evenings get an officer on duty too (a town that keeps no evening duty says false:
    #: its evening intake is then refused, as nobody is there to take it)
    off_hours_duty: bool = True

    def category_of(self, item_code: str) -> str | None:
        for table in (self.decides, self.receives):
            for category, codes in table.items():
                if item_code in codes:
                    return category
        return None

    def handles(self, item_code: str) -> bool:
        return self.category_of(item_code) is not None


@dataclass(frozen=True)
class TownsConfig:
    hours: OfficeHours
    towns: tuple[TownPlan, ...]
    hours_inferred: bool = False

    def town(self, code: str) -> TownPlan | None:
        return next((t for t in self.towns if t.code == code), None)


def duty_pool(plan: TownPlan, town: TownCentre) -> list[str]:
    """Who takes turns on duty at a town: its window officers, then its 代办员 (file order)."""
    return [p.username for p in plan.staff] + [a.username for a in town.agents]


def load_towns(text: str, org: Organisation, item_codes: Collection[str]) -> TownsConfig:
    """Parse and validate towns.toml against the organisation and the catalogue's item codes."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TownsError([f"{FILE}: TOML: {exc}"]) from exc
    problems = Problems()
    root = Fields(data, FILE, problems, ("schema_version", "hours", "towns"))
    hours_table = Fields(root.table("hours") or {}, f"{FILE}: hours", problems, HOURS_KEYS)
    hours = OfficeHours.parse(["09:00-12:00", "14:00-17:30"])
    try:
        hours = OfficeHours.parse(hours_table.texts("sessions", non_empty=True))
    except ValueError as exc:
        hours_table.problem("sessions", str(exc))
    hours_inferred = hours_table.texts("inferred", required=False)
    check_inferred_names(hours_table, hours_inferred, (*HOURS_KEYS, WHOLE_RECORD))
    known_towns = {t.code: t for t in org.towns}
    plans = [_town(raw, i, known_towns, set(item_codes), problems) for i, raw in enumerate(root.tables("towns"))]
    for code in duplicates([p.code for p in plans]):
        problems.add(FILE, "towns", f"town {code} is listed twice")
    for code in sorted(set(known_towns) - {p.code for p in plans}):
        problems.add(FILE, "towns", f"town {code} of the organisation has no entry")
    people = [p.username for p in org.people()] + [s.username for p in plans for s in p.staff]
    for username in duplicates(people):
        problems.add(FILE, "staff", f"username {username!r} is used twice (here or in organisation.toml)")
    if problems.lines:
        raise TownsError(problems.lines)
    return TownsConfig(hours, tuple(plans), hours_inferred=bool(hours_inferred))


def _items(f: Fields, key: str, item_codes: set[str]) -> dict[str, tuple[str, ...]]:
    table = f.table(key, required=False) or {}
    result: dict[str, tuple[str, ...]] = {}
    for category, codes in table.items():
        if category not in TOWN_WINDOW_CATEGORIES:
            f.problem(key, f"unknown window category {category!r} (one of {', '.join(TOWN_WINDOW_CATEGORIES)})")
            continue
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            f.problem(key, f"{category}: expected a list of item codes")
            continue
        for code in codes:
            if code not in item_codes:
                f.problem(key, f"{category}: unknown item {code!r}")
        result[category] = tuple(codes)
    return result


def _town(
    raw: Table, index: int, known: Mapping[str, TownCentre], item_codes: set[str], problems: Problems
) -> TownPlan:
    where = f"{FILE}: town {raw.get('code') or '#' + str(index + 1)}"
    f = Fields(raw, where, problems, TOWN_KEYS)
    code = f.text("code")
    town = known.get(code)
    if code and town is None:
        f.problem("code", f"no town {code!r} in organisation.toml")
    receives, decides = _items(f, "receives", item_codes), _items(f, "decides", item_codes)
    listed = [c for codes in (*receives.values(), *decides.values()) for c in codes]
    for item in duplicates(listed):
        f.problem("decides", f"item {item} is listed twice (an item is either received or decided here)")
    windows = {w.code for w in town.windows} if town else set()
    staff = []
    for i, person in enumerate(f.tables("staff", non_empty=True)):
        s = Fields(person, f"{where} staff {person.get('username') or '#' + str(i + 1)}", problems, STAFF_KEYS)
        officer = TownOfficer(s.text("username"), s.text("name"), s.text("window"), _inferred(s, STAFF_KEYS))
        if officer.username and not USERNAME.match(officer.username):
            s.problem("username", f"bad username {officer.username!r}")
        if town is not None and officer.window and officer.window not in windows:
            s.problem("window", f"{officer.window!r} is not a window of {code}")
        staff.append(officer)
    if town is not None and len(staff) + len(town.agents) < MIN_DUTY_POOL:
        f.problem("staff", f"at least {MIN_DUTY_POOL} people (staff and 代办员) are needed for a duty rotation")
    return TownPlan(
        code,
        MappingProxyType(receives),
        MappingProxyType(decides),
        tuple(staff),
        _inferred(f, TOWN_KEYS),
        f.flag("off_hours_duty", required=False, default=True),
    )


def _inferred(f: Fields, keys: tuple[str, ...]) -> frozenset[str]:
    names = f.texts("inferred", required=False)
    check_inferred_names(f, names, (*keys, WHOLE_RECORD))
    return frozenset(names)
