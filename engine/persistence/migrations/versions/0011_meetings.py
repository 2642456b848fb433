"""joint-review meetings (联审会) and their action items

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 11:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
