"""Loading and validating BPMN/DMN/form bundles: every problem located, never a traceback."""

from __future__ import annotations

import json
import time

import pytest

from engine.bpmn import lint, lint_dmn, xsd_check
from engine.bpmn.document import ParsedDocument, bpmn
from engine.bpmn.lint_base import LintContext
from engine.bpmn.loader import SourceFile, ValidationReport, build_specs, form_references, validate_files
from engine.bpmn.spiff_check import check_processes, load_bundle
from engine.bpmn.spiff_messages import translate
from engine.bpmn.xml_safety import read_xml
from engine.errors import Problem, ProcessDefinitionError

NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def definitions(inner: str, *, target: str = ' targetNamespace="http://bpmn.io/schema/bpmn"') -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions {NS} id="defs"{target}>\n'
        f"{inner}\n</bpmn:definitions>\n"
    ).encode()


def process(
    body: str,
    *,
    pid: str = "p",
    lanes: dict[str, list[str]] | None = None,
    executable: str = "true",
    roots: str = "",
) -> bytes:
    """A process; ``lanes`` maps lane name -> flow node ids."""
    lane_xml = ""
    if lanes:
        lane_xml = (
            '<bpmn:laneSet id="ls">'
            + "".join(
                f'<bpmn:lane id="lane_{i}" name="{name}">'
                + "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes)
                + "</bpmn:lane>"
                for i, (name, nodes) in enumerate(lanes.items())
            )
            + "</bpmn:laneSet>"
        )
    return definitions(
        f'{roots}<bpmn:process id="{pid}" isExecutable="{executable}">\n{lane_xml}\n{body}\n</bpmn:process>'
    )


def chain(*middle: str, prefix: str = "") -> str:
    """start -> middle elements (ids taken from their id attribute) -> end, wired with flows."""
    import re

    start, end = f"{prefix}start", f"{prefix}end"
    ids = [start] + [re.search(r'id="([^"]+)"', m).group(1) for m in middle] + [end]  # type: ignore[union-attr]
    flows = "\n".join(
        f'<bpmn:sequenceFlow id="{prefix}f{i}" sourceRef="{a}" targetRef="{b}"/>'
        for i, (a, b) in enumerate(zip(ids, ids[1:], strict=False))
    )
    return f'<bpmn:startEvent id="{start}"/>\n' + "\n".join(middle) + f'\n<bpmn:endEvent id="{end}"/>\n' + flows


def user_task(tid: str = "review", extensions: str = "") -> str:
    ext = f"<bpmn:extensionElements>{extensions}</bpmn:extensionElements>" if extensions else ""
    return f'<bpmn:userTask id="{tid}" name="Review">{ext}</bpmn:userTask>'


def validate(*files: tuple[str, bytes], **kwargs: object) -> ValidationReport:
    report = validate_files([SourceFile(name, content) for name, content in files], **kwargs)  # type: ignore[arg-type]
    for problem in report.problems:
        assert isinstance(problem, Problem)
        assert problem.file and isinstance(problem.line, int) and problem.line >= 1 and problem.message
    return report


def parsed(content: bytes, name: str = "p.bpmn") -> ParsedDocument:
    doc, problems = read_xml(SourceFile(name, content))
    assert doc is not None and problems == []
    return doc


def lint_only(rule: lint.Rule, content: bytes) -> list[Problem]:
    """Run one lint rule on every process of the file (what the loader does for executable ones)."""
    doc = parsed(content)
    return rule(LintContext(doc, list(doc.iter(bpmn("process")))))


def one(content: bytes, name: str = "p.bpmn", **kwargs: object) -> ValidationReport:
    return validate((name, content), **kwargs)


def having(report: ValidationReport, text: str) -> list[Problem]:
    return [p for p in report.problems if text in p.message]


def line_of(content: bytes, marker: str) -> int:
    return content.decode().split(marker)[0].count("\n") + 1


def test_user_task_in_role_lane_validates_clean() -> None:
    assert one(process(chain(user_task()), lanes={"reviewer": ["review"]})).problems == []


# ---------------------------------------------------------------- XML safety


def test_empty_file_is_refused_with_a_message() -> None:
    report = one(b"")
    assert not report.ok and having(report, "empty (0 bytes)")


def test_whitespace_only_file_is_refused() -> None:
    assert having(one(b"  \n\n "), "only whitespace")


def test_malformed_xml_reports_the_parser_line() -> None:
    content = b'<?xml version="1.0"?>\n<bpmn:definitions xmlns:bpmn="x">\n<a>\n</b>\n'
    [problem] = one(content).problems
    assert problem.line == 4 and "not well-formed XML" in problem.message


def test_external_entity_is_refused_and_never_resolved() -> None:
    content = (
        b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        + definitions('<bpmn:process id="p" name="&xxe;"/>').split(b"\n", 1)[1]
    )
    report = one(content)
    assert not report.ok
    [problem] = report.problems
    assert problem.line == 2 and "DOCTYPE" in problem.message
    assert "root:" not in str(report)


