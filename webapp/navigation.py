"""The navigation each user sees: staff entries by role, then the public pages everyone may use.

An entry shows only when its page exists in this app and the signed-in user's roles allow it, so the bar
never links to a page that would answer 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext

from engine.domain.access import ADMIN, DESIGNER, SUPERVISOR, Principal
from webapp.security import signed_in_principal

Allowed = Callable[[Principal], bool]


def _any_role(*roles: str) -> Allowed:
    return lambda principal: principal.is_admin or any(principal.has_role(role) for role in roles)


def _staff(principal: Principal) -> bool:
    return bool(principal.grants)


def _projects_viewer(principal: Principal) -> bool:
    """The key-project board: the office, supervisors, admin and staff of a department (who see its projects)."""
    return _any_role(SUPERVISOR)(principal) or any(g.department for g in principal.grants)


def _window_staff(principal: Principal) -> bool:
    """窗口考勤: whoever staffs a window (any role held in a department or at the centre) and the supervisors."""
    return _any_role(SUPERVISOR)(principal) or any(g.department for g in principal.grants)


@dataclass(frozen=True)
class Entry:
    endpoint: str
    label: object  # a lazy translation, resolved in the user's language when rendered
    allowed: Allowed | None = None  # None: a public page


STAFF: tuple[Entry, ...] = (
    Entry("clerk.inbox", lazy_gettext("我的待办"), _staff),
    Entry("intake.search", lazy_gettext("窗口收件"), _any_role("window_officer", "agent")),
    Entry("projects.board", lazy_gettext("重点项目"), _projects_viewer),
    Entry("designer.index", lazy_gettext("流程设计"), _any_role(DESIGNER)),
    Entry("admin.instances", lazy_gettext("流程实例"), _any_role(ADMIN)),
    Entry("feedback.complaints", lazy_gettext("投诉处理"), _any_role(SUPERVISOR, "complaint_officer")),
    Entry("feedback.evaluations", lazy_gettext("评价记录"), _any_role(SUPERVISOR, "complaint_officer")),
    Entry("hotline.calls", lazy_gettext("96128热线"), _any_role(SUPERVISOR, "consultant")),
    Entry("surveys.index", lazy_gettext("满意度问卷"), _any_role("window_officer", "consultant", "complaint_officer")),
    Entry(
        "rectification.work_orders",
        lazy_gettext("差评整改"),
        _any_role(SUPERVISOR, "complaint_officer", "case_officer", "approver"),
    ),
    Entry("rectification.rate_fix_at_window", lazy_gettext("整改评价登记"), _any_role("window_officer")),
    Entry("meetings.index", lazy_gettext("联审会"), _any_role("fast_track_officer", SUPERVISOR)),
    Entry("agency.index", lazy_gettext("代办"), _any_role("agent", "window_officer", SUPERVISOR)),
    Entry("discipline.index", lazy_gettext("窗口考勤"), _window_staff),
    Entry("warnings.index", lazy_gettext("监察预警"), _staff),
    Entry("accountability.entries", lazy_gettext("效能问责"), _any_role(SUPERVISOR)),
    Entry("supervision.dashboard", lazy_gettext("电子监察"), _any_role(SUPERVISOR)),
    Entry("reports.index", lazy_gettext("统计报表"), _any_role(SUPERVISOR)),
)
PUBLIC: tuple[Entry, ...] = (
    Entry("public.guide", lazy_gettext("办事指南")),
    Entry("public.lookup", lazy_gettext("办件查询")),
    Entry("feedback.evaluate", lazy_gettext("好差评")),
    Entry("feedback.complaint", lazy_gettext("我要投诉")),
    Entry("boards.windows", lazy_gettext("窗口公示")),
    Entry("boards.announcements", lazy_gettext("政务公开")),
    Entry("towns.index", lazy_gettext("乡镇服务中心")),
)


@dataclass(frozen=True)
class Link:
    url: str
    label: str
    active: bool


def _links(entries: tuple[Entry, ...], principal: Principal | None) -> list[Link]:
    known = current_app.view_functions
    links = []
    for entry in entries:
        if entry.endpoint not in known:
            continue
        if entry.allowed is not None and (principal is None or not entry.allowed(principal)):
            continue
        blueprint = entry.endpoint.partition(".")[0]
        active = request.endpoint == entry.endpoint or (
            blueprint not in {"public", "feedback"} and (request.endpoint or "").startswith(blueprint + ".")
        )
        links.append(Link(url_for(entry.endpoint), str(entry.label), active))
    return links


def staff_links() -> list[Link]:
    return _links(STAFF, signed_in_principal())


def public_links() -> list[Link]:
    return _links(PUBLIC, None)


def register(app: Flask) -> None:
    app.jinja_env.globals.update(staff_links=staff_links, public_links=public_links)
