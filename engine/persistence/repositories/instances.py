"""Instances and their projections (inbox tasks, timers, awaited messages, audit, incidents) in SQL."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Integer, Row, and_, bindparam, func, insert, or_, select, update

from engine.domain.instance_query import InstanceQuery, InstanceSummary
from engine.domain.records import (
    AuditEvent,
    AwaitedMessage,
    HumanTaskRecord,
    Incident,
    InstanceRecord,
    InstanceStatus,
    TaskState,
    TimerRecord,
)
from engine.errors import ConcurrentUpdate
from engine.persistence.tables import (
    audit_events,
    awaited_messages,
    cases,
    human_tasks,
    incidents,
    instances,
    task_transfers,
    timers,
)

_INSTANCE_COLUMNS = list(instances.c)
_TASK_COLUMNS = list(human_tasks.c)
_RECORD_FIELDS = [c.name for c in human_tasks.c if c.name != "window"]  # the window comes from the case


@functools.cache
def _task_insert() -> Any:
    """A task row with the window of its case (the supervision board counts ready tasks per window): the case
    holding this instance, or, for its first steps (before CaseService.open records the instance), the case
    numbered by the business key that holds none yet. A case's window never changes after its receipt."""
    window = (
        select(cases.c.window)
        .where(
            cases.c.case_no == bindparam("w_key"),
            or_(cases.c.instance_id == bindparam("w_instance", type_=Integer), cases.c.instance_id.is_(None)),
        )
        .scalar_subquery()
    )
    return insert(human_tasks).values(window=window)


def _instance(row: Row[Any], prefix: str = "") -> InstanceRecord:
    m = row._mapping
    return InstanceRecord(
        id=m[f"{prefix}id"],
        process_version_id=m[f"{prefix}process_version_id"],
        process_id=m[f"{prefix}process_id"],
        version=m[f"{prefix}version"],
        status=InstanceStatus(m[f"{prefix}status"]),
        department=m[f"{prefix}department"],
        business_key=m[f"{prefix}business_key"],
        state=m[f"{prefix}state"],
        serializer_version=m[f"{prefix}serializer_version"],
        next_due_at=m[f"{prefix}next_due_at"],
        row_version=m[f"{prefix}row_version"],
        started_by=m[f"{prefix}started_by"],
        started_at=m[f"{prefix}started_at"],
        updated_at=m[f"{prefix}updated_at"],
        ended_at=m[f"{prefix}ended_at"],
        data=m[f"{prefix}data"] or {},
    )


def _task(row: Row[Any]) -> HumanTaskRecord:
    m = row._mapping
    return HumanTaskRecord(
        task_id=m["task_id"],
        instance_id=m["instance_id"],
        element_id=m["element_id"],
        name=m["name"],
        lane=m["lane"],
        role=m["role"],
        department=m["department"],
        form_ref=m["form_ref"],
        form_ui_ref=m["form_ui_ref"],
        state=TaskState(m["state"]),
        claimed_by=m["claimed_by"],
        due_at=m["due_at"],
        due_provisional=m["due_provisional"],
        created_at=m["created_at"],
        completed_at=m["completed_at"],
        completed_by=m["completed_by"],
        business_key=m["business_key"],
        process_id=m["process_id"],
    )


