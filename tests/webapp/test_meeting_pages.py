"""Joint-review meeting pages and API: the list with the next meeting's agenda, the meeting page with the
minutes form for the joint-review office only, minutes that put tasks in departments' inboxes, and 会议督办."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from engine.services.definitions import read_paths
from tests.conftest import ROOT
from tests.integration.test_meetings import BOARD, LAND_OFFICER, MEETING_DAY
from tests.webapp.conftest import PASSWORD, Api
from tests.webapp.test_workbench import csrf_of, sign_in

AGENDA = ["KP-2026-004", "KP-2026-003", "KP-2026-002"]


@pytest.fixture
def meeting_app(app: Flask, deployed: Platform, clock: FrozenClock) -> Flask:
    files = read_paths([ROOT / "processes" / "meeting_action.bpmn", ROOT / "forms" / "meeting_action.json"])
    deployed.definitions.deploy(files, actor="test")
    deployed.accounts.add_user("ft_officer", PASSWORD, ["fast_track_officer"], "CENTRE")
    deployed.accounts.add_user("land_officer", PASSWORD, ["case_officer"], "LAND")
    deployed.accounts.add_user("supervisor", PASSWORD, ["supervisor"], None)
    board = list(BOARD)
    deployed.meetings.projects = lambda: board
    return app


def convene(platform: Platform, clock: FrozenClock) -> int:
    clock.set(MEETING_DAY)
    [meeting] = platform.meetings.convene_due()
    return meeting.id


def codes(page: str) -> list[str]:
    return re.findall(r"<strong>(KP-\d{4}-\d{3})</strong>", page)


def test_the_list_shows_the_next_meeting_with_its_live_agenda(meeting_app: Flask, client: FlaskClient) -> None:
    sign_in(client, "ft_officer")
    page = client.get("/meetings/").get_data(as_text=True)
    assert "2026-03-16 09:00" in page and "分管副县长" in page and "议程预览" in page
    assert codes(page) == AGENDA
    assert 'href="/meetings/"' in client.get("/inbox").get_data(as_text=True)  # in the navigation


def test_the_navigation_offers_meetings_to_the_office_and_supervision_only(
    meeting_app: Flask, client: FlaskClient
) -> None:
    sign_in(client, "window")
    assert 'href="/meetings/"' not in client.get("/inbox").get_data(as_text=True)
    client.get("/logout")
    sign_in(client, "supervisor")
    assert 'href="/meetings/"' in client.get("/inbox").get_data(as_text=True)


def test_the_office_records_minutes_and_the_department_gets_the_task(
    meeting_app: Flask, client: FlaskClient, deployed: Platform, clock: FrozenClock
) -> None:
    meeting_id = convene(deployed, clock)
    sign_in(client, "ft_officer")
    page = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert codes(page) == AGENDA and 'name="action_description"' in page
    token = csrf_of(client, f"/meetings/{meeting_id}")
    form = {
        "csrf_token": token,
        "minutes": "研究三个项目",
        "decisions": "同意容缺受理\n\n限期补正",
        "action_description": ["出具用地预审意见", ""],
        "action_department": ["LAND", "HOUSING"],
        "action_workdays": ["5", "5"],
        "action_project_code": ["KP-2026-002", ""],
        "action_assignee": ["", ""],
    }
    empty = client.post(f"/meetings/{meeting_id}/minutes", data={**form, "minutes": ""})
    assert empty.status_code == 422 and "请填写会议纪要" in empty.get_data(as_text=True)
    done = client.post(f"/meetings/{meeting_id}/minutes", data=form)
    assert done.status_code == 302
    page = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "JM-20260316-1" in page and "限期补正" in page and 'name="action_description"' not in page
    [task] = deployed.tasks.inbox(LAND_OFFICER)
    assert task.business_key == "JM-20260316-1"
    assert "JM-20260316-1" in client.get("/meetings/actions").get_data(as_text=True)
    again = client.post(f"/meetings/{meeting_id}/minutes", data=form)
    assert again.status_code == 409


def test_other_staff_read_the_meeting_but_cannot_record_minutes(
    meeting_app: Flask, client: FlaskClient, deployed: Platform, clock: FrozenClock
) -> None:
    meeting_id = convene(deployed, clock)
    sign_in(client, "supervisor")
    page = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert codes(page) == AGENDA and 'name="action_description"' not in page
    token = csrf_of(client, f"/meetings/{meeting_id}")
    refused = client.post(f"/meetings/{meeting_id}/minutes", data={"csrf_token": token, "minutes": "x"})
    assert refused.status_code == 403
    assert client.get("/meetings/999").status_code == 404


def test_the_api_answers_agenda_meetings_minutes_and_open_actions(
    meeting_app: Flask, client: FlaskClient, deployed: Platform, clock: FrozenClock
) -> None:
    officer = Api(client, "ft_officer")
    agenda = officer.get("/meetings/agenda").json["next"]
    assert (agenda["held_on"], agenda["convened"]) == ("2026-03-16", False)
    assert [e["code"] for e in agenda["entries"]] == AGENDA
    meeting_id = convene(deployed, clock)
    assert [m["id"] for m in officer.get("/meetings").json] == [meeting_id]
    action = {"description": "出具用地预审意见", "department": "LAND", "workdays": 5, "assignee": "land_officer"}
    body = {"minutes": "纪要", "decisions": ["同意"], "actions": [action]}
    assert Api(client, "supervisor").post(f"/meetings/{meeting_id}/minutes", json=body).status_code == 403
    bad = officer.post(f"/meetings/{meeting_id}/minutes", json={**body, "actions": [{"department": "LAND"}]})
    assert bad.status_code == 422
    held = officer.post(f"/meetings/{meeting_id}/minutes", json=body)
    assert held.status_code == 200 and held.json["status"] == "held"
    [stored] = held.json["actions"]
    assert (stored["business_key"], stored["status"], stored["assignee"]) == ("JM-20260316-1", "open", "land_officer")
    assert officer.get(f"/meetings/{meeting_id}").json["decisions"] == ["同意"]
    assert [a["id"] for a in Api(client, "land_officer").get("/meetings/actions").json] == [stored["id"]]
    assert officer.get("/meetings/999").status_code == 404
