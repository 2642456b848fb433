"""village stations, agency mandates and the relay hand-overs

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 08:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
