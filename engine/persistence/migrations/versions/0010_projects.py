"""key projects (重点项目) of the fast track

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 11:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