def test_billion_laughs_is_refused_quickly() -> None:
    entities = "".join(f'<!ENTITY l{i} "&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};">' for i in range(1, 10))
    content = (f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY l0 "lol">{entities}]>\n<d>&l9;</d>').encode()
    started = time.perf_counter()
    report = one(content)
    assert time.perf_counter() - started < 1
    assert having(report, "DOCTYPE") and not report.ok


def test_doctype_in_utf16_file_is_refused() -> None:
    content = '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE d [<!ENTITY a "b">]>\n<d/>'.encode("utf-16")
    assert having(one(content), "DOCTYPE")


def test_oversized_file_is_refused_before_parsing() -> None:
    content = process(chain(user_task()), lanes={"reviewer": ["review"]})
    report = one(content, max_bytes=100)
    [problem] = report.problems
    assert "limit is 100 bytes" in problem.message and not report.ok


def test_non_bpmn_root_element_is_refused() -> None:
    [problem] = one(b"<html><body/></html>").problems
    assert "not a BPMN or DMN file" in problem.message and "<html>" in problem.message


def test_missing_target_namespace_is_reported_once() -> None:
    content = definitions('<bpmn:process id="p" isExecutable="false"/>', target="")
    found = [p for p in one(content).problems if "targetNamespace" in p.message]
    assert len(found) == 1 and "add targetNamespace" in found[0].message


def test_unknown_file_type_is_refused() -> None:
    assert having(one(b"hello", name="notes.txt"), "unsupported file type")


def test_same_file_name_twice_is_refused() -> None:
    content = process(chain(user_task()), lanes={"reviewer": ["review"]})
    assert having(validate(("a.bpmn", content), ("a.bpmn", content)), "appears twice")


# ---------------------------------------------------------------- XSD


def test_each_schema_error_has_its_own_line() -> None:
    body = '<bpmn:startEvent id="start" bogus="1"/>\n<bpmn:endEvent id="end" bogus="2"/>'
    content = process(body + '\n<bpmn:sequenceFlow id="f" sourceRef="start" targetRef="end"/>')
    found = having(one(content), "(schema)")
    assert sorted(p.line for p in found) == [line_of(content, 'bogus="1"'), line_of(content, 'bogus="2"')]
    assert {p.element_id for p in found} == {"start", "end"}


def test_bpmn_js_correlation_formal_expression_passes_the_schema_like_spiffworkflow() -> None:
    roots = (
        '<bpmn:message id="m" name="ping"/>'
        '<bpmn:correlationProperty id="cp" name="key">'
        '<bpmn:correlationPropertyRetrievalExpression messageRef="m">'
        "<bpmn:formalExpression>key</bpmn:formalExpression>"
        "</bpmn:correlationPropertyRetrievalExpression></bpmn:correlationProperty>"
    )
    content = process(chain(user_task()), lanes={"reviewer": ["review"]}, roots=roots)
    doc, _ = read_xml(SourceFile("c.bpmn", content))
    assert doc is not None and xsd_check.check_schema(doc) == []
    assert b"<bpmn:formalExpression>" in __import__("lxml.etree").etree.tostring(doc.root)  # put back
    assert one(content).problems == []


def test_schemas_are_compiled_once() -> None:
    xsd_check.compiled_schema.cache_clear()
    content = process(chain(user_task()), lanes={"reviewer": ["review"]})
    for _ in range(3):
        one(content)
    info = xsd_check.compiled_schema.cache_info()
    assert info.misses == 1 and info.hits == 2


def dmn(ns: str, decisions: str, extra: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{ns}" id="d" name="D" '
        f'namespace="http://example.org/dmn">\n{decisions}\n{extra}</definitions>\n'
    ).encode()


def decision(did: str = "fee", output: str = '"small"') -> str:
    return (
        f'<decision id="{did}" name="Fee">\n<decisionTable id="t_{did}">\n'
        '<input id="i1" label="Area"><inputExpression id="ie1" typeRef="number"><text>area</text>'
        "</inputExpression></input>\n"
        '<output id="o1" name="size" typeRef="string"/>\n'
        f'<rule id="r1"><inputEntry id="e1"><text>&lt; 100</text></inputEntry>'
        f'<outputEntry id="oe1"><text>{output}</text></outputEntry></rule>\n'
        "</decisionTable>\n</decision>"
    )


def test_valid_dmn_13_validates_and_is_listed() -> None:
    report = one(dmn(DMN13, decision()), name="fee.dmn")
    assert report.problems == []
    assert [(d.decision_id, d.name, d.file) for d in report.decisions] == [("fee", "Fee", "fee.dmn")]


def test_dmn_13_schema_error_is_reported_with_its_line() -> None:
    content = dmn(DMN13, decision().replace('<decision id="fee"', '<decision id="fee" bogus="1"'))
    [problem] = having(one(content, name="fee.dmn"), "(schema)")
    assert problem.line == line_of(content, 'bogus="1"') and "DMN 1.3" in problem.message


def test_dmn_12_is_parsed_but_not_schema_checked() -> None:
    ns12 = "http://www.omg.org/spec/DMN/20180521/MODEL/"
    content = dmn(ns12, decision().replace('<decision id="fee"', '<decision id="fee" bogus="1"'))
    report = one(content, name="fee.dmn")
    assert report.problems == [] and report.decisions[0].decision_id == "fee"
    assert xsd_check.compiled_schema(xsd_check.DMN_XSD[ns12]) is None


