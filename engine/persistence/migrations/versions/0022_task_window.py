"""each human task carries the window of its case, so the supervision board counts ready tasks per department
and window in one index-only scan instead of 50,000 lookups into ``cases``

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 12:00:00

Existing rows take their case's window here (tasks of other processes keep NULL). The two indexes of 0021 that
served the board's join of ``human_tasks`` to ``cases`` go: the new one covers both of the board's task counts.
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

_tasks = sa.table("human_tasks", sa.column("instance_id", sa.Integer), sa.column("window", sa.String))
_cases = sa.table("cases", sa.column("instance_id", sa.Integer), sa.column("window", sa.String))


def upgrade() -> None:
    op.add_column("human_tasks", sa.Column("window", sa.String(length=32), nullable=True))
    # UPDATE … FROM (PostgreSQL; SQLite since 3.33): one join, not a correlated lookup per row
    op.execute(
        _tasks.update()
        .where(_cases.c.instance_id == _tasks.c.instance_id, _cases.c.window.is_not(None))
        .values(window=_cases.c.window)
    )
    op.drop_index("ix_human_tasks_ready_load", table_name="human_tasks")
    op.drop_index("ix_cases_instance_window", table_name="cases")
    op.create_index("ix_human_tasks_ready_board", "human_tasks", ["state", "department", "window", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_human_tasks_ready_board", table_name="human_tasks")
    op.create_index("ix_cases_instance_window", "cases", ["instance_id", "window"])
    op.create_index("ix_human_tasks_ready_load", "human_tasks", ["state", "department", "instance_id", "created_at"])
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_column("window")
