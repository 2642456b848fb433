"""accountability: window patrols (巡查) and accountability entries

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 08:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('patrols',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspector', sa.String(length=64), nullable=False),
    sa.Column('window', sa.String(length=32), nullable=True),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=True),
    sa.Column('officer', sa.String(length=64), nullable=True),
    sa.Column('severity', sa.String(length=16), nullable=True),
    sa.Column('step', sa.Integer(), nullable=True),
    sa.Column('document_number', sa.String(length=48), nullable=True),
    sa.Column('violation_id', sa.Integer(), nullable=True),
    sa.Column('follow_up', sa.Text(), nullable=True),
    sa.Column('follow_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('follow_up_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['department'], ['departments.code'], name=op.f('fk_patrols_department_departments')),
    sa.ForeignKeyConstraint(['violation_id'], ['violations.id'], name=op.f('fk_patrols_violation_id_violations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrols')),
    sa.UniqueConstraint('document_number', name=op.f('uq_patrols_document_number'))
    )
    with op.batch_alter_table('patrols', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrols_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_patrols_department'), ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_patrols_officer'), ['officer'], unique=False)
        batch_op.create_index(batch_op.f('ix_patrols_year'), ['year'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('patrols', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrols_year'))
        batch_op.drop_index(batch_op.f('ix_patrols_officer'))
        batch_op.drop_index(batch_op.f('ix_patrols_department'))
        batch_op.drop_index(batch_op.f('ix_patrols_at'))

    op.drop_table('patrols')
