"""The database schema (SQLAlchemy Core), identical on SQLite and PostgreSQL; Alembic migrations mirror it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC instants on every database (SQLite keeps no zone, so we normalise both ways)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; the platform stores UTC instants")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

TS = UTCDateTime()

definition_files = Table(
    "definition_files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("name", String(255), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("created_at", TS, nullable=False),
    # the newest deployment that carried this file: "the current form named X" is the latest one deployed
    Column("last_deployed_at", TS, nullable=False),
    UniqueConstraint("sha256", "name"),
)

process_versions = Table(
    "process_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("process_id", String(255), nullable=False),
    Column("version", Integer, nullable=False),
    Column("name", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("bundle_sha256", String(64), nullable=False),
    Column("file_ids", JSON, nullable=False),
    Column("forms", JSON, nullable=False),
    Column("department", String(32)),
    Column("starter_roles", JSON, nullable=False),
    Column("deployed_at", TS, nullable=False),
    Column("deployed_by", String(64)),
    UniqueConstraint("process_id", "version"),
)

instances = Table(
    "instances",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("process_version_id", Integer, ForeignKey("process_versions.id"), nullable=False),
    Column("process_id", String(255), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("department", String(32), index=True),
    Column("business_key", String(64), index=True),
    Column("state", Text, nullable=False),
    Column("serializer_version", String(16), nullable=False),
    Column("next_due_at", TS),
    Column("row_version", Integer, nullable=False),
    Column("started_by", String(64)),
    Column("started_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("ended_at", TS),
    Column("data", JSON, nullable=False),
)
# the scheduler's only query: due running instances, earliest first
Index("ix_instances_due", instances.c.status, instances.c.next_due_at)

human_tasks = Table(
    "human_tasks",
    metadata,
    Column("task_id", String(36), primary_key=True),
    Column("instance_id", Integer, ForeignKey("instances.id"), nullable=False, index=True),
    Column("element_id", String(255), nullable=False),
    Column("name", String(255), nullable=False),
    Column("lane", String(128)),
    Column("role", String(64)),
    Column("department", String(32)),
    Column("form_ref", String(255)),
    Column("form_ui_ref", String(255)),
    Column("state", String(16), nullable=False),
    Column("claimed_by", String(64)),
    Column("due_at", TS),
    Column("due_provisional", Boolean, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("completed_at", TS),
    Column("completed_by", String(64)),
    Column("business_key", String(64)),
    Column("process_id", String(255), nullable=False),
    # the window of the case whose step this is (NULL: not a case's), written with the row from the case
    # (InstanceRepository.insert_tasks): the board counts ready tasks per window without joining ``cases``
    Column("window", String(32)),
)
# the inbox: READY tasks of a role in a department, most urgent first
Index(
    "ix_human_tasks_inbox",
    human_tasks.c.state,
    human_tasks.c.department,
    human_tasks.c.role,
    human_tasks.c.due_at,
)

timers = Table(
    "timers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", Integer, ForeignKey("instances.id"), nullable=False, index=True),
    Column("task_id", String(36), nullable=False),
    Column("element_id", String(255), nullable=False),
    Column("name", String(255), nullable=False),
    Column("due_at", TS, nullable=False),
    Column("provisional", Boolean, nullable=False, index=True),
    Column("interrupting", Boolean, nullable=False),
    Column("recipe", JSON),
    # the calendar version a working-day deadline was computed with; older ones are recomputed
    Column("calendar_version", BigInteger),
)

awaited_messages = Table(
    "awaited_messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", Integer, ForeignKey("instances.id"), nullable=False, index=True),
    Column("name", String(255), nullable=False),
    Column("correlation", String(255)),
)
Index("ix_timers_calendar_version", timers.c.calendar_version)
Index("ix_awaited_messages_lookup", awaited_messages.c.name, awaited_messages.c.correlation)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", Integer, ForeignKey("instances.id"), nullable=False, index=True),
    Column("at", TS, nullable=False),
    Column("actor", String(64)),
    Column("action", String(32), nullable=False),
    Column("task_id", String(36)),
    Column("element_id", String(255)),
    Column("element_name", String(255)),
    Column("details", JSON),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", Integer, ForeignKey("instances.id"), nullable=False, index=True),
    Column("created_at", TS, nullable=False),
    Column("element_id", String(255)),
    Column("message", Text, nullable=False),
    Column("action", JSON, nullable=False),
    Column("resolved_at", TS),
    Column("resolved_by", String(64)),
)

departments = Table(
    "departments",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(255), nullable=False),
    # from processes/organisation.toml (migration 0007): pinyin abbreviation, 首席代表 and their account
    Column("abbr", String(16)),
    Column("chief_representative", String(64)),
    Column("chief_username", String(64)),
    Column("inferred", JSON),  # the fields (or "*") that are demo values, not sourced
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(255), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", TS, nullable=False),
)

user_roles = Table(
    "user_roles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("role", String(64), nullable=False),
    Column("department", String(32), ForeignKey("departments.code")),
    Column("window", String(32)),
    UniqueConstraint("user_id", "role", "department"),
)

calendar_years = Table(
    "calendar_years",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("provisional", Boolean, nullable=False),
    Column("source", String(32), nullable=False),
    Column("updated_at", TS, nullable=False),
)

# one row: a counter bumped by every change to the calendar, so deadlines can say which calendar they used
calendar_state = Table(
    "calendar_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", BigInteger, nullable=False),
)

calendar_days = Table(
    "calendar_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("is_workday", Boolean, nullable=False),
    Column("label", String(64), nullable=False),
    Column("source", String(16), nullable=False),
)

# the service-item catalogue (办事指南), loaded from processes/catalog.toml by `onestop init`
items = Table(
    "items",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("type", String(32), nullable=False, index=True),
    Column("department", String(32), nullable=False, index=True),
    Column("window", String(32), nullable=False),
    Column("process_id", String(255), nullable=False),
    Column("promised_days", Integer, nullable=False),
    Column("statutory_days", Integer),
    Column("instant", Boolean, nullable=False),
    Column("guide", JSON, nullable=False),
    Column("updated_at", TS, nullable=False),
)

# cases (办件): the lifecycle record beside the item's process instance
cases = Table(
    "cases",
    metadata,
    Column("case_no", String(64), primary_key=True),
    Column("item_code", String(64), ForeignKey("items.code"), nullable=False, index=True),
    Column("instance_id", Integer, ForeignKey("instances.id"), index=True),
    Column("department", String(32), nullable=False, index=True),
    Column("window", String(32)),
    Column("channel", String(16), nullable=False),
    Column("status", String(32), nullable=False, index=True),
    Column("query_code_hash", String(64), nullable=False),
    Column("applicant", JSON, nullable=False),
    Column("received_at", TS, nullable=False, index=True),
    Column("accepted_at", TS),
    Column("due_at", TS, index=True),
    Column("completed_at", TS),
    Column("result", String(16)),
    Column("record", JSON, nullable=False),
    Column("row_version", Integer, nullable=False),
    Column("created_by", String(64)),
)
# the statistics' flow reads (repositories/stats.py cases_touching, migration 0020): older cases accepted in a
# period, and older cases completed in or after it (received_at in the index filters the long tail there)
Index("ix_cases_accepted_at", cases.c.accepted_at)
Index("ix_cases_completed_at_received_at", cases.c.completed_at, cases.c.received_at)

# the written notices (文书) each case step produces: 受理通知书, 一次性告知单, 决定书 …
notices = Table(
    "notices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_no", String(64), ForeignKey("cases.case_no"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("number", String(64), nullable=False, unique=True),
    Column("issued_at", TS, nullable=False),
    Column("content", JSON, nullable=False),
)

# consultations (咨询) with their first responder (首问负责制)
consultations = Table(
    "consultations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("asked_at", TS, nullable=False, index=True),
    Column("first_responder", String(64), nullable=False, index=True),
    Column("department", String(32)),
    Column("subject", String(255), nullable=False),
    Column("question", Text, nullable=False),
    Column("item_code", String(64)),
    Column("outcome", String(16), nullable=False),
    Column("transferred_to", String(32), index=True),
    Column("referred_to", String(255)),
    Column("answer", Text, nullable=False),
    Column("follow_up_due", TS),
    Column("closed_at", TS),
    Column("closed_by", String(64)),
    Column("violation_at", TS),
)
# the breach scan: open transfers past their follow-up time
Index("ix_consultations_follow_up", consultations.c.closed_at, consultations.c.follow_up_due)

# violations of the centre's rules; a veto-level one disqualifies the person and department that year
violations = Table(
    "violations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("username", String(64), nullable=False, index=True),
    Column("department", String(32), index=True),
    Column("at", TS, nullable=False),
    Column("year", Integer, nullable=False, index=True),
    Column("veto", Boolean, nullable=False),
    Column("reference", String(64), nullable=False),
    Column("details", JSON, nullable=False),
)
# the statistics' ledger entries of a period (repositories/stats.py violations_between, migration 0020)
Index("ix_violations_at", violations.c.at)

# the organisation (processes/organisation.toml, editable by an administrator): the centre, its sub-centres, the
# town 为民服务中心 and village 为民服务站; ``agents`` lists the 代办员 the data names (accounts are separate)
service_points = Table(
    "service_points",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("kind", String(16), nullable=False, index=True),  # centre | sub_centre | town | village
    Column("category", String(32)),  # a sub-centre's kind: 开发区, 税务, 交警 …
    Column("parent_code", String(32), ForeignKey("service_points.code"), index=True),
    Column("phone", String(32)),
    Column("note", Text),
    Column("agents", JSON, nullable=False),
    Column("details", JSON, nullable=False),  # the centre's authority, sections, hotline, staff_count
    Column("inferred", JSON, nullable=False),
)

# windows of the centre (the consultation and complaint desks are windows of category 咨询/投诉) and of towns
windows = Table(
    "windows",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("category", String(32), nullable=False),
    Column("department", String(32), ForeignKey("departments.code"), index=True),
    Column("service_point", String(32), ForeignKey("service_points.code"), nullable=False, index=True),
    Column("number", Integer),
    Column("phone", String(32)),
    Column("note", Text),
    Column("inferred", JSON, nullable=False),
)

# -- public feedback (migration 0008): evaluations (好差评) and complaints --

# one rating per case, stage and channel (一次一评 / 一事一评); nothing identifies the evaluator. A bad review
# (level <= 2) needs rectification; ``instance_id`` will point at its rectification process (issue 7).
evaluations = Table(
    "evaluations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_no", String(64), ForeignKey("cases.case_no"), nullable=False, index=True),
    Column("stage", String(16), nullable=False),  # acceptance | completion
    Column("channel", String(16), nullable=False),  # web | window | app | sms | hotline
    Column("level", Integer, nullable=False),  # 5 非常满意 … 1 非常不满意
    Column("comment", Text, nullable=False),
    Column("department", String(32), nullable=False, index=True),
    Column("window", String(32)),
    Column("handled_by", String(64), index=True),  # the officer whose service was rated
    Column("evaluated_at", TS, nullable=False, index=True),
    Column("needs_rectification", Boolean, nullable=False, index=True),
    Column("instance_id", Integer, ForeignKey("instances.id"), index=True),
    # a bad review excluded on appeal (申诉复核: mistaken or malicious) counts in no satisfaction figure (0015)
    Column("excluded", Boolean, nullable=False, server_default=false()),
    Column("excluded_at", TS),
    UniqueConstraint("case_no", "stage", "channel"),
)

# complaints (投诉, GB/T 36113: 受理 → 调查 → 处置 → 反馈 → 归档); ``complainant`` is protected personal data
complaints = Table(
    "complaints",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(32), nullable=False, unique=True),  # TS-2026-000001
    Column("source", String(16), nullable=False),  # desk | phone | web | opinion_book
    Column("category", String(32), nullable=False, index=True),
    Column("department", String(32), ForeignKey("departments.code"), index=True),
    Column("case_no", String(64), ForeignKey("cases.case_no"), index=True),
    Column("subject", String(255), nullable=False),
    Column("content", Text, nullable=False),
    Column("complainant", JSON, nullable=False),
    Column("received_at", TS, nullable=False, index=True),
    Column("recorded_by", String(64)),  # the desk officer who wrote down a desk, phone or opinion-book complaint
    Column("due_at", TS, nullable=False, index=True),
    Column("status", String(16), nullable=False, index=True),
    Column("instance_id", Integer, ForeignKey("instances.id"), index=True),
    Column("closed_at", TS),
    Column("outcome", Text),
    Column("warned_at", TS),  # migration 0016: the reply-deadline warning fired (once)
    Column("reply", Text),  # migration 0019: what the complainant was told at 反馈
)

# -- clerk workbench (migration 0009): attachments, comments, task transfers --

# files attached while working on a task; the bytes live outside the database, named by their sha256 (never by
# the client's filename). task_id has no foreign key: task rows belong to the projection, not to this record.
attachments = Table(
    "attachments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", Integer, ForeignKey("instances.id"), nullable=False, index=True),
    Column("task_id", String(36), nullable=False),
    Column("case_no", String(64)),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(128), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("uploaded_by", String(64), nullable=False),
    Column("uploaded_at", TS, nullable=False),
)

# plain-text comments on a case's process (办理意见交流), shown oldest first
task_comments = Table(
    "task_comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", Integer, ForeignKey("instances.id"), nullable=False, index=True),
    Column("task_id", String(36)),
    Column("author", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", TS, nullable=False),
)

# 转办: a READY task moved to another department's inbox; the record of why (the task row carries the effect)
task_transfers = Table(
    "task_transfers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", Integer, ForeignKey("instances.id"), nullable=False, index=True),
    Column("task_id", String(36), nullable=False, index=True),
    Column("from_department", String(32)),
    Column("to_department", String(32), ForeignKey("departments.code"), nullable=False),
    Column("reason", Text, nullable=False),
    Column("transferred_by", String(64), nullable=False),
    Column("transferred_at", TS, nullable=False),
)

# -- key projects of the fast track (migration 0010) --

# 重点项目: one shared package reviewed by every involved department at once; ``row_version`` guards triage and
# extension against a second officer doing the same at the same moment
key_projects = Table(
    "key_projects",
    metadata,
    Column("code", String(32), primary_key=True),  # KP-<year>-<NNN>
    Column("name", String(200), nullable=False),
    Column("investor", JSON, nullable=False),
    Column("location", String(200), nullable=False),
    Column("investment", Numeric(14, 2), nullable=False),  # 万元
    Column("stage", String(32), nullable=False),
    Column("materials", JSON, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("steward", String(64)),
    Column("lead_department", String(32), ForeignKey("departments.code")),
    Column("received_at", TS, nullable=False, index=True),
    Column("received_by", String(64), nullable=False),
    Column("triaged_at", TS),
    Column("due_at", TS),
    Column("statutory_days", Integer, nullable=False),
    Column("extended", Boolean, nullable=False),
    Column("extension_reason", Text),
    Column("concluded_at", TS),
    Column("instance_id", Integer, ForeignKey("instances.id"), index=True),
    Column("row_version", Integer, nullable=False),
)

# one department's review of one item of a project: the child case and the items it waits for (提前介入)
project_reviews = Table(
    "project_reviews",
    metadata,
    Column("project_code", String(32), ForeignKey("key_projects.code"), primary_key=True),
    Column("item_code", String(64), ForeignKey("items.code"), primary_key=True),
    Column("case_no", String(64), ForeignKey("cases.case_no"), nullable=False, unique=True),
    Column("department", String(32), nullable=False, index=True),
    Column("prerequisites", JSON, nullable=False),  # item codes of this project
    Column("pre_reviewed_at", TS),
    Column("forwarded_at", TS),  # the prerequisites' results reached this review (补送)
    Column("decided_at", TS),
    Column("result", String(16)),  # approved | refused
    Column("opinion", Text),
)

# what happened to a project beyond its children's own audit: registration, triage, extension, steward notes
project_events = Table(
    "project_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_code", String(32), ForeignKey("key_projects.code"), nullable=False, index=True),
    Column("at", TS, nullable=False),
    Column("actor", String(64)),
    Column("action", String(32), nullable=False),
    Column("case_no", String(64)),
    Column("department", String(32)),
    Column("text", Text, nullable=False),
)

# -- joint-review meetings (migration 0011) --

# 联审会: one per meeting day (the unique day is what keeps two schedulers from convening it twice); the agenda is
# the list of projects as it stood when the meeting was convened, the decisions as recorded in the minutes
joint_meetings = Table(
    "joint_meetings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("held_on", Date, nullable=False, unique=True),
    Column("scheduled_at", TS, nullable=False),
    Column("chair", String(64), nullable=False),
    Column("status", String(16), nullable=False, index=True),  # planned | held | cancelled
    Column("agenda", JSON, nullable=False),
    Column("minutes", Text),
    Column("decisions", JSON, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("held_at", TS),
    Column("recorded_by", String(64)),
)

# the meeting's action items (会议议定事项), each run as a ``meeting_action`` process in its department's inbox
meeting_actions = Table(
    "meeting_actions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", Integer, ForeignKey("joint_meetings.id"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("project_code", String(32), index=True),
    Column("description", Text, nullable=False),
    Column("department", String(32), ForeignKey("departments.code"), nullable=False, index=True),
    Column("assignee", String(64)),
    Column("due_at", TS, nullable=False),
    Column("instance_id", Integer, ForeignKey("instances.id"), index=True),
    Column("status", String(16), nullable=False, index=True),  # open | overdue | done
    Column("created_at", TS, nullable=False),
    Column("done_at", TS),
    Column("done_by", String(64)),
    Column("done_note", Text),
    UniqueConstraint("meeting_id", "number"),
)

# -- supervision warnings and notifications (migration 0012) --

# 黄牌/红牌: one per (case, trigger, step) — a trigger warns once; ``step`` is "" for the case as a whole (NULLs
# would not collide in a unique constraint); a red card's accountability entry is ``violation_id``
warnings = Table(
    "warnings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_no", String(64), ForeignKey("cases.case_no"), nullable=False, index=True),
    Column("item_code", String(64), nullable=False),
    Column("department", String(32), nullable=False, index=True),
    Column("handler", String(64), index=True),
    Column("step", String(255), nullable=False),
    Column("level", String(8), nullable=False),  # yellow | red
    Column("trigger", String(32), nullable=False),
    Column("status", String(16), nullable=False, index=True),  # issued | appealed | revoked | escalated
    Column("issued_at", TS, nullable=False, index=True),
    Column("issued_by", String(64), nullable=False),  # "system" for the timers' and the process's warnings
    Column("text", Text, nullable=False),
    Column("appeal_text", Text),
    Column("appealed_by", String(64)),
    Column("appealed_at", TS),
    Column("revoked_reason", Text),
    Column("revoked_by", String(64)),
    Column("revoked_at", TS),
    Column("escalated_by", String(64)),
    Column("escalated_at", TS),
    Column("violation_id", Integer, ForeignKey("violations.id")),
    UniqueConstraint("case_no", "trigger", "step"),
)

# the schedule of each open case's next colour changes (rewritten whenever its clock can change)
warning_timers = Table(
    "warning_timers",
    metadata,
    Column("case_no", String(64), ForeignKey("cases.case_no"), primary_key=True),
    Column("trigger", String(32), primary_key=True),  # promised_yellow | promised_red | promised_overdue
    Column("due_at", TS, nullable=False, index=True),
)

# in-app notifications (站内通知), unread first
notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False),
    Column("at", TS, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("link", String(255)),
    Column("read_at", TS),
)
Index("ix_notifications_inbox", notifications.c.username, notifications.c.read_at)


# -- window discipline and public boards (migration 0013) --

# one officer's attendance for one session (上午/下午) of one day at their window (考勤). A sign-out without a
# sign-in leaves ``signed_in_at`` empty (漏签); the day's close adds a row for a session nobody signed (旷工)
# and sets ``closed_at`` once its breaches are in the ledger (the claim that makes closing a day idempotent)
attendance = Table(
    "attendance",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, index=True),
    Column("window", String(32), nullable=False, index=True),
    Column("department", String(32)),
    Column("work_date", Date, nullable=False, index=True),
    Column("session", String(8), nullable=False),
    Column("signed_in_at", TS),
    Column("signed_out_at", TS),
    Column("late_minutes", Integer, nullable=False),
    Column("early_minutes", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # present | done | missed_sign_in | missed_sign_out | absent
    Column("closed_at", TS),
    UniqueConstraint("username", "work_date", "session"),
)

# leaving the post during working hours (窗口工作人员进出管理): why, for how long, who approved it
post_leaves = Table(
    "post_leaves",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, index=True),
    Column("window", String(32), nullable=False),
    Column("department", String(32)),
    Column("work_date", Date, nullable=False, index=True),
    Column("left_at", TS, nullable=False),
    Column("returned_at", TS),
    Column("reason", Text, nullable=False),
    Column("approved_by", String(64)),
    Column("approved_at", TS),
    Column("minutes", Integer),
    Column("closed_at", TS),
)

# what the public window board (窗口工作人员信息公示栏) shows of a staff member besides the name
staff_cards = Table(
    "staff_cards",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("staff_number", String(32), nullable=False, unique=True),
    Column("title", String(64)),
    Column("public_phone", String(32)),
    Column("updated_at", TS, nullable=False),
)

# the public announcements board (政务信息公开栏): hot questions, notices; withdrawn ones stay for the record
announcements = Table(
    "announcements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("category", String(32), nullable=False, index=True),
    Column("published_at", TS, nullable=False, index=True),
    Column("pinned", Boolean, nullable=False),
    Column("author", String(64), nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("withdrawn_at", TS),
    Column("withdrawn_by", String(64)),
)

# -- accountability and window patrols (migration 0014) --

# window patrols (窗口巡查, domain §6.4): a patrol that found something (``category`` set) is a finding; the
# department's n-th finding of the year takes ladder ``step`` n (1 催办单, 2 建议更换窗口人员, 3 约谈部门负责人)
# and prints a numbered document; ``violation_id`` is its accountability entry (kind "patrol")
patrols = Table(
    "patrols",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("inspector", String(64), nullable=False),
    Column("window", String(32)),
    Column("department", String(32), ForeignKey("departments.code"), nullable=False, index=True),
    Column("at", TS, nullable=False, index=True),
    Column("year", Integer, nullable=False, index=True),
    Column("findings", Text, nullable=False),
    Column("category", String(16)),  # discipline | conduct | dress | hygiene | attitude | business; None: no issue
    Column("officer", String(64), index=True),
    Column("severity", String(16)),  # minor | serious | veto
    Column("step", Integer),
    Column("document_number", String(48), unique=True),
    Column("violation_id", Integer, ForeignKey("violations.id")),
    Column("follow_up", Text),
    Column("follow_up_at", TS),
    Column("follow_up_by", String(64)),
)

# -- 好差评 rectification (migration 0015) --

# one work order (差评工单) per bad review, following its rectification process: call back within 1 working day,
# classification (fix_now | ledger | explain | appeal), feedback, the evaluator's rating of the fix. Nothing about
# the evaluator is stored here either: the call back reaches the case's applicant, shown to staff masked.
rectifications = Table(
    "rectifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("evaluation_id", Integer, ForeignKey("evaluations.id"), nullable=False, unique=True),
    Column("case_no", String(64), ForeignKey("cases.case_no"), nullable=False, index=True),
    Column("department", String(32), nullable=False, index=True),
    Column("instance_id", Integer, ForeignKey("instances.id"), index=True),
    Column("status", String(16), nullable=False, index=True),
    Column("issued_at", TS, nullable=False, index=True),
    Column("callback_due_at", TS, nullable=False),
    Column("called_back_at", TS),
    Column("called_back_by", String(64)),
    Column("callback_note", Text),
    Column("classification", String(16)),  # fix_now | ledger | explain | appeal
    Column("classified_at", TS),
    Column("classified_by", String(64)),
    Column("measures", Text),
    Column("due_at", TS, nullable=False),  # the rectification deadline (a ledger's own, once ledgered)
    Column("result", Text),  # what the ledger's rectification achieved
    Column("rectified_at", TS),
    Column("feedback_at", TS),
    Column("feedback_by", String(64)),
    Column("feedback", Text),
    Column("appeal_reason", Text),
    Column("appeal_decided_at", TS),
    Column("appeal_decided_by", String(64)),
    Column("appeal_approved", Boolean),
    Column("fix_rating", String(16)),  # satisfied | basically | dissatisfied
    Column("fix_rated_at", TS),
    Column("fix_rating_channel", String(16)),
    Column("fix_comment", Text),
    Column("closed_at", TS),
)

# -- complaints, hotline and questionnaires (migration 0016) --

# a 96128 hotline call: a consultation (channel "hotline", first responder, outcome, transfer) plus the caller,
# who is protected personal data (shown masked in the call log)
hotline_calls = Table(
    "hotline_calls",
    metadata,
    Column("consultation_id", Integer, ForeignKey("consultations.id"), primary_key=True),
    Column("caller_name", String(50), nullable=False),
    Column("caller_phone", String(32), nullable=False),
)

# satisfaction questionnaires (满意度问卷) an administrator defines; ``questions`` is a JSON list of
# {"id", "kind": single | multiple | scale | text, "title", "options", "required"}
surveys = Table(
    "surveys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(100), nullable=False),
    Column("description", Text, nullable=False),
    Column("questions", JSON, nullable=False),
    Column("status", String(16), nullable=False, index=True),  # draft | open | closed
    Column("created_by", String(64), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("opened_at", TS),
    Column("closed_at", TS),
)

# one filled-in questionnaire, from the web or entered at a window by staff; nothing identifies the respondent
survey_responses = Table(
    "survey_responses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("survey_id", Integer, ForeignKey("surveys.id"), nullable=False, index=True),
    Column("channel", String(16), nullable=False),  # web | window
    Column("answers", JSON, nullable=False),
    Column("at", TS, nullable=False, index=True),
    Column("case_no", String(64), ForeignKey("cases.case_no")),
    Column("recorded_by", String(64)),
)

# -- town centres and the duty roster (migration 0017) --

# who is on duty at a town centre (值班): one person per (service point, day, shift); shift rest_day covers a
# weekend or holiday, off_hours a working day's hours outside the office hours. A swap keeps who had it.
duty_roster = Table(
    "duty_roster",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("service_point", String(32), ForeignKey("service_points.code"), nullable=False),
    Column("day", Date, nullable=False, index=True),
    Column("shift", String(16), nullable=False),  # rest_day | off_hours
    Column("username", String(64), nullable=False, index=True),
    Column("generated_by", String(64), nullable=False),
    Column("generated_at", TS, nullable=False),
    Column("swapped_from", String(64)),
    Column("swap_reason", Text),
    Column("swapped_by", String(64)),
    Column("swapped_at", TS),
    UniqueConstraint("service_point", "day", "shift"),
)

# a case received at a town centre: by whom, whether off-hours (then with the officer on duty, and its clocks
# counting from ``counted_from``, the next opening of the centre)
town_intakes = Table(
    "town_intakes",
    metadata,
    Column("case_no", String(64), ForeignKey("cases.case_no"), primary_key=True),
    Column("service_point", String(32), ForeignKey("service_points.code"), nullable=False, index=True),
    Column("category", String(32)),
    Column("received_at", TS, nullable=False),
    Column("counted_from", TS, nullable=False),
    Column("off_hours", Boolean, nullable=False),
    Column("shift", String(16)),
    Column("on_duty", String(64), index=True),
    Column("received_by", String(64), nullable=False),
)

# -- village stations, mandates and relays (migration 0018) --
# 驻点包村: town service-team members assigned to village stations (``ended_at`` set: the assignment ended)
village_assignments = Table(
    "village_assignments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("station", String(32), ForeignKey("service_points.code"), nullable=False, index=True),
    Column("town", String(32), ForeignKey("service_points.code"), nullable=False, index=True),
    Column("username", String(64), nullable=False, index=True),
    Column("assigned_at", TS, nullable=False),
    Column("assigned_by", String(64), nullable=False),
    Column("ended_at", TS),
)

# 代办服务委托书: 全程代办 (full) or 授权代办 (authorised); ``principal`` (the applicant) is protected personal
# data; ``history`` keeps the suspensions (中止单), renewals (续办委托书) and the termination (终止单) with reasons
mandates = Table(
    "mandates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(32), nullable=False, unique=True),  # WT-2026-000001
    Column("kind", String(16), nullable=False),  # full | authorised
    Column("principal", JSON, nullable=False),
    Column("agent", String(64), nullable=False, index=True),
    Column("station", String(32), ForeignKey("service_points.code"), nullable=False, index=True),
    Column("scope_all", Boolean, nullable=False),
    Column("items", JSON, nullable=False),  # item codes (empty with scope_all)
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=False),
    Column("status", String(16), nullable=False, index=True),  # active | suspended | terminated (expired: by date)
    Column("history", JSON, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("row_version", Integer, nullable=False),
)

# the relay (接力代办) village -> town -> county of one application under a mandate; ``case_no`` once the county
# window opened the real case; ``instance_id`` is the relay process
relays = Table(
    "relays",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(32), nullable=False, unique=True),  # JL-2026-000001
    Column("mandate_id", Integer, ForeignKey("mandates.id"), nullable=False, index=True),
    Column("item_code", String(64), ForeignKey("items.code"), nullable=False, index=True),
    Column("principal", JSON, nullable=False),
    Column("station", String(32), ForeignKey("service_points.code"), nullable=False, index=True),
    Column("town", String(32), ForeignKey("service_points.code"), nullable=False, index=True),
    Column("deciding_level", String(16), nullable=False),  # county | town
    Column("status", String(24), nullable=False, index=True),
    Column("case_no", String(64), ForeignKey("cases.case_no"), unique=True),
    Column("instance_id", Integer, ForeignKey("instances.id"), index=True),
    Column("agent", String(64), nullable=False, index=True),
    Column("started_at", TS, nullable=False),
    Column("ended_at", TS),
    Column("row_version", Integer, nullable=False),
)

# hand-overs along a relay: who handed which materials over when, and who signed the receipt when
relay_handovers = Table(
    "relay_handovers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("relay_id", Integer, ForeignKey("relays.id"), nullable=False, index=True),
    Column("level", String(24), nullable=False),  # village_town | town_county | county_village
    Column("materials", JSON, nullable=False),
    Column("note", Text, nullable=False),
    Column("handed_at", TS, nullable=False),
    Column("signer", String(64), nullable=False),
    Column("received_by", String(64)),
    Column("received_at", TS),
    UniqueConstraint("relay_id", "level"),
)


# -- the colour schedule of open cases, for the supervision board (migration 0021) --

# one row per accepted, undecided case (status accepted or paused): when its colour turns yellow, red and
# overdue while its clock stands as it is (engine/domain/colour_schedule.py; NULL: not until the clock changes),
# rewritten in the transaction that changes the clock, so the board counts colours at any instant in SQL
case_colours = Table(
    "case_colours",
    metadata,
    Column("case_no", String(64), ForeignKey("cases.case_no"), primary_key=True),
    Column("item_code", String(64), nullable=False),
    Column("department", String(32), nullable=False),
    Column("window", String(32)),
    Column("paused", Boolean, nullable=False),  # an open pause stops the clock
    Column("remaining_days", Integer),  # a stopped clock's working days left (fixed); NULL while it runs
    Column("rank_day", Date),  # a running clock's days left = signed working days from today to this day
    Column("yellow_at", TS),
    Column("red_at", TS),
    Column("overdue_at", TS),
    Column("computed_at", TS, nullable=False),
)
# the board's colour counts per department and window: one scan of this covering index
Index(
    "ix_case_colours_board",
    case_colours.c.department,
    case_colours.c.window,
    case_colours.c.yellow_at,
    case_colours.c.red_at,
    case_colours.c.overdue_at,
)
# the worst cases first: running clocks by rank day, stopped ones by their days left (the fewest working days
# left first), read a page at a time
Index(
    "ix_case_colours_worst",
    case_colours.c.paused,
    case_colours.c.rank_day,
    case_colours.c.remaining_days,
    case_colours.c.case_no,
    case_colours.c.overdue_at,
    case_colours.c.red_at,
    case_colours.c.yellow_at,
    case_colours.c.department,
)
# the board's other counts as index-only scans: open cases per department, window and status; ready tasks per
# department and window with the oldest (one scan: migration 0022)
Index("ix_cases_board", cases.c.status, cases.c.department, cases.c.window)
Index(
    "ix_human_tasks_ready_board",
    human_tasks.c.state,
    human_tasks.c.department,
    human_tasks.c.window,
    human_tasks.c.created_at,
)
