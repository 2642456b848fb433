"""Load the centre's organisation (processes/organisation.toml), validate it, and cross-check a catalogue
against it."""

from __future__ import annotations

import re
import tomllib

from engine.domain.catalogue_model import Catalogue
from engine.domain.organisation_model import (
    AGENT,
    CENTRE_WINDOW_CATEGORIES,
    COMPLAINT,
    CONSULTATION,
    DESK_KINDS,
    FAST_TRACK,
    SPECIALISED,
    STAFF_ROLES,
    SUPERVISION,
    TOWN_AGENTS,
    TOWN_WINDOW_CATEGORIES,
    Department,
    Desk,
    Organisation,
    OrganisationError,
    StaffMember,
    SubCentre,
    TownCentre,
    VillageStation,
    Window,
)
from engine.domain.toml_fields import WHOLE_RECORD, Fields, Problems, Table, check_inferred_names, duplicates

__all__ = [
    "Department", "Desk", "Organisation", "OrganisationError", "StaffMember", "SubCentre", "TownCentre",
    "VillageStation", "Window", "check_catalogue_against", "load_organisation",
]  # fmt: skip

CODE = re.compile(r"^[A-Z][A-Z0-9_-]*$")
USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")
CENTRE_KEYS = ("code", "name", "authority", "sections", "hotline", "staff_count", "note", "inferred")
DEPARTMENT_KEYS = ("code", "abbr", "name", "chief_representative", "chief_username", "inferred")
WINDOW_KEYS = ("code", "number", "name", "category", "department", "phone", "note", "inferred")
DESK_KEYS = ("code", "name", "kind", "phone", "note", "inferred")
SUB_CENTRE_KEYS = ("code", "name", "kind", "note", "inferred")
TOWN_KEYS = ("code", "name", "phone", "windows", "agents", "stations", "inferred")
STATION_KEYS = ("code", "name", "agent", "inferred")
STAFF_KEYS = ("username", "name", "roles", "department", "window", "inferred")
AGENT_KEYS = ("username", "name", "inferred")


