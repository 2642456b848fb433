"""Load what every installation needs (calendar, departments, processes, forms) and, on request, demo data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.bootstrap import Platform
from engine.demo_accountability import generate_accountability
from engine.demo_agency import generate_agency
from engine.demo_cases import generate
from engine.demo_complaints import generate_complaints
from engine.demo_discipline import generate_discipline
from engine.demo_projects import generate_projects
from engine.demo_rectification import generate_rectification
from engine.demo_towns import generate_towns
from engine.demo_warnings import fire_demo_warnings
from engine.domain.access import Principal, RoleGrant
from engine.domain.organisation import load_organisation
from engine.services.definitions import read_paths

Out = Callable[[str], None]

#: the departments the bundled processes name in their lanes (the full catalogue adds the rest)
BASE_DEPARTMENTS = [
    ("CENTRE", "县政务服务管理局"),
    ("LAND", "县自然资源局"),
    ("HOUSING", "县住房和城乡建设局"),
    ("ENV", "市生态环境局县分局"),
]

DEMO_PASSWORD = "onestop-demo"  # noqa: S105 - printed for the demo, documented as such
DEMO_USERS = [
    # username, display name, roles, department
    ("admin", "系统管理员", ["admin"], None),
    ("designer", "流程设计员", ["designer"], None),
    ("supervisor", "纪委监察窗口", ["supervisor"], None),
    ("window", "综合受理窗口 李窗口", ["window_officer"], "CENTRE"),
    ("land", "自然资源局审查员 王审查", ["reviewer"], "LAND"),
    ("housing", "住建局审查员 赵审查", ["reviewer"], "HOUSING"),
    ("env", "生态环境局审查员 钱审查", ["reviewer"], "ENV"),
    ("approver", "分管领导 孙批准", ["approver"], "CENTRE"),
]


def load_platform_data(platform: Platform, out: Out) -> None:
    years = platform.calendar.ensure_current_years()
    for info in years:
        out(f"calendar {info.year}: {'provisional' if info.provisional else 'official'} ({info.source})")
    for code, name in BASE_DEPARTMENTS:
        platform.accounts.add_department(code, name)
    settings = platform.settings
    if (settings.processes_dir / "catalog.toml").is_file():
        departments, items = platform.catalogue.load()
        out(f"organisation: {departments} departments; catalogue: {items} items")
    paths = [p for p in (settings.processes_dir, settings.forms_dir) if p.is_dir()]
    if paths:
        for item in platform.definitions.deploy(read_paths(paths), actor="init"):
            state = "deployed" if item.created else "unchanged"
            out(f"process {item.version.process_id} v{item.version.version} {state}")


def _organisation_staff(platform: Platform) -> list[Any]:
    path = platform.settings.processes_dir / "organisation.toml"
    if not path.is_file():
        return []
    organisation = load_organisation(path.read_text(encoding="utf-8"))
    people = list(organisation.staff)
    for town in organisation.towns:
        people += list(town.agents) + [station.agent for station in town.stations]
    return people


def load_demo(platform: Platform, out: Out, *, cases: int = 300) -> None:
    """Demo accounts (every staff member of processes/organisation.toml, plus a designer and the reference
    process's reviewers) with one shared password, a few reference-process instances, and sample cases."""
    staff = _organisation_staff(platform)
    known = set()
    for member in staff:
        departments = [member.department] if member.department else [None]
        for department in departments:
            platform.accounts.add_user(
                member.username, DEMO_PASSWORD, list(member.roles), department, member.window, display_name=member.name
            )
        known.add(member.username)
    for username, display, roles, department in DEMO_USERS:
        if username not in known:
            platform.accounts.add_user(username, DEMO_PASSWORD, roles, department, display_name=display)
    _reference_instances(platform)
    generate(platform.settings, staff, out, count=cases)
    generate_projects(platform.settings, out)
    fire_demo_warnings(platform.settings, out)  # the cards the cases' clocks earned, dated when they fell due
    generate_discipline(platform.settings, out)
    generate_accountability(platform, out)
    generate_rectification(platform.settings, out)
    generate_complaints(platform, out)
    generate_towns(platform.settings, out)
    generate_agency(platform.settings, out)
    out(f"demo accounts (password for all: {DEMO_PASSWORD}):")
    for username, display, roles, department in DEMO_USERS:
        if username not in known:
            out(f"  {username:<10} {display}  roles={','.join(roles)} department={department or '-'}")
    samples: dict[str, Any] = {}
    for member in staff:
        for role in member.roles:
            samples.setdefault(role, member)
    for role, member in sorted(samples.items()):
        out(f"  {member.username:<10} {member.name}  role={role} department={member.department or '-'}")
    out(f"  … and the other {max(0, len(staff) - len(samples))} staff and agents of processes/organisation.toml")


def _reference_instances(platform: Platform) -> None:
    window = Principal("window", grants=frozenset({RoleGrant("window_officer", "CENTRE")}))
    for n in range(1, 7):
        instance = platform.instances.start(
            window,
            "parallel_review",
            {"department": "CENTRE", "case_no": f"DEMO-{n:04d}", "applicant": f"示范申请人{n}"},
        )
        if n % 2 == 0:  # half of them accepted at the window and waiting for the three departments
            mine = [t for t in platform.tasks.inbox(window) if t.instance_id == instance.id]
            if mine:
                platform.tasks.complete(
                    window,
                    mine[0].task_id,
                    {"applicant_name": f"示范申请人{n}", "materials_complete": True, "accepted": True},
                )
