"""Onestop's own BPMN rules: lanes as roles, forms, and the elements the platform cannot execute."""

from __future__ import annotations

import re

from engine.bpmn.bundle import SEVERITY_ERROR, SEVERITY_WARNING
from engine.bpmn.document import bpmn, local_name, text_of
from engine.bpmn.lint_base import (
    HUMAN_TASKS,
    LintContext,
    Rule,
    describe,
    extension_properties,
    outgoing_flows,
)
from engine.bpmn.lint_expressions import rule_conditions, rule_scripts, rule_timer_expressions
from engine.errors import Problem

ROLE_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*(@[A-Za-z0-9_-]+)?$")
FORM_PROPERTY = "formJsonSchemaFilename"
UI_FORM_PROPERTY = "formUiSchemaFilename"


def rule_user_task_lane(ctx: LintContext) -> list[Problem]:
    """Every user task sits in a named lane: the lane says which role may work on it."""
    problems = []
    for task in ctx.elements(*HUMAN_TASKS):
        listed, lane = ctx.effective_lane(task)
        if lane:
            continue
        where = "in a lane without a name" if listed else "outside any lane"
        problems.append(
            ctx.doc.problem(
                task,
                f"{describe(task)} is {where}; Onestop authorizes human tasks by lane: put it in a lane "
                "named after the role that works on it (e.g. reviewer or approver@LAND)",
            )
        )
    return problems


def rule_lane_names(ctx: LintContext) -> list[Problem]:
    """Lane names are role codes (``reviewer``, ``approver@LAND``); an error where user tasks depend on it."""
    human_lanes: set[str] = set()
    for task in ctx.elements(*HUMAN_TASKS):
        _, lane = ctx.effective_lane(task)
        if lane:
            human_lanes.add(lane)
    problems = []
    for lane in ctx.elements("lane"):
        name = (lane.get("name") or "").strip()
        holds_tasks = name in human_lanes
        if name and ROLE_CODE_RE.match(name):
            continue
        if not name:
            if any(True for _ in lane.iterchildren(bpmn("flowNodeRef"))):
                problems.append(
                    ctx.doc.problem(
                        lane,
                        "lane has no name: name it after a role code such as reviewer",
                        severity=SEVERITY_WARNING,
                    )
                )
            continue
        problems.append(
            ctx.doc.problem(
                lane,
                f"lane name {name!r} is not a role code: use lower-case letters, digits and _ , optionally "
                f"@DEPARTMENT (e.g. reviewer, approver@LAND)"
                + ("; its user tasks cannot be assigned otherwise" if holds_tasks else ""),
                severity=SEVERITY_ERROR if holds_tasks else SEVERITY_WARNING,
            )
        )
    return problems


def rule_form_references(ctx: LintContext) -> list[Problem]:
    """A user task's form file must be part of the deployment (or already deployed)."""
    if ctx.form_names is None:
        return []
    problems = []
    for task in ctx.elements(*HUMAN_TASKS):
        properties = extension_properties(task)
        for key, severity in ((FORM_PROPERTY, SEVERITY_ERROR), (UI_FORM_PROPERTY, SEVERITY_WARNING)):
            form = properties.get(key, "").strip()
            if form and form not in ctx.form_names:
                problems.append(
                    ctx.doc.problem(
                        task,
                        f"{describe(task)} names {key} {form!r}, which is neither in this deployment nor "
                        "already deployed: upload that form file with the process",
                        severity=severity,
                    )
                )
    return problems


def rule_data_stores(ctx: LintContext) -> list[Problem]:
    """Data stores need an implementation registered in the engine; Onestop registers none."""
    return [
        ctx.doc.problem(
            element,
            f"{describe(element)}: data stores are not supported (no data store "
            "implementation is registered): keep case data in task data or a data object",
        )
        for element in ctx.doc.iter(bpmn("dataStore"), bpmn("dataStoreReference"))
    ]


def rule_named_definitions(ctx: LintContext) -> list[Problem]:
    """<message>, <signal> and <escalation> need a name: the engine matches events by name."""
    problems = []
    for element in ctx.doc.iter(bpmn("message"), bpmn("signal"), bpmn("escalation")):
        if not (element.get("name") or "").strip():
            kind = local_name(element)
            problems.append(
                ctx.doc.problem(
                    element,
                    f'{kind} has no name: give <{kind} id="{element.get("id") or ""}"> a name attribute '
                    "(events are matched by name)",
                )
            )
    return problems


