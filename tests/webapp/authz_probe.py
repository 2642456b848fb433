"""The machinery of the authorisation matrix (tests/webapp/test_authorization_matrix.py): a demo database built once,
real ids for every path parameter, and a probe that calls every route of the app as one persona.

Each persona works on its own copy of the database, so what one persona's allowed POSTs change cannot change what
the next one sees."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from werkzeug.routing import Rule

from engine.bootstrap import Platform, build_platform
from engine.config import Settings
from engine.demo import DEMO_PASSWORD, load_demo, load_platform_data
from engine.domain.access import Principal, RoleGrant
from engine.errors import PermissionDenied
from engine.persistence import migrate
from engine.persistence.database import make_engine
from tests.conftest import make_settings
from webapp import create_app

#: who is asked: a demo account for every kind of user the platform has (None: nobody signed in)
PERSONAS: dict[str, str | None] = {
    "anonymous": None,
    "admin": "admin",
    "designer": "designer",
    "supervisor": "supervisor",  # 纪委监察
    "window": "window",  # 综合受理窗口, window_officer@CENTRE
    "chief": "drc_chief",  # a department's chief representative: window_officer, reviewer, approver @DRC
    "case_officer": "drc_clerk",  # case_officer and window_officer @DRC
    "reviewer": "land",  # reviewer@LAND (the reference process)
    "approver": "approver",  # approver@CENTRE
    "consultant": "consult",  # 咨询台
    "complaint_desk": "complaint",  # 投诉台, complaint_officer@CENTRE
    "fast_track": "fasttrack",  # 重点项目快速通道
    "town_officer": "songyang_jj",  # town_officer + agent of a town centre's window
    "town_agent": "songyang_agent1",  # a town's 代办员
    "village_agent": "sy_chengdong",  # a village station's agent
}


def _settings(url: str, folder: Path) -> Settings:
    return replace(make_settings(url, folder), secret_key="authz-matrix")  # one key for the template and its copies


CST = timezone(timedelta(hours=8))
ADMIN = Principal("admin", grants=frozenset({RoleGrant("admin", None)}))
DRC_WINDOW = Principal("drc_chief", grants=frozenset({RoleGrant("window_officer", "DRC")}))


def build_fixture(folder: Path) -> tuple[str, dict[str, Any]]:
    """The demo (organisation, 50 items, cases, projects, warnings, complaints, towns, relays) in one SQLite file,
    plus what the demo leaves out: a case of the DRC whose query code is known, with an attachment on its open
    task, a joint-review meeting and a town member stationed in a village. Returns the URL and the sample ids."""
    url = f"sqlite:///{folder / 'demo.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    platform = build_platform(_settings(url, folder))
    try:
        load_platform_data(platform, lambda _: None)
        load_demo(platform, lambda _: None, cases=20)
        case = platform.cases.create(DRC_WINDOW, {"item_code": "XK-FZGG-001", "applicant": {"name": "王小红"}})
        task = next(t for t in platform.tasks.inbox(DRC_WINDOW) if t.instance_id == case.instance_id)
        platform.task_files.upload(DRC_WINDOW, task.task_id, "申请书.pdf", io.BytesIO(b"%PDF-1.4\n%%EOF\n"))
        platform.meetings.convene_due(datetime(2026, 12, 16, 10, 0, tzinfo=CST))
        platform.agency.assign(ADMIN, "SONGYANG-V01", "songyang_agent1")
    finally:
        platform.close()
    ids = sample_ids(url)
    ids.update(case_no=case.case_no, query_code=case.query_code, task_id=task.task_id, instance_id=case.instance_id)
    ids["notice_id"] = _notice_of(url, case.case_no)
    return url, ids


def _notice_of(url: str, case_no: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT id FROM notices WHERE case_no = :c ORDER BY id"), {"c": case_no}).scalar()
    engine.dispose()
    return int(found)


def _one(conn: Any, sql: str, default: object = 1) -> Any:
    row = conn.execute(text(sql)).first()
    return row[0] if row is not None else default


def sample_ids(url: str) -> dict[str, Any]:
    """A real object for every path parameter, of the DRC where the demo has one (its staff are participants)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        ids = {
            "process_id": "parallel_review",
            "version": 1,
            "item": "XK-FZGG-001",
            "project": _one(conn, "SELECT code FROM key_projects ORDER BY lead_department != 'DRC', code"),
            "town": _one(conn, "SELECT town FROM relays ORDER BY id"),
            "department": "DRC",
            "window": "W03",
            "username": "drc_clerk",
            "number": _one(conn, "SELECT number FROM mandates ORDER BY id"),
            "relay_id": _one(conn, "SELECT id FROM relays ORDER BY id"),
            "assignment_id": _one(conn, "SELECT id FROM village_assignments ORDER BY id"),
            "attachment_id": _one(conn, "SELECT id FROM attachments ORDER BY id"),
            "leave_id": _one(conn, "SELECT id FROM post_leaves ORDER BY id"),
            "announcement_id": _one(conn, "SELECT id FROM announcements ORDER BY id"),
            "complaint_id": _one(conn, "SELECT id FROM complaints ORDER BY department != 'DRC', id"),
            "consultation_id": _one(conn, "SELECT id FROM consultations ORDER BY closed_at IS NOT NULL, id"),
            "meeting_id": _one(conn, "SELECT id FROM joint_meetings ORDER BY id"),
            "notification_id": _one(conn, "SELECT id FROM notifications WHERE username = 'drc_chief' ORDER BY id"),
            "patrol_id": _one(conn, "SELECT id FROM patrols ORDER BY department != 'DRC', id"),
            "order_id": _one(conn, "SELECT id FROM rectifications ORDER BY department != 'DRC', id"),
            "survey_id": _one(conn, "SELECT id FROM surveys ORDER BY id"),
            "warning_id": _one(conn, "SELECT id FROM warnings ORDER BY department != 'DRC', id"),
            "year": 2026,
        }
    engine.dispose()
    return ids


