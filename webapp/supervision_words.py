"""Words of the supervision pages, in the user's language: live colours, roles, case actions, wait times."""

from __future__ import annotations

from flask_babel import gettext as _

#: CSS classes of the live colours (base.html styles the pill colours; overdue is red with a mark)
COLOUR_CLASSES = {"green": "green", "yellow": "yellow", "red": "red", "overdue": "red overdue"}


def colour_words() -> dict[str, str]:
    return {"green": _("正常"), "yellow": _("黄牌"), "red": _("红牌"), "overdue": _("已超期")}


def role_words() -> dict[str, str]:
    return {
        "window_officer": _("窗口受理人员"),
        "case_officer": _("承办人员"),
        "reviewer": _("审核人员"),
        "approver": _("审批人（首席代表）"),
        "fast_track_officer": _("联审办人员"),
        "consultant": _("咨询人员"),
        "complaint_officer": _("投诉处理人员"),
    }


def case_action_words() -> dict[str, str]:
    return {
        "accept": _("受理"), "refuse_acceptance": _("不予受理"), "request_correction": _("要求补正"),
        "supply_correction": _("补正材料"), "complete_instantly": _("当场办结"), "auto_accept": _("视为受理"),
        "start_pause": _("启动特别程序/中止"), "end_pause": _("恢复计时"), "extend": _("延长时限"),
        "decide": _("作出决定"), "complete": _("办结"), "deliver": _("送达"), "withdraw": _("撤回申请"),
        "terminate": _("终止办理"),
    }  # fmt: skip


def waited(minutes: int | None) -> str:
    """How long the oldest task has waited, in calendar time (days and hours, or hours and minutes)."""
    if minutes is None:
        return "—"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(days)s天%(hours)s小时", days=days, hours=hours)
    return _("%(hours)s小时%(minutes)s分", hours=hours, minutes=mins)
