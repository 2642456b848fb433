"""organisation: service points, windows, department details

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 09:22:25.440151
"""
from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('service_points',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('parent_code', sa.String(length=32), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('agents', sa.JSON(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('inferred', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['parent_code'], ['service_points.code'], name=op.f('fk_service_points_parent_code_service_points')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_service_points'))
    )
    with op.batch_alter_table('service_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_points_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_points_parent_code'), ['parent_code'], unique=False)

    op.create_table('windows',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=True),
    sa.Column('service_point', sa.String(length=32), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('inferred', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['department'], ['departments.code'], name=op.f('fk_windows_department_departments')),
    sa.ForeignKeyConstraint(['service_point'], ['service_points.code'], name=op.f('fk_windows_service_point_service_points')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_windows'))
    )
    with op.batch_alter_table('windows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_windows_department'), ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_windows_service_point'), ['service_point'], unique=False)

    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('abbr', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('chief_representative', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('chief_username', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('inferred', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_column('inferred')
        batch_op.drop_column('chief_username')
        batch_op.drop_column('chief_representative')
        batch_op.drop_column('abbr')

    with op.batch_alter_table('windows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_windows_service_point'))
        batch_op.drop_index(batch_op.f('ix_windows_department'))

    op.drop_table('windows')
    with op.batch_alter_table('service_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_points_parent_code'))
        batch_op.drop_index(batch_op.f('ix_service_points_kind'))

    op.drop_table('service_points')