# ---------------------------------------------------------------- SpiffWorkflow traps


def test_nameless_message_is_reported() -> None:
    body = chain(
        '<bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition id="med" messageRef="m"/>'
        "</bpmn:intermediateCatchEvent>"
    )
    content = process(body, roots='<bpmn:message id="m"/>')
    [problem] = one(content).problems  # SpiffWorkflow would silently build an event that never matches
    assert 'message has no name: give <message id="m"> a name attribute' in problem.message
    assert problem.line == line_of(content, '<bpmn:message id="m"/>')


def test_missing_message_gives_a_message_not_a_type_error() -> None:
    body = chain(
        '<bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition id="med" messageRef="nope"/>'
        "</bpmn:intermediateCatchEvent>"
    )
    content = process(body)
    report = one(content)
    [problem] = report.problems
    assert "refers to message 'nope', which is not defined" in problem.message
    assert problem.element_id == "wait" and problem.line == line_of(content, 'id="wait"')
    doc, _ = read_xml(SourceFile("p.bpmn", content))
    assert doc is not None
    [finding] = check_processes(load_bundle([doc]))  # SpiffWorkflow raised TypeError("... 'node'") here
    assert finding.problem == problem and "TypeError" not in finding.problem.message


def test_dmn_with_two_decisions_says_one_table_per_file() -> None:
    content = dmn(
        DMN13,
        decision("a")
        + decision("b")
        .replace('id="t_b"', 'id="t_b2"')
        .replace('"i1"', '"i2"')
        .replace('"ie1"', '"ie2"')
        .replace('"o1"', '"o2"')
        .replace('"r1"', '"r2"')
        .replace('"e1"', '"e2"')
        .replace('"oe1"', '"oe2"'),
    )
    report = one(content, name="two.dmn")
    [problem] = report.problems
    assert "2 decisions (a, b)" in problem.message and "one decision table per file" in problem.message
    assert not any("AttributeError" in p.message for p in report.problems)


def test_decision_count_rule() -> None:
    two = dmn(DMN13, decision("a") + '<decision id="b" name="B"/>')
    [problem] = lint_dmn.rule_decision_count(parsed(two, "two.dmn"))
    assert problem.element_id == "b" and "2 decisions (a, b)" in problem.message
    [empty] = lint_dmn.rule_decision_count(parsed(dmn(DMN13, ""), "none.dmn"))
    assert "has no decision" in empty.message
    assert lint_dmn.rule_decision_count(parsed(dmn(DMN13, decision()), "one.dmn")) == []


def test_decision_service_is_not_supported() -> None:
    extra = '<decisionService id="svc" name="S"><outputDecision href="#fee"/></decisionService>\n'
    assert having(one(dmn(DMN13, decision(), extra), name="s.dmn"), "decision services are not supported")


def test_dmn_with_a_foreign_prefix_is_explained() -> None:
    report = one(semantic_prefix(), name="p.dmn")
    assert having(report, "prefix 'semantic:'") and not any("XPathEvalError" in p.message for p in report.problems)


def two_decisions() -> bytes:
    return dmn(DMN13, decision("a") + '<decision id="b" name="B"/>')


def semantic_prefix() -> bytes:
    """A DMN 1.3 file whose elements all use the prefix ``semantic:`` (as Trisotech writes them)."""
    import re

    content = dmn(DMN13, decision()).decode()
    content = content.replace('xmlns="', 'xmlns:semantic="').replace("definitions", "semantic:definitions")
    content = re.sub(
        r"<(/?)(decision|decisionTable|input|inputExpression|text|output|rule|inputEntry|outputEntry)\b",
        r"<\1semantic:\2",
        content,
    )
    return content.encode()


@pytest.mark.parametrize(
    ("content", "topic", "expected"),
    [
        (two_decisions, "dmn_decisions", "2 decisions (a, b)"),  # SpiffWorkflow: AttributeError
        (semantic_prefix, "dmn_prefix", "namespace prefix"),  # SpiffWorkflow: XPathEvalError
    ],
)
def test_spiffworkflow_dmn_errors_are_translated(content: object, topic: str, expected: str) -> None:
    doc = parsed(content(), "d.dmn")  # type: ignore[operator]
    [finding] = load_bundle([doc]).findings
    assert finding.topic == topic and expected in finding.problem.message
    assert "Error" not in finding.problem.message and finding.problem.line >= 1


def test_unexpected_exceptions_are_translated_and_located() -> None:
    doc = parsed(process(chain(user_task())))
    index = translate(IndexError("list index out of range"), [doc], doc)
    assert index.topic == "dmn_unsupported" and "IndexError" not in index.problem.message
    other = translate(RuntimeError("boom"), [doc], doc, process_id="p")
    assert other.problem.element_id == "p" and "boom" in other.problem.message
    assert other.problem.line == line_of(process(chain(user_task())), '<bpmn:process id="p"')


def test_a_crashing_check_becomes_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.bpmn.loader as loader

    def broken(ctx: LintContext) -> list[Problem]:
        raise RuntimeError("bug")

    monkeypatch.setattr(loader, "BPMN_RULES", (("lane", broken),))
    [problem] = one(process(chain(user_task()), lanes={"reviewer": ["review"]})).problems
    assert "internal error while checking lane (RuntimeError: bug)" in problem.message


