"""The organisation as data: load processes/organisation.toml (departments, the centre, sub-centres, towns,
villages, windows and desks) into the database, show it to staff, and let an administrator edit it — each
edit one transaction, checked field by field. Staff accounts are not created here (that is demo data)."""

from __future__ import annotations

from typing import Any

from engine.domain.access import ADMIN, Principal
from engine.domain.organisation import CODE, USERNAME, Organisation
from engine.domain.organisation_model import CENTRE_WINDOW_CATEGORIES, SPECIALISED, STAFF_ROLES, TOWN_WINDOW_CATEGORIES
from engine.domain.toml_fields import PHONE
from engine.errors import InvalidTransition, NotFound, PermissionDenied
from engine.services.context import ServiceContext, UnitOfWorkLike
from engine.services.organisation_data import (
    CENTRE,
    DEPARTMENT_FIELDS,
    PARENT_KINDS,
    POINT_KINDS,
    WINDOW_FIELDS,
    EditInput,
    build_overview,
    confirmed,
    organisation_rows,
    window_categories,
)

CODE_HINT = "upper-case ASCII letters, digits, _ and -, starting with a letter"
PHONE_HINT = "a phone number like 0871-60000101"


def write_organisation(uow: UnitOfWorkLike, org: Organisation) -> dict[str, int]:
    """Upsert the whole organisation inside the caller's transaction (idempotent: loading twice changes
    nothing; records an administrator added are kept, loaded ones are reset to the file)."""
    departments, points, windows = organisation_rows(org)
    for department in departments:
        uow.organisation.upsert_department(department)
    for point in points:  # parents come first
        uow.organisation.upsert_service_point(point)
    for window in windows:
        uow.organisation.upsert_window(window)
    return {"departments": len(departments), "service_points": len(points), "windows": len(windows)}


