"""complaints (GB/T 36113), hotline calls and questionnaires

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 08:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
