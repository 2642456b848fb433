"""Decide whether one BPMN expression or script text will run: EL, ISO/cron literals, syntax, sandbox."""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass
from typing import Literal

Mode = Literal["eval", "exec"]

_EL_RE = re.compile(r"^\s*[$#]\{(?P<inner>.*)\}\s*$", re.DOTALL)
_NUM = r"\d+(?:[.,]\d+)?"
_DURATION_RE = re.compile(
    rf"^-?P(?=\d|T\d)(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}W)?(?:{_NUM}D)?"
    rf"(?:T(?=\d)(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?$"
)
_DATETIME_RE = re.compile(
    r"^\d{4}-?\d{2}-?\d{2}(?:[T ]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_CRON_FIELD = r"(?:[0-9*?LW#/,\-]+|[A-Z]{3}(?:[,\-][A-Z]{3})*)"
_SANDBOX_LINE = re.compile(r"^line (\d+):\s*(.*)$", re.DOTALL)
_CRON_RE = re.compile(rf"^{_CRON_FIELD}(?:\s+{_CRON_FIELD}){{4,6}}$")


@dataclass(frozen=True)
class Finding:
    """A problem in an expression; ``line`` is 1-based within the expression text."""

    message: str
    line: int = 1


def is_iso_duration(text: str) -> bool:
    return bool(_DURATION_RE.match(text))


def is_iso_datetime(text: str) -> bool:
    return bool(_DATETIME_RE.match(text))


def is_iso_literal(text: str) -> bool:
    """P7D, PT2H, R3/PT1H, R/P1D, 2024-01-01T00:00:00Z, start/end intervals."""
    parts = text.split("/")
    if parts[0].startswith("R") and (parts[0] == "R" or parts[0][1:].isdigit()):
        parts = parts[1:]
        if not parts:
            return False
    return 0 < len(parts) <= 2 and all(is_iso_duration(p) or is_iso_datetime(p) for p in parts)


def is_cron(text: str) -> bool:
    return bool(_CRON_RE.match(text.strip())) and any(ch.isdigit() or ch in "*?" for ch in text)


def el_suggestion(inner: str) -> str | None:
    """A Python spelling of a simple EL expression, or None when it is not simple."""
    text = inner.strip()
    if not re.fullmatch(r"[\w\s.!=<>&|()'\"+\-*/%]+", text):
        return None
    text = text.replace("&&", " and ").replace("||", " or ")
    text = re.sub(r"([!=]=)\s*null\b", lambda m: " is not None" if m[1] == "!=" else " is None", text)
    text = re.sub(r"\bnull\b", "None", text)
    text = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", text))
    text = re.sub(r"!(?!=)", " not ", text)
    text = re.sub(r"\bnot\s+", "not ", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\(\s+", "(", text)
    return text or None


def el_finding(text: str, what: str) -> Finding | None:
    match = _EL_RE.match(text)
    if match is None and "${" not in text and "#{" not in text:
        return None
    inner = match.group("inner") if match else text
    suggestion = el_suggestion(inner) if match else None
    hint = f": write {suggestion}" if suggestion else ": rewrite it as a Python expression over the task data"
    return Finding(
        f"{what} is a Camunda/JUEL EL expression, which Onestop does not evaluate (expressions are Python){hint}"
    )


def syntax_finding(text: str, mode: Mode, what: str) -> Finding | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text, mode=mode)
    except SyntaxError as error:
        detail = error.msg or "invalid syntax"
        line = error.lineno or 1
        return Finding(
            f"{what} is not valid Python ({detail}, line {line} of the {'expression' if mode == 'eval' else 'script'})",
            max(1, line),
        )
    except (ValueError, RecursionError, MemoryError) as error:
        return Finding(f"{what} cannot be compiled: {error or type(error).__name__}")
    return None


def sandbox_findings(text: str, mode: Mode, what: str) -> list[Finding]:
    from engine.bpmn.sandbox import check_code  # the sandbox owns the rules; imported late on purpose

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            messages = check_code(text, mode)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        return [Finding(f"{what} is refused by the sandbox: {error}")]
    findings = []
    for message in messages:
        located = _SANDBOX_LINE.match(message)  # "line 3: name 'open' is not allowed"
        line = int(located.group(1)) if located else 1
        detail = located.group(2) if located else message
        findings.append(Finding(f"{what} is refused by the sandbox: {detail} (line {line})", max(1, line)))
    return findings


def check_python(text: str, mode: Mode, what: str) -> list[Finding]:
    """EL, then syntax, then the sandbox; stops at the first stage that finds something."""
    el = el_finding(text, what)
    if el is not None:
        return [el]
    bad = syntax_finding(text, mode, what)
    if bad is not None:
        return [bad]
    return sandbox_findings(text, mode, what)


def literal_string(text: str) -> str | None:
    """The value when ``text`` is a single Python string literal ("P7D"), else None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None
