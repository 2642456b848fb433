"""Public feedback rules: the five 好差评 levels and which are bad reviews, the stage a case is evaluated in,
complaint sources, categories and stages (GB/T 36113), complaint numbers, and masking of personal data.

Pure: the services store and check; this module only says what the rules are (domain §6.7, §7).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.domain.cases import Case, CaseStatus

__all__ = [
    "COMPLAINT_CATEGORIES", "COMPLAINT_REPLY_WORKDAYS", "COMPLAINT_SOURCES", "EVALUATION_CHANNELS", "LEVELS",
    "ComplaintCategory", "ComplaintStatus", "Level", "Stage", "complaint_number", "complaint_number_prefix",
    "evaluated_officer", "evaluation_stage", "is_phone", "mask_complainant", "mask_name", "mask_phone",
    "parse_level", "summarise",
]  # fmt: skip


class Level(enum.IntEnum):
    """The five levels; interfaces map 5 = 非常满意 … 1 = 非常不满意 (domain §7.2)."""

    VERY_SATISFIED = 5
    SATISFIED = 4
    BASICALLY_SATISFIED = 3
    DISSATISFIED = 2
    VERY_DISSATISFIED = 1

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self]

    @property
    def is_bad(self) -> bool:
        """差评 = 不满意 + 非常不满意: each one must be rectified (国办发〔2019〕51号)."""
        return self <= Level.DISSATISFIED

    @property
    def stars(self) -> str:
        return "★" * int(self) + "☆" * (5 - int(self))


_LEVEL_LABELS = {
    Level.VERY_SATISFIED: "非常满意", Level.SATISFIED: "满意", Level.BASICALLY_SATISFIED: "基本满意",
    Level.DISSATISFIED: "不满意", Level.VERY_DISSATISFIED: "非常不满意",
}  # fmt: skip
#: best first, as an evaluation form lists them
LEVELS: tuple[Level, ...] = tuple(sorted(Level, reverse=True))


def parse_level(raw: object) -> Level | None:
    """A level from a JSON number or form text ("1" … "5"); None for anything else (booleans included)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str) and re.fullmatch(r"[1-5]", raw.strip()):
        return Level(int(raw.strip()))
    if isinstance(raw, int) and 1 <= raw <= 5:
        return Level(raw)
    return None


class Stage(enum.StrEnum):
    """When a case may be evaluated: at acceptance (受理) and at completion (办结), Guangdong's evalProcess 1/2."""

    ACCEPTANCE = "acceptance"
    COMPLETION = "completion"

    @property
    def label(self) -> str:
        return "受理" if self is Stage.ACCEPTANCE else "办结"


_IN_HAND = frozenset({CaseStatus.ACCEPTED, CaseStatus.PAUSED, CaseStatus.APPROVED, CaseStatus.REFUSED})
# a case that has ended, however it ended (办结 incl. 不予受理, 撤回, 终止: the applicant's matter is over)
_ENDED = frozenset(
    {
        CaseStatus.COMPLETED,
        CaseStatus.DELIVERED,
        CaseStatus.NOT_ACCEPTED,
        CaseStatus.WITHDRAWN,
        CaseStatus.TERMINATED,
    }
)


def evaluation_stage(status: CaseStatus) -> Stage | None:
    """The stage a case in ``status`` is evaluated at; None before acceptance (收件, 补正: nothing to rate yet)."""
    if status in _ENDED:
        return Stage.COMPLETION
    if status in _IN_HAND:
        return Stage.ACCEPTANCE
    return None


_NOT_PEOPLE = frozenset({"system", "applicant", ""})


def evaluated_officer(case: Case, stage: Stage) -> str | None:
    """Whose service is rated: the officer who accepted the case, or who last acted on it before it ended
    (steps done by the system, e.g. an automatic acceptance, fall back to the latest person before them)."""
    history = list(case.history)
    if stage is Stage.ACCEPTANCE:
        entry = next((i for i, t in enumerate(history) if t.to_status is CaseStatus.ACCEPTED), len(history) - 1)
        history = history[: entry + 1]
    people = [t.actor for t in history if t.actor not in _NOT_PEOPLE]
    return people[-1] if people else None