#: which kind of code a ``<code>`` parameter names, by the start of the route
CODE_KINDS = (
    ("/api/v1/organisation/departments/", "department"),
    ("/api/v1/organisation/windows/", "window"),
    ("/api/v1/projects/", "project"),
    ("/projects/", "project"),
    ("/api/v1/public/towns/", "town"),
    ("/api/v1/towns/", "town"),
    ("/towns/", "town"),
    ("/", "item"),  # /guide/<code>, /intake/<code>, /api/v1/items/<code>
)
#: the first choice of the plain-string parameters that name an action
WORDS = {"change": "suspend", "action": "town_receipt", "filename": "projects_triage.js"}


def sample_url(rule: Rule, ids: dict[str, Any]) -> str:
    values: dict[str, Any] = {}
    for name, converter in rule._converters.items():
        if name == "code":
            values[name] = ids[next(kind for prefix, kind in CODE_KINDS if rule.rule.startswith(prefix))]
        elif hasattr(converter, "items"):  # an any(...) converter: its first word
            values[name] = re.findall(r"[\w-]+", converter.regex)[0]
        elif name in WORDS:
            values[name] = WORDS[name]
        else:
            values[name] = ids[name]
    built = rule.build(values, append_unknown=False)
    assert built is not None, rule.rule
    return built[1]


@dataclass(frozen=True)
class Call:
    method: str
    rule: str
    endpoint: str
    url: str

    @property
    def key(self) -> str:
        return f"{self.method} {self.rule}"


def calls(app: Flask, ids: dict[str, Any]) -> list[Call]:
    found = [
        Call(method, rule.rule, rule.endpoint, sample_url(rule, ids))
        for rule in app.url_map.iter_rules()
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]
    # reads first, then writes; signing out last of all (it ends the session the other calls ride on)
    return sorted(found, key=lambda c: (c.endpoint == "web_auth.logout", c.method != "GET", c.rule, c.method))


def outcome(response: Any) -> str:
    """'login' (sent to sign in), '401', '403', '404' (the object is hidden from the caller), or 'ok' for any other
    answer (the request got past the guard: a 400/409/422 is the endpoint judging the request, not the caller)."""
    if response.status_code in {301, 302, 303} and "/login" in response.headers.get("Location", ""):
        return "login"
    if response.status_code in {401, 403, 404}:
        return str(response.status_code)
    return "ok"


def persona_app(template_url: str, folder: Path) -> tuple[Platform, Flask]:
    folder.mkdir(parents=True, exist_ok=True)
    copy, template = folder / "copy.db", Path(template_url.removeprefix("sqlite:///"))
    shutil.copyfile(template, copy)
    if (template.parent / "attachments").is_dir():  # the files the attachments' rows point to
        shutil.copytree(template.parent / "attachments", folder / "attachments")
    platform = build_platform(_settings(f"sqlite:///{copy}", folder))
    return platform, create_app(platform, config={"TESTING": True})


def clients(app: Flask, username: str | None) -> tuple[FlaskClient, FlaskClient, str]:
    """A browser signed in as the user (with its CSRF token) and an API client holding the user's bearer token."""
    web, api = app.test_client(), app.test_client()
    web.get("/login")
    if username is not None:
        with web.session_transaction() as session:
            token = session["csrf_token"]
        signed = web.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token})
        assert signed.status_code == 302, f"{username} cannot sign in"
        issued = api.post("/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD})
        assert issued.status_code == 200, f"{username} gets no token"
        api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issued.json['token']}"  # type: ignore[index]
    with web.session_transaction() as session:
        csrf = str(session["csrf_token"])
    return web, api, csrf


@contextmanager
def refusals_seen() -> Iterator[list[str]]:
    """Notes every PermissionDenied raised while it is open: a page that turns a refusal into a flashed message
    and a redirect has still refused (the answer alone, a 302, would not say so). Observation only."""
    seen: list[str] = []
    original = PermissionDenied.__init__

    def noting(self: PermissionDenied, *args: Any, **kwargs: Any) -> None:
        seen.append(str(args[0]) if args else "")
        original(self, *args, **kwargs)

    PermissionDenied.__init__ = noting  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        PermissionDenied.__init__ = original  # type: ignore[method-assign]


def probe(app: Flask, ids: dict[str, Any], username: str | None) -> dict[str, tuple[str, int]]:
    """Every route and method, called as the user: {"METHOD /rule": (outcome, status)}."""
    web, api, csrf = clients(app, username)
    seen: dict[str, tuple[str, int]] = {}
    with refusals_seen() as refusals:
        for call in calls(app, ids):
            refusals.clear()
            if call.url.startswith("/api/"):
                query = {"query_code": ids["query_code"]} if "/public/cases/" in call.rule else None
                body = {} if call.method != "GET" else None
                response = api.open(call.url, method=call.method, json=body, query_string=query)
            else:
                data = {"csrf_token": csrf} if call.method != "GET" else None
                response = web.open(call.url, method=call.method, data=data)
            result = outcome(response)
            response.close()  # a file answer (static, downloads) holds its file open until closed
            if result == "ok" and refusals:
                result = "refused"  # a page flashed the refusal and redirected
            seen[call.key] = (result, response.status_code)
    return seen