class OrganisationService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def load(self, org: Organisation) -> dict[str, int]:
        """Load a validated organisation in one transaction; returns how many records of each kind it has."""
        with self._ctx.uow(write=True) as uow:
            counts = write_organisation(uow, org)
            uow.commit()
        return counts

    def overview(self, principal: Principal) -> dict[str, Any]:
        """The centre, its departments with windows and staff counts, the desks, sub-centres, and the towns
        with their windows, agents and village stations (for any staff member)."""
        if not principal.grants:
            raise PermissionDenied("only staff see the organisation")
        with self._ctx.uow() as uow:
            return build_overview(
                uow.organisation.departments(),
                uow.organisation.service_points(),
                uow.organisation.windows(),
                uow.organisation.staff_grants(),
            )

    # -- departments --------------------------------------------------------------------------------------
    def update_department(self, principal: Principal, code: str, /, **fields: object) -> dict[str, Any]:
        """Rename a department or change its 首席代表 (name, chief_representative, chief_username)."""
        _require_admin(principal)
        edit = EditInput(fields, ("name", "chief_representative", "chief_username"))
        edit.text("name", 255)
        edit.text("chief_representative", 64, nullable=True)
        edit.text("chief_username", 64, nullable=True, pattern=USERNAME, hint="a username (lower-case ASCII)")
        with self._ctx.uow(write=True) as uow:
            current = uow.organisation.department(code)
            if current is None:
                raise NotFound(f"no department {code!r}")
            chief = edit.values.get("chief_username")
            if chief is not None and uow.accounts.user_id(chief) is None:
                edit.fail("chief_username", f"no account {chief!r}")
            edit.check("the department cannot be changed")
            inferred = confirmed(current["inferred"] or [], edit.values, DEPARTMENT_FIELDS)
            uow.organisation.update_department(code, {**edit.values, "inferred": inferred})
            updated = uow.organisation.department(code)
            uow.commit()
        assert updated is not None
        return updated

    # -- windows ------------------------------------------------------------------------------------------
    def add_window(self, principal: Principal, /, **fields: object) -> dict[str, Any]:
        """Open a window (or desk: category 咨询/投诉) at a service point; a 专项 window names its department."""
        _require_admin(principal)
        edit = _window_input(fields, WINDOW_FIELDS, new=True)
        with self._ctx.uow(write=True) as uow:
            if "code" in edit.values and uow.organisation.window(edit.values["code"]) is not None:
                edit.fail("code", "a window with this code exists")
            row = {"department": None, "number": None, "phone": None, "note": None, **edit.values, "inferred": []}
            _check_window(uow, row, edit)
            edit.check("the window cannot be added")
            uow.organisation.upsert_window(row)
            uow.commit()
        return row

    def update_window(self, principal: Principal, code: str, /, **fields: object) -> dict[str, Any]:
        """Change a window's name, category, department, service point, number, phone or note."""
        _require_admin(principal)
        edit = _window_input(fields, WINDOW_FIELDS[1:], new=False)
        with self._ctx.uow(write=True) as uow:
            current = uow.organisation.window(code)
            if current is None:
                raise NotFound(f"no window {code!r}")
            row = {**current, **edit.values, "inferred": confirmed(current["inferred"], edit.values, WINDOW_FIELDS)}
            _check_window(uow, row, edit)
            edit.check("the window cannot be changed")
            uow.organisation.upsert_window(row)
            uow.commit()
        return row

    # -- service points -----------------------------------------------------------------------------------
    def add_service_point(self, principal: Principal, /, **fields: object) -> dict[str, Any]:
        """Add a sub-centre or town centre (under the centre) or a village station (under a town)."""
        _require_admin(principal)
        edit = EditInput(fields, ("code", "name", "kind", "parent_code", "category", "phone", "note"))
        edit.text("code", 32, required=True, pattern=CODE, hint=CODE_HINT)
        edit.text("name", 255, required=True)
        edit.choice("kind", POINT_KINDS, required=True)
        edit.text("parent_code", 32, nullable=True)
        edit.text("category", 32, nullable=True)
        edit.text("phone", 32, nullable=True, pattern=PHONE, hint=PHONE_HINT)
        edit.text("note", 2000, nullable=True)
        values = edit.values
        with self._ctx.uow(write=True) as uow:
            if "code" in values and uow.organisation.service_point(values["code"]) is not None:
                edit.fail("code", "a service point with this code exists")
            kind, parent_code = values.get("kind"), values.get("parent_code")
            parent = uow.organisation.service_point(parent_code) if parent_code else None
            if kind == CENTRE:
                if any(p["kind"] == CENTRE for p in uow.organisation.service_points()):
                    edit.fail("kind", "there is already a centre")
                if parent_code:
                    edit.fail("parent_code", "the centre has no parent")
            elif kind is not None and parent is None:
                edit.fail("parent_code", "no such service point" if parent_code else f"required for a {kind}")
            elif kind is not None and parent is not None and parent["kind"] != PARENT_KINDS[kind]:
                edit.fail("parent_code", f"a {kind} belongs to a {PARENT_KINDS[kind]}, not a {parent['kind']}")
            edit.check("the service point cannot be added")
            row = {"parent_code": None, "category": None, "phone": None, "note": None, **values}
            row.update(agents=[], details={}, inferred=[])
            uow.organisation.upsert_service_point(row)
            uow.commit()
        return row

    # -- staff --------------------------------------------------------------------------------------------
    def assign_staff(self, principal: Principal, username: str, /, **fields: object) -> dict[str, Any]:
        """Grant a role (in a department, at a window) to an existing account; granting it again moves the
        grant to the window named."""
        _require_admin(principal)
        edit = EditInput(fields, ("role", "department", "window"))
        edit.choice("role", STAFF_ROLES, required=True)
        edit.text("department", 32, nullable=True)
        edit.text("window", 32, nullable=True)
        role, department, window = (edit.values.get(k) for k in ("role", "department", "window"))
        with self._ctx.uow(write=True) as uow:
            user_id = _user_id(uow, username)
            if department is not None and not uow.accounts.department_exists(department):
                edit.fail("department", "no such department")
            found = uow.organisation.window(window) if window else None
            if window and found is None:
                edit.fail("window", "no such window or desk")
            elif found is not None and found["department"] not in (None, department) and "department" in edit.values:
                edit.fail("window", f"window {window} belongs to {found['department']}, not {department or '-'}")
            edit.check("the role cannot be granted")
            uow.accounts.grant(user_id, role, department, window)
            if "window" in fields:
                uow.accounts.set_window(user_id, role, department, window)
            staff = _staff(uow, username)
            uow.commit()
        return staff

    def remove_role(self, principal: Principal, username: str, /, **fields: object) -> dict[str, Any]:
        """Take a role (in a department, or the centre-wide grant) from an account; the last admin stays."""
        _require_admin(principal)
        edit = EditInput(fields, ("role", "department"))
        edit.text("role", 64, required=True)
        edit.text("department", 32, nullable=True)
        edit.check("the role cannot be removed")
        role, department = edit.values["role"], edit.values.get("department")
        with self._ctx.uow(write=True) as uow:
            if not uow.accounts.revoke(_user_id(uow, username), role, department):
                raise NotFound(f"{username} does not hold {role} in {department or 'the whole centre'}")
            if role == ADMIN and uow.accounts.holder_count(ADMIN) == 0:
                raise InvalidTransition("the last administrator cannot lose the admin role")
            staff = _staff(uow, username)
            uow.commit()
        return staff


