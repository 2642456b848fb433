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
    op.create_table('joint_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('chair', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('agenda', sa.JSON(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=True),
    sa.Column('decisions', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('held_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_joint_meetings')),
    sa.UniqueConstraint('held_on', name=op.f('uq_joint_meetings_held_on'))
    )
    with op.batch_alter_table('joint_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_joint_meetings_status'), ['status'], unique=False)

    op.create_table('meeting_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('project_code', sa.String(length=32), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('assignee', sa.String(length=64), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=64), nullable=True),
    sa.Column('done_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['department'], ['departments.code'], name=op.f('fk_meeting_actions_department_departments')),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_meeting_actions_instance_id_instances')),
    sa.ForeignKeyConstraint(['meeting_id'], ['joint_meetings.id'], name=op.f('fk_meeting_actions_meeting_id_joint_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_actions')),
    sa.UniqueConstraint('meeting_id', 'number', name=op.f('uq_meeting_actions_meeting_id_number'))
    )
    with op.batch_alter_table('meeting_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_actions_department'), ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_actions_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_actions_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_actions_project_code'), ['project_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_actions_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('meeting_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_actions_status'))
        batch_op.drop_index(batch_op.f('ix_meeting_actions_project_code'))
        batch_op.drop_index(batch_op.f('ix_meeting_actions_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_actions_instance_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_actions_department'))

    op.drop_table('meeting_actions')
    with op.batch_alter_table('joint_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_joint_meetings_status'))

    op.drop_table('joint_meetings')
