"""the stored colour schedule of open cases for the supervision dashboard, and the board's covering indexes

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 10:40:00

The table starts empty: ``onestop migrate`` (and every catalogue load, calendar change and scheduler start)
fills it with engine.services.colour_schedule.rebuild_colour_schedule.
"""
from alembic import op
import sqlalchemy as sa


revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_colours',
    sa.Column('case_no', sa.String(length=64), nullable=False),
    sa.Column('item_code', sa.String(length=64), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('window', sa.String(length=32), nullable=True),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('remaining_days', sa.Integer(), nullable=True),
    sa.Column('rank_day', sa.Date(), nullable=True),
    sa.Column('yellow_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('red_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('overdue_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_no'], ['cases.case_no'], name=op.f('fk_case_colours_case_no_cases')),
    sa.PrimaryKeyConstraint('case_no', name=op.f('pk_case_colours'))
    )
    with op.batch_alter_table('case_colours', schema=None) as batch_op:
        batch_op.create_index('ix_case_colours_board', ['department', 'window', 'yellow_at', 'red_at', 'overdue_at'], unique=False)
        batch_op.create_index('ix_case_colours_worst', ['paused', 'rank_day', 'remaining_days', 'case_no', 'overdue_at', 'red_at', 'yellow_at', 'department'], unique=False)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_board', ['status', 'department', 'window'], unique=False)
        batch_op.create_index('ix_cases_instance_window', ['instance_id', 'window'], unique=False)
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_human_tasks_ready_load', ['state', 'department', 'instance_id', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_human_tasks_ready_load')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_instance_window')
        batch_op.drop_index('ix_cases_board')
    with op.batch_alter_table('case_colours', schema=None) as batch_op:
        batch_op.drop_index('ix_case_colours_worst')
        batch_op.drop_index('ix_case_colours_board')
    op.drop_table('case_colours')
