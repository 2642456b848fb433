"""The printable notices (文书): every kind renders its legal content from a plain dict, escaped, dated in Chinese."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from webapp.notices import NOTICE_KINDS, render_notice

TEMPLATES = Path(__file__).resolve().parents[2] / "webapp" / "templates" / "notices"

CASE_NO = "TEST-ITEM-001202603090001"
APPLICANT = "张小明"
ITEM = "建设项目用地预审与选址意见书核发"
PHONE = "0871-67112345"

MISSING = [
    "建设项目用地预审与选址申请表（未加盖申请单位公章）",
    "建设项目用地范围界址点坐标（2000国家大地坐标系）",
    "投资项目在线审批监管平台项目代码",
]


def sample(kind: str, **overrides: Any) -> dict[str, Any]:
    """A realistic case: received Monday 2026-03-09 10:30 (Beijing), 20 working days promised (ends 2026-04-07)."""
    notice: dict[str, Any] = {
        "kind": kind,
        "number": "嵩政务受字〔2026〕0001号",
        "issued_at": "2026-03-09T02:45:00Z",
        "centre_name": "嵩明县政务服务中心",
        "department_name": "嵩明县自然资源局",
        "case_no": CASE_NO,
        "item_code": "TEST-ITEM-001",
        "item_name": ITEM,
        "applicant_name": APPLICANT,
        "received_at": "2026-03-09T02:30:00Z",
        "accepted_at": "2026-03-09T02:40:00Z",
        # end of the 20th working day after 2026-03-09 = local midnight starting 2026-04-08
        "due_at": "2026-04-07T16:00:00Z",
        "promised_days": 20,
        "statutory_days": 20,
        "complaint_phone": PHONE,
        "office_phone": "0871-67119876",
        "materials": [
            {"name": "建设项目用地预审与选址申请表", "form": "原件", "copies": 1, "received": True},
            {"name": "营业执照", "form": "copy", "copies": 2, "received": True},
            {"name": "项目建议书批复文件", "form": "复印件", "copies": 1, "received": False},
        ],
        "missing": MISSING,
        "reasons": ["拟用地位于生态保护红线范围内", "不符合国土空间总体规划"],
        "procedure": {"name": "专家评审", "expected_days": 15, "started_at": "2026-03-16T01:00:00Z"},
        "extension": {
            "days": 10,
            "reason": "需征求县林草局对拟用地涉及林地情况的意见",
            "new_due_at": "2026-04-21T16:00:00Z",
            "approver": "李建国",
        },
        "decision": {
            "approved": True,
            "decided_at": "2026-04-01T08:00:00Z",
            "content": "同意核发建设项目用地预审与选址意见书",
        },
        "delivery": {"method": "in_person", "delivered_at": "2026-04-02T03:00:00Z", "receiver": "张小明"},
        "legal_basis": [{"law": "中华人民共和国土地管理法", "article": 52}],
        "refer_to": "昆明市自然资源和规划局",
        "inferred": [],
    }
    if kind == "correction":  # not accepted yet; due_at is the deadline for supplying the materials
        notice.update(accepted_at=None, due_at="2026-03-16T16:00:00Z", promised_days=None)
    if kind == "refusal":
        notice["decision"] = {"approved": False, "decided_at": "2026-04-01T08:00:00Z", "content": None}
    notice.update(overrides)
    return notice


def text_of(html: str) -> str:
    """The visible text, tags removed, so assertions do not depend on markup between words."""
    return re.sub(r"<[^>]+>", "", html)


@pytest.mark.parametrize("kind", sorted(NOTICE_KINDS))
def test_every_kind_renders_the_common_parts(kind: str) -> None:
    html = render_notice(sample(kind))
    text = text_of(html)
    assert html.startswith("<!doctype html>")
    assert '<html lang="zh-CN">' in html
    assert NOTICE_KINDS[kind] in text
    assert f"<h1>{NOTICE_KINDS[kind]}</h1>" in html
    for expected in (
        "嵩明县政务服务中心",
        "嵩政务受字〔2026〕0001号",
        CASE_NO,
        APPLICANT,
        ITEM,
        "TEST-ITEM-001",
        PHONE,
    ):
        assert expected in text, expected
    assert "投诉和监督电话" in text
    assert "（示例数据）" not in text
    # printable: A4 page rules, no script
    assert "@page" in html and "A4" in html
    assert "<script" not in html.lower()


@pytest.mark.parametrize("kind", sorted(NOTICE_KINDS))
def test_every_kind_renders_with_only_its_kind(kind: str) -> None:
    html = render_notice({"kind": kind})
    assert NOTICE_KINDS[kind] in html
    assert "嵩明县政务服务中心" in html  # the default centre
    assert 'class="blank"' in html  # missing values become lines to fill in by hand
    assert "None" not in text_of(html)


def test_receipt_lists_the_materials_with_form_and_copies() -> None:
    text = text_of(render_notice(sample("receipt")))
    assert "2026年3月9日 10:30" in text  # received_at in Beijing time
    for name in ("建设项目用地预审与选址申请表", "营业执照", "项目建议书批复文件"):
        assert name in text
    assert "原件" in text and "复印件" in text
    assert "2份" in text
    assert "未收取" in text
    assert "不作为受理凭证" in text


def test_acceptance_has_the_statutory_content() -> None:
    html = render_notice(sample("acceptance"))
    text = text_of(html)
    for expected in (
        "受理时间", "2026年3月9日 10:40", "承诺办理时限", "20个工作日", "法定办理时限", "受理机关", "嵩明县自然资源局",
        "投诉和监督电话", "受理专用章", "决定予以受理",
    ):  # fmt: skip
        assert expected in text, expected
    # the deadline ends at local midnight starting 8 April: its last day is 7 April
    assert "2026年4月7日" in text
    assert "2026年4月8日" not in text


def test_non_acceptance_gives_reasons_rights_and_where_to_apply() -> None:
    text = text_of(render_notice(sample("non_acceptance")))
    for reason in sample("non_acceptance")["reasons"]:
        assert reason in text
    assert "不予受理" in text
    assert "行政复议" in text and "行政诉讼" in text
    assert "六十日" in text and "六个月" in text
    assert "《中华人民共和国行政复议法》" in text and "《中华人民共和国行政诉讼法》" in text
    assert "请向昆明市自然资源和规划局提出申请" in text


def test_non_acceptance_without_referral_does_not_mention_it() -> None:
    text = text_of(render_notice(sample("non_acceptance", refer_to=None)))
    assert "请向" not in text


def test_correction_lists_every_missing_material_at_once() -> None:
    text = text_of(render_notice(sample("correction")))
    for item in MISSING:
        assert item in text
    assert "项目建议书批复文件" in text  # a material marked not received is listed too
    assert "共4项" in text
    assert "一次性告知" in text
    assert "请于2026年3月16日（含当日）前补正上述全部材料" in text
    assert "签收" in text and "送达日期" in text


def test_special_procedure_time_is_not_counted() -> None:
    text = text_of(render_notice(sample("special_procedure")))
    assert "专家评审" in text
    assert "15个工作日" in text
    assert "2026年3月16日" in text
    assert "第四十五条" in text
    assert "不计算在行政许可期限" in text


def test_extension_shows_reasons_days_and_new_due_date() -> None:
    text = text_of(render_notice(sample("extension")))
    assert "需征求县林草局对拟用地涉及林地情况的意见" in text
    assert "延长10个工作日" in text
    assert "延长后的办结日期为2026年4月21日" in text
    assert "原承诺办结日期为2026年4月7日" in text
    assert "第四十二条" in text
    assert "李建国" in text


def test_approval_states_the_decision_and_its_content() -> None:
    text = text_of(render_notice(sample("approval")))
    assert "决定准予行政许可" in text
    assert "同意核发建设项目用地预审与选址意见书" in text
    assert "2026年4月1日" in text
    assert "行政许可专用章" in text
    assert "《中华人民共和国土地管理法》第五十二条" in text


def test_refusal_gives_reasons_and_rights() -> None:
    text = text_of(render_notice(sample("refusal")))
    assert "决定不予行政许可" in text
    assert "拟用地位于生态保护红线范围内" in text and "不符合国土空间总体规划" in text
    assert "行政复议" in text and "行政诉讼" in text
    assert "本决定书" in text


def test_decision_kind_must_match_the_decision() -> None:
    with pytest.raises(ValueError, match="refusal"):
        render_notice(sample("approval", decision={"approved": False}))
    with pytest.raises(ValueError, match="approval"):
        render_notice(sample("refusal", decision={"approved": True}))


def test_delivery_shows_document_method_receiver_and_signature_line() -> None:
    text = text_of(render_notice(sample("delivery")))
    assert "准予行政许可决定书" in text  # from the decision when no document is named
    assert "直接送达" in text
    assert "2026年4月2日 11:00" in text
    assert "签收人签名或盖章" in text
    named = text_of(
        render_notice(
            sample(
                "delivery",
                delivery={
                    "method": "mail",
                    "receiver": "王芳",
                    "document": "不予受理通知书",
                    "document_number": "嵩政务受字〔2026〕0002号",
                },
            )
        )
    )
    assert "不予受理通知书（嵩政务受字〔2026〕0002号）" in named
    assert "邮寄送达" in named
    assert "由王芳代为签收" in named


@pytest.mark.parametrize("kind", sorted(NOTICE_KINDS))
def test_input_is_escaped(kind: str) -> None:
    script = "<script>alert(1)</script>"
    html = render_notice(
        sample(kind, applicant_name=script, reasons=[script], missing=[script], refer_to=script, item_name="A&B")
    )
    assert script not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "A&amp;B" in html


def test_markup_in_the_input_is_not_trusted() -> None:
    from markupsafe import Markup

    html = render_notice(sample("acceptance", applicant_name=Markup("<b>张小明</b>")))
    assert "<b>张小明</b>" not in html
    assert "&lt;b&gt;张小明&lt;/b&gt;" in html


def test_templates_never_mark_input_safe() -> None:
    for template in TEMPLATES.glob("*.html"):
        source = template.read_text(encoding="utf-8")
        assert not re.search(r"\|\s*safe\b", source), template.name
        assert "<script" not in source.lower(), template.name


@pytest.mark.parametrize("kind", ["bogus", "", None, 3])
def test_unknown_kind_is_a_value_error(kind: Any) -> None:
    with pytest.raises(ValueError, match="unknown notice kind"):
        render_notice({"kind": kind})


def test_missing_kind_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown notice kind"):
        render_notice({"case_no": CASE_NO})


def test_inferred_values_are_marked() -> None:
    html = render_notice(sample("acceptance", inferred=["complaint_phone", "applicant_name", "due_at"]))
    text = text_of(html)
    assert f"{PHONE}（示例数据）" in text
    assert f"{APPLICANT}（示例数据）" in text
    assert "2026年4月7日（示例数据）" in text
    assert f"{CASE_NO}（示例数据）" not in text
    assert "不具有法律效力" in text  # the banner


def test_inferred_sub_keys_and_whole_sections_are_marked() -> None:
    text = text_of(render_notice(sample("extension", inferred=["extension.approver"])))
    assert "李建国（示例数据）" in text
    assert "2026年4月21日（示例数据）" not in text
    text = text_of(render_notice(sample("extension", inferred=["extension"])))
    assert "李建国（示例数据）" in text
    assert "2026年4月21日（示例数据）" in text


def test_dates_are_local_chinese_dates() -> None:
    # 17:00 UTC on 8 March is already 9 March in Songming
    text = text_of(render_notice(sample("approval", issued_at="2026-03-08T17:00:00Z", decision={"approved": True})))
    assert "2026年3月9日" in text
    text = text_of(render_notice(sample("approval", issued_at="2026-03-09", decision={"approved": True})))
    assert "2026年3月9日" in text
    text = text_of(render_notice(sample("acceptance"), timezone="UTC"))
    assert "2026年3月9日 02:40" in text


def test_a_deadline_not_at_midnight_keeps_its_day() -> None:
    text = text_of(render_notice(sample("acceptance", due_at="2026-04-07T09:30:00Z")))  # 17:30 local
    assert "2026年4月7日" in text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("due_at", "2026-04-07T16:00:00", "time zone"),
        ("accepted_at", "next Tuesday", "accepted_at"),
        ("promised_days", "twenty", "promised_days"),
        ("materials", {"name": "营业执照"}, "materials must be a list"),
        ("materials", ["营业执照"], r"materials\[0\] must be a dict"),
        ("extension", ["10"], "extension"),
    ],
)
def test_malformed_values_are_value_errors(field: str, value: Any, message: str) -> None:
    notice = sample("extension")
    notice[field] = value
    with pytest.raises(ValueError, match=message):
        render_notice(notice)


def test_unknown_time_zone_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="time zone"):
        render_notice(sample("receipt"), timezone="Mars/Olympus")
