"""The OpenAPI description of the window-discipline and public-disclosure routes (考勤, 离岗, 窗口实时状态,
窗口工作人员信息公示栏, 政务信息公开栏, staff cards)."""

from __future__ import annotations

from typing import Any

from webapp.api.openapi_parts import ARR, OBJ, op, path_param, resp

CATEGORY = {"type": "string", "enum": ["热点问题", "通知公告", "政策解读", "办事提示"]}
ANNOUNCEMENT = {
    "type": "object",
    "required": ["title", "body"],
    "properties": {
        "title": {"type": "string", "maxLength": 200},
        "body": {"type": "string", "maxLength": 5000},
        "category": CATEGORY,
        "pinned": {"type": "boolean"},
    },
}
ANNOUNCEMENT_CHANGE = {
    "type": "object",
    "properties": {**ANNOUNCEMENT["properties"], "withdrawn": {"type": "boolean"}},  # type: ignore[dict-item]
}
CARD = {
    "type": "object",
    "required": ["staff_number"],
    "properties": {
        "staff_number": {"type": "string", "maxLength": 32},
        "title": {"type": "string", "maxLength": 64},
        "public_phone": {"type": "string", "maxLength": 32},
    },
}


def discipline_paths() -> dict[str, Any]:
    leave_id, announcement_id = path_param("leave_id", "integer"), path_param("announcement_id", "integer")
    return {
        "/attendance/sign-in": {
            "post": op("Sign in at the caller's window (the session under way or the next today); 403 unless "
                       "enrolled for window duty (a window and a staff number), 409 once the day is closed",
                       {"201": resp("attendance record", OBJ)}, 401, 403, 409)
        },
        "/attendance/sign-out": {
            "post": op("Sign out; without a sign-in the sign-out alone is recorded (漏签到)",
                       {"200": resp("attendance record", OBJ)}, 401, 403, 409)
        },
        "/attendance/leave": {
            "post": op("Leave the post (离岗) with a reason, while signed in", {"201": resp("leave record", OBJ)},
                       401, 403, 409, 422, body={"type": "object", "required": ["reason"],
                                                 "properties": {"reason": {"type": "string", "maxLength": 200}}})
        },
        "/attendance/return": {
            "post": op("Return to the post", {"200": resp("leave record with minutes", OBJ)}, 401, 409)
        },
        "/attendance/leaves/{leave_id}/approve": {
            "post": op("Approve an absence (supervision window, administrator, the department's 首席代表; "
                       "never one's own)",
                       {"200": resp("leave record", OBJ)}, 401, 403, 404, 409, params=[leave_id])
        },
        "/attendance/today": {
            "get": op("The caller's window, today's sessions and absences", {"200": resp("day", OBJ)}, 401)
        },
        "/windows/live": {
            "get": op("8-hour monitoring: every window staffed/away/unstaffed/closed, its officers (since when, "
                      "why away) and the rules broken today (supervision window, administrators)",
                      {"200": resp("live view", OBJ)}, 401, 403)
        },
        "/public/windows": {
            "get": op("窗口工作人员信息公示栏: each window's officers on duty (name, staff number, title), items "
                      "handled, office phone", {"200": resp("windows", ARR)}, public=True)
        },
        "/public/announcements": {
            "get": op("政务信息公开栏: published announcements, pinned first", {"200": resp("announcements", ARR)},
                      public=True)
        },
        "/announcements": {
            "get": op("Every announcement, withdrawn ones too (centre admin, supervision window)",
                      {"200": resp("announcements", ARR)}, 401, 403),
            "post": op("Publish an announcement", {"201": resp("announcement", OBJ)}, 401, 403, 422,
                       body=ANNOUNCEMENT),
        },
        "/announcements/{announcement_id}": {
            "patch": op("Edit, pin/unpin, withdraw (withdrawn: true) or restore an announcement",
                        {"200": resp("announcement", OBJ)}, 401, 403, 404, 422, body=ANNOUNCEMENT_CHANGE,
                        params=[announcement_id])
        },
        "/staff-cards": {
            "get": op("Staff assigned to windows with their public card (administrators)",
                      {"200": resp("cards", ARR)}, 401, 403)
        },
        "/staff-cards/{username}": {
            "put": op("Set a staff member's staff number, title and office phone (administrators)",
                      {"200": resp("card", OBJ)}, 401, 403, 404, 422, body=CARD, params=[path_param("username")])
        },
    }  # fmt: skip
