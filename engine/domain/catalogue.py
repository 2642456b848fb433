"""Load the item catalogue (processes/catalog.toml) and validate it, reporting every problem at once."""

from __future__ import annotations

import math
import re
import tomllib
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.domain.catalogue_model import (
    APPROVER,
    CALENDAR_DAYS,
    INFERABLE,
    ITEM_TYPES,
    LICENCE,
    MATERIAL_FORMS,
    NO_FEE,
    NOT_COUNTED_BY_LAW,
    SPECIAL_PROCEDURES,
    STEP_ROLES,
    TIME_UNITS,
    TYPE_CODES,
    WINDOW_OFFICER,
    WORKING_DAYS,
    Catalogue,
    CatalogueDepartment,
    CatalogueError,
    Charge,
    Fee,
    Item,
    LegalBasis,
    Material,
    SpecialProcedure,
    Step,
    WarningRule,
)
from engine.domain.toml_fields import Fields, Problems, Table, check_inferred_names, duplicates
from engine.domain.warnings import Thresholds

__all__ = [
    "Catalogue", "CatalogueDepartment", "CatalogueError", "Charge", "Fee", "Item", "LegalBasis", "Material",
    "SpecialProcedure", "Step", "load_catalogue",
]  # fmt: skip

ITEM_CODE = re.compile(r"^(?P<type>XK|FXK|FW)-(?P<abbr>[A-Z]{2,6})-(?P<seq>\d{3})$")
DEPARTMENT_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
ROOT_KEYS = ("schema_version", "centre", "always_inferred", "departments", "items")
ITEM_KEYS = (
    "code", "source_no", "name", "type", "department", "window", "legal_basis", "conditions", "materials",
    "fee", "statutory_days", "statutory_unit", "statutory_note", "extension_days", "promised_days", "instant",
    "steps", "special_procedures", "office_phone", "complaint_phone", "online", "visits", "result", "sources",
    "inferred", "notes", "warning",
)  # fmt: skip
VISITS = (0, 1, 2)  # 最多跑几次


