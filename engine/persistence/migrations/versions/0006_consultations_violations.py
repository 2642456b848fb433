"""consultations and violations

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 08:59:52.348969
"""
from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('consultations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_responder', sa.String(length=64), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=True),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('item_code', sa.String(length=64), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('transferred_to', sa.String(length=32), nullable=True),
    sa.Column('referred_to', sa.String(length=255), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('follow_up_due', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=64), nullable=True),
    sa.Column('violation_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations'))
    )
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_asked_at'), ['asked_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_first_responder'), ['first_responder'], unique=False)
        batch_op.create_index('ix_consultations_follow_up', ['closed_at', 'follow_up_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_transferred_to'), ['transferred_to'], unique=False)

    op.create_table('violations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('veto', sa.Boolean(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_violations'))
    )
    with op.batch_alter_table('violations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_violations_department'), ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_violations_username'), ['username'], unique=False)
        batch_op.create_index(batch_op.f('ix_violations_year'), ['year'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('violations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_violations_year'))
        batch_op.drop_index(batch_op.f('ix_violations_username'))
        batch_op.drop_index(batch_op.f('ix_violations_department'))

    op.drop_table('violations')
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_transferred_to'))
        batch_op.drop_index('ix_consultations_follow_up')
        batch_op.drop_index(batch_op.f('ix_consultations_first_responder'))
        batch_op.drop_index(batch_op.f('ix_consultations_asked_at'))

    op.drop_table('consultations')
