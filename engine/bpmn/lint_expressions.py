"""Lint rules for the code inside a BPMN file: timers, sequence-flow conditions and scripts."""

from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.bpmn.bundle import SEVERITY_WARNING
from engine.bpmn.document import Element, bpmn, local_name, text_of
from engine.bpmn.expression_check import (
    Finding,
    Mode,
    check_python,
    is_cron,
    is_iso_datetime,
    is_iso_duration,
    is_iso_literal,
    literal_string,
)
from engine.bpmn.lint_base import LintContext, describe, spiff_extension_text
from engine.errors import Problem

PYTHON_FORMATS = {"", "python", "python3", "text/python", "text/x-python", "application/x-python"}
_TIMER_KINDS = ("timeDate", "timeDuration", "timeCycle")
_EXAMPLE = '"P7D" (seven calendar days) or workdays_after(5)'


def _at(ctx: LintContext, owner: Element, where: Element, finding: Finding, severity: str = "error") -> Problem:
    return ctx.doc.problem(
        owner,
        finding.message,
        severity=severity,
        line=ctx.doc.line(where) + finding.line - 1,
    )


def _literal_timer_problem(kind: str, value: str) -> str | None:
    """Why a quoted timer literal will not parse at run time, or None when it is fine."""
    try:
        if kind == "timeCycle":
            TimerEventDefinition.parse_iso_recurring_interval(value)
        elif kind == "timeDuration":
            if not is_iso_duration(value):
                raise ValueError(value)
            TimerEventDefinition.parse_iso_duration(value)
        else:
            datetime.fromisoformat(value)
    except Exception:  # SpiffWorkflow raises bare Exception for bad durations
        samples = {
            "timeCycle": '"R3/P1D"',
            "timeDuration": '"P7D" or "PT2H"',
            "timeDate": '"2030-01-31T09:00:00+08:00"',
        }
        return f"{kind} {value!r} is not a valid ISO-8601 value: write e.g. {samples[kind]}"
    return None


def _timer_findings(kind: str, text: str, owner: str) -> tuple[list[Finding], str]:
    """Findings for one timer expression of ``owner`` and their severity."""
    if not text:
        return [Finding(f"{owner} has an empty {kind}: write a Python expression such as {_EXAMPLE}")], "error"
    if is_iso_literal(text):
        advice = f'write the literal quoted: "{text}"'
        if is_iso_duration(text) or text.startswith("R"):
            advice += " (or use workdays_after(n) for working days)"
        return [
            Finding(
                f"timer {kind} {text} is read as Python code, so the unquoted ISO-8601 value fails when "
                f"the timer is reached: {advice}"
            )
        ], "error"
    if is_cron(text):
        return [
            Finding(
                f"timer {kind} {text!r} is a cron expression, which Onestop does not support: use an "
                'ISO-8601 cycle such as "R/P1D", or a deadline such as workdays_after(n)'
            )
        ], "error"
    findings = check_python(text, "eval", f"timer {kind} {text[:60]!r}")
    if findings:
        return findings, "error"
    value = literal_string(text)
    if value is not None:
        reason = _literal_timer_problem(kind, value)
        if reason:
            return [Finding(reason)], "error"
        if (
            kind == "timeDate"
            and is_iso_datetime(value)
            and value[-1] != "Z"
            and "+" not in value[10:]
            and "-" not in value[10:]
        ):
            return [
                Finding(
                    f"timeDate {value!r} has no time zone and would use the server's zone: write it with +08:00 or Z"
                )
            ], SEVERITY_WARNING
    return [], "error"


def rule_timer_expressions(ctx: LintContext) -> list[Problem]:
    """Timers must hold a Python expression that evaluates: no empty, unquoted ISO, cron or EL values."""
    problems = []
    for definition in ctx.elements("timerEventDefinition"):
        event = definition.getparent()
        owner = event if event is not None else definition
        values = [child for child in definition if local_name(child) in _TIMER_KINDS]
        if not values:
            problems.append(
                ctx.doc.problem(
                    owner,
                    f"{describe(owner)} has a timer without timeDate, timeDuration or timeCycle: add one, "
                    f"e.g. a timeDuration of {_EXAMPLE}",
                )
            )
            continue
        for value in values:
            findings, severity = _timer_findings(local_name(value), text_of(value), describe(owner))
            problems.extend(_at(ctx, owner, value, f, severity) for f in findings)
    return problems


