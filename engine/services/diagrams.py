"""Process diagrams as SVG: a deployed version's diagram, and an instance's with its progress marked.

Who may look: a version's diagram, designers and administrators; a published item's procedure, anyone; an
instance's, whoever may see the instance (``InstanceService.show``).

Element states of an instance: ``completed`` for elements with an ``element_completed`` history event,
``active`` for ready human tasks and waiting timers/messages (and the subprocess or call activity that holds
them), ``overdue`` for active elements whose deadline has passed.
"""

from __future__ import annotations

import logging
from datetime import datetime

from engine.bpmn.diagram_states import WaitingElement, waiting_elements
from engine.bpmn.diagram_svg import defines_process, render_svg
from engine.domain.access import DESIGNER, Principal
from engine.domain.records import DefinitionFile, TaskState
from engine.errors import NotFound, PermissionDenied
from engine.services.context import ServiceContext
from engine.services.instances import InstanceService, InstanceView

COMPLETED, ACTIVE, OVERDUE = "completed", "active", "overdue"
log = logging.getLogger("onestop")


def defining_file(files: list[DefinitionFile], process_id: str) -> DefinitionFile:
    """The bundle's BPMN file that defines ``process_id`` (a bundle also holds called processes and DMN)."""
    for stored in files:
        if stored.kind == "bpmn" and defines_process(stored.content, process_id):
            return stored
    raise NotFound(f"no file of the deployed bundle defines process {process_id!r}")


def element_states(view: InstanceView, waiting: list[WaitingElement], now: datetime) -> dict[str, str]:
    """Completed, then active, then overdue: a later state wins (a loop may revisit a completed task).

    Ready tasks and timers come from the projections; ``waiting`` (read from the saved workflow) adds
    awaited messages and the subprocesses / call activities holding any of them.
    """
    states = {element_id: COMPLETED for element_id in view.completed_elements}
    due: dict[str, datetime | None] = {t.task_id: t.due_at for t in view.timers}
    active = [WaitingElement(t.element_id, t.task_id, ()) for t in view.tasks if t.state == TaskState.READY] + [
        WaitingElement(t.element_id, t.task_id, ()) for t in view.timers
    ]
    due.update({t.task_id: t.due_at for t in view.tasks if t.state == TaskState.READY})
    for element in [*active, *waiting]:
        deadline = due.get(element.task_id)
        state = OVERDUE if deadline is not None and deadline < now else ACTIVE
        for element_id in (*element.holders, element.element_id):
            if states.get(element_id) != OVERDUE:
                states[element_id] = state
    return states


class DiagramService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._instances = InstanceService(ctx)

    def _source(self, process_id: str, version: int | None) -> DefinitionFile:
        with self._ctx.uow() as uow:
            found = uow.definitions.get_version(process_id, version)
            if found is None:
                raise NotFound(f"process {process_id!r} version {version or 'latest'} is not deployed")
            files = list(uow.definitions.files(list(found.file_ids)))
        return defining_file(files, process_id)

    def version_svg(self, principal: Principal, process_id: str, version: int | None) -> str:
        """The diagram of a deployed version (``None``: the latest)."""
        if not (principal.is_admin or principal.has_role(DESIGNER)):
            raise PermissionDenied("only process designers and administrators may see process diagrams")
        source = self._source(process_id, version)
        return render_svg(source.content, process_id=process_id, source_name=source.name)

    def item_svg(self, item_code: str) -> str:
        """The procedure diagram of a published service item, for its public guide (办理流程 is disclosed to
        everyone). Only the item's process as deployed is drawn: names and flows, never any case's data."""
        with self._ctx.uow() as uow:
            item = uow.catalogue.get(item_code)
        if item is None:
            raise NotFound(f"no item {item_code!r} in the catalogue")
        source = self._source(item["process_id"], None)
        return render_svg(source.content, process_id=item["process_id"], source_name=source.name)

    def instance_svg(self, principal: Principal, instance_id: int) -> str:
        """The instance's diagram with completed, active and overdue elements marked."""
        view = self._instances.show(principal, instance_id)  # the same permission as looking at it
        instance = view.instance
        waiting: list[WaitingElement] = []
        if instance.status.is_open and instance.serializer_version != "pending":
            try:
                waiting = waiting_elements(self._ctx.runtime.serializer, instance.state)
            except Exception:  # the projections alone still mark ready tasks and timers
                log.exception("could not read the waiting elements of instance %s", instance_id)
        states = element_states(view, waiting, self._ctx.now())
        source = self._source(instance.process_id, instance.version)
        return render_svg(source.content, process_id=instance.process_id, states=states, source_name=source.name)
