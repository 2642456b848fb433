"""Satisfaction questionnaires (满意度问卷): the question kinds, checking a questionnaire an administrator
defines, checking one response against it, and aggregating the responses (counts, averages, texts).

Pure: engine.services.surveys stores and lists; the webapp draws the charts.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

KINDS: Mapping[str, str] = {"single": "单选", "multiple": "多选", "scale": "评分（1–5）", "text": "文字"}
CHANNELS: Mapping[str, str] = {"web": "网上", "window": "窗口"}
SCALE = (1, 2, 3, 4, 5)
MAX_QUESTIONS, MAX_OPTIONS, TITLE_LIMIT, OPTION_LIMIT, TEXT_LIMIT = 40, 20, 200, 100, 1000


class SurveyStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"draft": "草稿", "open": "收集中", "closed": "已结束"}[self.value]


#: the only moves: a draft opens, an open questionnaire closes (then its results are final)
TRANSITIONS: Mapping[SurveyStatus, SurveyStatus] = {
    SurveyStatus.DRAFT: SurveyStatus.OPEN,
    SurveyStatus.OPEN: SurveyStatus.CLOSED,
}


class SurveyError(ValueError):
    """What is wrong, field by field: (field, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))


def _clean(value: object, limit: int) -> str | None:
    return value.strip() if isinstance(value, str) and 0 < len(value.strip()) <= limit else None


def check_questions(raw: object) -> list[dict[str, Any]]:
    """The questions as stored: ``[{"id": "q1", "kind", "title", "options", "required"}, …]`` (ids given in
    order, so answers keep matching them); SurveyError lists every problem."""
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_QUESTIONS:
        raise SurveyError([("questions", f"1 到 {MAX_QUESTIONS} 个问题 / 1 to {MAX_QUESTIONS} questions")])
    problems: list[tuple[str, str]] = []
    questions = []
    for index, item in enumerate(raw):
        where = f"questions.{index}"
        item = item if isinstance(item, Mapping) else {}
        kind, title = item.get("kind"), _clean(item.get("title"), TITLE_LIMIT)
        if kind not in KINDS:
            problems.append((f"{where}.kind", f"one of {', '.join(KINDS)}"))
        if title is None:
            problems.append((f"{where}.title", f"必填，最多 {TITLE_LIMIT} 字 / required, at most {TITLE_LIMIT}"))
        options: list[str] = []
        if kind in ("single", "multiple"):
            raw_options = item.get("options")
            options = (
                [o for o in (_clean(x, OPTION_LIMIT) for x in raw_options or []) if o]
                if isinstance(raw_options, list)
                else []
            )
            if not 2 <= len(options) <= MAX_OPTIONS or len(set(options)) != len(options):
                problems.append(
                    (f"{where}.options", f"2 到 {MAX_OPTIONS} 个不重复的选项 / 2 to {MAX_OPTIONS} distinct options")
                )
        questions.append({"id": f"q{index + 1}", "kind": kind, "title": title, "options": options,
                          "required": item.get("required", True) is not False})  # fmt: skip
    if problems:
        raise SurveyError(problems)
    return questions


def check_answers(questions: Sequence[Mapping[str, Any]], raw: Mapping[str, Any]) -> dict[str, Any]:
    """One response, question by question: an option (single), options (multiple), 1–5 (scale) or text;
    unanswered optional questions are left out, unknown keys ignored. SurveyError lists every problem."""
    answers: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for question in questions:
        qid, kind = question["id"], question["kind"]
        value = raw.get(qid)
        if value is None or value == "" or value == []:
            if question["required"]:
                problems.append((qid, "必答 / required"))
            continue
        checked = _answer(kind, question["options"], value)
        if checked is None:
            problems.append((qid, _expected(kind)))
        else:
            answers[qid] = checked
    if problems:
        raise SurveyError(problems)
    return answers


def _answer(kind: str, options: Sequence[str], value: object) -> Any:
    if kind == "single":
        return value if isinstance(value, str) and value in options else None
    if kind == "multiple":
        chosen = [value] if isinstance(value, str) else value
        if not isinstance(chosen, list) or not chosen or any(c not in options for c in chosen):
            return None
        return [o for o in options if o in chosen]  # the questionnaire's order, each once
    if kind == "scale":
        text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
        return int(text) if text in {str(s) for s in SCALE} else None
    return _clean(value, TEXT_LIMIT)


def _expected(kind: str) -> str:
    return {
        "single": "请选择一个选项 / choose one of the options",
        "multiple": "请选择列出的选项 / choose among the options",
        "scale": "请选择 1 到 5 分 / a score from 1 to 5",
    }.get(kind, f"最多 {TEXT_LIMIT} 字 / at most {TEXT_LIMIT} characters")


@dataclass
class QuestionResult:
    id: str
    kind: str
    title: str
    answered: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # option (or score "1"…"5") -> responses
    average: float | None = None  # scale questions
    texts: list[str] = field(default_factory=list)  # text questions, in the order received


def aggregate(questions: Sequence[Mapping[str, Any]], responses: Iterable[Mapping[str, Any]]) -> list[QuestionResult]:
    """Per question: how many answered, counts per option or score (every option listed, zeros too), the
    average score, the texts."""
    results = [
        QuestionResult(q["id"], q["kind"], q["title"],
                       counts={str(k): 0 for k in (SCALE if q["kind"] == "scale" else q["options"])})
        for q in questions
    ]  # fmt: skip
    for answers in responses:
        for result in results:
            value = answers.get(result.id)
            if value is None:
                continue
            result.answered += 1
            if result.kind == "text":
                result.texts.append(str(value))
                continue
            for chosen in value if isinstance(value, list) else [value]:
                if str(chosen) in result.counts:
                    result.counts[str(chosen)] += 1
    for result in results:
        if result.kind == "scale" and result.answered:
            total = sum(int(score) * n for score, n in result.counts.items())
            result.average = round(total / result.answered, 2)
    return results


_KIND_WORDS = {"单选": "single", "多选": "multiple", "评分": "scale", "文字": "text", **{k: k for k in KINDS}}
OPTIONAL_MARK = "（选答）"


def parse_question_lines(text: str) -> list[dict[str, Any]]:
    """Questions written one per line, as the administrator's form takes them:
    ``单选: 办理等候时间 | 10分钟以内 | 30分钟以上`` (kind: 单选 / 多选 / 评分 / 文字, or single / multiple /
    scale / text; options after ``|``); a title ending in （选答） is optional. Checked by check_questions."""
    questions: list[dict[str, Any]] = []
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        head, _, rest = line.replace("：", ":").partition(":")
        parts = [p.strip() for p in rest.split("|")]
        title = parts[0]
        optional = title.endswith(OPTIONAL_MARK)
        questions.append({
            "kind": _KIND_WORDS.get(head.strip(), head.strip()),
            "title": title.removesuffix(OPTIONAL_MARK).strip(),
            "options": [p for p in parts[1:] if p],
            "required": not optional,
        })  # fmt: skip
    return questions
