"""Public pages (no sign-in): the service guide (办事指南) catalogue and the applicant's case lookup."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from engine.errors import NotFound, OnestopError
from webapp.auth import platform

bp = Blueprint("public", __name__)
TYPES = ("行政许可", "非行政许可审批", "管理服务事项")


def _matches(item: dict[str, Any], words: str, kind: str, department: str) -> bool:
    if kind and item["type"] != kind:
        return False
    if department and item["department"] != department:
        return False
    return not words or words in item["name"] or words.upper() in item["code"]


@bp.get("/guide")
def guide() -> ResponseReturnValue:
    words = request.args.get("q", "").strip()[:50]
    kind = request.args.get("type", "")
    department = request.args.get("department", "")
    items = [i for i in platform().catalogue.items() if _matches(i, words, kind, department)]
    departments = dict(platform().accounts.departments())
    return render_template(
        "pages/guide.html",
        items=items,
        words=words,
        kind=kind,
        department=department,
        departments=departments,
        types=TYPES,
    )


@bp.get("/guide/<code>")
def guide_item(code: str) -> ResponseReturnValue:
    try:
        item = platform().catalogue.item(code)
    except NotFound:
        return render_template("pages/error.html", message="没有该事项 / no such item"), 404
    departments = dict(platform().accounts.departments())
    guide = item["guide"]
    try:
        diagram: str | None = platform().diagrams.item_svg(code)
    except OnestopError:  # the item's process is not deployed here: the guide still lists the steps
        diagram = None
    return render_template(
        "pages/guide_item.html",
        item=item,
        guide=guide,
        inferred=set(guide.get("inferred", [])),
        department_name=departments.get(item["department"], item["department"]),
        diagram=diagram,
    )


@bp.route("/lookup", methods=["GET", "POST"])
def lookup() -> ResponseReturnValue:
    result, message, relay = None, None, None
    case_no = request.form.get("case_no", "").strip()
    if request.method == "POST":
        try:
            result = platform().cases.public_status(case_no, request.form.get("query_code", "").strip())
            # a case relayed from a village: the total since the village intake beside the statutory clock
            relay = platform().agency.public_times(case_no, request.form.get("query_code", "").strip())
        except NotFound as error:
            message = error.message  # the same words for a wrong code as for a case that does not exist
    return render_template("pages/lookup.html", result=result, message=message, case_no=case_no, relay=relay), (
        404 if message else 200
    )