#: the channels a rating may come through (domain §7.5: 网站, 大厅/评价器, 移动端, 短信, 热线)
EVALUATION_CHANNELS: Mapping[str, str] = {
    "web": "网站", "window": "窗口评价器", "app": "移动端", "sms": "短信", "hotline": "热线",
}  # fmt: skip


@dataclass(frozen=True)
class Summary:
    count: int
    by_level: dict[int, int]
    bad: int
    satisfaction_rate: float | None  # (非常满意 + 满意 + 基本满意) / evaluations
    average_of_ten: float | None  # Guangdong's "整体平均分" on a 10-point scale


def summarise(levels: Iterable[int]) -> Summary:
    values = [Level(v) for v in levels]
    by_level = {int(level): sum(1 for v in values if v is level) for level in LEVELS}
    bad = sum(1 for v in values if v.is_bad)
    if not values:
        return Summary(0, by_level, 0, None, None)
    return Summary(
        len(values),
        by_level,
        bad,
        round((len(values) - bad) / len(values), 4),
        round(sum(int(v) for v in values) * 2 / len(values), 1),
    )


# -- complaints ---------------------------------------------------------------------------------------------
#: where a complaint came in (domain §6.7: 投诉台, 投诉电话, 网上, 意见簿)
COMPLAINT_SOURCES: Mapping[str, str] = {
    "desk": "投诉台", "phone": "投诉电话", "web": "网上投诉", "opinion_book": "意见簿",
}  # fmt: skip
#: working days to answer a complaint (十堰: 10 working days, domain §6.7; GB/T 36113 gives no number)
COMPLAINT_REPLY_WORKDAYS = 10


@dataclass(frozen=True)
class ComplaintCategory:
    code: str
    label: str
    #: who investigates by default (domain §6.7 routing by type): the centre's 督办科, the department concerned,
    #: or the discipline/纠风 office; the complaint process (issue 7) routes on it
    routed_to: str


COMPLAINT_CATEGORIES: tuple[ComplaintCategory, ...] = (
    ComplaintCategory("conduct", "服务态度与工作作风", "centre"),
    ComplaintCategory("delay", "办理超时、推诿拖延", "department"),
    ComplaintCategory("extra_requirements", "办事指南之外增加条件或材料", "department"),
    ComplaintCategory("fees", "违规收费、吃拿卡要", "discipline"),
    ComplaintCategory("other", "其他", "centre"),
)


class ComplaintStatus(enum.StrEnum):
    """GB/T 36113-2018: 受理 → 调查 → 处置 → 意见反馈 → 资料归档. A complaint filed now is 受理."""

    RECEIVED = "received"
    INVESTIGATING = "investigating"
    HANDLING = "handling"
    ANSWERED = "answered"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    ComplaintStatus.RECEIVED: "已受理", ComplaintStatus.INVESTIGATING: "调查中", ComplaintStatus.HANDLING: "处置中",
    ComplaintStatus.ANSWERED: "已反馈", ComplaintStatus.ARCHIVED: "已归档",
}  # fmt: skip


def complaint_number_prefix(year: int) -> str:
    return f"TS-{year}-"


def complaint_number(year: int, sequence: int) -> str:
    """TS-2026-000001: 投诉 (TS), the local year, a six-digit sequence restarting every year."""
    if not 1 <= sequence <= 999_999:
        raise ValueError(f"complaint sequence {sequence} out of range")
    return f"{complaint_number_prefix(year)}{sequence:06d}"


# -- personal data -------------------------------------------------------------------------------------------
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def is_phone(text: str) -> bool:
    """A mainland mobile number or a landline with its area code (how the reply reaches the complainant)."""
    return bool(_PHONE.match(text.replace(" ", "")))


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***: enough to recognise, not to identify."""
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678 (the middle hidden); shorter numbers keep only their last two digits."""
    digits = phone.replace(" ", "")
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * max(0, len(digits) - 2) + digits[-2:]


def mask_complainant(person: Mapping[str, Any]) -> dict[str, str]:
    """The complainant as staff without the complaint desk's duty to call back may see them."""
    return {"name": mask_name(str(person.get("name") or "")), "phone": mask_phone(str(person.get("phone") or ""))}