def _require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PermissionDenied("only administrators edit the organisation")


def _user_id(uow: UnitOfWorkLike, username: str) -> int:
    user_id = uow.accounts.user_id(username)
    if user_id is None:
        raise NotFound(f"no account {username!r}")
    return int(user_id)


def _staff(uow: UnitOfWorkLike, username: str) -> dict[str, Any]:
    grants = uow.organisation.staff_grants(username)
    return {
        "username": username,
        "display_name": grants[0]["display_name"] if grants else None,
        "roles": [{k: g[k] for k in ("role", "department", "window")} for g in grants],
    }


def _window_input(fields: dict[str, object], allowed: tuple[str, ...], *, new: bool) -> EditInput:
    edit = EditInput(fields, allowed)
    if new:
        edit.text("code", 32, required=True, pattern=CODE, hint=CODE_HINT)
    edit.text("name", 255, required=new)
    edit.text("category", 32, required=new)
    edit.text("department", 32, nullable=True)
    edit.text("service_point", 32, required=new)
    edit.number("number")
    edit.text("phone", 32, nullable=True, pattern=PHONE, hint=PHONE_HINT)
    edit.text("note", 2000, nullable=True)
    return edit


def _check_window(uow: UnitOfWorkLike, row: dict[str, Any], edit: EditInput) -> None:
    """Cross-checks against the database: the point exists and takes this category, the department exists,
    a 专项 window has one, and the number is free at that point."""
    code, category, department = row.get("service_point"), row.get("category"), row.get("department")
    point = uow.organisation.service_point(code) if code else None
    allowed = window_categories(point["kind"]) if point else (*CENTRE_WINDOW_CATEGORIES, *TOWN_WINDOW_CATEGORIES)
    if code and point is None:
        edit.fail("service_point", "no such service point")
    elif point is not None and not allowed:
        edit.fail("service_point", "a village station has no windows (its agent serves it)")
    if category and allowed and category not in allowed:
        where = f"at a {point['kind']}: " if point else ""
        edit.fail("category", f"{where}one of {', '.join(allowed)}")
    failed = {e.field for e in edit.errors}
    if department is not None and "department" not in failed and uow.organisation.department(department) is None:
        edit.fail("department", "no such department")
    if category == SPECIALISED and department is None and "department" not in failed:
        edit.fail("department", "a 专项 window belongs to a department")
    if row.get("number") is not None and point is not None:
        taken = [
            w["code"]
            for w in uow.organisation.windows()
            if w["service_point"] == code and w["number"] == row["number"] and w["code"] != row.get("code")
        ]
        if taken:
            edit.fail("number", f"number {row['number']} is window {taken[0]}'s")
