"""Words for the key-project pages in the reader's language: project status, review state, warning level, and
the CSS colour each warning wears."""

from __future__ import annotations

from flask_babel import gettext as _

#: the base layout's pill colours; an overdue review is as red as a red warning, and says so in words
WARNING_COLOURS = {"none": "none", "green": "green", "yellow": "yellow", "red": "red", "overdue": "red"}


def project_words() -> dict[str, dict[str, str]]:
    return {
        "status": {
            "received": _("已收件待分办"),
            "in_review": _("并联审查中"),
            "concluded": _("已办结"),
            "withdrawn": _("已撤回"),
        },
        "state": {
            "pre_review": _("预审"),
            "waiting": _("等待前置"),
            "deciding": _("待决定"),
            "approved": _("已决定（准予）"),
            "refused": _("已决定（不予许可）"),
            "ended": _("已终止"),
        },
        "warning": {
            "none": "—",
            "green": _("正常"),
            "yellow": _("黄色预警"),
            "red": _("红色预警"),
            "overdue": _("已超期"),
        },
        "stage": {
            "land_planning": _("立项用地规划许可"),
            "construction_permit": _("工程建设许可"),
            "building_permit": _("施工许可"),
            "completion": _("竣工验收"),
        },
    }


#: state pill colours: done green, blocked yellow, ended grey, running blue (the instance list's "running")
STATE_CLASSES = {
    "pre_review": "status-running",
    "waiting": "yellow",
    "deciding": "status-running",
    "approved": "green",
    "refused": "red",
    "ended": "none",
}
STATUS_CLASSES = {"received": "yellow", "in_review": "status-running", "concluded": "green", "withdrawn": "none"}
