"""Timers remember the calendar version their working-day deadline was computed with; calendar_state holds
that version (a counter bumped by every calendar change).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    state = op.create_table(
        "calendar_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_state")),
    )
    op.bulk_insert(state, [{"id": 1, "version": 1}])
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_version", sa.BigInteger(), nullable=True))
        batch_op.create_index("ix_timers_calendar_version", ["calendar_version"], unique=False)


def downgrade() -> None:
    op.drop_table("calendar_state")
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.drop_index("ix_timers_calendar_version")
        batch_op.drop_column("calendar_version")
