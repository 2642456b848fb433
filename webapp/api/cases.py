"""The public catalogue, cases at the window, and the applicant's lookup by case number and query code."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask.typing import ResponseReturnValue

from webapp.api import bp
from webapp.api.render import json_body
from webapp.auth import current_principal, platform
from webapp.notices import render_notice

LIST_FIELDS = ("code", "name", "type", "department", "window", "promised_days", "statutory_days", "instant")


@bp.get("/items")
def list_items() -> ResponseReturnValue:
    """The catalogue (public): every item with its limits, fee and materials."""
    result = []
    for item in platform().catalogue.items():
        guide = item["guide"]
        entry = {field: item[field] for field in LIST_FIELDS}
        entry.update(fee=guide.get("fee"), materials=guide.get("materials"), inferred=guide.get("inferred", []))
        result.append(entry)
    return jsonify(result)


@bp.get("/items/<code>")
def show_item(code: str) -> ResponseReturnValue:
    """The full service guide (办事指南) of one item (public); ``inferred`` names fields that are not official."""
    item = platform().catalogue.item(code)
    return jsonify({**item["guide"], "process_id": item["process_id"]})


@bp.post("/cases")
def open_case() -> ResponseReturnValue:
    created = platform().cases.create(current_principal(), json_body())
    return jsonify(
        {
            "case_no": created.case_no,
            "query_code": created.query_code,
            "status": created.status,
            "instance_id": created.instance_id,
        }
    ), 201


@bp.get("/cases/<case_no>")
def show_case(case_no: str) -> ResponseReturnValue:
    return jsonify(platform().cases.show(current_principal(), case_no))


@bp.get("/public/cases/<case_no>")
def public_case(case_no: str) -> ResponseReturnValue:
    return jsonify(platform().cases.public_status(case_no, request.args.get("query_code", "")))


@bp.get("/cases/<case_no>/notices")
def case_notices(case_no: str) -> ResponseReturnValue:
    notices = platform().cases.notices(current_principal(), case_no)
    return jsonify(
        [
            {
                "id": n["id"],
                "kind": n["kind"],
                "number": n["number"],
                "title": n["content"].get("title"),
                "issued_at": n["issued_at"].isoformat(),
            }
            for n in notices
        ]
    )


@bp.get("/cases/<case_no>/notices/<int:notice_id>")
def case_notice(case_no: str, notice_id: int) -> ResponseReturnValue:
    return jsonify(platform().cases.notice(current_principal(), case_no, notice_id)["content"])


def _html(content: dict[str, Any]) -> ResponseReturnValue:
    html = render_notice(content, timezone=platform().settings.timezone)
    return Response(html, mimetype="text/html")


@bp.get("/cases/<case_no>/notices/<int:notice_id>.html")
def case_notice_html(case_no: str, notice_id: int) -> ResponseReturnValue:
    """The notice as a printable page (A4, print CSS)."""
    return _html(platform().cases.notice(current_principal(), case_no, notice_id)["content"])


@bp.get("/public/cases/<case_no>/notices")
def public_notices(case_no: str) -> ResponseReturnValue:
    """The applicant's notices, with the query code; a wrong code answers like a missing case."""
    code = request.args.get("query_code", "")
    platform().cases.public_status(case_no, code)
    notices = platform().cases.public_notice_list(case_no, code)
    return jsonify(
        [
            {
                "id": n["id"],
                "kind": n["kind"],
                "number": n["number"],
                "title": n["content"].get("title"),
                "issued_at": n["issued_at"].isoformat(),
            }
            for n in notices
        ]
    )


@bp.get("/public/cases/<case_no>/notices/<int:notice_id>.html")
def public_notice_html(case_no: str, notice_id: int) -> ResponseReturnValue:
    content = platform().cases.public_notice(case_no, request.args.get("query_code", ""), notice_id)["content"]
    return _html(content)


@bp.post("/cases/<case_no>/<any(withdraw, terminate):action>")
def end_case(case_no: str, action: str) -> ResponseReturnValue:
    """撤回 (the applicant withdraws) or 终止 (a legal bar ends it): the case and its process end together."""
    raw = json_body().get("reason")
    reason = raw if isinstance(raw, str) else ""
    cases = platform().cases
    result = (cases.withdraw if action == "withdraw" else cases.terminate)(current_principal(), case_no, reason)
    return jsonify(result)