def rule_service_tasks(ctx: LintContext) -> list[Problem]:
    return [
        ctx.doc.problem(
            task,
            f"{describe(task)}: service tasks are not supported (no service operator is "
            "registered): use a script task or a user task",
        )
        for task in ctx.elements("serviceTask")
    ]


def rule_message_tasks(ctx: LintContext) -> list[Problem]:
    """Send and receive tasks need a message to send or wait for."""
    problems = []
    for task in ctx.elements("sendTask", "receiveTask"):
        refs = [task.get("messageRef")] + [d.get("messageRef") for d in task.iter(bpmn("messageEventDefinition"))]
        if not any(refs):
            problems.append(
                ctx.doc.problem(task, f"{describe(task)} has no message: set messageRef to a <message> with a name")
            )
    return problems


def rule_unsupported_elements(ctx: LintContext) -> list[Problem]:
    advice = {
        "complexGateway": "complex gateways are not supported: use exclusive, inclusive or parallel gateways",
        "transaction": "transaction subprocesses are not supported: use an embedded subprocess",
    }
    return [
        ctx.doc.problem(element, f"{describe(element)}: {advice[local_name(element)]}")
        for element in ctx.elements(*advice)
    ]


def rule_event_gateway_timers(ctx: LintContext) -> list[Problem]:
    """An event-based gateway keeps one timer value only: with two timers the shorter may never fire."""
    problems = []
    for process in ctx.processes:
        flows = outgoing_flows(process)
        nodes = {el.get("id"): el for el in process.iter() if isinstance(el.tag, str) and el.get("id")}
        for gateway in process.iter(bpmn("eventBasedGateway")):
            timers = []
            for flow in flows.get(gateway.get("id") or "", []):
                target = nodes.get(flow.get("targetRef"))
                if target is not None and any(True for _ in target.iterchildren(bpmn("timerEventDefinition"))):
                    timers.append(target.get("id") or "")
            if len(timers) >= 2:
                problems.append(
                    ctx.doc.problem(
                        gateway,
                        f"{describe(gateway)} waits for {len(timers)} timers ({', '.join(timers)}); "
                        "the engine keeps only one timer value, so the shorter may never fire: "
                        "keep a single timer",
                    )
                )
    return problems


def rule_start_events(ctx: LintContext) -> list[Problem]:
    return [
        ctx.doc.problem(process, f"process {process.get('id')} has no start event: add a start event")
        for process in ctx.processes
        if not any(True for _ in process.iterchildren(bpmn("startEvent")))
    ]


def rule_gateway_conditions(ctx: LintContext) -> list[Problem]:
    """Each non-default flow out of an exclusive/inclusive gateway with several exits needs a condition."""
    problems = []
    for process in ctx.processes:
        flows = outgoing_flows(process)
        for gateway in process.iter(bpmn("exclusiveGateway"), bpmn("inclusiveGateway")):
            leaving = flows.get(gateway.get("id") or "", [])
            if len(leaving) < 2:
                continue
            default = gateway.get("default")
            for flow in leaving:
                if flow.get("id") == default:
                    continue
                if not any(text_of(c) for c in flow.iterchildren(bpmn("conditionExpression"))):
                    label = f" ({flow.get('name')})" if flow.get("name") else ""
                    problems.append(
                        ctx.doc.problem(
                            flow,
                            f"flow {flow.get('id')}{label} leaves {describe(gateway)} without a condition "
                            "and is not its default flow: add a condition (a Python expression such as "
                            "decision == 'approve') or make it the gateway's default flow",
                        )
                    )
    return problems


# topic, rule. The topic lets the loader drop SpiffWorkflow's report of the same problem.
BPMN_RULES: tuple[tuple[str, Rule], ...] = (
    ("lane", rule_user_task_lane),
    ("lane_name", rule_lane_names),
    ("form_ref", rule_form_references),
    ("timer", rule_timer_expressions),
    ("condition", rule_conditions),
    ("script", rule_scripts),
    ("data_store", rule_data_stores),
    ("definition_name", rule_named_definitions),
    ("service_task", rule_service_tasks),
    ("message_ref", rule_message_tasks),
    ("unsupported_element", rule_unsupported_elements),
    ("event_gateway", rule_event_gateway_timers),
    ("start_event", rule_start_events),
    ("gateway_condition", rule_gateway_conditions),
)
