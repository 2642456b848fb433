"""evaluations (好差评) and complaints

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 10:55:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_no', sa.String(length=64), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('window', sa.String(length=32), nullable=True),
    sa.Column('handled_by', sa.String(length=64), nullable=True),
    sa.Column('evaluated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('needs_rectification', sa.Boolean(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_no'], ['cases.case_no'], name=op.f('fk_evaluations_case_no_cases')),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_evaluations_instance_id_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations')),
    sa.UniqueConstraint('case_no', 'stage', 'channel', name=op.f('uq_evaluations_case_no_stage_channel'))
    )
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluations_case_no'), ['case_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluations_department'), ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluations_evaluated_at'), ['evaluated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluations_handled_by'), ['handled_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluations_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluations_needs_rectification'), ['needs_rectification'], unique=False)

    op.create_table('complaints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=True),
    sa.Column('case_no', sa.String(length=64), nullable=True),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('complainant', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_no'], ['cases.case_no'], name=op.f('fk_complaints_case_no_cases')),
    sa.ForeignKeyConstraint(['department'], ['departments.code'], name=op.f('fk_complaints_department_departments')),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_complaints_instance_id_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
    sa.UniqueConstraint('number', name=op.f('uq_complaints_number'))
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_case_no'), ['case_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_department'), ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_status'))
        batch_op.drop_index(batch_op.f('ix_complaints_received_at'))
        batch_op.drop_index(batch_op.f('ix_complaints_instance_id'))
        batch_op.drop_index(batch_op.f('ix_complaints_due_at'))
        batch_op.drop_index(batch_op.f('ix_complaints_department'))
        batch_op.drop_index(batch_op.f('ix_complaints_category'))
        batch_op.drop_index(batch_op.f('ix_complaints_case_no'))

    op.drop_table('complaints')
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluations_needs_rectification'))
        batch_op.drop_index(batch_op.f('ix_evaluations_instance_id'))
        batch_op.drop_index(batch_op.f('ix_evaluations_handled_by'))
        batch_op.drop_index(batch_op.f('ix_evaluations_evaluated_at'))
        batch_op.drop_index(batch_op.f('ix_evaluations_department'))
        batch_op.drop_index(batch_op.f('ix_evaluations_case_no'))

    op.drop_table('evaluations')