def test_huge_sequential_process_reports_recursion_instead_of_crashing() -> None:
    tasks = [f'<bpmn:manualTask id="t{i}"/>' for i in range(700)]
    content = process(chain(*tasks), lanes={"clerk": [f"t{i}" for i in range(700)]})
    started = time.perf_counter()
    report = one(content)
    assert time.perf_counter() - started < 10
    [problem] = having(report, "too long for the engine")
    assert problem.element_id == "p" and problem.line == line_of(content, '<bpmn:process id="p"')


def test_call_activity_may_call_a_process_in_another_bundle_file() -> None:
    main = process(chain('<bpmn:callActivity id="call" calledElement="sub"/>'), pid="main")
    sub = process(chain(user_task()), pid="sub", lanes={"reviewer": ["review"]})
    report = validate(("main.bpmn", main), ("sub.bpmn", sub))
    assert report.problems == []
    info = {p.process_id: p for p in report.processes}
    assert info["main"].called_elements == ("sub",) and info["sub"].lanes == ("reviewer",)
    hidden = process(chain(user_task()), pid="sub", lanes={"reviewer": ["review"]}, executable="false")
    [problem] = validate(("main.bpmn", main), ("sub.bpmn", hidden)).problems
    assert problem.file == "sub.bpmn" and 'set isExecutable="true"' in problem.message


def test_call_activity_to_a_missing_process_is_located() -> None:
    content = process(chain('<bpmn:callActivity id="call" calledElement="nowhere"/>'), pid="main")
    [problem] = one(content).problems
    assert problem.element_id == "call" and "calls process 'nowhere'" in problem.message
    assert problem.line == line_of(content, 'id="call"')


def test_business_rule_task_uses_the_bundle_decision() -> None:
    task = (
        '<bpmn:businessRuleTask id="rule"><bpmn:extensionElements>'
        "<spiffworkflow:calledDecisionId>{}</spiffworkflow:calledDecisionId>"
        "</bpmn:extensionElements></bpmn:businessRuleTask>"
    )
    good = validate(("p.bpmn", process(chain(task.format("fee")))), ("fee.dmn", dmn(DMN13, decision())))
    assert good.problems == [] and good.processes[0].decision_refs == ("fee",)
    bad = validate(("p.bpmn", process(chain(task.format("other")))), ("fee.dmn", dmn(DMN13, decision())))
    [problem] = bad.problems
    assert "calls decision 'other'" in problem.message and problem.element_id == "rule"


def test_duplicate_process_id_across_files_is_reported() -> None:
    content = process(chain(user_task()), lanes={"reviewer": ["review"]})
    assert having(validate(("a.bpmn", content), ("b.bpmn", content)), "defined twice")


def test_task_with_two_outgoing_flows_needs_a_gateway() -> None:
    body = (
        '<bpmn:startEvent id="start"/><bpmn:manualTask id="t"/><bpmn:endEvent id="e1"/>'
        '<bpmn:endEvent id="e2"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="t"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="e1"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e2"/>'
    )
    [problem] = having(one(process(body, lanes={"clerk": ["t"]})), "several outgoing sequence flows")
    assert problem.element_id == "t"


def test_property_without_name_is_reported_not_crashing() -> None:
    ext = '<spiffworkflow:properties><spiffworkflow:property value="x"/></spiffworkflow:properties>'
    report = one(process(chain(user_task(extensions=ext)), lanes={"reviewer": ["review"]}))
    assert having(report, "lacks the required attribute 'name'")


def test_non_executable_bundle_cannot_be_deployed() -> None:
    report = one(process(chain(user_task()), executable="false"))
    [problem] = report.problems
    assert "no executable process" in problem.message


# ---------------------------------------------------------------- lanes and forms


def test_user_task_outside_any_lane_is_an_error() -> None:
    content = process(chain(user_task(), '<bpmn:manualTask id="sign"/>'), lanes={"reviewer": ["review"]})
    [problem] = one(content).problems
    assert problem.element_id == "sign" and "outside any lane" in problem.message and problem.severity == "error"


def test_user_task_in_a_subprocess_inherits_the_subprocess_lane() -> None:
    inner = chain(user_task("inner"), prefix="sp_")
    content = process(chain(f'<bpmn:subProcess id="sp">{inner}</bpmn:subProcess>'), lanes={"reviewer": ["sp"]})
    assert one(content).problems == []


def test_lane_name_must_be_a_role_code_where_it_holds_user_tasks() -> None:
    report = one(process(chain(user_task()), lanes={"Reviewers": ["review"]}))
    [problem] = report.problems
    assert "'Reviewers' is not a role code" in problem.message and problem.severity == "error"


def test_lane_name_without_user_tasks_is_only_a_warning() -> None:
    body = chain(user_task())
    report = one(process(body, lanes={"reviewer": ["review"], "Back Office": ["start", "end"]}))
    [problem] = report.problems
    assert problem.severity == "warning" and report.ok


