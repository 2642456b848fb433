"""The organisation through the API: the shipped processes/organisation.toml loaded as data (the centre, 14
departments, 29 windows and the desks, sub-centres, towns with their window categories and agents, villages),
read by any staff member, edited by an administrator only, with field errors for bad input."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Platform
from engine.domain.organisation import Organisation, load_organisation
from engine.domain.organisation_model import FAST_TRACK, SUPERVISION, TOWN_WINDOW_CATEGORIES
from tests.conftest import ROOT, WINDOW
from webapp import create_app

PASSWORD = "pw-组织-123"


def shipped() -> Organisation:
    return load_organisation((ROOT / "processes" / "organisation.toml").read_text(encoding="utf-8"))


def make_app(platform: Platform) -> Flask:
    platform.organisation.load(shipped())
    for name, roles, department in [
        ("admin", ["admin"], None),
        ("clerk", ["window_officer"], "CENTRE"),
        ("land", ["reviewer"], "LAND"),
        ("newbie", [], None),
    ]:
        platform.accounts.add_user(name, PASSWORD, roles, department)
    return create_app(platform, config={"TESTING": True})


@pytest.fixture
def app(platform: Platform) -> Flask:
    return make_app(platform)


class User:
    def __init__(self, client: FlaskClient, name: str) -> None:
        self.client = client
        token = client.post("/api/v1/auth/token", json={"username": name, "password": PASSWORD}).json["token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body: Any = None) -> Any:
        return self.client.open(f"/api/v1{path}", method=method, headers=self.headers, json=body)

    def overview(self) -> dict[str, Any]:
        response = self.call("GET", "/organisation")
        assert response.status_code == 200, response.json
        return dict(response.json)


def department(overview: dict[str, Any], code: str) -> dict[str, Any]:
    return next(d for d in overview["departments"] if d["code"] == code)


def field_names(response: Any) -> set[str]:
    assert response.status_code == 422, response.json
    return {e["field"] for e in response.json["error"]["details"]}


def test_the_overview_shows_the_centre_with_14_departments_29_windows_and_the_desks(app: Flask) -> None:
    org = User(app.test_client(), "clerk").overview()
    centre = org["centre"]
    assert (centre["code"], centre["name"]) == ("CENTRE", "嵩明县政务服务中心")
    assert centre["details"]["authority"] == "嵩明县政务服务管理局" and centre["details"]["staff_count"] == 34
    assert centre["department"]["name"] == "嵩明县政务服务管理局"  # the test database's CENTRE row, renamed
    departments = org["departments"]
    assert len(departments) == 14 and "CENTRE" not in {d["code"] for d in departments}
    assert all(d["windows"] for d in departments)  # every stationed department has a window
    land = department(org, "LAND")
    assert (land["name"], land["abbr"], land["chief_username"]) == ("嵩明县自然资源局", "ZRZY", "land_chief")
    assert land["inferred"] == ["*"] and land["staff_count"] == 1  # demo values are marked; one LAND reviewer
    windows = centre["windows"] + [w for d in departments for w in d["windows"]]
    assert len(windows) == 29 == centre["window_count"]
    assert len({w["code"] for w in windows}) == 29 and {w["number"] for w in windows} == set(range(1, 30))
    categories = {w["category"] for w in centre["windows"]}
    assert FAST_TRACK in categories and SUPERVISION in categories
    assert sorted(d["category"] for d in org["desks"]) == ["咨询", "投诉"]
    assert all(d["service_point"] == "CENTRE" and d["department"] is None for d in org["desks"])
    assert centre["staff_count"] == 3  # admin, clerk, land (newbie holds no role)


def test_the_overview_shows_sub_centres_towns_with_their_four_window_categories_agents_and_villages(
    app: Flask,
) -> None:
    org = User(app.test_client(), "clerk").overview()
    assert {s["category"] for s in org["sub_centres"]} == {"开发区", "税务", "交警"}
    assert all(s["parent_code"] == "CENTRE" for s in org["sub_centres"])
    towns = org["towns"]
    assert len(towns) == 4
    for town in towns:
        assert town["parent_code"] == "CENTRE"
        assert sorted(w["category"] for w in town["windows"]) == sorted(TOWN_WINDOW_CATEGORIES)
        assert 2 <= len(town["agents"]) <= 3
        assert not any(a["has_account"] for a in town["agents"])  # accounts are demo data, not loaded here
        assert town["villages"]
        for village in town["villages"]:
            assert village["kind"] == "village" and village["parent_code"] == town["code"]
            assert village["agent"]["username"] and village["inferred"] == ["*"]
    yanglin = next(t for t in towns if t["code"] == "YANGLIN")
    assert yanglin["name"] == "杨林镇为民服务中心" and len(yanglin["villages"]) == 3


def test_loading_twice_and_loading_the_catalogue_leave_the_organisation_as_it_was(
    app: Flask, platform: Platform
) -> None:
    clerk = User(app.test_client(), "clerk")
    before = clerk.overview()
    assert platform.organisation.load(shipped()) == {"departments": 15, "service_points": 17, "windows": 47}
    assert clerk.overview() == before
    assert platform.catalogue.load() == (14, 50)  # `onestop init`'s catalogue load upserts the organisation too
    assert clerk.overview() == before


def test_an_admin_renames_a_department_adds_a_window_and_grants_a_role(app: Flask) -> None:
    client = app.test_client()
    admin = User(client, "admin")
    renamed = admin.call("PATCH", "/organisation/departments/LAND", {"name": "嵩明县自然资源和规划局"})
    assert renamed.status_code == 200, renamed.json
    assert renamed.json["name"] == "嵩明县自然资源和规划局"
    # what the administrator entered is no longer marked as a demo value; the rest still is
    assert "name" not in renamed.json["inferred"] and "chief_username" in renamed.json["inferred"]
    w30 = {"code": "W30", "name": "自然资源局 测绘窗口", "category": "专项", "department": "LAND"}
    added = admin.call("POST", "/organisation/windows", {**w30, "service_point": "CENTRE", "number": 30})
    assert added.status_code == 201, added.json
    moved = admin.call("PATCH", "/organisation/windows/W30", {"phone": "0871-60000130"})
    assert moved.status_code == 200 and moved.json["phone"] == "0871-60000130"
    granted = admin.call(
        "POST", "/organisation/staff/newbie/roles", {"role": "reviewer", "department": "LAND", "window": "W30"}
    )
    assert granted.status_code == 200, granted.json
    assert granted.json["roles"] == [{"role": "reviewer", "department": "LAND", "window": "W30"}]
    land = department(User(client, "newbie").overview(), "LAND")  # the new grant counts at once
    assert land["name"] == "嵩明县自然资源和规划局" and land["staff_count"] == 2
    shown = next(w for w in land["windows"] if w["code"] == "W30")
    assert shown["staff"] == ["newbie"] and shown["inferred"] == []
    removed = admin.call("DELETE", "/organisation/staff/newbie/roles", {"role": "reviewer", "department": "LAND"})
    assert removed.status_code == 200 and removed.json["roles"] == []
    assert department(admin.overview(), "LAND")["staff_count"] == 1
    gone = admin.call("DELETE", "/organisation/staff/newbie/roles?role=reviewer&department=LAND")
    assert gone.status_code == 404


def test_an_admin_adds_a_village_station_under_a_town(app: Flask) -> None:
    admin = User(app.test_client(), "admin")
    station = {"code": "XIAOJIE-V03", "name": "西村为民服务站", "kind": "village", "parent_code": "XIAOJIE"}
    assert admin.call("POST", "/organisation/service-points", station).status_code == 201
    xiaojie = next(t for t in admin.overview()["towns"] if t["code"] == "XIAOJIE")
    assert "XIAOJIE-V03" in {v["code"] for v in xiaojie["villages"]}
    under_centre = admin.call(
        "POST", "/organisation/service-points", {**station, "code": "V9", "parent_code": "CENTRE"}
    )
    assert field_names(under_centre) == {"parent_code"}


def test_a_granted_role_brings_that_roles_tasks_into_the_inbox(deployed: Platform) -> None:
    client = make_app(deployed).test_client()
    instance = deployed.instances.start(WINDOW, "parallel_review", {"department": "CENTRE", "case_no": "ORG-1"})
    intake = next(t for t in deployed.tasks.inbox(WINDOW) if t.instance_id == instance.id)
    deployed.tasks.complete(
        WINDOW, intake.task_id, {"applicant_name": "王某", "materials_complete": True, "accepted": True}
    )
    newbie = User(client, "newbie")
    assert newbie.call("GET", "/tasks").json == []
    granted = User(client, "admin").call(
        "POST", "/organisation/staff/newbie/roles", {"role": "reviewer", "department": "LAND"}
    )
    assert granted.status_code == 200
    assert [t["element_id"] for t in newbie.call("GET", "/tasks").json] == ["review_land"]


EDITS = [
    ("PATCH", "/organisation/departments/LAND", {"name": "x"}),
    ("POST", "/organisation/windows", {"code": "W31", "name": "x", "category": "综合受理", "service_point": "CENTRE"}),
    ("PATCH", "/organisation/windows/W01", {"name": "x"}),
    ("POST", "/organisation/service-points", {"code": "T9", "name": "x", "kind": "town", "parent_code": "CENTRE"}),
    ("POST", "/organisation/staff/newbie/roles", {"role": "reviewer", "department": "LAND"}),
    ("DELETE", "/organisation/staff/land/roles", {"role": "reviewer", "department": "LAND"}),
]


@pytest.mark.parametrize(("method", "path", "body"), EDITS)
def test_only_an_admin_edits_the_organisation(app: Flask, method: str, path: str, body: dict[str, Any]) -> None:
    client = app.test_client()
    response = User(client, "clerk").call(method, path, body)
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    assert client.open(f"/api/v1{path}", method=method, json=body).status_code == 401


def test_the_overview_is_for_staff_only(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/api/v1/organisation").status_code == 401
    assert User(client, "newbie").call("GET", "/organisation").status_code == 403  # an account without a role


WINDOWS, GRANTS = "/organisation/windows", "/organisation/staff/newbie/roles"


def window(**fields: Any) -> dict[str, Any]:
    return {"code": "W30", "name": "x", "category": "综合受理", "service_point": "CENTRE", **fields}


@pytest.mark.parametrize(
    ("method", "path", "body", "fields"),
    [
        ("POST", WINDOWS, {"code": "w 1", "category": "窗口", "service_point": "CENTRE"}, {"code", "name", "category"}),
        ("POST", WINDOWS, window(category="专项"), {"department"}),
        ("POST", WINDOWS, window(code="W01", service_point="NOWHERE", number=0), {"code", "number", "service_point"}),
        ("POST", WINDOWS, window(service_point="SONGYANG"), {"category"}),
        ("POST", WINDOWS, window(category="经济发展类", service_point="SONGYANG-V01"), {"service_point"}),
        (
            "PATCH",
            f"{WINDOWS}/W02",
            {"department": None, "number": 3, "colour": "red"},
            {"department", "number", "colour"},
        ),
        ("PATCH", f"{WINDOWS}/W02", {"department": "NOPE", "phone": "12345"}, {"department", "phone"}),
        (
            "PATCH",
            "/organisation/departments/LAND",
            {"name": "", "chief_username": "nobody"},
            {"name", "chief_username"},
        ),
        ("POST", GRANTS, {"role": "king", "department": "NOPE"}, {"role", "department"}),
        ("POST", GRANTS, {"role": "reviewer", "department": "NOPE", "window": "W99"}, {"department", "window"}),
        ("POST", GRANTS, {"role": "reviewer", "department": "ENV", "window": "W04"}, {"window"}),
        ("DELETE", "/organisation/staff/land/roles", {"department": "LAND"}, {"role"}),
        ("POST", "/organisation/service-points", {"code": "CENTRE", "name": "x", "kind": "centre"}, {"code", "kind"}),
        (
            "POST",
            "/organisation/service-points",
            {"code": "T9", "name": "x", "kind": "city", "phone": "x"},
            {"kind", "phone"},
        ),
    ],
)
def test_invalid_edits_get_422_naming_each_field(
    app: Flask, method: str, path: str, body: dict[str, Any], fields: set[str]
) -> None:
    assert field_names(User(app.test_client(), "admin").call(method, path, body)) == fields


def test_unknown_records_get_404_and_the_last_admin_keeps_the_role(app: Flask) -> None:
    admin = User(app.test_client(), "admin")
    assert admin.call("PATCH", "/organisation/departments/NOPE", {"name": "x"}).status_code == 404
    assert admin.call("PATCH", "/organisation/windows/W99", {"name": "x"}).status_code == 404
    assert admin.call("POST", "/organisation/staff/ghost/roles", {"role": "reviewer"}).status_code == 404
    last = admin.call("DELETE", "/organisation/staff/admin/roles", {"role": "admin"})
    assert last.status_code == 409
    assert admin.overview()["centre"]["staff_count"] == 3  # still an admin: nothing was removed


def test_the_openapi_document_lists_the_organisation_endpoints(app: Flask) -> None:
    paths = app.test_client().get("/api/v1/openapi.json").json["paths"]
    assert set(paths["/organisation"]) == {"get"}
    assert set(paths["/organisation/windows/{code}"]) == {"patch"}
    assert set(paths["/organisation/staff/{username}/roles"]) == {"post", "delete"}
    assert "/organisation/departments/{code}" in paths and "/organisation/service-points" in paths
