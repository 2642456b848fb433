"""warnings (黄牌/红牌), their schedule and in-app notifications

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 08:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
