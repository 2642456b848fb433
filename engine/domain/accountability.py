"""Accountability (效能问责) rules: the kinds of entry, the patrol categories and severities, the escalation
ladder for window patrols (domain §6.4), and the annual score with its veto (一票否决, domain §5.4, §6.1).

Pure: the service stores and reads ``violations`` rows; this module says what they count for.

The scoring numbers are the centre's configurable defaults (``ScoringRules``), modelled on the 苍南 monthly
window score (100-point base, late −1, missed sign-in −2, leaving post −3 …, domain §5.4): a row's own
``details["points"]`` overrides its kind's default (the part that writes it may know better, e.g. 旷工 −5).

The ladder counts a department's patrol findings in the calendar year (the centre's zone) — the same period as
the annual evaluation the records are kept for — and the n-th finding takes step min(n, 3): 1 催办单 to the
department, 2 a suggestion to replace the officer, 3 an interview (约谈) of the department head; a 4th and
later finding repeats the interview. A patrol that found nothing is logged but is no finding.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CATEGORIES", "KIND_LABELS", "SEVERITIES", "EntryScore", "LadderStep", "ScoringRules", "document_number",
    "is_revoked", "is_veto", "ladder_step", "rank", "score",
]  # fmt: skip

#: every source of an entry in the ``violations`` ledger, with its label
KIND_LABELS: Mapping[str, str] = {
    "red_card": "红牌预警",
    "attendance": "考勤违规",
    "leaving_post": "擅离岗位",
    "patrol": "巡查发现问题",
    "complaint": "投诉查实",
    "first_inquiry": "违反首问负责制",
    "second_correction": "二次补正（违反一次性告知）",
}

#: what a window patrol checks (辽中: 纪律、作风、着装、卫生、服务态度、业务)
CATEGORIES: Mapping[str, str] = {
    "discipline": "纪律",
    "conduct": "作风",
    "dress": "着装",
    "hygiene": "卫生",
    "attitude": "服务态度",
    "business": "业务",
}

#: how serious a finding is; "veto" disqualifies the officer and department that year
SEVERITIES: Mapping[str, str] = {"minor": "一般", "serious": "严重", "veto": "一票否决级"}


class LadderStep(enum.IntEnum):
    """The escalation ladder for repeated patrol findings (窗口巡查制度, domain §6.4)."""

    URGE = 1  # 政务服务催办单 to the department
    REPLACE_OFFICER = 2  # 建议更换窗口工作人员
    INTERVIEW_HEAD = 3  # 约谈部门负责人

    @property
    def label(self) -> str:
        return _STEP_LABELS[self]

    @property
    def document_title(self) -> str:
        """The title of the printed document the step sends to the department."""
        return _STEP_TITLES[self]


_STEP_LABELS = {
    LadderStep.URGE: "发政务服务催办单",
    LadderStep.REPLACE_OFFICER: "建议更换窗口工作人员",
    LadderStep.INTERVIEW_HEAD: "约谈部门负责人",
}
_STEP_TITLES = {
    LadderStep.URGE: "政务服务催办单",
    LadderStep.REPLACE_OFFICER: "政务服务催办单（建议更换窗口工作人员）",
    LadderStep.INTERVIEW_HEAD: "政务服务催办单（约谈通知）",
}


def ladder_step(earlier_findings: int) -> LadderStep:
    """The step for a finding when the department already had ``earlier_findings`` this year."""
    if earlier_findings < 0:
        raise ValueError("a count of findings is never negative")
    return LadderStep(min(earlier_findings + 1, int(LadderStep.INTERVIEW_HEAD)))


def document_number(year: int, sequence: int, prefix: str = "嵩政务督") -> str:
    """The 文号 of a patrol document: 嵩政务督字〔2026〕0001号 (one sequence a year)."""
    return f"{prefix}字〔{year}〕{sequence:04d}号"


@dataclass(frozen=True)
class ScoringRules:
    """The centre's evaluation rules (configurable defaults, see the module docstring)."""

    base: int = 100
    deductions: Mapping[str, float] = field(
        default_factory=lambda: {
            "red_card": 5,
            "attendance": 1,
            "leaving_post": 3,
            "complaint": 5,
            "first_inquiry": 10,
            "second_correction": 3,
        }
    )
    #: patrol findings by severity
    patrol_deductions: Mapping[str, float] = field(default_factory=lambda: {"minor": 2, "serious": 5, "veto": 10})
    default_deduction: float = 2
    #: kinds that disqualify by themselves; any entry flagged ``veto`` does too
    veto_kinds: frozenset[str] = frozenset({"first_inquiry"})

    def deduction(self, kind: str, details: Mapping[str, Any]) -> float:
        points = details.get("points")
        if isinstance(points, int | float) and not isinstance(points, bool) and points >= 0:
            return float(points)
        if kind == "patrol" and details.get("severity") in self.patrol_deductions:
            return float(self.patrol_deductions[str(details["severity"])])
        return float(self.deductions.get(kind, self.default_deduction))

    def as_dict(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "deductions": dict(self.deductions),
            "patrol_deductions": dict(self.patrol_deductions),
            "default_deduction": self.default_deduction,
            "veto_kinds": sorted(self.veto_kinds),
        }


