"""The service centre's organisation as frozen records: departments, windows, desks, sub-centres, town
为民服务中心 with their village stations and agents, and the centre staff."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType

from engine.domain.access import ADMIN, DESIGNER, SUPERVISOR
from engine.domain.toml_fields import WHOLE_RECORD

FAST_TRACK = "并联审批(快速通道)"
SUPERVISION = "纪委监察"
SPECIALISED = "专项"
CENTRE_WINDOW_CATEGORIES = ("综合受理", SPECIALISED, "咨询", "投诉", FAST_TRACK, SUPERVISION)
CONSULTATION = "咨询"
COMPLAINT = "投诉"
DESK_KINDS = (CONSULTATION, COMPLAINT)
#: the four window categories of every town 为民服务中心 (the Songming report)
TOWN_WINDOW_CATEGORIES = ("经济发展类", "社会事务类", "综治维稳类", "党建群团类")
TOWN_AGENTS = (2, 3)  # "设立2至3名代办员"
AGENT = "agent"
STAFF_ROLES = (
    ADMIN, DESIGNER, "window_officer", "case_officer", "reviewer", "approver", SUPERVISOR, "consultant",
    "complaint_officer", "fast_track_officer", AGENT,
)  # fmt: skip


class OrganisationError(ValueError):
    """The organisation text is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(f"{len(problems)} problem(s) in the organisation:\n" + "\n".join(problems))


class _Provenance:
    """``inferred`` names the record's fields that are not sourced; "*" marks the whole record as fictional."""

    inferred: frozenset[str]

    def is_inferred(self, field: str) -> bool:
        return WHOLE_RECORD in self.inferred or field in self.inferred


@dataclass(frozen=True)
class Department(_Provenance):
    code: str  # the platform's department code (lanes: role@CODE)
    abbr: str  # pinyin abbreviation used in item codes
    name: str
    chief_representative: str  # 首席代表
    chief_username: str
    inferred: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Window(_Provenance):
    code: str
    name: str
    category: str
    department: str | None = None  # None: a window of the centre itself (or of a town centre)
    number: int | None = None
    phone: str = ""
    note: str = ""
    inferred: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Desk(_Provenance):
    code: str
    name: str
    kind: str  # 咨询 | 投诉
    phone: str
    note: str = ""
    inferred: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SubCentre(_Provenance):
    code: str
    name: str
    kind: str
    note: str = ""
    inferred: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StaffMember(_Provenance):
    username: str
    name: str
    roles: tuple[str, ...]
    department: str | None = None  # None: the roles are held centre-wide
    window: str | None = None  # a window or desk code
    inferred: frozenset[str] = frozenset()

    def holds(self, role: str, department: str | None) -> bool:
        return role in self.roles and (self.department is None or department is None or self.department == department)


@dataclass(frozen=True)
class VillageStation(_Provenance):
    code: str
    name: str
    agent: StaffMember  # 村代办员: 全程代办 / 授权代办
    inferred: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TownCentre(_Provenance):
    code: str
    name: str
    windows: tuple[Window, ...]
    agents: tuple[StaffMember, ...]
    stations: tuple[VillageStation, ...]
    phone: str = ""
    inferred: frozenset[str] = frozenset()

    def categories(self) -> frozenset[str]:
        return frozenset(window.category for window in self.windows)


@dataclass(frozen=True)
class Organisation(_Provenance):
    code: str
    name: str
    authority: str
    departments: tuple[Department, ...]
    windows: tuple[Window, ...]
    desks: tuple[Desk, ...]
    sub_centres: tuple[SubCentre, ...]
    towns: tuple[TownCentre, ...]
    staff: tuple[StaffMember, ...]
    sections: tuple[str, ...] = ()
    hotline: str = ""
    staff_count: int | None = None
    note: str = ""
    inferred: frozenset[str] = frozenset()

    @cached_property
    def departments_by_code(self) -> Mapping[str, Department]:
        return MappingProxyType({d.code: d for d in self.departments})

    @cached_property
    def windows_by_code(self) -> Mapping[str, Window]:
        return MappingProxyType({w.code: w for w in self.windows})

    def department(self, code: str) -> Department:
        return self.departments_by_code[code]

    def window(self, code: str) -> Window:
        return self.windows_by_code[code]

    def windows_of(self, department: str) -> tuple[Window, ...]:
        return tuple(w for w in self.windows if w.department == department)

    def windows_in(self, category: str) -> tuple[Window, ...]:
        return tuple(w for w in self.windows if w.category == category)

    def desks_of(self, kind: str) -> tuple[Desk, ...]:
        return tuple(d for d in self.desks if d.kind == kind)

    def staff_of(self, department: str) -> tuple[StaffMember, ...]:
        return tuple(s for s in self.staff if s.department == department)

    def holders(self, role: str, department: str | None) -> tuple[StaffMember, ...]:
        """Centre staff who may act in ``role`` for ``department`` (centre-wide grants included)."""
        return tuple(s for s in self.staff if s.holds(role, department))

    def agents(self) -> tuple[StaffMember, ...]:
        """Town 代办员 and village agents."""
        return tuple(
            person for town in self.towns for person in (*town.agents, *(station.agent for station in town.stations))
        )

    def people(self) -> tuple[StaffMember, ...]:
        """Everyone who may get an account: centre staff and all agents."""
        return (*self.staff, *self.agents())
