"""Small BPMN processes, built in code, whose versions differ the way real redeployments do (for migration tests).

A process is a chain of steps from a start event to an end event; each user task sits in the lane of its role,
as api-contract.md says (``reviewer``, ``approver`` …, the case's department applies). Boundary timers hang on
a task and lead to their own task and end event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

from engine.bootstrap import Platform
from engine.services.definitions import SourceFile


@dataclass(frozen=True)
class User:
    id: str
    name: str
    lane: str = "reviewer"


@dataclass(frozen=True)
class Wait:
    """An intermediate timer catch event waiting ``duration`` (a quoted ISO duration, as the conventions say)."""

    id: str
    name: str
    duration: str = '"PT2H"'


@dataclass(frozen=True)
class Boundary:
    id: str
    attached_to: str
    duration: str
    then: User  # the task the timer leads to
    interrupting: bool = True


@dataclass(frozen=True)
class Chain:
    process_id: str
    steps: tuple[User | Wait, ...]
    boundaries: tuple[Boundary, ...] = field(default_factory=tuple)

    def xml(self) -> bytes:
        users = [s for s in self.steps if isinstance(s, User)] + [b.then for b in self.boundaries]
        lanes: dict[str, list[str]] = {}
        for user in users:
            lanes.setdefault(user.lane, []).append(user.id)
        lane_xml = "".join(
            f'<bpmn:lane id="lane_{n}" name={quoteattr(lane)}>'
            + "".join(f"<bpmn:flowNodeRef>{i}</bpmn:flowNodeRef>" for i in ids)
            + "</bpmn:lane>"
            for n, (lane, ids) in enumerate(lanes.items())
        )
        nodes = ['<bpmn:startEvent id="start"/>', '<bpmn:endEvent id="end"/>']
        for step in self.steps:
            if isinstance(step, User):
                nodes.append(f"<bpmn:userTask id={quoteattr(step.id)} name={quoteattr(step.name)}/>")
            else:
                nodes.append(
                    f"<bpmn:intermediateCatchEvent id={quoteattr(step.id)} name={quoteattr(step.name)}>"
                    f"<bpmn:timerEventDefinition><bpmn:timeDuration>{step.duration}</bpmn:timeDuration>"
                    "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
                )
        ids = ["start", *(s.id for s in self.steps), "end"]
        flows = [(a, b) for a, b in zip(ids, ids[1:], strict=False)]
        for b in self.boundaries:
            cancel = "true" if b.interrupting else "false"
            nodes.append(
                f"<bpmn:boundaryEvent id={quoteattr(b.id)} attachedToRef={quoteattr(b.attached_to)} "
                f'cancelActivity="{cancel}"><bpmn:timerEventDefinition><bpmn:timeDuration>{b.duration}'
                "</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>"
            )
            nodes.append(f"<bpmn:userTask id={quoteattr(b.then.id)} name={quoteattr(b.then.name)}/>")
            nodes.append(f'<bpmn:endEvent id="end_{b.id}"/>')
            flows += [(b.id, b.then.id), (b.then.id, f"end_{b.id}")]
        flow_xml = "".join(
            f'<bpmn:sequenceFlow id="flow_{n}" sourceRef="{a}" targetRef="{b}"/>' for n, (a, b) in enumerate(flows)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" '
            'targetNamespace="https://onestop.example/test">'
            f'<bpmn:process id="{self.process_id}" name="迁移测试流程" isExecutable="true">'
            f'<bpmn:laneSet id="lanes">{lane_xml}</bpmn:laneSet>{"".join(nodes)}{flow_xml}'
            "</bpmn:process></bpmn:definitions>"
        ).encode()

    def deploy(self, platform: Platform) -> int:
        """Deploy this chain as the next version of its process; returns the version number."""
        deployed = platform.definitions.deploy([SourceFile(f"{self.process_id}.bpmn", self.xml())], actor="test")
        return deployed[0].version.version


REVIEW = User("review", "审查", "reviewer")
APPROVE = User("approve", "审批", "approver")
RECHECK = User("recheck", "复核", "reviewer")
ESCALATE = User("escalate", "超时督办", "approver")

#: version 1 of the permit process used by the migration tests: review, then approve
PERMIT_V1 = Chain("permit", (REVIEW, APPROVE))
#: a compatible version 2: the active review renamed, a recheck inserted after it
PERMIT_V2 = Chain("permit", (User("review", "初审", "reviewer"), RECHECK, APPROVE))
#: an incompatible version 2: the review's element id changed, so a token on it has nowhere to go
PERMIT_RENAMED_ID = Chain("permit", (User("first_review", "审查", "reviewer"), APPROVE))
