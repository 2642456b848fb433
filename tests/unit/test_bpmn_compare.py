"""Comparing two versions of a process: elements added, removed and changed (with the facts that matter),
form files by name, a text diff as the fallback, and no exception for files that cannot be read."""

from __future__ import annotations

from engine.bpmn.bundle import SourceFile
from engine.bpmn.compare import compare_bundles, text_diff

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'id="defs" targetNamespace="https://onestop.example/test">\n'
)


def process(
    *,
    review_lane: str = "lane_land",
    deadline: str = "workdays_after(5)",
    review_form: str = "review.json",
    condition: str = "approved",
    script: str = "note = 1",
    extra: str = "",
    review_tag: str = "userTask",
    review_name: str = "审查",
) -> bytes:
    """A small process: intake (window lane) -> review (one of two lanes, with a deadline) -> decide."""
    lanes = {"lane_window": ["start", "intake", "decide", "note", "end"], "lane_land": [], "lane_env": []}
    lanes[review_lane] += ["review", "deadline"]
    lane_xml = "".join(
        f'<bpmn:lane id="{lane_id}" name="{name}">'
        + "".join(f"<bpmn:flowNodeRef>{node}</bpmn:flowNodeRef>" for node in lanes[lane_id])
        + "</bpmn:lane>\n"
        for lane_id, name in (
            ("lane_window", "window_officer"),
            ("lane_land", "reviewer@LAND"),
            ("lane_env", "reviewer@ENV"),
        )
    )
    body = f"""<bpmn:process id="p" name="测试流程" isExecutable="true">
<bpmn:laneSet id="lanes">
{lane_xml}</bpmn:laneSet>
<bpmn:startEvent id="start"/>
<bpmn:userTask id="intake" name="收件"/>
<bpmn:{review_tag} id="review" name="{review_name}">
  <bpmn:extensionElements><spiffworkflow:properties>
    <spiffworkflow:property name="formJsonSchemaFilename" value="{review_form}"/>
  </spiffworkflow:properties></bpmn:extensionElements>
</bpmn:{review_tag}>
<bpmn:boundaryEvent id="deadline" name="期限" attachedToRef="review" cancelActivity="false">
  <bpmn:timerEventDefinition id="deadline_def"><bpmn:timeDate>{deadline}</bpmn:timeDate></bpmn:timerEventDefinition>
</bpmn:boundaryEvent>
<bpmn:exclusiveGateway id="decide" default="f_no"/>
<bpmn:scriptTask id="note" name="记录"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
<bpmn:endEvent id="end"/>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="intake"/>
<bpmn:sequenceFlow id="f2" sourceRef="intake" targetRef="review"/>
<bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="decide"/>
<bpmn:sequenceFlow id="f_yes" sourceRef="decide" targetRef="note">
  <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
</bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f_no" sourceRef="decide" targetRef="end"/>
<bpmn:sequenceFlow id="f4" sourceRef="note" targetRef="end"/>
{extra}</bpmn:process>
</bpmn:definitions>
"""
    return (HEAD + body).encode()


def compare(old: bytes, new: bytes, **forms: tuple[list[SourceFile], list[SourceFile]]):  # type: ignore[no-untyped-def]
    old_forms, new_forms = forms.get("forms", ([], []))
    return compare_bundles([SourceFile("p.bpmn", old)], [SourceFile("p.bpmn", new)], old_forms, new_forms)


def test_identical_documents_have_no_changes() -> None:
    result = compare(process(), process())
    assert result.identical
    assert not result.added and not result.removed and not result.changed and result.text_diff == ""


def test_a_changed_timer_expression_is_reported_with_old_and_new_value() -> None:
    result = compare(process(), process(deadline="workdays_after(7)"))
    assert [c.element_id for c in result.changed] == ["deadline"]
    change = result.changed[0].change("timer")
    assert change is not None
    assert (change.old, change.new) == ("timeDate: workdays_after(5)", "timeDate: workdays_after(7)")
    assert not result.added and not result.removed