def test_role_with_department_is_a_valid_lane_name() -> None:
    assert one(process(chain(user_task()), lanes={"approver@LAND": ["review"]})).problems == []


def form_task(form: str = "review.json") -> str:
    return user_task(
        extensions='<spiffworkflow:properties><spiffworkflow:property name="formJsonSchemaFilename" '
        f'value="{form}"/></spiffworkflow:properties>'
    )


def test_form_reference_must_name_a_known_form() -> None:
    content = process(chain(form_task()), lanes={"reviewer": ["review"]})
    [problem] = one(content, form_names=["other.json"]).problems
    assert "'review.json'" in problem.message and problem.element_id == "review"
    assert one(content, form_names=["review.json"]).problems == []
    assert one(content).problems == []  # form_names None: not checked


def test_form_reference_is_satisfied_by_a_form_in_the_bundle() -> None:
    content = process(chain(form_task()), lanes={"reviewer": ["review"]})
    form = json.dumps({"type": "object", "properties": {"ok": {"type": "boolean"}}}).encode()
    assert validate(("p.bpmn", content), ("review.json", form), form_names=[]).problems == []


def test_form_with_json_syntax_error_reports_its_line() -> None:
    [problem] = one(b'{\n  "type": "object",\n  "properties": {,}\n}', name="f.json").problems
    assert problem.line == 3 and "not valid JSON" in problem.message


def test_form_that_is_not_a_json_schema_is_located() -> None:
    content = b'{\n  "type": "object",\n  "properties": {\n    "age": {"type": "integr"}\n  }\n}'
    [problem] = one(content, name="f.json").problems
    assert problem.line == 4 and problem.element_id == "/properties/age/type"
    assert "not a valid JSON Schema" in problem.message


def test_form_must_be_a_json_object() -> None:
    assert having(one(b"[1, 2]", name="f.json"), "must be a JSON Schema object")


# ---------------------------------------------------------------- timers


def timer_event(definition: str, kind: str = "timeDuration") -> bytes:
    inner = f"<bpmn:{kind}>{definition}</bpmn:{kind}>" if definition is not None else ""
    return process(
        chain(
            f'<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="td">{inner}'
            "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
        )
    )


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("P7D", "timeDuration", 'write the literal quoted: "P7D"'),
        ("PT2H", "timeDuration", 'write the literal quoted: "PT2H"'),
        ("R3/PT1H", "timeCycle", 'write the literal quoted: "R3/PT1H"'),
        ("2024-01-01T00:00:00", "timeDate", 'write the literal quoted: "2024-01-01T00:00:00"'),
        ("0 0/5 * * * ?", "timeCycle", "cron expression"),
        ("${dueDate}", "timeDate", "Camunda/JUEL EL expression"),
        ("#{reminder}", "timeDuration", "Camunda/JUEL EL expression"),
        ("due +", "timeDate", "not valid Python"),
        ("", "timeDuration", "has an empty timeDuration"),
        ('"P7X"', "timeDuration", "not a valid ISO-8601 value"),
        ('"P1D"', "timeCycle", "not a valid ISO-8601 value"),
    ],
)
def test_timer_expression_that_will_not_evaluate_is_an_error(value: str, kind: str, expected: str) -> None:
    content = timer_event(value, kind)
    [problem] = one(content).problems
    assert expected in problem.message and problem.element_id == "wait" and problem.severity == "error"
    assert problem.line == line_of(content, f"<bpmn:{kind}>")


def test_unquoted_duration_suggests_working_days() -> None:
    assert having(one(timer_event("P5D")), "workdays_after(n)")


def test_timer_without_time_element_is_reported_once() -> None:
    content = process(
        chain(
            '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="td"/></bpmn:intermediateCatchEvent>'
        )
    )
    [problem] = one(content).problems  # SpiffWorkflow's "Time Specification Error" is not repeated
    assert "timer without timeDate, timeDuration or timeCycle" in problem.message


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ('"P7D"', "timeDuration"),
        ("'PT2H'", "timeDuration"),
        ("workdays_after(5)", "timeDate"),
        ("review_due", "timeDate"),
        ('"R3/PT1H"', "timeCycle"),
        ('"2030-01-31T09:00:00+08:00"', "timeDate"),
    ],
)
def test_runnable_timer_expressions_pass(value: str, kind: str) -> None:
    assert one(timer_event(value, kind)).problems == []


def test_naive_literal_date_is_a_warning() -> None:
    [problem] = one(timer_event('"2030-01-31T09:00:00"', "timeDate")).problems
    assert problem.severity == "warning" and "time zone" in problem.message


def test_cycle_timer_on_user_task_boundary_is_fine() -> None:
    body = chain(user_task()) + (
        '<bpmn:boundaryEvent id="remind" attachedToRef="review" cancelActivity="false">'
        '<bpmn:timerEventDefinition id="td"><bpmn:timeCycle>"R3/P1D"</bpmn:timeCycle>'
        "</bpmn:timerEventDefinition>"
        '</bpmn:boundaryEvent><bpmn:endEvent id="remind_end"/>'
        '<bpmn:sequenceFlow id="fr" sourceRef="remind" targetRef="remind_end"/>'
    )
    assert one(process(body, lanes={"reviewer": ["review"]})).problems == []