def quoted(text: str, limit: int = 60) -> str:
    """``'a == 1'`` for short one-line texts, '' otherwise (keeps messages readable)."""
    one_line = " ".join(text.split())
    return f" {one_line!r}" if len(one_line) <= limit else ""


def _code_problems(
    ctx: LintContext, owner: Element, where: Element, mode: Mode, what: str, language: str = ""
) -> list[Problem]:
    """Problems of one expression/script element; names the language when a non-Python one is declared."""
    text = text_of(where)
    if not text:
        return []
    label = what + (quoted(text) if mode == "eval" else "")
    findings = check_python(text, mode, label)
    if findings and language.strip().lower() not in PYTHON_FORMATS:
        first = findings[0]
        rest = first.message[len(label) :].strip() if first.message.startswith(label) else first.message
        findings = [
            Finding(
                f"{label} is declared as {language.strip()!r}, but Onestop runs Python only; it {rest}",
                first.line,
            )
        ]
    return [_at(ctx, owner, where, f) for f in findings]


def rule_conditions(ctx: LintContext) -> list[Problem]:
    """Sequence-flow, conditional-event, loop and multi-instance expressions must be runnable Python."""
    problems: list[Problem] = []
    gateways = {bpmn("exclusiveGateway"), bpmn("inclusiveGateway")}
    for process in ctx.processes:
        nodes = {el.get("id"): el for el in process.iter() if isinstance(el.tag, str) and el.get("id")}
        for flow in process.iter(bpmn("sequenceFlow")):
            for condition in flow.iterchildren(bpmn("conditionExpression")):
                if not text_of(condition):
                    continue
                source = nodes.get(flow.get("sourceRef"))
                if source is not None and source.tag not in gateways:
                    problems.append(
                        ctx.doc.problem(
                            flow,
                            f"the condition on flow {flow.get('id')} is ignored: the engine only evaluates "
                            "conditions of flows leaving an exclusive or inclusive gateway; put a gateway "
                            f"after {describe(source)}",
                            severity=SEVERITY_WARNING,
                            line=ctx.doc.line(condition),
                        )
                    )
                    continue
                problems.extend(
                    _code_problems(ctx, flow, condition, "eval", "condition", condition.get("language") or "")
                )
    for local, what in (
        ("condition", "conditional event condition"),
        ("loopCondition", "loop condition"),
        ("loopCardinality", "loop cardinality"),
        ("completionCondition", "completion condition"),
    ):
        for element in ctx.elements(local):
            owner = element.getparent()
            if owner is not None and owner.tag in (
                bpmn("multiInstanceLoopCharacteristics"),
                bpmn("standardLoopCharacteristics"),
                bpmn("conditionalEventDefinition"),
            ):
                owner = owner.getparent()
            problems.extend(
                _code_problems(
                    ctx,
                    owner if owner is not None else element,
                    element,
                    "eval",
                    what,
                    element.get("language") or "",
                )
            )
    return problems


def rule_scripts(ctx: LintContext) -> list[Problem]:
    """Script tasks need a Python script; pre-/post-scripts must pass the sandbox too."""
    problems: list[Problem] = []
    for task in ctx.elements("scriptTask"):
        scripts = list(task.iterchildren(bpmn("script")))
        if not scripts or not text_of(scripts[0]):
            problems.append(
                ctx.doc.problem(
                    task,
                    f"{describe(task)} has no script: write the Python script in the task (external "
                    "script resources are not supported)",
                )
            )
            continue
        problems.extend(_code_problems(ctx, task, scripts[0], "exec", "script", task.get("scriptFormat") or ""))
    for process in ctx.processes:
        for element in process.iter():
            if not isinstance(element.tag, str) or element.get("id") is None:
                continue
            for name, what in (("preScript", "pre-script"), ("postScript", "post-script")):
                holder = spiff_extension_text(element, name)
                if holder is not None:
                    problems.extend(_code_problems(ctx, element, holder, "exec", what))
    return problems
