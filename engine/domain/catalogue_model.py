"""The service-item catalogue (事项目录 / 办事指南) as frozen records: one item's guide and the whole catalogue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType

LICENCE = "行政许可"
NON_LICENCE = "非行政许可审批"
SERVICE = "管理服务事项"
ITEM_TYPES = (LICENCE, NON_LICENCE, SERVICE)
#: the type segment of an item code (事项类型代码, as in the county coding practice of the domain doc §3.2)
TYPE_CODES = {LICENCE: "XK", NON_LICENCE: "FXK", SERVICE: "FW"}

MATERIAL_FORMS = ("原件", "复印件", "原件及复印件", "电子")
WORKING_DAYS = "工作日"
CALENDAR_DAYS = "日"
TIME_UNITS = (WORKING_DAYS, CALENDAR_DAYS)
NO_FEE = "不收费"

WINDOW_OFFICER = "window_officer"
APPROVER = "approver"
STEP_ROLES = (WINDOW_OFFICER, "case_officer", "reviewer", APPROVER)

#: 行政许可法第四十五条: the time these take is not counted in a licence's limit (the applicant is told so)
NOT_COUNTED_BY_LAW = frozenset({"听证", "招标", "拍卖", "检验", "检测", "检疫", "鉴定", "专家评审"})
SPECIAL_PROCEDURES = (
    *sorted(NOT_COUNTED_BY_LAW),
    "中介评估",
    "现场核查",
    "公示",
    "公告",
    "征求意见",
    "体检",
    "面试",
)

#: fields an item's ``inferred`` list may name, and the parts of structured fields it may name ("fee.basis")
GUIDE_FIELDS = (
    "code", "name", "type", "department", "window", "legal_basis", "conditions", "materials", "fee",
    "statutory_days", "statutory_unit", "extension_days", "promised_days", "instant", "steps",
    "special_procedures", "office_phone", "complaint_phone", "online", "visits", "result", "warning",
)  # fmt: skip
SUB_FIELDS = {
    "legal_basis": ("law", "article", "note"),
    "materials": ("name", "form", "copies", "required", "note"),
    "fee": ("amount_text", "basis", "charges"),
    "steps": ("role", "name", "days", "department", "note"),
    "special_procedures": ("name", "counted", "max_days", "unit", "note"),
}
INFERABLE = frozenset(GUIDE_FIELDS) | {f"{name}.{part}" for name, parts in SUB_FIELDS.items() for part in parts}


class CatalogueError(ValueError):
    """The catalogue text is invalid; ``problems`` lists every problem found, each with its item and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(f"{len(problems)} problem(s) in the catalogue:\n" + "\n".join(problems))


@dataclass(frozen=True)
class LegalBasis:
    law: str
    article: str  # "" only when the article number was not read (then ``note`` says so)
    note: str = ""


@dataclass(frozen=True)
class Material:
    name: str
    form: str  # one of MATERIAL_FORMS
    copies: int
    required: bool
    note: str = ""


@dataclass(frozen=True)
class Charge:
    """One itemised charge of an item's fee (收费明细)."""

    name: str
    amount: str  # yuan as decimal text, e.g. "550.00": exact, never a float
    statutory: bool  # 法定收费: set by law, regulation or the approved 行政事业性收费 list
    basis: str  # where the charge (or its being statutory or not) comes from


@dataclass(frozen=True)
class Fee:
    amount_text: str  # "不收费" or the amount as published
    basis: str
    #: the itemised charges; empty: the fee is only published as ``amount_text`` (as before charges existed)
    charges: tuple[Charge, ...] = ()

    @property
    def is_free(self) -> bool:
        return self.amount_text == NO_FEE


@dataclass(frozen=True)
class Step:
    role: str  # one of STEP_ROLES
    name: str
    days: int | None = None  # per-step limit in working days
    department: str | None = None  # another department's opinion; None: the item's own department
    note: str = ""


@dataclass(frozen=True)
class SpecialProcedure:
    name: str  # 听证, 检测, 专家评审, 现场核查, 公示, 征求意见 …
    counted: bool  # True: its time counts toward the limit
    max_days: int | None = None
    unit: str = WORKING_DAYS
    note: str = ""


@dataclass(frozen=True)
class WarningRule:
    """黄牌/红牌 thresholds of one item: the shares of its promised limit that turn a case yellow and red, and
    the limit (working days) up to which one working day left is already yellow."""

    yellow: float
    red: float
    short_limit_days: int


@dataclass(frozen=True)
class Item:
    """One approval or service item with its full 办事指南."""

    code: str
    name: str
    type: str
    department: str
    window: str
    legal_basis: tuple[LegalBasis, ...]
    conditions: tuple[str, ...]
    materials: tuple[Material, ...]
    fee: Fee
    statutory_days: int | None  # None: no statutory limit is set (statutory_note says why)
    statutory_unit: str
    statutory_note: str
    extension_days: int | None
    promised_days: int  # working days; 0 = 当场办结
    instant: bool
    steps: tuple[Step, ...]
    special_procedures: tuple[SpecialProcedure, ...]
    office_phone: str
    complaint_phone: str
    online: bool
    visits: int
    result: str
    inferred: frozenset[str]
    source_no: int | None = None
    sources: tuple[str, ...] = ()
    notes: str = ""
    #: the centre's own supervision thresholds for this item (None: the defaults of engine.domain.warnings)
    warning: WarningRule | None = None

    def is_inferred(self, field: str) -> bool:
        """True when the value at ``field`` ("fee", "materials.copies") is not sourced: the field itself or the
        structured field it belongs to is listed as inferred. Such values must never be shown as official."""
        if field in self.inferred:
            return True
        parent, dot, _ = field.partition(".")
        return bool(dot) and parent in self.inferred

    def has_inferred_part(self, field: str) -> bool:
        """True when ``field`` or any part of it ("materials.copies" for "materials") is inferred."""
        return field in self.inferred or any(name.startswith(field + ".") for name in self.inferred)

    @property
    def kind(self) -> str:
        return "即办件" if self.instant else "承诺件"

    @property
    def counted_procedures(self) -> tuple[SpecialProcedure, ...]:
        return tuple(p for p in self.special_procedures if p.counted)

    @property
    def uncounted_procedures(self) -> tuple[SpecialProcedure, ...]:
        return tuple(p for p in self.special_procedures if not p.counted)


@dataclass(frozen=True)
class CatalogueDepartment:
    """A department as the catalogue names it; the organisation holds the full record."""

    code: str
    abbr: str  # pinyin abbreviation used in item codes
    name: str
    windows: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    items: tuple[Item, ...]
    departments: tuple[CatalogueDepartment, ...]
    centre: str = ""

    @cached_property
    def by_code(self) -> Mapping[str, Item]:
        return MappingProxyType({item.code: item for item in self.items})

    def item(self, code: str) -> Item:
        return self.by_code[code]

    def by_department(self, department: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.department == department)

    def by_type(self, item_type: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.type == item_type)

    def counts_by_type(self) -> dict[str, int]:
        return {item_type: len(self.by_type(item_type)) for item_type in ITEM_TYPES}

    def department_codes(self) -> tuple[str, ...]:
        """Departments that have at least one item, in declaration order."""
        used = {item.department for item in self.items}
        return tuple(d.code for d in self.departments if d.code in used)

    def department(self, code: str) -> CatalogueDepartment:
        for department in self.departments:
            if department.code == code:
                return department
        raise KeyError(code)