# ---------------------------------------------------------------- conditions and scripts


def gateway(cond_yes: str, cond_no: str | None = None, *, default: bool = False, attrs: str = "") -> bytes:
    no = f"<bpmn:conditionExpression>{cond_no}</bpmn:conditionExpression>" if cond_no is not None else ""
    return process(
        '<bpmn:startEvent id="start"/>'
        f'<bpmn:exclusiveGateway id="gw"{" default=" + chr(34) + "no" + chr(34) if default else ""}/>'
        '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>'
        '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="gw"/>\n'
        '<bpmn:sequenceFlow id="yes" sourceRef="gw" targetRef="e1">\n'
        f"<bpmn:conditionExpression{attrs}>{cond_yes}"
        "</bpmn:conditionExpression></bpmn:sequenceFlow>\n"
        f'<bpmn:sequenceFlow id="no" sourceRef="gw" targetRef="e2">{no}</bpmn:sequenceFlow>'
    )


def test_gateway_flow_without_condition_is_reported_once() -> None:
    [problem] = one(gateway("approved")).problems
    assert problem.element_id == "no" and "without a condition" in problem.message


def test_gateway_rule_reports_every_flow_without_condition() -> None:
    content = gateway("approved").replace(
        b'<bpmn:endEvent id="e1"/>',
        b'<bpmn:endEvent id="e1"/><bpmn:endEvent id="e3"/><bpmn:sequenceFlow id="other" sourceRef="gw" '
        b'targetRef="e3"/>',
    )
    assert [p.element_id for p in lint_only(lint.rule_gateway_conditions, content)] == ["other", "no"]
    assert sorted(p.element_id for p in one(content).problems) == ["no", "other"]


def test_gateway_default_flow_needs_no_condition() -> None:
    assert one(gateway("approved", default=True)).problems == []
    assert one(gateway("approved", "not approved")).problems == []


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("${approved}", "write approved"),
        ("#{!approved}", "write not approved"),
        ("${x != null}", "write x is not None"),
        ("decision = 'ok'", "not valid Python"),
    ],
)
def test_condition_that_will_not_evaluate_is_an_error(condition: str, expected: str) -> None:
    content = gateway(condition, "True")
    [problem] = one(content).problems
    assert expected in problem.message and problem.element_id == "yes"
    assert problem.line == line_of(content, "<bpmn:conditionExpression>")


def test_condition_in_another_language_says_so() -> None:
    [problem] = one(
        gateway(
            "approved == true &amp;&amp; x",
            "True",
            attrs=' xsi:type="bpmn:tFormalExpression" language="groovy"',
        )
    ).problems
    assert "declared as 'groovy', but Onestop runs Python only; it is not valid Python" in problem.message


def test_condition_on_a_task_flow_is_ignored_warning() -> None:
    body = chain(user_task()).replace(
        'sourceRef="review" targetRef="end"/>',
        'sourceRef="review" targetRef="end"><bpmn:conditionExpression>ok</bpmn:conditionExpression>'
        "</bpmn:sequenceFlow>",
    )
    [problem] = one(process(body, lanes={"reviewer": ["review"]})).problems
    assert problem.severity == "warning" and "is ignored" in problem.message


def script_task(script: str | None, attrs: str = "") -> bytes:
    inner = f"<bpmn:script>{script}</bpmn:script>" if script is not None else ""
    return process(chain(f'<bpmn:scriptTask id="calc"{attrs}>{inner}</bpmn:scriptTask>'))


def test_script_syntax_error_points_at_the_script_line() -> None:
    content = script_task("a = 1\nb = (\n")
    [problem] = one(content).problems
    assert "not valid Python" in problem.message and problem.element_id == "calc"
    assert problem.line >= line_of(content, "<bpmn:script>")


def test_script_task_without_script_is_an_error() -> None:
    assert having(one(script_task(None)), "has no script")


def test_script_is_checked_by_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.bpmn.sandbox as sandbox

    calls: list[tuple[str, str]] = []

    def fake(source: str, mode: str) -> list[str]:
        calls.append((source, mode))
        return ["name 'open' is not allowed"] if "open" in source else []

    monkeypatch.setattr(sandbox, "check_code", fake)
    [problem] = one(script_task("data = open('/etc/passwd').read()")).problems
    assert "refused by the sandbox: name 'open' is not allowed" in problem.message
    assert ("data = open('/etc/passwd').read()", "exec") in calls


def test_real_sandbox_refuses_dunder_escape() -> None:
    report = one(script_task("x = ().__class__.__base__.__subclasses__()"))
    assert having(report, "refused by the sandbox") and not report.ok


def test_pre_and_post_scripts_are_checked() -> None:
    ext = "<spiffworkflow:preScript>x = (</spiffworkflow:preScript>"
    content = process(chain(user_task(extensions=ext)), lanes={"reviewer": ["review"]})
    [problem] = one(content).problems
    assert problem.message.startswith("pre-script is not valid Python") and problem.element_id == "review"


# ---------------------------------------------------------------- elements Onestop cannot execute


def test_data_store_is_reported_once_not_twice() -> None:
    content = process(
        chain(user_task()), lanes={"reviewer": ["review"]}, roots='<bpmn:dataStore id="ds" name="Registry"/>'
    )
    [problem] = one(content).problems
    assert problem.element_id == "ds" and "data stores are not supported" in problem.message


