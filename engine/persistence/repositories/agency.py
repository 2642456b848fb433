"""Agency (代办) in SQL: village assignments (驻点包村), mandates (委托书), relays and their hand-overs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from engine.errors import ConcurrentUpdate
from engine.persistence.tables import mandates, relay_handovers, relays, village_assignments


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result]


class AgencyRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- 驻点包村 -------------------------------------------------------------------------------------------
    def add_assignment(self, row: dict[str, Any]) -> int:
        result = self._conn.execute(insert(village_assignments).values(**row).returning(village_assignments.c.id))
        return int(result.scalar_one())

    def end_assignment(self, assignment_id: int, at: datetime) -> bool:
        query = update(village_assignments).where(
            village_assignments.c.id == assignment_id, village_assignments.c.ended_at.is_(None)
        )
        return self._conn.execute(query.values(ended_at=at)).rowcount == 1

    def assignment(self, assignment_id: int) -> dict[str, Any] | None:
        row = self._conn.execute(select(village_assignments).where(village_assignments.c.id == assignment_id)).first()
        return dict(row._mapping) if row else None

    def assignments(self, *, username: str | None = None, town: str | None = None) -> list[dict[str, Any]]:
        """Current (not ended) assignments, by station."""
        query = select(village_assignments).where(village_assignments.c.ended_at.is_(None))
        if username is not None:
            query = query.where(village_assignments.c.username == username)
        if town is not None:
            query = query.where(village_assignments.c.town == town)
        return _rows(self._conn.execute(query.order_by(village_assignments.c.station, village_assignments.c.id)))

    # -- mandates -------------------------------------------------------------------------------------------
    def count_mandates(self, prefix: str) -> int:
        query = select(func.count()).select_from(mandates).where(mandates.c.number.like(f"{prefix}%"))
        return int(self._conn.execute(query).scalar_one())

    def add_mandate(self, row: dict[str, Any]) -> int:
        """Insert a mandate; its number taken meanwhile by another agent's raises ConcurrentUpdate (retryable:
        the transaction is spoilt on PostgreSQL, so the use case runs again and counts afresh)."""
        try:
            result = self._conn.execute(insert(mandates).values(**row, row_version=1).returning(mandates.c.id))
        except IntegrityError as exc:
            raise ConcurrentUpdate(f"mandate number {row.get('number')} was taken meanwhile") from exc
        return int(result.scalar_one())

    def mandate(self, number: str) -> dict[str, Any] | None:
        row = self._conn.execute(select(mandates).where(mandates.c.number == number)).first()
        return dict(row._mapping) if row else None

    def mandate_by_id(self, mandate_id: int) -> dict[str, Any] | None:
        row = self._conn.execute(select(mandates).where(mandates.c.id == mandate_id)).first()
        return dict(row._mapping) if row else None

    def mandates(self, *, agents: Sequence[str] | None = None, stations: Sequence[str] | None = None) -> list[Any]:
        """Mandates of these agents or stations (both None: every one), newest first."""
        query = select(mandates).order_by(mandates.c.id.desc()).limit(500)
        conditions = []
        if agents is not None:
            conditions.append(mandates.c.agent.in_(list(agents)))
        if stations is not None:
            conditions.append(mandates.c.station.in_(list(stations)))
        if conditions:
            query = query.where(or_(*conditions))
        return _rows(self._conn.execute(query))

    def save_mandate(self, mandate_id: int, row_version: int, values: dict[str, Any]) -> bool:
        """Conditional on the version read: False when another officer changed it meanwhile."""
        query = update(mandates).where(mandates.c.id == mandate_id, mandates.c.row_version == row_version)
        return self._conn.execute(query.values(**values, row_version=row_version + 1)).rowcount == 1

    # -- relays ---------------------------------------------------------------------------------------------
    def count_relays(self, prefix: str) -> int:
        query = select(func.count()).select_from(relays).where(relays.c.number.like(f"{prefix}%"))
        return int(self._conn.execute(query).scalar_one())

    def add_relay(self, row: dict[str, Any]) -> int:
        """Insert a relay; its number taken meanwhile raises ConcurrentUpdate (retryable), as for a mandate."""
        try:
            result = self._conn.execute(insert(relays).values(**row, row_version=1).returning(relays.c.id))
        except IntegrityError as exc:
            raise ConcurrentUpdate(f"relay number {row.get('number')} was taken meanwhile") from exc
        return int(result.scalar_one())

    def relay(self, relay_id: int) -> dict[str, Any] | None:
        row = self._conn.execute(select(relays).where(relays.c.id == relay_id)).first()
        return dict(row._mapping) if row else None

    def relay_for_case(self, case_no: str) -> dict[str, Any] | None:
        row = self._conn.execute(select(relays).where(relays.c.case_no == case_no)).first()
        return dict(row._mapping) if row else None

    def relays(
        self, *, agents: Sequence[str] | None = None, towns: Sequence[str] | None = None, open_only: bool = False
    ) -> list[dict[str, Any]]:
        """Relays of these agents or towns (both None: every one), newest first."""
        query = select(relays).order_by(relays.c.id.desc()).limit(500)
        conditions = []
        if agents is not None:
            conditions.append(relays.c.agent.in_(list(agents)))
        if towns is not None:
            conditions.append(relays.c.town.in_(list(towns)))
        if conditions:
            query = query.where(or_(*conditions))
        if open_only:
            query = query.where(relays.c.ended_at.is_(None))
        return _rows(self._conn.execute(query))

    def relays_in_status(self, statuses: Sequence[str]) -> list[dict[str, Any]]:
        query = select(relays).where(relays.c.status.in_(list(statuses))).order_by(relays.c.id).limit(500)
        return _rows(self._conn.execute(query))

    def save_relay(self, relay_id: int, row_version: int, values: dict[str, Any]) -> bool:
        query = update(relays).where(relays.c.id == relay_id, relays.c.row_version == row_version)
        return self._conn.execute(query.values(**values, row_version=row_version + 1)).rowcount == 1

    # -- hand-overs ------------------------------------------------------------------------------------------
    def add_handover(self, row: dict[str, Any]) -> int:
        result = self._conn.execute(insert(relay_handovers).values(**row).returning(relay_handovers.c.id))
        return int(result.scalar_one())

    def handovers(self, relay_id: int) -> list[dict[str, Any]]:
        query = select(relay_handovers).where(relay_handovers.c.relay_id == relay_id).order_by(relay_handovers.c.id)
        return _rows(self._conn.execute(query))

    def sign_handover(self, relay_id: int, level: str, by: str, at: datetime) -> bool:
        """Sign a hand-over's receipt once: False when it is signed already (or was never handed over)."""
        query = update(relay_handovers).where(
            relay_handovers.c.relay_id == relay_id,
            relay_handovers.c.level == level,
            relay_handovers.c.received_at.is_(None),
        )
        return self._conn.execute(query.values(received_by=by, received_at=at)).rowcount == 1
