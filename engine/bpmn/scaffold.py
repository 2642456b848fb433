"""Scaffold the BPMN process of one catalogue item (事项) from its service guide: ``scaffold_item(item)``.

Deterministic BPMN XML (lanes, forms, working-day timers, full diagram interchange), written once into
processes/items by ``python -m engine.bpmn.scaffold processes/catalog.toml processes/items`` and then kept as
an ordinary file a designer may edit; a file without the scaffold marker comment is never overwritten.
The case service relies on these conventions; change them only together with it.

* process id ``item_<code lowercased, - → _>``, process name = the item name; lanes are role codes
  (``window_officer``, ``case_officer``, ``reviewer``, ``approver``; another department's step: ``role@DEPT``).
* every user task carries ``formJsonSchemaFilename`` and ``caseStep`` (acceptance, correction, examination,
  opinion, review, decision, delivery, special_procedure_end, extension); its form lands under its element id.
* ``acceptance`` → ``acceptance_route`` on ``acceptance["decision"]``: not_accept → ``end_not_accepted``;
  correction → ``correction`` → back to acceptance; instant_done (即办件 only) → ``delivery``; otherwise
  (accept, the default flow) → processing. The interrupting timer ``auto_accept`` (caseStep auto_accept,
  ``workdays_after(5)``, counted from when the acceptance task is reached: the receipt, or the
  supplement after a correction) also continues to processing.
* processing = the item's steps in order (consecutive other-department opinions in parallel); a step with a
  limit has a non-interrupting timer ``<id>_deadline`` → script ``step_overdue = "<id>"`` → end.
  ``examination`` also has the non-interrupting timer ``promised_deadline`` (承诺时限) and, for items with
  special procedures or an extension, ``examination_route``: a procedure of the item →
  ``special_procedure_start`` (script, caseStep special_procedure_start) → ``special_procedure_end`` →
  back to examination; ``extension_requested`` → ``extension`` → back to examination.
* ``decision`` → ``delivery`` → ``end_done`` (办结).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.bpmn.scaffold_layout import OVERDUE_END_DX, Boundary, Diagram, Flow, Node, render
from engine.domain.catalogue import Item, Step, load_catalogue
from engine.domain.catalogue_model import APPROVER, LICENCE, WINDOW_OFFICER

MARKER = "<!-- scaffolded by engine.bpmn.scaffold -->"
HAND_EDIT_NOTE = "<!-- edited by hand? delete the line above: tests then stop comparing this file with the scaffold -->"
CASE_OFFICER = "case_officer"
LANE_LABELS = {WINDOW_OFFICER: "受理窗口", CASE_OFFICER: "承办", "reviewer": "审核", APPROVER: "批准/决定"}
ROLE_KINDS = {CASE_OFFICER: "examination", "reviewer": "review", APPROVER: "decision"}
FORMS = {
    "acceptance": "acceptance.json", "correction": "correction.json", "examination": "examination.json",
    "opinion": "review.json", "review": "review.json", "decision": "decision.json", "delivery": "delivery.json",
    "special_procedure_end": "special_procedure.json", "extension": "extension.json",
}  # fmt: skip
Pending = tuple[str, dict[str, Any]]


def process_id(code: str) -> str:
    """``XK-ZRZY-001`` → ``item_xk_zrzy_001``."""
    return "item_" + code.lower().replace("-", "_")


def _task_properties(case_step: str) -> tuple[tuple[str, str], ...]:
    return (("formJsonSchemaFilename", FORMS[case_step]), ("caseStep", case_step))


@dataclass(frozen=True)
class Planned:
    """One processing step: its element id, caseStep, task name, lane and limit in working days."""

    id: str
    kind: str
    name: str
    lane: str
    days: int | None


def plan_steps(item: Item) -> list[Planned]:
    """The processing steps after acceptance; an instant item converted to a 承诺件 gets examination and
    decision, and a 承诺件 always has an examination and ends with a decision."""
    if item.instant:
        raw = [Step(CASE_OFFICER, "审查"), Step(APPROVER, "决定")]
    else:
        raw = list(item.steps[1:])
        if not any(_kind(item, s) == "examination" for s in raw):
            raw.insert(0, Step(CASE_OFFICER, "审查"))
        if _kind(item, raw[-1]) != "decision":
            raw.append(Step(APPROVER, "决定"))
    planned, seen = [], dict[str, int]()
    for step in raw:
        kind = _kind(item, step)
        base = f"opinion_{(step.department or '').lower()}" if kind == "opinion" else kind
        seen[base] = seen.get(base, 0) + 1
        element_id = base if seen[base] == 1 else f"{base}_{seen[base]}"
        lane = f"{step.role}@{step.department}" if kind == "opinion" else step.role
        planned.append(Planned(element_id, kind, step.name, lane, step.days))
    return planned


def _kind(item: Item, step: Step) -> str:
    if step.department and step.department != item.department:
        return "opinion"
    if step.role not in ROLE_KINDS:
        raise ValueError(f"{item.code}: step {step.name!r} ({step.role}) after acceptance cannot be scaffolded")
    return ROLE_KINDS[step.role]


@dataclass
class Builder:
    item: Item
    diagram: Diagram
    col: int = 0
    pending: list[Pending] = field(default_factory=list)
    last_lane: str = WINDOW_OFFICER
    splits: int = 0

    def node(self, node_id: str, kind: str, name: str, lane: str, col: int, row: int = 0, **extra: Any) -> None:
        self.diagram.nodes.append(Node(node_id, kind, name, lane, col, row, **extra))

    def flow(self, source: str, target: str, name: str = "", condition: str = "", default: bool = False) -> None:
        flow_id = f"flow_{source}_{target}"
        if any(f.id == flow_id for f in self.diagram.flows):
            raise ValueError(f"duplicate flow {flow_id}")
        self.diagram.flows.append(Flow(flow_id, source, target, name, condition, default))

    def connect(self, target: str) -> None:
        for source, attributes in self.pending:
            self.flow(source, target, **attributes)
        self.pending = []

    def place(self, node_id: str, kind: str, name: str, lane: str, *, loop: bool = False, **extra: Any) -> None:
        """Put a node on the main path after the pending flows (several, or loops to come: a merge first)."""
        if len(self.pending) > 1 or loop:
            self.node(f"{node_id}_merge", "exclusiveGateway", "", lane, self.col)
            self.connect(f"{node_id}_merge")
            self.pending, self.col = [(f"{node_id}_merge", {})], self.col + 1
        self.node(node_id, kind, name, lane, self.col, **extra)
        self.connect(node_id)
        self.pending, self.col, self.last_lane = [(node_id, {})], self.col + 1, lane

    def timer(self, event_id: str, task_id: str, side: str, expression: str, name: str, overdue: str = "") -> None:
        """A boundary timer; ``overdue`` (a script) makes it non-interrupting, with a script and an end."""
        task = next(n for n in self.diagram.nodes if n.id == task_id)
        props = () if overdue else (("caseStep", "auto_accept"),)
        self.diagram.boundaries.append(Boundary(event_id, name, task_id, side, not overdue, expression, props))
        if overdue:
            script_id, row = event_id.removesuffix("_deadline") + "_overdue", task.row + (1 if side == "bottom" else -1)
            self.node(script_id, "scriptTask", "记录超期", task.lane, task.col, row, script=overdue)
            self.node(f"{script_id}_end", "endEvent", "", task.lane, task.col, row, dx=OVERDUE_END_DX)
            self.flow(event_id, script_id)
            self.flow(script_id, f"{script_id}_end")

    def step_timer(self, planned: Planned, side: str = "bottom") -> None:
        if planned.days:
            expression, name = f"workdays_after({planned.days})", f"环节时限 {planned.days} 个工作日"
            self.timer(f"{planned.id}_deadline", planned.id, side, expression, name, f'step_overdue = "{planned.id}"')

    def acceptance(self) -> None:
        first = self.item.steps[0] if self.item.steps else Step(WINDOW_OFFICER, "受理")
        w = WINDOW_OFFICER
        self.node("start", "startEvent", "收件", w, 0)
        self.pending, self.col = [("start", {})], 1
        self.place("acceptance", "userTask", first.name, w, loop=True, properties=_task_properties("acceptance"))
        # counted from reaching the task: the receipt, or a supplement after a correction (第32条, restart rule)
        self.timer("auto_accept", "acceptance", "bottom", "workdays_after(5)", "5个工作日受理时限")
        self.step_timer(Planned("acceptance", "acceptance", first.name, w, first.days), side="top")
        self.node("acceptance_route", "exclusiveGateway", "受理审查结果", w, 3)
        self.flow("acceptance", "acceptance_route")
        self.node("correction", "userTask", "补正材料接收", w, 3, -1, properties=_task_properties("correction"))
        self.flow("acceptance_route", "correction", "补正", 'acceptance["decision"] == "correction"')
        self.flow("correction", "acceptance_merge")
        self.node("end_not_accepted", "endEvent", "不予受理", w, 3, 1)
        self.flow("acceptance_route", "end_not_accepted", "不予受理", 'acceptance["decision"] == "not_accept"')
        self.pending = [("acceptance_route", {"name": "受理", "default": True}), ("auto_accept", {"name": "视为受理"})]
        self.col = 4

    def step(self, planned: Planned) -> None:
        item = self.item
        exam = planned.id == "examination" and not item.instant
        procedures = tuple(p.name for p in item.special_procedures) if exam else ()
        extension = exam and (item.type == LICENCE or item.extension_days is not None)
        routed = bool(procedures) or extension
        properties = _task_properties(planned.kind)
        self.place(planned.id, "userTask", planned.name, planned.lane, loop=routed, properties=properties)
        self.step_timer(planned)
        if exam:
            self.timer("promised_deadline", "examination", "top", "workdays_after(promised_days)", "承诺时限",
                       "promised_overdue = True")  # fmt: skip
        if routed:
            self.examination_route(planned.lane, procedures, extension)

    def examination_route(self, lane: str, procedures: tuple[str, ...], extension: bool) -> None:
        c = self.col
        self.node("examination_route", "exclusiveGateway", "审查结果", lane, c)
        self.flow("examination", "examination_route")
        names = json.dumps(list(procedures), ensure_ascii=False)  # a Python list literal too
        chosen = f'examination.get("special_procedure", "") in {names}'
        if procedures:
            script = 'special_procedure_kind = examination["special_procedure"]'
            props = (("caseStep", "special_procedure_start"),)
            start = ("special_procedure_start", "scriptTask", "启动特别程序", lane, c + 1, 1)
            self.node(*start, properties=props, script=script)
            end_props = _task_properties("special_procedure_end")
            self.node("special_procedure_end", "userTask", "特别程序结束", lane, c + 2, 1, properties=end_props)
            self.flow("examination_route", "special_procedure_start", "特别程序", chosen)
            self.flow("special_procedure_start", "special_procedure_end")
            self.flow("special_procedure_end", "examination_merge")
        if extension:
            self.node("extension", "userTask", "延期审批", APPROVER, c + 1, properties=_task_properties("extension"))
            condition = 'examination.get("extension_requested") is True'
            if procedures:
                condition += f' and examination.get("special_procedure", "") not in {names}'
            self.flow("examination_route", "extension", "申请延期", condition)
            self.flow("extension", "examination_merge")
        self.pending = [("examination_route", {"name": "审查完毕", "default": True})]
        self.col = c + (3 if procedures else 2)

    def parallel(self, block: list[Planned], next_lane: str) -> None:
        self.splits += 1
        suffix = "" if self.splits == 1 else f"_{self.splits}"
        split, join = f"opinions_split{suffix}", f"opinions_join{suffix}"
        lane = block[0].lane if self.last_lane == WINDOW_OFFICER else self.last_lane
        self.place(split, "parallelGateway", "", lane)
        rows: dict[str, int] = {}
        for planned in block:  # two opinions of one department share a lane: one row pair each
            row = rows.get(planned.lane, 0)
            rows[planned.lane] = row + 2
            self.node(planned.id, "userTask", planned.name, planned.lane, self.col, row,
                      properties=_task_properties("opinion"))  # fmt: skip
            self.flow(split, planned.id)
            self.step_timer(planned)
        self.node(join, "parallelGateway", "", next_lane, self.col + 1)
        for planned in block:
            self.flow(planned.id, join)
        self.pending, self.col, self.last_lane = [(join, {})], self.col + 2, next_lane

    def delivery(self, instant_done: Pending | None) -> None:
        if instant_done is not None:
            self.pending.insert(0, instant_done)
        self.place("delivery", "userTask", "送达", WINDOW_OFFICER, properties=_task_properties("delivery"))
        self.node("end_done", "endEvent", "办结", WINDOW_OFFICER, self.col)
        self.flow("delivery", "end_done")


def _blocks(planned: list[Planned]) -> list[list[Planned]]:
    """Consecutive opinions of other departments form one parallel block; every other step is its own."""
    blocks: list[list[Planned]] = []
    for step in planned:
        if step.kind == "opinion" and blocks and blocks[-1][-1].kind == "opinion":
            blocks[-1].append(step)
        else:
            blocks.append([step])
    return blocks


def build_diagram(item: Item) -> Diagram:
    """The process of ``item`` as nodes, boundary timers and flows on the layout grid."""
    pid = process_id(item.code)
    builder = Builder(item, Diagram(pid, f"{item.name}（{item.code}）", lanes=[]))
    builder.acceptance()
    instant_done: Pending | None = None
    if item.instant:
        condition = 'acceptance["decision"] == "instant_done"'
        instant_done = ("acceptance_route", {"name": "当场办结", "condition": condition})
    blocks = _blocks(plan_steps(item))
    for index, block in enumerate(blocks):
        if len(block) == 1:
            builder.step(block[0])
        else:
            builder.parallel(block, blocks[index + 1][0].lane if index + 1 < len(blocks) else WINDOW_OFFICER)
    builder.delivery(instant_done)
    lanes = [WINDOW_OFFICER, *(p.lane for block in blocks for p in block)]
    names = list(dict.fromkeys(lanes + [n.lane for n in builder.diagram.nodes]))
    builder.diagram.lanes = [(name, _lane_label(name)) for name in names]
    return builder.diagram


def _lane_label(name: str) -> str:
    role, _, department = name.partition("@")
    label = LANE_LABELS.get(role, role)
    return f"{label}（{department}）" if department else label


def scaffold_item(item: Item) -> str:
    """The BPMN XML of one catalogue item; the same item always gives byte-identical text."""
    body = render(build_diagram(item), item.name)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{MARKER}\n{HAND_EDIT_NOTE}\n{body}\n'


def main(argv: list[str]) -> int:
    """Write ``<process id>.bpmn`` for every catalogue item; files edited by hand are left alone."""
    if len(argv) != 2:
        print("usage: python -m engine.bpmn.scaffold CATALOG.toml OUT_DIR", file=sys.stderr)
        return 2
    catalogue = load_catalogue(Path(argv[0]).read_text(encoding="utf-8"))
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for item in catalogue.items:
        target = out / f"{process_id(item.code)}.bpmn"
        if target.exists() and MARKER not in target.read_text(encoding="utf-8"):
            print(f"{target}: edited by hand (no scaffold marker), left alone")
            continue
        target.write_text(scaffold_item(item), encoding="utf-8")
        print(f"{target}: scaffolded")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
