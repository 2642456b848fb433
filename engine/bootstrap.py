"""Composition root: settings -> database -> units of work -> BPMN runtime -> services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.bpmn.expression_helpers import make_helpers
from engine.bpmn.runtime import BpmnRuntime, SpecCache
from engine.clock import Clock, SystemClock
from engine.config import Settings
from engine.persistence import migrate as migrations
from engine.persistence.database import make_engine
from engine.persistence.uow import UnitOfWorkFactory
from engine.services.accountability import AccountabilityService
from engine.services.accounts import AccountService
from engine.services.agency import AgencyService
from engine.services.calendar import CalendarService
from engine.services.cases import CaseService
from engine.services.catalogue import CatalogueService
from engine.services.colour_schedule import rebuild_colour_schedule
from engine.services.complaints import ComplaintProcessService
from engine.services.consultations import ConsultationService
from engine.services.context import ServiceContext
from engine.services.definitions import DefinitionService
from engine.services.diagrams import DiagramService
from engine.services.discipline import DisciplineService
from engine.services.disclosure import DisclosureService
from engine.services.feedback import FeedbackService
from engine.services.forms import FormRegistry
from engine.services.hotline import HotlineService
from engine.services.instances import InstanceService
from engine.services.intake import IntakeService
from engine.services.meetings import MeetingService
from engine.services.messages import MessageService
from engine.services.migration import MigrationService
from engine.services.notifications import NotificationService
from engine.services.organisation import OrganisationService
from engine.services.projects import ProjectService
from engine.services.rectification import RectificationService
from engine.services.roster import RosterService
from engine.services.stats import StatsService
from engine.services.supervision import SupervisionService
from engine.services.surveys import SurveyService
from engine.services.task_files import TaskFileService
from engine.services.tasks import TaskService
from engine.services.timers import TimerService
from engine.services.towns import TownService
from engine.services.warnings import WarningService


@dataclass
class Platform:
    settings: Settings
    clock: Clock
    ctx: ServiceContext
    accounts: AccountService
    definitions: DefinitionService
    instances: InstanceService
    tasks: TaskService
    task_files: TaskFileService
    timers: TimerService
    messages: MessageService
    calendar: CalendarService
    catalogue: CatalogueService
    cases: CaseService
    consultations: ConsultationService
    stats: StatsService
    organisation: OrganisationService
    intake: IntakeService
    feedback: FeedbackService
    diagrams: DiagramService
    migration: MigrationService
    meetings: MeetingService
    projects: ProjectService
    discipline: DisciplineService
    disclosure: DisclosureService
    warnings: WarningService
    notifications: NotificationService
    accountability: AccountabilityService
    supervision: SupervisionService
    agency: AgencyService
    rectification: RectificationService
    complaints: ComplaintProcessService
    hotline: HotlineService
    surveys: SurveyService
    roster: RosterService
    towns: TownService
    database: Any

    def migrate(self) -> None:
        migrations.upgrade(self.database)

    def schema_differences(self) -> list[Any]:
        return migrations.schema_differences(self.database)

    def close(self) -> None:
        self.database.dispose()


def build_platform(settings: Settings | None = None, clock: Clock | None = None, *, migrate: bool = False) -> Platform:
    settings = (settings or Settings.from_env()).with_secret_key()
    clock = clock or SystemClock()
    database = make_engine(settings.database_url)
    if migrate:
        migrations.upgrade(database)
    ctx = ServiceContext(settings=settings, clock=clock, uow=UnitOfWorkFactory(database), runtime=None, forms=None)
    definitions = DefinitionService(ctx)
    calendar = CalendarService(ctx)
    ctx.forms = FormRegistry(definitions.form_content)
    ctx.calendar = calendar.calendar
    ctx.runtime = BpmnRuntime(
        specs=SpecCache(definitions.load_spec),
        clock=clock,
        calendar=calendar.calendar,
        helpers=make_helpers(calendar.calendar, clock),
        time_limit=settings.script_time_limit,
    )
    tasks = TaskService(ctx)
    cases = CaseService(ctx)
    consultations = ConsultationService(ctx)
    roster = RosterService(ctx)
    platform = Platform(
        settings=settings,
        clock=clock,
        ctx=ctx,
        accounts=AccountService(ctx),
        definitions=definitions,
        instances=InstanceService(ctx),
        tasks=tasks,
        task_files=TaskFileService(ctx),
        timers=TimerService(ctx),
        messages=MessageService(ctx),
        calendar=calendar,
        catalogue=CatalogueService(ctx),
        cases=cases,
        consultations=consultations,
        stats=StatsService(ctx),
        organisation=OrganisationService(ctx),
        intake=IntakeService(ctx, tasks),
        feedback=FeedbackService(ctx),
        diagrams=DiagramService(ctx),
        migration=MigrationService(ctx),
        meetings=MeetingService(ctx),
        projects=ProjectService(ctx, cases, tasks),
        discipline=DisciplineService(ctx),
        disclosure=DisclosureService(ctx),
        warnings=WarningService(ctx),  # after CaseService: its hook reads the case as the case hook left it
        notifications=NotificationService(ctx),
        accountability=AccountabilityService(ctx),
        supervision=SupervisionService(ctx),
        agency=AgencyService(ctx, cases, roster),  # after CaseService: its hook reads the case the case hook saved
        rectification=RectificationService(ctx),
        complaints=ComplaintProcessService(ctx),
        hotline=HotlineService(ctx, consultations),
        surveys=SurveyService(ctx),
        roster=roster,
        towns=TownService(ctx, cases, roster),
        database=database,
    )
    wire_meetings(platform)
    platform.feedback.rectification = platform.rectification  # a bad review opens its work order
    platform.feedback.complaint_process = platform.complaints  # a complaint starts its GB/T 36113 process
    wire_warnings(platform)
    return platform


def wire_warnings(platform: Platform) -> None:
    """New thresholds or a changed calendar move the colour changes of open cases: rebuild their timers."""
    platform.catalogue.after_load.append(platform.warnings.rebuild_all)
    platform.calendar.after_change.append(platform.warnings.rebuild_all)
    # and the supervision board's stored colour schedule with them
    platform.catalogue.after_load.append(lambda: rebuild_colour_schedule(platform.ctx))
    platform.calendar.after_change.append(lambda: rebuild_colour_schedule(platform.ctx))


def wire_meetings(platform: Platform) -> None:
    """The meeting agenda reads the projects board, and the board shows when the next meeting is."""
    platform.meetings.projects = platform.projects.open_projects
    platform.projects.next_meeting = platform.meetings.next_meeting
    platform.meetings.visible_projects = lambda viewer: {p.code for p in platform.projects.board(viewer)}
