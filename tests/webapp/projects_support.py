"""The fast track's setup for the key-project page, API and browser tests: the catalogue, the fast-track BPMN
with every form, the fast-track office and each department's case officer and approver."""

from __future__ import annotations

from engine.bootstrap import Platform
from engine.services.definitions import read_paths
from tests.conftest import ROOT
from tests.webapp.conftest import PASSWORD

ITEMS = {  # item -> department, as in tests/integration/test_fast_track.py
    "XK-FZGG-001": "DRC",  # 企业投资项目核准
    "XK-ZRZY-001": "LAND",  # 用地预审与选址意见书
    "XK-STHJ-001": "ENV",  # 环评报告表审批
    "XK-ZFCX-001": "HOUSING",  # 施工许可: waits for the land's result
}
DEPENDENT, PREREQUISITE = "XK-ZFCX-001", "XK-ZRZY-001"
OFFICE = "fasttrack"
STAFF = {
    OFFICE: (["fast_track_officer"], "CENTRE"),
    **{f"officer_{d.lower()}": (["case_officer"], d) for d in ITEMS.values()},
    **{f"approver_{d.lower()}": (["approver"], d) for d in ITEMS.values()},
    "market_officer": (["case_officer"], "MARKET"),  # a department with no part in the project
}
PROJECT = {
    "name": "嵩明职教园区配套产业园",
    "investor_name": "云南嵩明产业投资有限公司",
    "investor_contact": "王强",
    "investor_phone": "0871-67912345",
    "location": "嵩明县杨林经济技术开发区",
    "investment": "58000",
    "stage": "construction_permit",
    "materials": "项目申请报告\n用地红线图\n环境影响报告表\n施工图设计文件审查合格书",
}


def prepare_fast_track(platform: Platform) -> Platform:
    platform.catalogue.load()
    forms = sorted((ROOT / "forms").glob("*.json"))
    processes = [ROOT / "processes" / "fast_track.bpmn", ROOT / "processes" / "fast_track_review.bpmn"]
    platform.definitions.deploy(read_paths([*processes, *forms]), actor="test")
    for username, (roles, department) in STAFF.items():
        platform.accounts.add_user(username, PASSWORD, roles, department)
    return platform


def api_body() -> dict[str, object]:
    """The registration as the API takes it."""
    return {
        "name": PROJECT["name"],
        "investor": {"name": PROJECT["investor_name"], "contact": "王强", "phone": "0871-67912345"},
        "location": PROJECT["location"],
        "investment": PROJECT["investment"],
        "stage": PROJECT["stage"],
        "materials": PROJECT["materials"].splitlines(),
    }


def triage_body() -> dict[str, object]:
    return {
        "reviews": [
            {"item_code": item, "prerequisites": [PREREQUISITE] if item == DEPENDENT else []} for item in ITEMS
        ],
        "steward": OFFICE,
        "lead_department": "DRC",
    }