def test_a_task_moved_to_another_lane_changes_its_lane_and_its_boundary_event_s() -> None:
    result = compare(process(review_lane="lane_land"), process(review_lane="lane_env"))
    changed = {c.element_id: c for c in result.changed}
    assert set(changed) == {"review", "deadline"}
    lane = changed["review"].change("lane")
    assert lane is not None and (lane.old, lane.new) == ("reviewer@LAND", "reviewer@ENV")
    assert [c.key for c in changed["review"].changes] == ["lane"]


def test_added_and_removed_elements_are_listed_with_their_facts_in_a_stable_order() -> None:
    extra = (
        '<bpmn:callActivity id="deliver" name="送达" calledElement="delivery"/>\n'
        '<bpmn:sequenceFlow id="f_deliver" sourceRef="note" targetRef="deliver"/>\n'
    )
    result = compare(process(), process(extra=extra))
    assert [(e.element_id, e.kind) for e in result.added] == [
        ("deliver", "callActivity"),
        ("f_deliver", "sequenceFlow"),
    ]
    assert result.added[0].fact("calledElement") == "delivery" and result.added[0].name == "送达"
    assert (result.added[1].fact("source"), result.added[1].fact("target")) == ("note", "deliver")
    back = compare(process(extra=extra), process())
    assert [e.element_id for e in back.removed] == ["deliver", "f_deliver"] and not back.added


def test_form_reference_condition_script_type_and_name_changes_are_each_reported() -> None:
    result = compare(
        process(),
        process(
            review_form="review_v2.json",
            condition="approved and complete",
            script="note = 2",
            review_tag="manualTask",
            review_name="复核",
        ),
    )
    changed = {c.element_id: {fc.key: (fc.old, fc.new) for fc in c.changes} for c in result.changed}
    assert changed["review"] == {
        "type": ("userTask", "manualTask"),
        "name": ("审查", "复核"),
        "formJsonSchemaFilename": ("review.json", "review_v2.json"),
    }
    assert changed["f_yes"] == {"condition": ("approved", "approved and complete")}
    assert changed["note"] == {"script": ("note = 1", "note = 2")}


def test_moving_shapes_changes_no_element_but_shows_in_the_text_diff() -> None:
    old = process()
    new = old.replace(b'<bpmn:endEvent id="end"/>', b'<bpmn:endEvent id="end">\n</bpmn:endEvent>')
    result = compare(old, new)
    assert not result.changed and not result.added and not result.removed
    assert result.file_changes[0].status == "changed"
    assert "--- a/p.bpmn" in result.text_diff and "+++ b/p.bpmn" in result.text_diff


def test_form_files_are_compared_by_name() -> None:
    old_forms = [SourceFile("review.json", b'{"type": "object"}'), SourceFile("gone.json", b"{}")]
    new_forms = [SourceFile("forms/review.json", b'{"type": "object", "required": []}'), SourceFile("new.json", b"{}")]
    result = compare(process(), process(), forms=(old_forms, new_forms))
    assert [(f.name, f.status) for f in result.form_changes] == [
        ("gone.json", "removed"),
        ("new.json", "added"),
        ("review.json", "changed"),
    ]
    assert not result.identical and '+{"type": "object", "required": []}' in result.text_diff


def test_unreadable_files_are_named_and_compared_as_text_only() -> None:
    truncated = process()[:400]
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    result = compare_bundles(
        [SourceFile("p.bpmn", process())], [SourceFile("p.bpmn", truncated), SourceFile("x.bpmn", xxe)]
    )
    assert result.unreadable == ("p.bpmn", "x.bpmn")
    assert {e.element_id for e in result.removed} >= {"review", "deadline"}
    assert "root:" not in result.text_diff  # the entity was never expanded


def test_the_text_diff_is_cut_at_the_line_limit() -> None:
    old = {"a.txt": "\n".join(str(i) for i in range(100)).encode()}
    new = {"a.txt": "\n".join(str(i * 2) for i in range(100)).encode()}
    cut = text_diff(old, new, max_lines=10)
    assert len(cut.splitlines()) == 11 and "more lines not shown" in cut.splitlines()[-1]