class InstanceRepository:
    def __init__(self, conn: Connection, *, skip_locked: bool) -> None:
        self._conn = conn
        self._skip_locked = skip_locked  # PostgreSQL: several schedulers share the due rows

    # -- instance rows -------------------------------------------------------------------------
    def add(self, record: InstanceRecord) -> int:
        values = {c.name: getattr(record, c.name) for c in instances.c if c.name != "id"}
        values["status"] = record.status.value
        result = self._conn.execute(insert(instances).values(**values).returning(instances.c.id))
        return int(result.scalar_one())

    def get(self, instance_id: int, *, for_update: bool = False) -> InstanceRecord | None:
        query = select(*_INSTANCE_COLUMNS).where(instances.c.id == instance_id)
        if for_update:
            query = query.with_for_update()
        row = self._conn.execute(query).first()
        return _instance(row) if row else None

    def save(self, record: InstanceRecord) -> None:
        """Write state and summary; refuses (ConcurrentUpdate) when another transaction saved it first."""
        result = self._conn.execute(
            update(instances)
            .where(instances.c.id == record.id, instances.c.row_version == record.row_version)
            .values(
                state=record.state,
                serializer_version=record.serializer_version,
                status=record.status.value,
                next_due_at=record.next_due_at,
                updated_at=record.updated_at,
                ended_at=record.ended_at,
                row_version=record.row_version + 1,
            )
        )
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"instance {record.id} was changed by somebody else; reload and retry")
        record.row_version += 1

    def claim_next_due(self, now: datetime, *, exclude: Sequence[int] = ()) -> InstanceRecord | None:
        query = (
            select(*_INSTANCE_COLUMNS)
            .where(instances.c.status == InstanceStatus.RUNNING.value, instances.c.next_due_at <= now)
            .order_by(instances.c.next_due_at)
            .limit(1)
        )
        if exclude:
            query = query.where(instances.c.id.not_in(list(exclude)))
        if self._skip_locked:
            query = query.with_for_update(skip_locked=True)
        row = self._conn.execute(query).first()
        return _instance(row) if row else None

    def earliest_due(self) -> datetime | None:
        query = select(func.min(instances.c.next_due_at)).where(instances.c.status == InstanceStatus.RUNNING.value)
        value = self._conn.execute(query).scalar()
        return value

    def open_counts_by_version(self) -> dict[tuple[str, int], int]:
        """(process id, version) -> instances not yet ended, for the designer's catalogue."""
        open_states = [s.value for s in InstanceStatus if s.is_open]
        rows = self._conn.execute(
            select(instances.c.process_id, instances.c.version, func.count())
            .where(instances.c.status.in_(open_states))
            .group_by(instances.c.process_id, instances.c.version)
        )
        return {(process_id, int(version)): int(count) for process_id, version, count in rows}

    def list_page(self, query: InstanceQuery) -> tuple[list[InstanceSummary], int]:
        """One page of instances, newest first, with their case and open tasks (three statements per page)."""
        conditions: list[Any] = []
        if query.status:
            conditions.append(instances.c.status == query.status)
        if query.process_id:
            conditions.append(instances.c.process_id == query.process_id)
        if query.department:
            conditions.append(instances.c.department == query.department)
        if query.started_from:
            conditions.append(instances.c.started_at >= query.started_from)
        if query.started_before:
            conditions.append(instances.c.started_at < query.started_before)
        if query.item_code:
            conditions.append(
                instances.c.id.in_(select(cases.c.instance_id).where(cases.c.item_code == query.item_code))
            )
        if query.overdue_at:
            conditions.append(
                instances.c.id.in_(
                    select(human_tasks.c.instance_id).where(
                        human_tasks.c.state == TaskState.READY.value, human_tasks.c.due_at < query.overdue_at
                    )
                )
            )
        page = select(*_INSTANCE_COLUMNS).order_by(instances.c.id.desc()).limit(query.limit).offset(query.offset)
        count = select(func.count()).select_from(instances)
        if conditions:
            page, count = page.where(and_(*conditions)), count.where(and_(*conditions))
        summaries = [InstanceSummary(_instance(r)) for r in self._conn.execute(page)]
        by_id = {s.instance.id: s for s in summaries}
        if by_id:
            for row in self._conn.execute(
                select(cases.c.instance_id, cases.c.case_no, cases.c.item_code).where(cases.c.instance_id.in_(by_id))
            ):
                by_id[row.instance_id].case_no, by_id[row.instance_id].item_code = row.case_no, row.item_code
            open_tasks = select(*_TASK_COLUMNS).where(
                human_tasks.c.instance_id.in_(by_id), human_tasks.c.state == TaskState.READY.value
            )
            for task_row in self._conn.execute(open_tasks.order_by(human_tasks.c.created_at)):
                by_id[task_row.instance_id].open_tasks.append(_task(task_row))
            for row in self._conn.execute(
                select(incidents.c.instance_id).where(
                    incidents.c.instance_id.in_(by_id), incidents.c.resolved_at.is_(None)
                )
            ):
                by_id[row.instance_id].has_incident = True
        return summaries, int(self._conn.execute(count).scalar_one())

    # -- inbox projection ----------------------------------------------------------------------
    def get_task(self, task_id: str) -> HumanTaskRecord | None:
        row = self._conn.execute(select(*_TASK_COLUMNS).where(human_tasks.c.task_id == task_id)).first()
        return _task(row) if row else None

    def get_task_and_instance(self, task_id: str, *, for_update: bool) -> tuple[HumanTaskRecord, InstanceRecord] | None:
        """One statement for the hot path: the task row joined with its instance (locked on PostgreSQL)."""
        inst = [c.label(f"i_{c.name}") for c in _INSTANCE_COLUMNS]
        query = (
            select(*_TASK_COLUMNS, *inst)
            .join(instances, instances.c.id == human_tasks.c.instance_id)
            .where(human_tasks.c.task_id == task_id)
        )
        if for_update:
            query = query.with_for_update(of=instances)
        row = self._conn.execute(query).first()
        return (_task(row), _instance(row, "i_")) if row else None

    def tasks_for_instance(self, instance_id: int, *, state: TaskState | None = None) -> list[HumanTaskRecord]:
        query = select(*_TASK_COLUMNS).where(human_tasks.c.instance_id == instance_id)
        if state:
            query = query.where(human_tasks.c.state == state.value)
        return [_task(r) for r in self._conn.execute(query.order_by(human_tasks.c.created_at))]

    def ready_tasks_for(
        self, grants: Iterable[tuple[str, str | None]], *, any_department: bool = False, limit: int = 200
    ) -> list[HumanTaskRecord]:
        """READY tasks of running instances for the given (role, department) grants (None: every department).
        Tasks of suspended instances or instances with an open incident are left out: nobody can act on them."""
        query = (
            select(*_TASK_COLUMNS)
            .join(instances, instances.c.id == human_tasks.c.instance_id)
            .where(human_tasks.c.state == TaskState.READY.value, instances.c.status == InstanceStatus.RUNNING.value)
        )
        if not any_department:
            ors = []
            for role, department in grants:
                cond = human_tasks.c.role == role
                if department is not None:
                    cond = and_(cond, human_tasks.c.department == department)
                ors.append(cond)
            if not ors:
                return []
            query = query.where(or_(*ors))
        query = query.order_by(human_tasks.c.due_at.is_(None), human_tasks.c.due_at, human_tasks.c.created_at)
        return [_task(r) for r in self._conn.execute(query.limit(limit))]

    def insert_tasks(self, records: Sequence[HumanTaskRecord]) -> None:
        if records:
            self._conn.execute(
                _task_insert(),
                [
                    {
                        **{name: getattr(r, name) for name in _RECORD_FIELDS},
                        "state": r.state.value,
                        "w_key": r.business_key,
                        "w_instance": r.instance_id,
                    }
                    for r in records
                ],
            )

    def mark_tasks(self, task_ids: Sequence[str], state: TaskState, now: datetime, actor: str | None) -> None:
        if not task_ids:
            return
        # one id is the common case (a completion): a plain equality keeps the statement cacheable
        where = (
            human_tasks.c.task_id == task_ids[0] if len(task_ids) == 1 else human_tasks.c.task_id.in_(list(task_ids))
        )
        self._conn.execute(
            update(human_tasks).where(where).values(state=state.value, completed_at=now, completed_by=actor)
        )

    def set_claim(self, task_id: str, username: str | None, expected: str | None) -> bool:
        result = self._conn.execute(
            update(human_tasks)
            .where(
                human_tasks.c.task_id == task_id,
                human_tasks.c.state == TaskState.READY.value,
                human_tasks.c.claimed_by.is_(None) if expected is None else human_tasks.c.claimed_by == expected,
            )
            .values(claimed_by=username)
        )
        return bool(result.rowcount == 1)

    def update_task_due(self, task_id: str, due_at: datetime | None, provisional: bool) -> None:
        self._conn.execute(
            update(human_tasks)
            .where(human_tasks.c.task_id == task_id)
            .values(due_at=due_at, due_provisional=provisional)
        )

    # -- timers and messages -------------------------------------------------------------------
    def replace_timers(self, instance_id: int, records: Sequence[TimerRecord]) -> None:
        self._conn.execute(timers.delete().where(timers.c.instance_id == instance_id))
        if records:
            self._conn.execute(
                insert(timers),
                [{c.name: getattr(r, c.name) for c in timers.c if c.name != "id"} for r in records],
            )

    def timers_for(self, instance_id: int) -> list[TimerRecord]:
        rows = self._conn.execute(select(timers).where(timers.c.instance_id == instance_id).order_by(timers.c.due_at))
        return [TimerRecord(**{k: v for k, v in r._mapping.items() if k != "id"}) for r in rows]

    def instances_with_stale_deadlines(self, calendar_version: int) -> list[int]:
        """Instances holding a working-day deadline computed with an older calendar than ``calendar_version``."""
        query = select(timers.c.instance_id).where(timers.c.calendar_version < calendar_version).distinct()
        # (versions only grow: see calendar_state)
        return sorted(int(i) for i in self._conn.execute(query).scalars())

    def replace_awaited(self, instance_id: int, messages: Sequence[AwaitedMessage]) -> None:
        self._conn.execute(awaited_messages.delete().where(awaited_messages.c.instance_id == instance_id))
        if messages:
            self._conn.execute(
                insert(awaited_messages),
                [{"instance_id": instance_id, "name": m.name, "correlation": m.correlation} for m in messages],
            )

    def waiting_for_message(self, name: str, correlation: str) -> list[tuple[int, str | None]]:
        """(instance id, department) of instances waiting for ``name`` whose correlation (or, when the catch
        event declares none, business key) equals ``correlation``. There is no broadcast."""
        query = (
            select(awaited_messages.c.instance_id, instances.c.department)
            .join(instances, instances.c.id == awaited_messages.c.instance_id)
            .where(
                awaited_messages.c.name == name,
                or_(
                    awaited_messages.c.correlation == correlation,
                    and_(awaited_messages.c.correlation.is_(None), instances.c.business_key == correlation),
                ),
            )
        )
        return sorted({(int(i), d) for i, d in self._conn.execute(query)})

    # -- audit and incidents -------------------------------------------------------------------
    def add_audit(self, events: Sequence[AuditEvent]) -> None:
        if events:
            self._conn.execute(insert(audit_events), [e.__dict__ for e in events])

    def history(self, instance_id: int) -> list[AuditEvent]:
        rows = self._conn.execute(
            select(audit_events).where(audit_events.c.instance_id == instance_id).order_by(audit_events.c.id)
        )
        return [AuditEvent(**{k: v for k, v in r._mapping.items() if k != "id"}) for r in rows]

    def open_incident(
        self, instance_id: int, at: datetime, element_id: str | None, message: str, action: dict[str, Any]
    ) -> int:
        result = self._conn.execute(
            insert(incidents)
            .values(
                instance_id=instance_id,
                created_at=at,
                element_id=element_id,
                message=message,
                action=action,
            )
            .returning(incidents.c.id)
        )
        return int(result.scalar_one())

    def current_incident(self, instance_id: int) -> Incident | None:
        row = self._conn.execute(
            select(incidents)
            .where(incidents.c.instance_id == instance_id, incidents.c.resolved_at.is_(None))
            .order_by(incidents.c.id.desc())
            .limit(1)
        ).first()
        return Incident(**row._mapping) if row else None

    def resolve_incident(self, incident_id: int, at: datetime, actor: str | None) -> None:
        self._conn.execute(
            update(incidents).where(incidents.c.id == incident_id).values(resolved_at=at, resolved_by=actor)
        )

    # -- moving instances to another version of their process ----------------------------------
    def open_below_version(self, process_id: str, version: int) -> list[InstanceRecord]:
        """Running and suspended instances of ``process_id`` on a version older than ``version``, oldest first."""
        query = select(*_INSTANCE_COLUMNS).where(
            instances.c.process_id == process_id,
            instances.c.version < version,
            instances.c.status.in_([InstanceStatus.RUNNING.value, InstanceStatus.SUSPENDED.value]),
        )
        return [_instance(r) for r in self._conn.execute(query.order_by(instances.c.id))]

    def set_version(self, instance_id: int, process_version_id: int, version: int) -> None:
        """Point an instance at another deployed version (the caller has saved the row in this transaction)."""
        self._conn.execute(
            update(instances)
            .where(instances.c.id == instance_id)
            .values(process_version_id=process_version_id, version=version)
        )

    def refresh_task(self, record: HumanTaskRecord) -> None:
        """Rewrite what a READY task shows (name, lane, assignment, form, deadline); its claim stays."""
        self._conn.execute(
            update(human_tasks)
            .where(human_tasks.c.task_id == record.task_id)
            .values(
                element_id=record.element_id,
                name=record.name,
                lane=record.lane,
                role=record.role,
                # a task moved by 转办 (task_transfers) keeps that department; the lane's is only the default
                department=func.coalesce(
                    select(task_transfers.c.to_department)
                    .where(task_transfers.c.task_id == record.task_id)
                    .order_by(task_transfers.c.id.desc())
                    .limit(1)
                    .scalar_subquery(),
                    record.department,
                ),
                form_ref=record.form_ref,
                form_ui_ref=record.form_ui_ref,
                due_at=record.due_at,
                due_provisional=record.due_provisional,
            )
        )
