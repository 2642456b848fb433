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
    op.create_table('key_projects',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('investor', sa.JSON(), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('investment', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('materials', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('steward', sa.String(length=64), nullable=True),
    sa.Column('lead_department', sa.String(length=32), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_by', sa.String(length=64), nullable=False),
    sa.Column('triaged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('statutory_days', sa.Integer(), nullable=False),
    sa.Column('extended', sa.Boolean(), nullable=False),
    sa.Column('extension_reason', sa.Text(), nullable=True),
    sa.Column('concluded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_key_projects_instance_id_instances')),
    sa.ForeignKeyConstraint(['lead_department'], ['departments.code'], name=op.f('fk_key_projects_lead_department_departments')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_key_projects'))
    )
    with op.batch_alter_table('key_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_projects_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_key_projects_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_key_projects_status'), ['status'], unique=False)

    op.create_table('project_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_code', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('case_no', sa.String(length=64), nullable=True),
    sa.Column('department', sa.String(length=32), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['project_code'], ['key_projects.code'], name=op.f('fk_project_events_project_code_key_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_events'))
    )
    with op.batch_alter_table('project_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_events_project_code'), ['project_code'], unique=False)

    op.create_table('project_reviews',
    sa.Column('project_code', sa.String(length=32), nullable=False),
    sa.Column('item_code', sa.String(length=64), nullable=False),
    sa.Column('case_no', sa.String(length=64), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('prerequisites', sa.JSON(), nullable=False),
    sa.Column('pre_reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('forwarded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('result', sa.String(length=16), nullable=True),
    sa.Column('opinion', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_no'], ['cases.case_no'], name=op.f('fk_project_reviews_case_no_cases')),
    sa.ForeignKeyConstraint(['item_code'], ['items.code'], name=op.f('fk_project_reviews_item_code_items')),
    sa.ForeignKeyConstraint(['project_code'], ['key_projects.code'], name=op.f('fk_project_reviews_project_code_key_projects')),
    sa.PrimaryKeyConstraint('project_code', 'item_code', name=op.f('pk_project_reviews')),
    sa.UniqueConstraint('case_no', name=op.f('uq_project_reviews_case_no'))
    )
    with op.batch_alter_table('project_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_reviews_department'), ['department'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('project_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_reviews_department'))

    op.drop_table('project_reviews')
    with op.batch_alter_table('project_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_events_project_code'))

    op.drop_table('project_events')
    with op.batch_alter_table('key_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_projects_status'))
        batch_op.drop_index(batch_op.f('ix_key_projects_received_at'))
        batch_op.drop_index(batch_op.f('ix_key_projects_instance_id'))

    op.drop_table('key_projects')
