"""village stations, agency mandates and the relay hand-overs

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 08:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('village_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station', sa.String(length=32), nullable=False),
    sa.Column('town', sa.String(length=32), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('assigned_at', TS, nullable=False),
    sa.Column('assigned_by', sa.String(length=64), nullable=False),
    sa.Column('ended_at', TS, nullable=True),
    sa.ForeignKeyConstraint(['station'], ['service_points.code'], name=op.f('fk_village_assignments_station_service_points')),
    sa.ForeignKeyConstraint(['town'], ['service_points.code'], name=op.f('fk_village_assignments_town_service_points')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_village_assignments'))
    )
    with op.batch_alter_table('village_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_village_assignments_station'), ['station'], unique=False)
        batch_op.create_index(batch_op.f('ix_village_assignments_town'), ['town'], unique=False)
        batch_op.create_index(batch_op.f('ix_village_assignments_username'), ['username'], unique=False)

    op.create_table('mandates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('principal', sa.JSON(), nullable=False),
    sa.Column('agent', sa.String(length=64), nullable=False),
    sa.Column('station', sa.String(length=32), nullable=False),
    sa.Column('scope_all', sa.Boolean(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['station'], ['service_points.code'], name=op.f('fk_mandates_station_service_points')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mandates')),
    sa.UniqueConstraint('number', name=op.f('uq_mandates_number'))
    )
    with op.batch_alter_table('mandates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mandates_agent'), ['agent'], unique=False)
        batch_op.create_index(batch_op.f('ix_mandates_station'), ['station'], unique=False)
        batch_op.create_index(batch_op.f('ix_mandates_status'), ['status'], unique=False)

    op.create_table('relays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('mandate_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=64), nullable=False),
    sa.Column('principal', sa.JSON(), nullable=False),
    sa.Column('station', sa.String(length=32), nullable=False),
    sa.Column('town', sa.String(length=32), nullable=False),
    sa.Column('deciding_level', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('case_no', sa.String(length=64), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('agent', sa.String(length=64), nullable=False),
    sa.Column('started_at', TS, nullable=False),
    sa.Column('ended_at', TS, nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_no'], ['cases.case_no'], name=op.f('fk_relays_case_no_cases')),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_relays_instance_id_instances')),
    sa.ForeignKeyConstraint(['item_code'], ['items.code'], name=op.f('fk_relays_item_code_items')),
    sa.ForeignKeyConstraint(['mandate_id'], ['mandates.id'], name=op.f('fk_relays_mandate_id_mandates')),
    sa.ForeignKeyConstraint(['station'], ['service_points.code'], name=op.f('fk_relays_station_service_points')),
    sa.ForeignKeyConstraint(['town'], ['service_points.code'], name=op.f('fk_relays_town_service_points')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relays')),
    sa.UniqueConstraint('case_no', name=op.f('uq_relays_case_no')),
    sa.UniqueConstraint('number', name=op.f('uq_relays_number'))
    )
    with op.batch_alter_table('relays', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relays_agent'), ['agent'], unique=False)
        batch_op.create_index(batch_op.f('ix_relays_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relays_item_code'), ['item_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_relays_mandate_id'), ['mandate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relays_station'), ['station'], unique=False)
        batch_op.create_index(batch_op.f('ix_relays_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_relays_town'), ['town'], unique=False)

    op.create_table('relay_handovers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('relay_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=24), nullable=False),
    sa.Column('materials', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('handed_at', TS, nullable=False),
    sa.Column('signer', sa.String(length=64), nullable=False),
    sa.Column('received_by', sa.String(length=64), nullable=True),
    sa.Column('received_at', TS, nullable=True),
    sa.ForeignKeyConstraint(['relay_id'], ['relays.id'], name=op.f('fk_relay_handovers_relay_id_relays')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relay_handovers')),
    sa.UniqueConstraint('relay_id', 'level', name=op.f('uq_relay_handovers_relay_id_level'))
    )
    with op.batch_alter_table('relay_handovers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relay_handovers_relay_id'), ['relay_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('relay_handovers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_relay_handovers_relay_id'))
    op.drop_table('relay_handovers')
    with op.batch_alter_table('relays', schema=None) as batch_op:
        for column in ('town', 'status', 'station', 'mandate_id', 'item_code', 'instance_id', 'agent'):
            batch_op.drop_index(batch_op.f(f'ix_relays_{column}'))
    op.drop_table('relays')
    with op.batch_alter_table('mandates', schema=None) as batch_op:
        for column in ('status', 'station', 'agent'):
            batch_op.drop_index(batch_op.f(f'ix_mandates_{column}'))
    op.drop_table('mandates')
    with op.batch_alter_table('village_assignments', schema=None) as batch_op:
        for column in ('username', 'town', 'station'):
            batch_op.drop_index(batch_op.f(f'ix_village_assignments_{column}'))
    op.drop_table('village_assignments')
