"""town centres' windows, agents and the duty roster

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 08:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('duty_roster',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_point', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('shift', sa.String(length=16), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('generated_by', sa.String(length=64), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('swapped_from', sa.String(length=64), nullable=True),
    sa.Column('swap_reason', sa.Text(), nullable=True),
    sa.Column('swapped_by', sa.String(length=64), nullable=True),
    sa.Column('swapped_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['service_point'], ['service_points.code'], name=op.f('fk_duty_roster_service_point_service_points')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_roster')),
    sa.UniqueConstraint('service_point', 'day', 'shift', name=op.f('uq_duty_roster_service_point_day_shift'))
    )
    with op.batch_alter_table('duty_roster', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_roster_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_duty_roster_username'), ['username'], unique=False)

    op.create_table('town_intakes',
    sa.Column('case_no', sa.String(length=64), nullable=False),
    sa.Column('service_point', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('counted_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('off_hours', sa.Boolean(), nullable=False),
    sa.Column('shift', sa.String(length=16), nullable=True),
    sa.Column('on_duty', sa.String(length=64), nullable=True),
    sa.Column('received_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_no'], ['cases.case_no'], name=op.f('fk_town_intakes_case_no_cases')),
    sa.ForeignKeyConstraint(['service_point'], ['service_points.code'], name=op.f('fk_town_intakes_service_point_service_points')),
    sa.PrimaryKeyConstraint('case_no', name=op.f('pk_town_intakes'))
    )
    with op.batch_alter_table('town_intakes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_town_intakes_on_duty'), ['on_duty'], unique=False)
        batch_op.create_index(batch_op.f('ix_town_intakes_service_point'), ['service_point'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('town_intakes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_town_intakes_service_point'))
        batch_op.drop_index(batch_op.f('ix_town_intakes_on_duty'))

    op.drop_table('town_intakes')
    with op.batch_alter_table('duty_roster', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duty_roster_username'))
        batch_op.drop_index(batch_op.f('ix_duty_roster_day'))

    op.drop_table('duty_roster')