def is_revoked(details: Mapping[str, Any] | None) -> bool:
    """A revoked entry (e.g. a red card withdrawn on appeal) is shown but counts for nothing."""
    return bool(details and details.get("revoked") is True)


def is_veto(row: Mapping[str, Any], rules: ScoringRules) -> bool:
    return not is_revoked(row.get("details")) and (bool(row.get("veto")) or row.get("kind") in rules.veto_kinds)


@dataclass
class EntryScore:
    """One person's or department's year: score, counts by source, the veto and its reason, the rank."""

    key: str
    score: float
    deductions: float
    violations: int
    revoked: int
    counts: dict[str, int]
    veto: bool
    veto_reason: str | None
    kinds: list[str]
    rank: int | None = None


def score(key: str, rows: Iterable[Mapping[str, Any]], rules: ScoringRules) -> EntryScore:
    """Base minus every counted entry's deduction (never below 0); any veto-level entry disqualifies."""
    counted, revoked, reason = [], 0, None
    for row in rows:
        if is_revoked(row.get("details")):
            revoked += 1
            continue
        counted.append(row)
        if reason is None and is_veto(row, rules):
            label = KIND_LABELS.get(str(row["kind"]), str(row["kind"]))
            reason = f"{label}（{row.get('reference', '')}）"
    deducted = sum(rules.deduction(str(r["kind"]), r.get("details") or {}) for r in counted)
    return EntryScore(
        key=key,
        score=max(0.0, rules.base - deducted),
        deductions=deducted,
        violations=len(counted),
        revoked=revoked,
        counts=dict(Counter(str(r["kind"]) for r in counted)),
        veto=reason is not None,
        veto_reason=reason,
        kinds=[str(r["kind"]) for r in counted],
    )


def rank(scores: Iterable[EntryScore]) -> list[EntryScore]:
    """Best first: the qualified by score (then fewer entries, then key) ranked 1, 2 … (equal scores and counts
    share a rank); the disqualified (一票否决) after them, unranked."""
    pool = list(scores)
    qualified = sorted((s for s in pool if not s.veto), key=lambda s: (-s.score, s.violations, s.key))
    out: list[EntryScore] = []
    for position, entry in enumerate(qualified, start=1):
        previous = out[-1] if out else None
        same = previous is not None and (previous.score, previous.violations) == (entry.score, entry.violations)
        entry.rank = previous.rank if same and previous is not None else position
        out.append(entry)
    disqualified = sorted((s for s in pool if s.veto), key=lambda s: s.key)
    for entry in disqualified:
        entry.rank = None
    return out + disqualified
