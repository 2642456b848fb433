"""Statutory fees only for key projects (重点项目并联审批), on the shipped item 不动产登记 (FW-ZRZY-001):

* an ordinary case goes from intake to delivery through the API and CaseService: it may be charged every charge
  the guide lists (recorded on the case), an unlisted one is refused with the form's field, and its notices have
  no fee section, as before;
* a key project's case (built with ``statutory_fees_only``: projects open such cases, not the window) is refused
  a non-statutory charge at delivery by the lifecycle step, and its notices, issued into the database, print every
  line with the waived one marked 免收 and the statutory total.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from engine.domain.case_codec import case_from_dict
from engine.domain.cases import Case, CaseStatus
from engine.domain.fees import WAIVED_NOTE
from engine.errors import FormValidationError
from engine.services.case_steps import apply_case_step
from engine.services.definitions import read_paths
from engine.services.notices import issue, kinds_for
from tests.conftest import CST, ROOT
from tests.integration.test_cases import PASSWORD, User
from webapp import create_app
from webapp.notices import render_notice

ITEM = "FW-ZRZY-001"
STATUTORY = ["不动产登记费（非住宅类）", "不动产权证书工本费（第二本）"]
SERVICE_FEE = "不动产权籍调查技术服务费"  # listed, but not statutory


@pytest.fixture
def app(platform: Platform) -> Flask:
    platform.catalogue.load()
    forms = sorted((ROOT / "forms").glob("*.json"))
    platform.definitions.deploy(read_paths([ROOT / "processes" / "items" / "item_fw_zrzy_001.bpmn", *forms]))
    for name, role in [("win", "window_officer"), ("exam", "case_officer"), ("rev", "reviewer"), ("boss", "approver")]:
        platform.accounts.add_user(name, PASSWORD, [role], "LAND")
    return create_app(platform, config={"TESTING": True})


def _to_delivery(app: Flask, clock: FrozenClock) -> tuple[str, dict[str, User]]:
    """An ordinary case of the item, opened at the window and approved, waiting for delivery."""
    users = {name: User(app.test_client(), name) for name in ("win", "exam", "rev", "boss")}
    clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=CST))
    body = {"item_code": ITEM, "applicant": {"name": "嵩明县某某实业有限公司"}, "materials": ["不动产登记申请书"]}
    created = users["win"].post("/cases", body)
    assert created.status_code == 201, created.json
    case_no = str(created.json["case_no"])
    steps = [
        ("win", "acceptance", {"decision": "accept"}),
        ("exam", "examination", {"opinion": "权属清楚，界址清楚"}),
        ("rev", "review", {"approved": True, "opinion": "审核同意"}),
        ("boss", "decision", {"approved": True, "reasons": "准予登记"}),
    ]
    for user, element, data in steps:
        clock.advance(timedelta(hours=1))
        assert users[user].complete(case_no, element, data).status_code == 200, element
    return case_no, users


def test_an_ordinary_case_pays_every_listed_charge_and_its_notices_are_unchanged(
    app: Flask, clock: FrozenClock
) -> None:
    case_no, users = _to_delivery(app, clock)
    win = users["win"]
    refused = win.complete(case_no, "delivery", {"method": "窗口领取", "fees_charged": ["加急费"]})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json["error"]["details"]] == ["fees_charged"]
    assert win.get(f"/cases/{case_no}").json["status"] == "approved"  # nothing of the refused step was kept

    done = win.complete(case_no, "delivery", {"method": "窗口领取", "fees_charged": [*STATUTORY, SERVICE_FEE]})
    assert done.status_code == 200, done.json
    shown = win.get(f"/cases/{case_no}").json
    assert shown["status"] == "delivered"
    charged = case_from_dict(shown["record"]).fees_charged
    assert [(c.name, c.amount, c.statutory, c.actor) for c in charged] == [
        (STATUTORY[0], "550.00", True, "win"),
        (STATUTORY[1], "10.00", True, "win"),
        (SERVICE_FEE, "3000.00", False, "win"),
    ]
    notices = win.get(f"/cases/{case_no}/notices").json
    assert [n["kind"] for n in notices] == ["receipt", "acceptance", "approval", "delivery"]
    for entry in notices:
        assert "fees" not in win.get(f"/cases/{case_no}/notices/{entry['id']}").json
        html = win.get(f"/cases/{case_no}/notices/{entry['id']}.html").get_data(as_text=True)
        assert "收费情况" not in html and WAIVED_NOTE not in html


def _fast_track_case(case_no: str, received_at: datetime) -> Case:
    return Case(
        case_no=case_no,
        item_code=ITEM,
        received_at=received_at,
        promised_days=5,
        statutory_days=30,
        project_code="XM-2026-0001",
        statutory_fees_only=True,
    )


def test_a_key_project_case_is_refused_a_non_statutory_charge_and_its_notices_show_it_waived(
    app: Flask, platform: Platform, clock: FrozenClock
) -> None:
    # the case row the notices belong to comes from CaseService; the key project's own record of it is built here
    case_no, users = _to_delivery(app, clock)
    guide: dict[str, Any] = next(i for i in platform.catalogue.items() if i["code"] == ITEM)["guide"]
    calendar = platform.ctx.runtime_calendar()
    case = _fast_track_case(case_no, datetime(2026, 3, 9, 10, 0, tzinfo=CST))
    now = clock.now()
    apply_case_step(case, "acceptance", {"decision": "accept"}, now, "win", calendar, guide)
    apply_case_step(case, "decision", {"approved": True}, now, "boss", calendar, guide)

    with pytest.raises(FormValidationError) as refused:
        apply_case_step(
            case, "delivery", {"method": "窗口领取", "fees_charged": [SERVICE_FEE]}, now, "win", calendar, guide
        )
    assert [e.field for e in refused.value.field_errors] == ["fees_charged"]
    assert "仅收取法定费用" in refused.value.field_errors[0].message
    assert case.status is CaseStatus.APPROVED and case.fees_charged == []  # refused before anything moved

    apply_case_step(case, "delivery", {"method": "窗口领取", "fees_charged": STATUTORY}, now, "win", calendar, guide)
    assert case.status is CaseStatus.DELIVERED
    assert [(c.name, c.amount) for c in case.fees_charged] == [(STATUTORY[0], "550.00"), (STATUTORY[1], "10.00")]

    facts = {"centre_name": "嵩明县政务服务中心", "guide": guide, "applicant_name": "某某项目公司", "due_at": None}
    with platform.ctx.uow(write=True) as uow:
        for transition in case.history:
            for kind in kinds_for(transition):
                issue(uow, kind, case, transition, facts, now, calendar.zone)
        uow.commit()

    stored = [n for n in users["win"].get(f"/cases/{case_no}/notices").json if n["issued_at"] == now.isoformat()]
    by_kind = {n["kind"]: users["win"].get(f"/cases/{case_no}/notices/{n['id']}").json for n in stored}
    assert set(by_kind) == {"acceptance", "approval", "delivery"}
    for kind, content in by_kind.items():
        fees = content["fees"]
        assert fees["statutory_only"] and fees["total"] == "560.00", kind
        assert [(line["name"], line["waived"]) for line in fees["lines"]] == [
            (STATUTORY[0], False),
            (STATUTORY[1], False),
            (SERVICE_FEE, True),
        ]
        assert "fees" in content["inferred"]  # the item's amounts are demo values, and the notice says so
        html = render_notice(content)
        assert html.count(WAIVED_NOTE) == 1, kind
        assert '应缴合计</th><td colspan="2">560.00元' in html, kind
    assert by_kind["delivery"]["fees"]["charged_total"] == "560.00"
    assert "已收取" in render_notice(by_kind["delivery"]) and "已收取" not in render_notice(by_kind["acceptance"])


def test_the_public_guide_lists_the_charges_and_which_are_waived_for_key_projects(app: Flask) -> None:
    page = app.test_client().get(f"/guide/{ITEM}").get_data(as_text=True)
    for name in (*STATUTORY, SERVICE_FEE):
        assert name in page
    assert page.count("非法定收费（重点项目免收）") == 1 and page.count("法定收费</td>") == 2
    english = app.test_client().get(f"/guide/{ITEM}?lang=en").get_data(as_text=True)
    assert "Non-statutory (waived for key projects)" in english