def test_data_store_reference_is_reported() -> None:
    content = process(chain(user_task()) + '<bpmn:dataStoreReference id="dsr"/>', lanes={"reviewer": ["review"]})
    assert having(one(content), "data stores are not supported")[0].element_id == "dsr"


def test_service_task_is_reported_once() -> None:
    [problem] = one(process(chain('<bpmn:serviceTask id="svc"/>'))).problems
    assert problem.element_id == "svc" and "service tasks are not supported" in problem.message


def test_service_task_rule_reports_every_service_task() -> None:
    content = process(chain('<bpmn:serviceTask id="s1"/>', '<bpmn:serviceTask id="s2"/>'))
    assert [p.element_id for p in lint_only(lint.rule_service_tasks, content)] == ["s1", "s2"]
    assert [p.element_id for p in one(content).problems] == ["s1", "s2"]  # SpiffWorkflow stops at the first


def test_send_and_receive_tasks_need_a_message() -> None:
    report = one(process(chain('<bpmn:sendTask id="send"/>', '<bpmn:receiveTask id="recv"/>')))
    assert {p.element_id for p in having(report, "has no message")} == {"send", "recv"}
    ok = process(chain('<bpmn:sendTask id="send" messageRef="m"/>'), roots='<bpmn:message id="m" name="done"/>')
    assert one(ok).problems == []


def test_complex_gateway_and_transaction_are_reported() -> None:
    body = chain(
        '<bpmn:complexGateway id="cg"/>',
        '<bpmn:transaction id="tx"><bpmn:startEvent id="ts"/>'
        '<bpmn:endEvent id="te"/><bpmn:sequenceFlow id="tf" sourceRef="ts" targetRef="te"/>'
        "</bpmn:transaction>",
    )
    report = one(process(body))
    assert having(report, "complex gateways are not supported")[0].element_id == "cg"
    assert having(report, "transaction subprocesses are not supported")[0].element_id == "tx"


def event_gateway(second: str) -> bytes:
    timer = (
        '<bpmn:intermediateCatchEvent id="{0}"><bpmn:timerEventDefinition id="td_{0}">'
        '<bpmn:timeDuration>"P{1}D"</bpmn:timeDuration></bpmn:timerEventDefinition>'
        "</bpmn:intermediateCatchEvent>"
    )
    message = (
        '<bpmn:intermediateCatchEvent id="{0}"><bpmn:messageEventDefinition id="md_{0}" messageRef="m"/>'
        "</bpmn:intermediateCatchEvent>"
    )
    second_event = timer.format("t2", 9) if second == "timer" else message.format("t2")
    return process(
        '<bpmn:startEvent id="start"/><bpmn:eventBasedGateway id="egw"/>'
        + timer.format("t1", 2)
        + second_event
        + '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>'
        '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="egw"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="egw" targetRef="t1"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="egw" targetRef="t2"/>'
        '<bpmn:sequenceFlow id="f3" sourceRef="t1" targetRef="e1"/>'
        '<bpmn:sequenceFlow id="f4" sourceRef="t2" targetRef="e2"/>',
        roots='<bpmn:message id="m" name="reply"/>',
    )


def test_event_gateway_with_two_timers_is_an_error() -> None:
    [problem] = one(event_gateway("timer")).problems
    assert problem.element_id == "egw" and "2 timers" in problem.message
    assert one(event_gateway("message")).problems == []


def test_signal_and_escalation_need_a_name() -> None:
    report = one(
        process(
            chain(user_task()),
            lanes={"reviewer": ["review"]},
            roots='<bpmn:signal id="sig"/><bpmn:escalation id="esc" escalationCode="E1"/>',
        )
    )
    assert {p.element_id for p in having(report, "has no name")} == {"sig", "esc"}


def test_process_without_start_event_is_reported_once() -> None:
    content = process('<bpmn:endEvent id="end"/>')
    [problem] = one(content).problems
    assert problem.element_id == "p" and "no start event" in problem.message


def test_start_event_rule_checks_each_process() -> None:
    content = process('<bpmn:endEvent id="end"/>')
    [problem] = lint_only(lint.rule_start_events, content)
    assert problem.element_id == "p" and problem.line == line_of(content, '<bpmn:process id="p"')
    assert lint_only(lint.rule_start_events, process(chain())) == []


# ---------------------------------------------------------------- DMN cells


def test_dmn_output_entry_in_el_is_reported() -> None:
    report = one(dmn(DMN13, decision(output="${size}")), name="fee.dmn")
    assert having(report, "Camunda/JUEL EL expression")


def test_dmn_feel_input_expression_is_reported() -> None:
    content = dmn(DMN13, decision().replace("<text>area</text>", "<text>Applicant data.Area</text>"))
    [problem] = having(one(content, name="fee.dmn"), "input expression")
    assert "not valid Python" in problem.message


# ---------------------------------------------------------------- the whole picture


FORM = json.dumps(
    {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["decision"],
        "properties": {
            "decision": {"type": "string", "enum": ["approve", "reject"]},
            "note": {"type": "string"},
        },
    },
    indent=2,
).encode()


