"""the stored colour schedule of open cases for the supervision dashboard (placeholder)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 10:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
