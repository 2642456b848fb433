"""indexes for the scale benchmark's hot reads (bench/scale.py): the statistics' flow ranges and ledger period

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 10:40:00
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # StatsRepository.cases_touching: older cases accepted in the period / completed in or after it
    op.create_index("ix_cases_accepted_at", "cases", ["accepted_at"])
    op.create_index("ix_cases_completed_at_received_at", "cases", ["completed_at", "received_at"])
    # StatsRepository.violations_between: the accountability ledger of a period
    op.create_index("ix_violations_at", "violations", ["at"])


def downgrade() -> None:
    op.drop_index("ix_violations_at", table_name="violations")
    op.drop_index("ix_cases_completed_at_received_at", table_name="cases")
    op.drop_index("ix_cases_accepted_at", table_name="cases")