def load_catalogue(text: str) -> Catalogue:
    """Parse and validate catalogue TOML; raise CatalogueError listing every problem (item code and field)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError([f"catalogue: TOML: {exc}"]) from exc
    problems = Problems()
    root = Fields(data, "catalogue", problems, ROOT_KEYS)
    always = root.texts("always_inferred", required=False)
    check_inferred_names(root, always, INFERABLE)
    departments = _departments(root.tables("departments", non_empty=True), problems)
    items = tuple(
        _item(raw, index, departments, frozenset(always), problems)
        for index, raw in enumerate(root.tables("items", non_empty=True))
    )
    for code in duplicates(item.code for item in items):
        problems.add(f"item {code}", "code", "duplicate code")
    if problems.lines:
        raise CatalogueError(problems.lines)
    return Catalogue(items, tuple(departments.values()), centre=root.text("centre", required=False))


def _departments(tables: list[Table], problems: Problems) -> dict[str, CatalogueDepartment]:
    found: dict[str, CatalogueDepartment] = {}
    for index, raw in enumerate(tables):
        f = Fields(raw, f"department #{index + 1}", problems, ("code", "abbr", "name", "windows"))
        dept = CatalogueDepartment(f.text("code"), f.text("abbr"), f.text("name"), f.texts("windows", non_empty=True))
        f.where = f"department {dept.code}"
        if dept.code and not DEPARTMENT_CODE.match(dept.code):
            f.problem("code", "expected upper-case ASCII letters, digits and _")
        if dept.abbr and not re.fullmatch(r"[A-Z]{2,6}", dept.abbr):
            f.problem("abbr", "expected 2-6 upper-case ASCII letters")
        if dept.code in found:
            f.problem("code", "duplicate department")
        found[dept.code] = dept
    for abbr in duplicates(d.abbr for d in found.values()):
        problems.add("departments", "abbr", f"duplicate abbreviation {abbr}")
    for window in duplicates(w for d in found.values() for w in d.windows):
        problems.add("departments", "windows", f"window {window} is declared for more than one department")
    return found


def _item(
    raw: Table, index: int, departments: dict[str, CatalogueDepartment], always: frozenset[str], problems: Problems
) -> Item:
    hint = raw.get("code")
    where = f"item {hint}" if isinstance(hint, str) and hint else f"item #{index + 1}"
    f = Fields(raw, where, problems, ITEM_KEYS)
    own_inferred = f.texts("inferred")
    check_inferred_names(f, own_inferred, INFERABLE)
    item = Item(
        code=f.text("code"),
        name=f.text("name"),
        type=f.text("type"),
        department=f.text("department"),
        window=f.text("window"),
        legal_basis=tuple(_legal_basis(t, f"{where} legal_basis[{i}]", problems) for i, t in _each(f, "legal_basis")),
        conditions=f.texts("conditions", non_empty=True),
        materials=tuple(_material(t, f"{where} materials[{i}]", problems) for i, t in _each(f, "materials")),
        fee=_fee(f.table("fee"), f"{where} fee", problems),
        statutory_days=f.integer("statutory_days", required=False),
        statutory_unit=f.text("statutory_unit", required=False, default=WORKING_DAYS),
        statutory_note=f.text("statutory_note", required=False),
        extension_days=f.integer("extension_days", required=False, minimum=1),
        promised_days=f.integer("promised_days") or 0,
        instant=f.flag("instant"),
        steps=tuple(_step(t, f"{where} steps[{i}]", problems) for i, t in _each(f, "steps")),
        special_procedures=tuple(
            _special(t, f"{where} special_procedures[{i}]", problems)
            for i, t in enumerate(f.tables("special_procedures"))
        ),
        office_phone=f.phone("office_phone"),
        complaint_phone=f.phone("complaint_phone"),
        online=f.flag("online"),
        visits=_visits(f),
        result=f.text("result"),
        inferred=always | frozenset(own_inferred),
        source_no=f.integer("source_no", required=False, minimum=1),
        sources=f.texts("sources", required=False),
        notes=f.text("notes", required=False),
        warning=_warning(f.table("warning", required=False), f"{where} warning", problems),
    )
    _check_identity(f, item, departments)
    _check_limits(f, item)
    _check_steps(f, item, departments)
    _check_special_procedures(f, item)
    if item.materials and not any(m.required for m in item.materials):
        f.problem("materials", "at least one material must be required")
    return item


def _each(f: Fields, key: str) -> enumerate[Table]:
    return enumerate(f.tables(key, non_empty=True))


def _visits(f: Fields) -> int:
    visits = f.integer("visits")
    if visits is not None and visits not in VISITS:
        f.problem("visits", f"must be one of {VISITS} (最多跑几次)")
    return visits or 0


def _legal_basis(raw: Table, where: str, problems: Problems) -> LegalBasis:
    f = Fields(raw, where, problems, ("law", "article", "note"))
    basis = LegalBasis(f.text("law"), f.text("article", required=False), f.text("note", required=False))
    if "article" not in raw:
        f.problem("article", 'missing required field (use "" with a note when the article was not read)')
    elif not basis.article.strip() and not basis.note.strip():
        f.problem("article", "empty article needs a note saying why")
    return basis


def _material(raw: Table, where: str, problems: Problems) -> Material:
    f = Fields(raw, where, problems, ("name", "form", "copies", "required", "note"))
    material = Material(
        f.text("name"),
        f.text("form"),
        f.integer("copies", minimum=1) or 1,
        f.flag("required"),
        f.text("note", required=False),
    )
    if material.form and material.form not in MATERIAL_FORMS:
        f.problem("form", f"unknown form {material.form!r} (expected one of {', '.join(MATERIAL_FORMS)})")
    return material


def _fee(raw: Table | None, where: str, problems: Problems) -> Fee:
    f = Fields(raw or {}, where, problems, ("amount_text", "basis", "charges"))
    tables = f.tables("charges", required=False, non_empty=True)
    charges = tuple(_charge(table, f"{where} charges[{i}]", problems) for i, table in enumerate(tables))
    fee = Fee(f.text("amount_text"), f.text("basis"), charges)
    if charges and fee.is_free:
        f.problem("charges", f"an item whose fee is {NO_FEE!r} cannot list charges")
    for name in duplicates(charge.name for charge in charges if charge.name):
        f.problem("charges", f"duplicate charge {name!r}")
    return fee


def _charge(raw: Table, where: str, problems: Problems) -> Charge:
    f = Fields(raw, where, problems, ("name", "amount", "statutory", "basis"))
    return Charge(f.text("name"), _amount(f), f.flag("statutory"), f.text("basis"))


def _amount(f: Fields) -> str:
    """The amount in yuan as decimal text with at most two places (fen); "" when missing or malformed."""
    value = f.raw.get("amount")
    if value is None:
        f.problem("amount", "missing required field")
        return ""
    if not isinstance(value, str):
        # a TOML float may not hold the amount exactly; text is read as an exact decimal
        f.problem("amount", f'write yuan as decimal text, e.g. "550.00", not {value!r}')
        return ""
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        f.problem("amount", f'not an amount in yuan: {value!r} (e.g. "550.00")')
        return ""
    exponent = amount.as_tuple().exponent
    if not amount.is_finite() or amount < 0 or (isinstance(exponent, int) and exponent < -2):
        f.problem("amount", f"must be a non-negative amount in yuan with at most two decimals, not {value!r}")
        return ""
    return value.strip()


def _step(raw: Table, where: str, problems: Problems) -> Step:
    f = Fields(raw, where, problems, ("role", "name", "days", "department", "note"))
    step = Step(
        role=f.text("role"),
        name=f.text("name"),
        days=f.integer("days", required=False),
        department=f.optional_text("department"),
        note=f.text("note", required=False),
    )
    if step.role and step.role not in STEP_ROLES:
        f.problem("role", f"unknown role {step.role!r} (expected one of {', '.join(STEP_ROLES)})")
    return step


def _special(raw: Table, where: str, problems: Problems) -> SpecialProcedure:
    f = Fields(raw, where, problems, ("name", "counted", "max_days", "unit", "note"))
    procedure = SpecialProcedure(
        name=f.text("name"),
        counted=f.flag("counted"),
        max_days=f.integer("max_days", required=False, minimum=1),
        unit=f.text("unit", required=False, default=WORKING_DAYS),
        note=f.text("note", required=False),
    )
    if procedure.name and procedure.name not in SPECIAL_PROCEDURES:
        f.problem("name", f"unknown special procedure {procedure.name!r}")
    if procedure.unit not in TIME_UNITS:
        f.problem("unit", f"expected one of {', '.join(TIME_UNITS)}")
    return procedure


def _check_identity(f: Fields, item: Item, departments: dict[str, CatalogueDepartment]) -> None:
    if item.type and item.type not in ITEM_TYPES:
        f.problem("type", f"unknown type {item.type!r} (expected one of {', '.join(ITEM_TYPES)})")
    department = departments.get(item.department)
    if item.department and department is None:
        f.problem("department", f"unknown department {item.department!r}")
    if department is not None and item.window and item.window not in department.windows:
        f.problem("window", f"unknown window {item.window!r} for department {item.department}")
    match = ITEM_CODE.match(item.code)
    if item.code and match is None:
        f.problem("code", f"bad item code {item.code!r} (expected e.g. XK-ZRZY-001)")
    elif match is not None:
        if item.type in TYPE_CODES and match["type"] != TYPE_CODES[item.type]:
            f.problem("code", f"type segment {match['type']} does not match type {item.type} ({TYPE_CODES[item.type]})")
        if department is not None and match["abbr"] != department.abbr:
            f.problem("code", f"department segment {match['abbr']} is not {department.abbr} ({department.code})")


def _check_limits(f: Fields, item: Item) -> None:
    if item.statutory_unit not in TIME_UNITS:
        f.problem("statutory_unit", f"expected one of {', '.join(TIME_UNITS)}")
    if item.statutory_days is None and not item.statutory_note.strip():
        f.problem(
            "statutory_days", "missing required field (omit it only with a statutory_note saying why none is set)"
        )
    if item.statutory_unit == CALENDAR_DAYS and not item.statutory_note.strip():
        f.problem("statutory_note", "a limit in 日 (calendar days) needs a note quoting the law's wording")
    if item.statutory_days is not None and not _fits(item.promised_days, item.statutory_days, item.statutory_unit):
        f.problem(
            "promised_days",
            f"promised {item.promised_days} 工作日 exceeds the statutory {item.statutory_days} {item.statutory_unit}",
        )
    if item.instant and item.promised_days != 0:
        f.problem("promised_days", "an instant item (即办件) is done on the spot: promised_days must be 0")
    if not item.instant and item.promised_days == 0:
        f.problem("promised_days", "0 means 当场办结: set instant = true or promise at least 1 working day")


def _fits(promised_workdays: int, statutory: int, unit: str) -> bool:
    """Promised working days must end inside the statutory limit. A limit in calendar days holds 5 working
    days per 7 days at best, so n working days need at least ceil(7n/5) calendar days (holidays aside:
    deadlines themselves come from the work calendar, which takes the earlier of the two)."""
    if unit == CALENDAR_DAYS:
        return math.ceil(promised_workdays * 7 / 5) <= statutory
    return promised_workdays <= statutory


def _check_steps(f: Fields, item: Item, departments: dict[str, CatalogueDepartment]) -> None:
    roles = [step.role for step in item.steps]
    if not roles:
        return
    if item.instant and roles != [WINDOW_OFFICER]:
        f.problem("steps", f"an instant item has only the {WINDOW_OFFICER} step, not {roles}")
    if roles[0] != WINDOW_OFFICER:
        f.problem("steps", f"the first step must be {WINDOW_OFFICER} (受理), not {roles[0]!r}")
    if not item.instant and roles[-1] != APPROVER:
        f.problem("steps", f"the last step of a 承诺件 must be {APPROVER} (决定), not {roles[-1]!r}")
    for step in item.steps:
        if step.department is not None and step.department not in departments:
            f.problem("steps", f"step {step.name!r} names unknown department {step.department!r}")
    total = sum(step.days or 0 for step in item.steps)
    if total > item.promised_days:
        f.problem("steps", f"step limits add up to {total} working days, more than promised {item.promised_days}")


def _check_special_procedures(f: Fields, item: Item) -> None:
    if item.type != LICENCE:
        return
    for procedure in item.special_procedures:
        if procedure.name in NOT_COUNTED_BY_LAW and procedure.counted:
            f.problem(
                "special_procedures", f"{procedure.name} is not counted toward a licence's limit (行政许可法第四十五条)"
            )


def _warning(raw: Table | None, where: str, problems: Problems) -> WarningRule | None:
    """An item's own 黄牌/红牌 thresholds: ``warning = {yellow = 0.4, red = 0.8, short_limit_days = 3}``."""
    if raw is None:
        return None
    f = Fields(raw, where, problems, ("yellow", "red", "short_limit_days"))
    default = Thresholds()
    values: dict[str, Any] = {}
    for key in ("yellow", "red"):
        value = raw.get(key, float(getattr(default, key)))
        if isinstance(value, bool) or not isinstance(value, int | float):
            f.problem(key, "expected a share of the promised limit, e.g. 0.5")
            return None
        values[key] = float(value)
    short = f.integer("short_limit_days", required=False, minimum=0)
    values["short_limit_days"] = default.short_limit_days if short is None else short
    try:  # the same rule the supervision applies: 0 < yellow < red <= 1
        Thresholds(Decimal(str(values["yellow"])), Decimal(str(values["red"])), values["short_limit_days"])
    except ValueError as error:
        f.problem("yellow", str(error))
        return None
    return WarningRule(values["yellow"], values["red"], values["short_limit_days"])