def spiffarena_file() -> bytes:
    """A SpiffArena-style approval: role lanes, forms, a working-day timer, a script and a gateway."""
    form = (
        '<spiffworkflow:properties><spiffworkflow:property name="formJsonSchemaFilename" value="{0}.json"/>'
        '<spiffworkflow:property name="formUiSchemaFilename" value="{0}-ui.json"/></spiffworkflow:properties>'
    )
    body = f"""
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="accept" name="Accept application">
      <bpmn:extensionElements>{form.format("accept")}
        <spiffworkflow:postScript>accepted_by = "window"</spiffworkflow:postScript>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:scriptTask id="deadline" name="Compute deadline" scriptFormat="python">
      <bpmn:script>review_due = workdays_after(5)</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:userTask id="review" name="Review">
      <bpmn:extensionElements>{form.format("review")}</bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="sla" name="SLA" attachedToRef="review" cancelActivity="false">
      <bpmn:timerEventDefinition id="sla_def"><bpmn:timeDate>workdays_after(5)</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:scriptTask id="remind"><bpmn:script>reminded = True</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="remind_end"/>
    <bpmn:exclusiveGateway id="decide" default="to_reject"/>
    <bpmn:userTask id="approve" name="Approve">
      <bpmn:extensionElements>{form.format("review")}</bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="approved"/>
    <bpmn:endEvent id="rejected"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="accept"/>
    <bpmn:sequenceFlow id="f2" sourceRef="accept" targetRef="deadline"/>
    <bpmn:sequenceFlow id="f3" sourceRef="deadline" targetRef="review"/>
    <bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="decide"/>
    <bpmn:sequenceFlow id="to_approve" sourceRef="decide" targetRef="approve">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">decision == "approve"
      </bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_reject" sourceRef="decide" targetRef="rejected"/>
    <bpmn:sequenceFlow id="f5" sourceRef="approve" targetRef="approved"/>
    <bpmn:sequenceFlow id="f6" sourceRef="sla" targetRef="remind"/>
    <bpmn:sequenceFlow id="f7" sourceRef="remind" targetRef="remind_end"/>"""
    lanes = {
        "window_officer": ["start", "accept", "deadline"],
        "reviewer@LAND": ["review", "sla", "remind", "remind_end", "decide", "rejected"],
        "approver": ["approve", "approved"],
    }
    return process(body, pid="permit", lanes=lanes)


def bundle() -> list[SourceFile]:
    ui = json.dumps({"note": {"ui:widget": "textarea"}}).encode()
    return [
        SourceFile("permit.bpmn", spiffarena_file()),
        SourceFile("accept.json", FORM),
        SourceFile("review.json", FORM),
        SourceFile("accept-ui.json", ui),
        SourceFile("review-ui.json", ui),
    ]


def test_valid_spiffarena_bundle_passes_with_no_problems() -> None:
    report = validate_files(bundle(), form_names=[])
    assert report.problems == [] and report.ok
    [info] = report.processes
    assert info.process_id == "permit" and info.is_executable and info.file == "permit.bpmn"
    assert info.lanes == ("window_officer", "reviewer@LAND", "approver")
    assert info.form_refs == ("accept.json", "accept-ui.json", "review.json", "review-ui.json")


def test_build_specs_gives_spec_and_subprocess_specs() -> None:
    spec, subprocesses = build_specs(bundle(), "permit")
    assert spec.name == "permit" and subprocesses == {}
    assert spec.task_specs["review"].lane == "reviewer@LAND"
    assert form_references(spec.task_specs["review"]) == ("review.json", "review-ui.json")
    assert form_references(spec.task_specs["deadline"]) == (None, None)
    assert form_references(object()) == (None, None)


def test_build_specs_with_call_activity_returns_the_called_spec() -> None:
    main = process(chain('<bpmn:callActivity id="call" calledElement="sub"/>'), pid="main")
    sub = process(chain(user_task()), pid="sub", lanes={"reviewer": ["review"]})
    _, subprocesses = build_specs([SourceFile("main.bpmn", main), SourceFile("sub.bpmn", sub)], "main")
    assert set(subprocesses) == {"sub"}


def test_build_specs_refuses_unknown_process_and_broken_bundle() -> None:
    with pytest.raises(ProcessDefinitionError) as unknown:
        build_specs(bundle(), "nope")
    assert "'nope' is not defined" in unknown.value.problems[0].message
    with pytest.raises(ProcessDefinitionError) as broken:
        build_specs([SourceFile("p.bpmn", process(chain('<bpmn:callActivity id="c" calledElement="x"/>')))], "p")
    assert broken.value.problems[0].element_id == "c"
    with pytest.raises(ProcessDefinitionError):
        build_specs([SourceFile("p.bpmn", b"<oops")], "p")


def test_problems_are_sorted_by_file_then_line() -> None:
    bad = process(chain('<bpmn:serviceTask id="s1"/>', '<bpmn:serviceTask id="s2"/>'))
    report = validate(("b.bpmn", bad), ("a.json", b"{"))
    keys = [(p.file, p.line) for p in report.problems]
    assert keys == sorted(keys) and keys[0][0] == "a.json"
