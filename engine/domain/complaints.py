"""The complaint process's rules (GB/T 36113): which body investigates a complaint of a given category, what
status each finished step leaves the complaint in, and which elements are the reply-deadline warnings.

Pure: engine.services.complaints starts and follows the process; processes/complaint.bpmn is its diagram.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from engine.domain.feedback import COMPLAINT_CATEGORIES, ComplaintStatus

PROCESS_ID = "complaint"
#: the lanes the route gateway sends a complaint to: the centre's supervision (督办科), 纪检监察 (纠风) or the
#: department complained about (its 首席代表)
ROUTES: Mapping[str, str] = {"centre": "中心督查", "discipline": "纪检监察", "department": "被投诉部门"}
#: the route of each category (the process gets it as data: its accept step re-routes a reclassified complaint)
ROUTED_TO: Mapping[str, str] = {c.code: c.routed_to for c in COMPLAINT_CATEGORIES}

ACCEPT = "accept"
FEEDBACK = "feedback"
ARCHIVE = "archive"
INVESTIGATE = tuple(f"investigate_{route}" for route in ROUTES)
HANDLE = tuple(f"handle_{route}" for route in ROUTES)
#: the department route's tasks (lane ``approver``: the department complained about)
DEPARTMENT_ELEMENTS = ("investigate_department", "handle_department")
#: the warning scripts behind the non-interrupting deadline timers, one per task the deadline runs over —
#: 受理 included: a complaint nobody accepts is as late as one nobody answers
LATE = tuple(f"late_{task}" for task in (ACCEPT, *INVESTIGATE, *HANDLE, FEEDBACK))

#: the status a complaint is in once the step is done (受理 → 调查 → 处置 → 反馈 → 归档)
STATUS_AFTER: Mapping[str, ComplaintStatus] = {
    ACCEPT: ComplaintStatus.INVESTIGATING,
    **{element: ComplaintStatus.HANDLING for element in INVESTIGATE},
    FEEDBACK: ComplaintStatus.ANSWERED,
    ARCHIVE: ComplaintStatus.ARCHIVED,
}


def complaint_route(category: str, department: str | None) -> str:
    """Where a complaint is investigated (domain §6.7, routing by type): conduct and other matters by the
    centre's supervision, illegal fees / 吃拿卡要 by 纪检监察, a department's service by that department —
    which needs the department named; without one the centre's supervision takes it."""
    route = ROUTED_TO.get(category, "centre")
    if route == "department" and not department:
        return "centre"
    return route


def latest_status(done: Iterable[str]) -> ComplaintStatus | None:
    """The furthest status the finished elements reach, or None when none of them moves the complaint."""
    order = list(ComplaintStatus)
    reached = [STATUS_AFTER[e] for e in done if e in STATUS_AFTER]
    return max(reached, key=order.index) if reached else None
