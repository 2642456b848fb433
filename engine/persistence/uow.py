"""Unit of work: one connection and one transaction per use case; rolls back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from engine.errors import ConcurrencyConflict, ConcurrentUpdate
from engine.persistence.database import IMMEDIATE_FLAG
from engine.persistence.repositories.accountability import AccountabilityRepository
from engine.persistence.repositories.accounts import AccountRepository
from engine.persistence.repositories.agency import AgencyRepository
from engine.persistence.repositories.calendar import CalendarRepository
from engine.persistence.repositories.case_colours import CaseColourRepository
from engine.persistence.repositories.cases import CaseRepository, CatalogueRepository, NoticeRepository
from engine.persistence.repositories.complaints import ComplaintRepository
from engine.persistence.repositories.definitions import DefinitionRepository
from engine.persistence.repositories.discipline import DisciplineRepository
from engine.persistence.repositories.feedback import FeedbackRepository
from engine.persistence.repositories.instances import InstanceRepository
from engine.persistence.repositories.meetings import MeetingRepository
from engine.persistence.repositories.organisation import OrganisationRepository
from engine.persistence.repositories.projects import ProjectRepository
from engine.persistence.repositories.rectification import RectificationRepository
from engine.persistence.repositories.roster import RosterRepository
from engine.persistence.repositories.stats import StatsRepository
from engine.persistence.repositories.supervision import ConsultationRepository, ViolationRepository
from engine.persistence.repositories.supervision_board import SupervisionBoardRepository
from engine.persistence.repositories.surveys import SurveyRepository
from engine.persistence.repositories.task_files import TaskFileRepository
from engine.persistence.repositories.warnings import NotificationRepository, WarningRepository

# SQLSTATEs meaning "another transaction got there first": serialization failure, deadlock, lock not available
# (and a unique violation: two requests inserted the same key at once, e.g. two deploys of one process)
_CONFLICT_SQLSTATES = {"40001", "40P01", "55P03", "23505"}


def is_conflict(error: BaseException) -> bool:
    if isinstance(error, OperationalError) and "database is locked" in str(error):
        return True
    orig = getattr(error, "orig", None)
    return isinstance(error, DBAPIError) and getattr(orig, "sqlstate", None) in _CONFLICT_SQLSTATES


class UnitOfWork:
    def __init__(self, engine: Engine, *, write: bool = False) -> None:
        self._engine = engine
        self._conn: Connection | None = None
        self._write = write
        self.skip_locked = engine.dialect.name == "postgresql"

    def __enter__(self) -> Self:
        self._conn = self._engine.connect()
        if self._write and self._engine.dialect.name == "sqlite":
            self._conn.info[IMMEDIATE_FLAG] = True
        self._conn.begin()
        self.instances = InstanceRepository(self._conn, skip_locked=self.skip_locked)
        self.definitions = DefinitionRepository(self._conn)
        self.accounts = AccountRepository(self._conn)
        self.calendar = CalendarRepository(self._conn)
        self.catalogue = CatalogueRepository(self._conn)
        self.cases = CaseRepository(self._conn)
        self.notices = NoticeRepository(self._conn)
        self.consultations = ConsultationRepository(self._conn)
        self.violations = ViolationRepository(self._conn)
        self.organisation = OrganisationRepository(self._conn)
        self.feedback = FeedbackRepository(self._conn)
        self.task_files = TaskFileRepository(self._conn)
        self.meetings = MeetingRepository(self._conn)
        self.projects = ProjectRepository(self._conn)
        self.discipline = DisciplineRepository(self._conn)
        self.stats = StatsRepository(self._conn)
        self.warnings = WarningRepository(self._conn)
        self.notifications = NotificationRepository(self._conn)
        self.accountability = AccountabilityRepository(self._conn)
        self.supervision_board = SupervisionBoardRepository(self._conn)
        self.case_colours = CaseColourRepository(self._conn)
        self.rectifications = RectificationRepository(self._conn)
        self.agency = AgencyRepository(self._conn)
        self.complaints = ComplaintRepository(self._conn)
        self.surveys = SurveyRepository(self._conn)
        self.roster = RosterRepository(self._conn)
        return self

    def commit(self) -> None:
        assert self._conn is not None
        try:
            self._conn.commit()
        except DBAPIError as exc:
            if is_conflict(exc):
                raise ConcurrentUpdate("the change collided with another one; retry") from exc
            raise

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._conn is not None
        try:
            if self._conn.in_transaction():
                self._conn.rollback()
        finally:
            self._conn.close()
            self._conn = None
        if exc is not None and not isinstance(exc, ConcurrencyConflict) and is_conflict(exc):
            raise ConcurrentUpdate("the change collided with another one; retry") from exc


class UnitOfWorkFactory:
    """What the services receive: call it to open a new unit of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self, write: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, write=write)
