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
    op.create_table('warnings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_no', sa.String(length=64), nullable=False),
    sa.Column('item_code', sa.String(length=64), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('handler', sa.String(length=64), nullable=True),
    sa.Column('step', sa.String(length=255), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('trigger', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('appeal_text', sa.Text(), nullable=True),
    sa.Column('appealed_by', sa.String(length=64), nullable=True),
    sa.Column('appealed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.Text(), nullable=True),
    sa.Column('revoked_by', sa.String(length=64), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalated_by', sa.String(length=64), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('violation_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_no'], ['cases.case_no'], name=op.f('fk_warnings_case_no_cases')),
    sa.ForeignKeyConstraint(['violation_id'], ['violations.id'], name=op.f('fk_warnings_violation_id_violations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warnings')),
    sa.UniqueConstraint('case_no', 'trigger', 'step', name=op.f('uq_warnings_case_no_trigger_step'))
    )
    with op.batch_alter_table('warnings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warnings_case_no'), ['case_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_warnings_department'), ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_warnings_handler'), ['handler'], unique=False)
        batch_op.create_index(batch_op.f('ix_warnings_issued_at'), ['issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_warnings_status'), ['status'], unique=False)

    op.create_table('warning_timers',
    sa.Column('case_no', sa.String(length=64), nullable=False),
    sa.Column('trigger', sa.String(length=32), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_no'], ['cases.case_no'], name=op.f('fk_warning_timers_case_no_cases')),
    sa.PrimaryKeyConstraint('case_no', 'trigger', name=op.f('pk_warning_timers'))
    )
    with op.batch_alter_table('warning_timers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warning_timers_due_at'), ['due_at'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=255), nullable=True),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_inbox', ['username', 'read_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_inbox')

    op.drop_table('notifications')
    with op.batch_alter_table('warning_timers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warning_timers_due_at'))

    op.drop_table('warning_timers')
    with op.batch_alter_table('warnings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warnings_status'))
        batch_op.drop_index(batch_op.f('ix_warnings_issued_at'))
        batch_op.drop_index(batch_op.f('ix_warnings_handler'))
        batch_op.drop_index(batch_op.f('ix_warnings_department'))
        batch_op.drop_index(batch_op.f('ix_warnings_case_no'))

    op.drop_table('warnings')
