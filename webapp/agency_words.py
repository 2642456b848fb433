"""Words for the agency pages (代办) in the reader's language: a relay's status, a hand-over, a level and its
time span, a mandate's kind and status, the sign buttons. The engine's labels are Chinese data; the pages
look the words up here by code, so each is a literal the catalogue (agency.po) translates. The agency
blueprint offers ``agency_words`` to every template (the public lookup shows a relay's times too)."""

from __future__ import annotations

from flask_babel import gettext as _


def agency_words() -> dict[str, dict[str, str]]:
    """Called by the templates that need the words (at render time, in the reader's language)."""
    return {
        "relay_status": {
            "to_town": _("待乡镇签收"), "at_town": _("乡镇初审中"), "to_county": _("待县级窗口签收"),
            "at_county": _("县级部门办理中"), "at_town_deciding": _("乡镇办理中"),
            "returning": _("结果回交中"), "delivered": _("已回交申请人"), "cancelled": _("已取消"),
        },
        "mandate_status": {
            "active": _("生效中"), "suspended": _("已中止"), "terminated": _("已终止"), "expired": _("已过期"),
        },
        "mandate_kind": {"full": _("全程代办"), "authorised": _("授权代办")},
        "handover": {
            "village_town": _("村 → 乡镇"), "town_county": _("乡镇 → 县"),
            "county_village": _("县 → 村（结果回交）"), "town_village": _("乡镇 → 村（结果回交）"),
        },
        "level": {
            "village": _("村（社区）为民服务站办理"), "town": _("乡镇为民服务中心办理"),
            "county": _("县政务服务中心办理"),
        },
        "span": {
            "village": _("村级"), "town": _("乡镇"), "county": _("县级"), "return": _("结果回交"),
            "total": _("合计"),
        },
        "action": {
            "town_receipt": _("乡镇签收"), "town_forward": _("乡镇初审并移交县级"),
            "county_receipt": _("县级窗口签收并受理"), "village_receipt": _("代办员签收办理结果"),
        },
        "town_receipt_deciding": {"town_receipt": _("乡镇签收并受理")},
        "case_status": {
            "received": _("已收件"), "correction_requested": _("待补正"), "accepted": _("已受理，办理中"),
            "paused": _("特别程序/中止"), "approved": _("准予许可"), "refused": _("不予许可"),
            "completed": _("已办结"), "delivered": _("已送达"), "not_accepted": _("不予受理"),
            "withdrawn": _("已撤回"), "terminated": _("已终止"),
        },
    }  # fmt: skip
