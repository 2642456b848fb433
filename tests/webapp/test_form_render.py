"""Rendering user-task forms (forms/*.json) into HTML controls and parsing submissions back into data."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from engine.errors import FormValidationError
from engine.services.forms import FormRegistry
from webapp.form_render import errors_by_field, parse_form, render_fields

FORMS = Path(__file__).resolve().parents[2] / "forms"
FORM_NAMES = sorted(p.stem for p in FORMS.glob("*.json"))
XSS = "<script>alert(1)</script>"

# A realistic valid submission per form, as a browser sends it (strings only; unchecked boxes absent).
SUBMISSIONS: dict[str, dict[str, str]] = {
    "acceptance": {"decision": "correction", "missing": "营业执照副本\r\n法定代表人身份证复印件\r\n", "reasons": ""},
    "approval": {"decision": "准予许可", "reason": "  材料齐全，符合法定条件。 "},
    "correction": {"supplied": "true", "note": "申请人已于窗口补交营业执照副本。"},
    "decision": {"reasons": "选址不符合国土空间规划，依法不予许可。"},
    "delivery": {"method": "邮寄", "receipt_no": "SF1234567890"},
    "examination": {
        "opinion": "经现场核查，申请材料与实际情况一致。",
        "special_procedure": "现场核查",
        "extension_requested": "true",
        "extension_reason": "需组织专家评审，申请延期十个工作日。",
    },
    "extension": {"approved": "true", "reason": "同意延期。"},
    "fast_track_conclusion": {"summary": "四部门均准予，统一出件。"},
    "fast_track_review": {
        "opinion": "施工图与用地预审范围一致。",
        "conditions": "待用地预审结果",
        "site_visit": "true",
    },
    "fast_track_triage": {
        "reviews": "XK-ZRZY-001\r\nXK-ZFCX-001: XK-ZRZY-001\r\n",
        "steward": "fasttrack",
        "lead_department": "LAND",
    },
    "meeting_action": {"note": "已协调供电部门完成线路迁改方案。"},
    "complaint_accept": {
        "summary": "反映窗口要求额外证明材料。",
        "category": "extra_requirements",
        "department": "LAND",
    },
    "complaint_investigate": {"findings": "调阅记录，情况属实。"},
    "complaint_handle": {"upheld": "true", "measures": "取消额外要求，批评教育。", "officer": "", "department": "LAND"},
    "complaint_feedback": {"reply": "已电话告知处理结果。", "reply_channel": "电话", "complainant_opinion": "满意"},
    "complaint_archive": {"file_no": "TS-2026-档-001", "note": ""},
    "rectification_call_back": {"reached": "true", "method": "phone", "findings": "申请人反映属实。"},
    "rectification_classify": {"classification": "ledger", "measures": "修订一次性告知单并培训窗口人员。"},
    "rectification_ledger": {"result": "已修订告知单，窗口人员完成培训。"},
    "rectification_appeal": {"approved": "true", "opinion": "监控显示评价时段无人办理，系误评。"},
    "rectification_feedback": {"method": "sms", "content": "您反映的问题已整改，感谢监督。"},
    "intake": {"applicant_name": "嵩明县某某建材有限公司", "project_name": "", "materials_complete": "true"},
    "review": {"approved": "true", "opinion": "同意，按图施工。", "conditions": "竣工后申请验收。"},
    "special_procedure": {"result": "听证会已于2026年3月9日举行，无异议。"},
}


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FORMS / f"{name}.json").read_text(encoding="utf-8"))
    return data


class Browser(HTMLParser):
    """Collects what a browser would submit from rendered controls (successful controls only)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: list[tuple[str, str]] = []
        self.controls: dict[str, dict[str, str | None]] = {}
        self.labels: dict[str, str] = {}
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._label: str | None = None
        self._label_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("input", "select", "textarea") and a.get("name"):
            self.controls[str(a["name"])] = {"tag": tag, **a}
        if tag == "input" and a.get("name"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.pairs.append((str(a["name"]), a.get("value") or "on"))
            else:
                self.pairs.append((str(a["name"]), a.get("value") or ""))
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value") or "", "selected" in a))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []
        elif tag == "label":
            self._label, self._label_text = a.get("for"), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected] or [self._options[0][0]]
            self.pairs.append((self._select, chosen[0]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.pairs.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "label" and self._label is not None:
            self.labels[self._label] = "".join(self._label_text)
            self._label = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)
        if self._label is not None:
            self._label_text.append(data)


def browse(html: str) -> Browser:
    browser = Browser()
    browser.feed(html)
    browser.close()
    return browser


def submit(html: str) -> MultiDict[str, str]:
    return MultiDict(browse(html).pairs)


def engine_errors(schema: dict[str, Any], data: dict[str, Any]) -> list[dict[str, str]]:
    """The details the engine returns for ``data``, from the engine's own form registry."""
    registry = FormRegistry(lambda _file_id: json.dumps(schema).encode())
    with pytest.raises(FormValidationError) as caught:
        registry.validate(1, data)
    details: list[dict[str, str]] = caught.value.details
    return details


def test_every_form_has_a_submission() -> None:
    assert len(FORM_NAMES) >= 10
    assert set(SUBMISSIONS) == set(FORM_NAMES)


@pytest.mark.parametrize("name", FORM_NAMES)
def test_one_labelled_control_per_property(name: str) -> None:
    schema = load(name)
    html = str(render_fields(schema))
    page = browse(html)
    properties = schema["properties"]
    assert list(page.controls) == list(properties)  # schema order, nothing else
    for prop_name, prop in properties.items():
        control = page.controls[prop_name]
        assert control["id"] == prop_name
        assert prop["title"] in page.labels[prop_name]
        if "description" in prop:
            assert f'id="{prop_name}-help"' in html
            assert f"{prop_name}-help" in (control.get("aria-describedby") or "")


@pytest.mark.parametrize("name", FORM_NAMES)
def test_submission_round_trips_to_valid_data(name: str) -> None:
    schema = load(name)
    data = parse_form(schema, MultiDict(SUBMISSIONS[name]))
    validator = Draft202012Validator(schema)
    assert validator.is_valid(data), [e.message for e in validator.iter_errors(data)]
    # what the page shows for that data submits back to the same data
    again = parse_form(schema, submit(str(render_fields(schema, data))))
    assert again == data


@pytest.mark.parametrize("name", FORM_NAMES)
def test_plain_dict_form_is_accepted(name: str) -> None:
    schema = load(name)
    assert parse_form(schema, SUBMISSIONS[name]) == parse_form(schema, MultiDict(SUBMISSIONS[name]))


def test_required_markers() -> None:
    page = browse(str(render_fields(load("acceptance"))))
    assert "required" in page.controls["decision"]
    assert "required" not in page.controls["missing"]  # only when decision is correction
    assert "required" not in page.controls["reasons"]
    html = str(render_fields(load("acceptance")))
    assert "视情况必填" in html
    assert "「受理决定」为“一次性告知补正”时" in html
    assert 'class="required-mark"' in html
    # a required checkbox is never marked required: HTML would demand it be ticked
    intake = browse(str(render_fields(load("intake"))))
    assert "required" not in intake.controls["materials_complete"]
    assert "required" in intake.controls["applicant_name"]


@pytest.mark.parametrize("name", FORM_NAMES)
def test_missing_required_field_shows_its_error(name: str) -> None:
    schema = load(name)
    # a text field left empty in the browser; when only checkboxes are required (they always submit a
    # boolean), the data lacks one as a raw API call could, and the error still shows under the checkbox
    text_required = [f for f in schema["required"] if schema["properties"][f]["type"] != "boolean"]
    target = (text_required or schema["required"])[0]
    submission = dict(SUBMISSIONS[name])
    submission.pop(target, None)
    data = parse_form(schema, submission)
    data.pop(target, None)
    details = engine_errors(schema, data)
    errors = errors_by_field(details)
    assert target in errors
    html = str(render_fields(schema, data, errors))
    page = browse(html)
    control = page.controls[target]
    assert control["aria-invalid"] == "true"
    assert f"{target}-error" in (control["aria-describedby"] or "")
    assert f'<p class="field-error" id="{target}-error" role="alert">' in html
    for other in schema["properties"]:
        if other not in errors:
            assert "aria-invalid" not in page.controls[other]


def test_conditional_requirement_error_under_the_field() -> None:
    schema = load("acceptance")
    data = parse_form(schema, {"decision": "not_accept", "reasons": "   "})
    assert data == {"decision": "not_accept"}
    errors = errors_by_field(engine_errors(schema, data))
    assert set(errors) == {"reasons"}
    page = browse(str(render_fields(schema, data, errors)))
    assert page.controls["reasons"]["aria-invalid"] == "true"
    assert "aria-invalid" not in page.controls["decision"]


def test_values_and_errors_are_escaped() -> None:
    schema = load("examination")
    values = {"opinion": XSS, "extension_reason": XSS, "special_procedure": XSS}
    html = render_fields(schema, values, {"opinion": XSS, "_form": XSS, "elsewhere": XSS})
    assert isinstance(html, Markup)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    page = browse(str(html))
    assert dict(page.pairs)["opinion"] == XSS  # the browser sees the text, not markup


def test_schema_text_is_escaped() -> None:
    schema = {
        "type": "object",
        "required": ['x"><script>'],
        "properties": {
            'x"><script>': {"type": "string", "title": XSS, "description": XSS, "enum": [XSS, "b"]},
            "y": {"type": "string", "title": XSS, "maxLength": 500},
        },
    }
    html = str(render_fields(schema, {"y": "</textarea>" + XSS}))
    assert "<script>" not in html
    assert "</textarea><script>" not in html
    assert parse_form(schema, submit(html))["y"] == "</textarea>" + XSS


def test_missing_materials_round_trip() -> None:
    schema = load("acceptance")
    data = parse_form(schema, {"decision": "correction", "missing": "营业执照\n\n身份证复印件\n"})
    assert data == {"decision": "correction", "missing": ["营业执照", "身份证复印件"]}
    html = str(render_fields(schema, data))
    assert "每行一项" in html
    assert 'aria-describedby="missing-hint' in html
    assert parse_form(schema, submit(html)) == data


def test_empty_lines_array_is_omitted_and_reported() -> None:
    schema = load("acceptance")
    data = parse_form(schema, {"decision": "correction", "missing": "\n  \n"})
    assert "missing" not in data
    assert "missing" in errors_by_field(engine_errors(schema, data))


def test_unchecked_checkbox_is_false() -> None:
    schema = load("examination")
    data = parse_form(schema, MultiDict([("opinion", "同意")]))
    assert data["extension_requested"] is False
    assert parse_form(load("decision"), {})["approved"] is False
    assert parse_form(load("decision"), {"approved": "true"})["approved"] is True
    page = browse(str(render_fields(load("decision"), {"approved": False})))
    assert "checked" not in page.controls["approved"]
    page = browse(str(render_fields(load("decision"), {"approved": True})))
    assert "checked" in page.controls["approved"]
    assert page.controls["approved"]["value"] == "true"


def test_enum_select() -> None:
    schema = load("examination")
    html = str(render_fields(schema, {"special_procedure": "听证"}))
    assert ">（无）</option>" in html
    assert '<option value="听证" selected>' in html
    assert html.count('<option value="">') == 1  # the empty member, no extra placeholder
    assert parse_form(schema, {"opinion": "可", "special_procedure": ""})["special_procedure"] == ""
    assert parse_form(schema, {"opinion": "可", "special_procedure": "听证"})["special_procedure"] == "听证"
    acceptance = str(render_fields(load("acceptance")))
    assert '<option value="not_accept">不予受理</option>' in acceptance  # labels taken from the description


def test_long_strings_get_a_textarea() -> None:
    page = browse(str(render_fields(load("review"))))
    assert page.controls["opinion"]["tag"] == "textarea"
    assert page.controls["opinion"]["maxlength"] == "2000"
    delivery = browse(str(render_fields(load("delivery"))))
    assert delivery.controls["receipt_no"]["tag"] == "input"
    assert delivery.controls["receipt_no"]["type"] == "text"


def test_strings_stripped_and_empty_optional_omitted() -> None:
    schema = load("intake")
    data = parse_form(schema, {"applicant_name": "  张三 ", "project_name": "   ", "remark": ""})
    assert data == {"applicant_name": "张三", "materials_complete": False, "accepted": False}
    # an empty required string is kept so that the engine reports it under that field
    assert parse_form(schema, {"applicant_name": " "})["applicant_name"] == ""


def test_numbers() -> None:
    schema = {
        "type": "object",
        "required": ["days"],
        "properties": {
            "days": {"type": "integer", "title": "延长天数", "minimum": 1, "maximum": 30},
            "fee": {"type": "number", "title": "收费金额"},
            "copies": {"type": ["integer", "null"], "title": "份数"},
        },
    }
    page = browse(str(render_fields(schema, {"days": 5})))
    assert page.controls["days"]["type"] == "number"
    assert page.controls["days"]["step"] == "1"
    assert page.controls["days"]["min"] == "1"
    assert page.controls["days"]["value"] == "5"
    assert page.controls["fee"]["step"] == "any"
    assert parse_form(schema, {"days": " 10 ", "fee": "12.5", "copies": ""}) == {"days": 10, "fee": 12.5}
    assert parse_form(schema, {"days": "3.0", "fee": "7"}) == {"days": 3, "fee": 7}
    invalid = parse_form(schema, {"days": "十天", "fee": "nan", "copies": "1.5"})
    assert invalid == {"days": "十天", "fee": "nan", "copies": "1.5"}
    assert not Draft202012Validator(schema).is_valid(invalid)
    assert set(errors_by_field(engine_errors(schema, invalid))) == {"days", "fee", "copies"}


def test_unsupported_types_render_as_text_with_a_note() -> None:
    schema = {
        "type": "object",
        "properties": {
            "address": {"type": "object", "title": "地址", "properties": {"city": {"type": "string"}}},
            "scores": {"type": "array", "title": "评分", "items": {"type": "integer"}},
            "anything": {"title": "任意"},
            "weird": "not a schema",
        },
    }
    html = str(render_fields(schema, {"address": {"city": "昆明"}}))
    page = browse(html)
    for name in schema["properties"]:
        assert page.controls[name]["tag"] == "input"
        assert page.controls[name]["type"] == "text"
        assert f"{name}-unsupported" in (page.controls[name]["aria-describedby"] or "")
    assert "没有专用控件" in html
    assert parse_form(schema, {"scores": " 1,2 ", "anything": ""}) == {"scores": "1,2"}


def test_only_schema_properties_are_read() -> None:
    schema = load("delivery")
    form = MultiDict([("method", "邮寄"), ("csrf_token", "abc"), ("method", "窗口领取"), ("admin", "true")])
    assert parse_form(schema, form) == {"method": "邮寄"}
    assert parse_form({}, form) == {}


def test_errors_by_field() -> None:
    details = [
        {"field": "missing.1", "message": "'营业执照' is not unique"},
        {"field": "reasons", "message": "first"},
        {"field": "reasons", "message": "second"},
        {"field": "_form", "message": "expected an object"},
        {"message": "no field"},
    ]
    errors = errors_by_field(details)
    assert errors == {
        "missing.1": "'营业执照' is not unique",
        "reasons": "first",
        "_form": "expected an object",
    }
    assert errors_by_field([]) == {}
    html = str(render_fields(load("acceptance"), {}, errors))
    page = browse(html)
    assert page.controls["missing"]["aria-invalid"] == "true"  # a nested path shows under its property
    assert 'id="missing-error"' in html
    assert 'class="form-errors"' in html and "expected an object" in html


def test_default_prefills_when_value_absent() -> None:
    schema = {"type": "object", "properties": {"method": {"type": "string", "enum": ["a", "b"], "default": "b"}}}
    assert '<option value="b" selected>' in str(render_fields(schema))
    assert '<option value="b" selected>' not in str(render_fields(schema, {"method": "a"}))
