"""Load what every installation needs (calendar, departments, processes, forms) and, on request, demo data."""

from __future__ import annotations

from collections.abc import Callable

from engine.bootstrap import Platform
from engine.domain.access import Principal, RoleGrant
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


def load_demo(platform: Platform, out: Out) -> None:
    for username, display, roles, department in DEMO_USERS:
        platform.accounts.add_user(username, DEMO_PASSWORD, roles, department, display_name=display)
    window = Principal("window", grants=frozenset({RoleGrant("window_officer", "CENTRE")}))
    started = 0
    for n in range(1, 7):
        instance = platform.instances.start(
            window,
            "parallel_review",
            {"department": "CENTRE", "case_no": f"DEMO-{n:04d}", "applicant": f"示范申请人{n}"},
        )
        started += 1
        if n % 2 == 0:  # half of them accepted at the window and waiting for the three departments
            task = platform.tasks.inbox(window)
            mine = [t for t in task if t.instance_id == instance.id]
            if mine:
                platform.tasks.complete(
                    window,
                    mine[0].task_id,
                    {"applicant_name": f"示范申请人{n}", "materials_complete": True, "accepted": True},
                )
    out(f"demo: {started} sample instances")
    out(f"demo accounts (password for all: {DEMO_PASSWORD}):")
    for username, display, roles, department in DEMO_USERS:
        out(f"  {username:<10} {display}  roles={','.join(roles)} department={department or '-'}")