def load_organisation(text: str) -> Organisation:
    """Parse and validate organisation TOML; raise OrganisationError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise OrganisationError([f"organisation: TOML: {exc}"]) from exc
    problems = Problems()
    root = Fields(
        data,
        "organisation",
        problems,
        ("schema_version", "centre", "departments", "windows", "desks", "sub_centres", "towns", "staff"),
    )
    centre = Fields(root.table("centre") or {}, "centre", problems, CENTRE_KEYS)
    org = Organisation(
        code=centre.text("code"),
        name=centre.text("name"),
        authority=centre.text("authority"),
        departments=tuple(
            _department(t, i, problems) for i, t in enumerate(root.tables("departments", non_empty=True))
        ),
        windows=tuple(_window(t, f"window #{i + 1}", problems) for i, t in enumerate(root.tables("windows"))),
        desks=tuple(_desk(t, i, problems) for i, t in enumerate(root.tables("desks"))),
        sub_centres=tuple(
            _sub_centre(t, i, problems) for i, t in enumerate(root.tables("sub_centres", required=False))
        ),
        towns=tuple(_town(t, i, problems) for i, t in enumerate(root.tables("towns", required=False))),
        staff=tuple(_person(t, f"staff #{i + 1}", STAFF_KEYS, problems) for i, t in enumerate(root.tables("staff"))),
        sections=centre.texts("sections", required=False),
        hotline=centre.text("hotline", required=False),
        staff_count=centre.integer("staff_count", required=False),
        note=centre.text("note", required=False),
        inferred=_inferred(centre, CENTRE_KEYS),
    )
    _check(org, problems)
    if problems.lines:
        raise OrganisationError(problems.lines)
    return org


def _inferred(f: Fields, keys: tuple[str, ...]) -> frozenset[str]:
    names = f.texts("inferred")
    check_inferred_names(f, names, (*keys, WHOLE_RECORD))
    return frozenset(names)


def _department(raw: Table, index: int, problems: Problems) -> Department:
    f = Fields(raw, f"department {raw.get('code') or '#' + str(index + 1)}", problems, DEPARTMENT_KEYS)
    return Department(
        f.text("code"),
        f.text("abbr"),
        f.text("name"),
        f.text("chief_representative"),
        f.text("chief_username"),
        inferred=_inferred(f, DEPARTMENT_KEYS),
    )


def _window(raw: Table, where: str, problems: Problems) -> Window:
    f = Fields(raw, f"window {raw.get('code') or where}", problems, WINDOW_KEYS)
    return Window(
        code=f.text("code"),
        name=f.text("name"),
        category=f.text("category"),
        department=f.optional_text("department"),
        number=f.integer("number", required=False, minimum=1),
        phone=f.phone("phone", required=False),
        note=f.text("note", required=False),
        inferred=_inferred(f, WINDOW_KEYS),
    )


def _desk(raw: Table, index: int, problems: Problems) -> Desk:
    f = Fields(raw, f"desk {raw.get('code') or '#' + str(index + 1)}", problems, DESK_KEYS)
    desk = Desk(
        f.text("code"),
        f.text("name"),
        f.text("kind"),
        f.phone("phone"),
        f.text("note", required=False),
        inferred=_inferred(f, DESK_KEYS),
    )
    if desk.kind and desk.kind not in DESK_KINDS:
        f.problem("kind", f"unknown desk kind {desk.kind!r} (expected one of {', '.join(DESK_KINDS)})")
    return desk


def _sub_centre(raw: Table, index: int, problems: Problems) -> SubCentre:
    f = Fields(raw, f"sub-centre {raw.get('code') or '#' + str(index + 1)}", problems, SUB_CENTRE_KEYS)
    return SubCentre(
        f.text("code"),
        f.text("name"),
        f.text("kind"),
        f.text("note", required=False),
        inferred=_inferred(f, SUB_CENTRE_KEYS),
    )


def _person(raw: Table, where: str, keys: tuple[str, ...], problems: Problems) -> StaffMember:
    username = raw.get("username")
    label = f"{where.split(' #')[0]} {username}" if isinstance(username, str) and username else where
    f = Fields(raw, label, problems, keys)
    is_agent = "roles" not in keys
    person = StaffMember(
        username=f.text("username"),
        name=f.text("name"),
        roles=(AGENT,) if is_agent else f.texts("roles", non_empty=True),
        department=None if is_agent else f.optional_text("department"),
        window=None if is_agent else f.optional_text("window"),
        inferred=_inferred(f, keys),
    )
    if person.username and not USERNAME.match(person.username):
        f.problem("username", f"bad username {person.username!r} (lower-case ASCII letters, digits, _ . -)")
    for role in person.roles:
        if role not in STAFF_ROLES:
            f.problem("roles", f"unknown role {role!r}")
    return person


def _town(raw: Table, index: int, problems: Problems) -> TownCentre:
    where = f"town {raw.get('code') or '#' + str(index + 1)}"
    f = Fields(raw, where, problems, TOWN_KEYS)
    stations = []
    for i, station in enumerate(f.tables("stations", non_empty=True)):
        s = Fields(station, f"{where} station {station.get('code') or '#' + str(i + 1)}", problems, STATION_KEYS)
        agent = _person(s.table("agent") or {}, f"agent of {s.where}", AGENT_KEYS, problems)
        stations.append(VillageStation(s.text("code"), s.text("name"), agent, inferred=_inferred(s, STATION_KEYS)))
    town = TownCentre(
        code=f.text("code"),
        name=f.text("name"),
        windows=tuple(_window(t, f"{where} window", problems) for t in f.tables("windows", non_empty=True)),
        agents=tuple(_person(t, f"{where} agent", AGENT_KEYS, problems) for t in f.tables("agents", non_empty=True)),
        stations=tuple(stations),
        phone=f.phone("phone", required=False),
        inferred=_inferred(f, TOWN_KEYS),
    )
    missing = [c for c in TOWN_WINDOW_CATEGORIES if c not in town.categories()]
    if missing:
        f.problem("windows", f"missing window categories: {', '.join(missing)}")
    for window in town.windows:
        if window.category and window.category not in TOWN_WINDOW_CATEGORIES:
            f.problem("windows", f"window {window.code}: unknown town window category {window.category!r}")
    low, high = TOWN_AGENTS
    if not low <= len(town.agents) <= high:
        f.problem("agents", f"a town centre has {low}-{high} agents (代办员), not {len(town.agents)}")
    return town


def _check(org: Organisation, problems: Problems) -> None:
    departments = {d.code for d in org.departments}
    places = [w.code for w in org.windows] + [d.code for d in org.desks]
    town_places = [w.code for t in org.towns for w in t.windows] + [s.code for t in org.towns for s in t.stations]
    for label, codes in (
        ("departments", [d.code for d in org.departments]),
        ("windows", places + town_places + [t.code for t in org.towns] + [s.code for s in org.sub_centres]),
        ("people", [p.username for p in org.people()]),
        ("departments", [d.abbr for d in org.departments]),
    ):
        for code in duplicates(codes):
            problems.add("organisation", label, f"duplicate code {code!r}")
    for code in (org.code, *departments, *places, *town_places):
        if code and not CODE.match(code):
            problems.add("organisation", "code", f"bad code {code!r} (upper-case ASCII letters, digits, _ -)")
    if org.code in departments:
        problems.add("centre", "code", f"{org.code} is also a department code")
    _check_windows(org, departments, problems)
    _check_staff(org, departments | {org.code}, set(places), problems)
    if org.staff_count is not None and org.staff_count != len(org.staff):
        problems.add("centre", "staff_count", f"says {org.staff_count} but {len(org.staff)} staff are listed")


def _check_windows(org: Organisation, departments: set[str], problems: Problems) -> None:
    for window in org.windows:
        where = f"window {window.code}"
        if window.category and window.category not in CENTRE_WINDOW_CATEGORIES:
            problems.add(where, "category", f"unknown category {window.category!r}")
        if window.department is not None and window.department not in departments:
            problems.add(where, "department", f"unknown department {window.department!r}")
        if window.category == SPECIALISED and window.department is None:
            problems.add(where, "department", "a 专项 window belongs to a department")
    for category in (FAST_TRACK, SUPERVISION):
        if not org.windows_in(category):
            problems.add("windows", "category", f"no {category} window")
    for kind in (CONSULTATION, COMPLAINT):
        if not org.desks_of(kind):
            problems.add("desks", "kind", f"no {kind} desk")
    for department in org.departments:
        if not org.windows_of(department.code):
            problems.add(f"department {department.code}", "windows", "a stationed department has no window")


def _check_staff(org: Organisation, departments: set[str], places: set[str], problems: Problems) -> None:
    for person in org.staff:
        where = f"staff {person.username}"
        if person.department is not None and person.department not in departments:
            problems.add(where, "department", f"unknown department {person.department!r}")
        if person.window is not None and person.window not in places:
            problems.add(where, "window", f"unknown window {person.window!r}")
        window = org.windows_by_code.get(person.window or "")
        if window is not None and window.department not in (None, person.department):
            problems.add(
                where, "window", f"window {window.code} belongs to {window.department}, not {person.department}"
            )
        if AGENT in person.roles:
            problems.add(where, "roles", "agents belong to a town centre or village station, not the centre staff")
    for department in org.departments:
        chief = next((p for p in org.staff if p.username == department.chief_username), None)
        if chief is None or chief.department != department.code:
            problems.add(
                f"department {department.code}",
                "chief_username",
                f"{department.chief_username!r} is not a staff member of this department",
            )


def check_catalogue_against(org: Organisation, catalogue: Catalogue) -> list[str]:
    """Problems that make the catalogue unusable in this organisation (empty when clean): unknown departments
    or windows, names that disagree, phones that are not the window's, step roles nobody holds."""
    found: list[str] = []
    if catalogue.centre and catalogue.centre != org.name:
        found.append(f"catalogue: centre {catalogue.centre} is not {org.name}")
    complaint_phones = {desk.phone for desk in org.desks_of(COMPLAINT)}
    for dept in catalogue.departments:
        known = org.departments_by_code.get(dept.code)
        if known is None:
            found.append(f"department {dept.code}: not in the organisation")
            continue
        if (known.name, known.abbr) != (dept.name, dept.abbr):
            theirs = f"{known.name}/{known.abbr}"
            found.append(f"department {dept.code}: catalogue says {dept.name}/{dept.abbr}, organisation {theirs}")
        for code in dept.windows:
            if code not in org.windows_by_code or org.window(code).department != dept.code:
                found.append(f"department {dept.code}: window {code} is not one of its windows in the organisation")
    for item in catalogue.items:
        found.extend(_check_item(org, item.code, item.department, item.window, item.office_phone))
        if item.complaint_phone not in complaint_phones:
            found.append(f"item {item.code}: complaint_phone {item.complaint_phone} is not the complaint desk's")
        for step in item.steps:
            department = step.department or item.department
            if department in org.departments_by_code and not org.holders(step.role, department):
                found.append(f"item {item.code}: nobody holds {step.role} in {department} (step {step.name!r})")
    return found


def _check_item(org: Organisation, code: str, department: str, window_code: str, phone: str) -> list[str]:
    if department not in org.departments_by_code:
        return [f"item {code}: department {department} is not in the organisation"]
    window = org.windows_by_code.get(window_code)
    if window is None or window.department != department:
        return [f"item {code}: window {window_code} is not a window of {department}"]
    if window.phone and phone != window.phone:
        return [f"item {code}: office_phone {phone} is not window {window_code}'s phone {window.phone}"]
    return []
