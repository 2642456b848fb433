"""好差评 rectification work orders and evaluation stages

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 08:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('excluded', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('excluded_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('rectifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('case_no', sa.String(length=64), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('callback_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('called_back_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('called_back_by', sa.String(length=64), nullable=True),
    sa.Column('callback_note', sa.Text(), nullable=True),
    sa.Column('classification', sa.String(length=16), nullable=True),
    sa.Column('classified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('classified_by', sa.String(length=64), nullable=True),
    sa.Column('measures', sa.Text(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('rectified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('feedback_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('feedback_by', sa.String(length=64), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=True),
    sa.Column('appeal_reason', sa.Text(), nullable=True),
    sa.Column('appeal_decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('appeal_decided_by', sa.String(length=64), nullable=True),
    sa.Column('appeal_approved', sa.Boolean(), nullable=True),
    sa.Column('fix_rating', sa.String(length=16), nullable=True),
    sa.Column('fix_rated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('fix_rating_channel', sa.String(length=16), nullable=True),
    sa.Column('fix_comment', sa.Text(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_no'], ['cases.case_no'], name=op.f('fk_rectifications_case_no_cases')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_rectifications_evaluation_id_evaluations')),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_rectifications_instance_id_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectifications')),
    sa.UniqueConstraint('evaluation_id', name=op.f('uq_rectifications_evaluation_id'))
    )
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectifications_case_no'), ['case_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectifications_department'), ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectifications_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectifications_issued_at'), ['issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectifications_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectifications_status'))
        batch_op.drop_index(batch_op.f('ix_rectifications_issued_at'))
        batch_op.drop_index(batch_op.f('ix_rectifications_instance_id'))
        batch_op.drop_index(batch_op.f('ix_rectifications_department'))
        batch_op.drop_index(batch_op.f('ix_rectifications_case_no'))

    op.drop_table('rectifications')
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_column('excluded_at')
        batch_op.drop_column('excluded')
