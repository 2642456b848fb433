"""Questionnaire pages: administrators define, open and close satisfaction questionnaires and read their
results (SVG charts, CSV); the public answers an open one at /public/surveys/<id>; window staff enter a
questionnaire filled in on paper at the window."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from engine.domain.spreadsheet_cells import safe_row
from engine.domain.surveys import CHANNELS, KINDS, parse_question_lines
from engine.errors import FormValidationError, InvalidTransition, NotFound, PermissionDenied
from webapp.auth import platform
from webapp.charts import Series, bar_chart
from webapp.security import login_required, signed_in_principal

bp = Blueprint("surveys", __name__)
EXAMPLE = "\n".join(
    (
        "评分: 您对窗口服务的总体评价",
        "单选: 办理等候时间 | 10分钟以内 | 10–30分钟 | 30分钟以上",
        "文字: 其他意见和建议（选答）",
    )
)


def _forbidden() -> ResponseReturnValue:
    return render_template("pages/error.html", message=_("没有权限查看此页面")), 403


def _missing() -> ResponseReturnValue:
    return render_template("pages/error.html", message=_("问卷不存在或未开放")), 404


def _answers(form: MultiDict[str, str], questions: list[dict[str, Any]]) -> dict[str, Any]:
    """The posted answers by question id: a list for multiple choice, else the one value."""
    return {
        q["id"]: form.getlist(q["id"]) if q["kind"] == "multiple" else form.get(q["id"], "").strip() for q in questions
    }


# -- administrators ------------------------------------------------------------------------------------------
@bp.route("/surveys", methods=["GET", "POST"])
@login_required
def index() -> ResponseReturnValue:
    principal = signed_in_principal()
    assert principal is not None
    values = {"title": "", "description": "", "questions": EXAMPLE}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in values}
        body = {**values, "questions": parse_question_lines(values["questions"])}
        try:
            created = platform().surveys.create(principal, body)
        except PermissionDenied:
            return _forbidden()
        except FormValidationError as error:
            errors = {e.field: e.message for e in error.field_errors}
        else:
            return redirect(url_for("surveys.results", survey_id=created["id"]))
    try:
        rows = platform().surveys.overview(principal)
    except PermissionDenied:
        return _forbidden()
    status = 422 if errors else 200
    return render_template(
        "pages/surveys.html", rows=rows, values=values, errors=errors, kinds=KINDS, admin=principal.is_admin
    ), status


@bp.post("/surveys/<int:survey_id>/<any(open, closed):to>")
@login_required
def move(survey_id: int, to: str) -> ResponseReturnValue:
    principal = signed_in_principal()
    assert principal is not None
    try:
        platform().surveys.move(principal, survey_id, to)
    except PermissionDenied:
        return _forbidden()
    except NotFound:
        return _missing()
    except InvalidTransition as error:
        return render_template("pages/error.html", message=error.message), 409
    return redirect(url_for("surveys.index"))


@bp.get("/surveys/<int:survey_id>/results")
@login_required
def results(survey_id: int) -> ResponseReturnValue:
    principal = signed_in_principal()
    assert principal is not None
    try:
        found = platform().surveys.results(principal, survey_id)
    except PermissionDenied:
        return _forbidden()
    except NotFound:
        return _missing()
    charts = {
        q["id"]: bar_chart(q["title"], list(q["counts"]), [Series(_("人次"), list(q["counts"].values()))])
        for q in found["questions"]
        if q["kind"] != "text"
    }
    return render_template("pages/survey_results.html", **found, charts=charts, channels=CHANNELS, kinds=KINDS)


@bp.get("/surveys/<int:survey_id>/results.csv")
@login_required
def results_csv(survey_id: int) -> ResponseReturnValue:
    principal = signed_in_principal()
    assert principal is not None
    try:
        rows = platform().surveys.export_rows(principal, survey_id)
    except PermissionDenied:
        return _forbidden()
    except NotFound:
        return _missing()
    out = io.StringIO()
    csv.writer(out).writerows(safe_row(r) for r in rows)  # an answer like =HYPERLINK(...) stays text
    headers = {"Content-Disposition": f"attachment; filename=survey-{survey_id}.csv"}
    # a BOM so that spreadsheet programs read the Chinese text as UTF-8
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv; charset=utf-8", headers=headers)


# -- answering -----------------------------------------------------------------------------------------------
def _answer_errors(error: FormValidationError) -> dict[str, str]:
    """What to say under each question, in the user's language."""
    messages = {"case_no": _("没有该办件编号")}
    return {e.field: messages.get(e.field, _("请按题目要求作答")) for e in error.field_errors}


def _answer_page(survey: dict[str, Any], window: bool, **extra: Any) -> str:
    return render_template("pages/survey_answer.html", survey=survey, window=window, kinds=KINDS, **extra)


@bp.route("/public/surveys/<int:survey_id>", methods=["GET", "POST"])
def answer(survey_id: int) -> ResponseReturnValue:
    """The public questionnaire: anonymous, every answer checked against its question."""
    try:
        survey = platform().surveys.get(survey_id)
    except NotFound:
        return _missing()
    if request.method == "GET":
        return _answer_page(survey, False, values={})
    values = _answers(request.form, survey["questions"])
    try:
        platform().surveys.respond(survey_id, values)
    except NotFound:
        return _missing()
    except FormValidationError as error:
        return _answer_page(survey, False, values=values, errors=_answer_errors(error)), 422
    return _answer_page(survey, False, done=True, values={})


@bp.route("/surveys/<int:survey_id>/window", methods=["GET", "POST"])
@login_required
def window_entry(survey_id: int) -> ResponseReturnValue:
    """Window staff enter a questionnaire the applicant filled in at the window."""
    principal = signed_in_principal()
    assert principal is not None
    try:
        survey = platform().surveys.get(survey_id)
    except NotFound:
        return _missing()
    if request.method == "GET":
        return _answer_page(survey, True, values={})
    values = _answers(request.form, survey["questions"])
    case_no = request.form.get("case_no", "").strip()[:64]
    try:
        platform().surveys.respond_at_window(principal, survey_id, values, case_no or None)
    except PermissionDenied:
        return _forbidden()
    except NotFound:
        return _missing()
    except FormValidationError as error:
        return _answer_page(survey, True, values={**values, "case_no": case_no}, errors=_answer_errors(error)), 422
    return _answer_page(survey, True, done=True, values={})
