"""window discipline: attendance, leaving-post log, working-hours rules, public boards

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 08:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('window', sa.String(length=32), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=True),
    sa.Column('work_date', sa.Date(), nullable=False),
    sa.Column('session', sa.String(length=8), nullable=False),
    sa.Column('signed_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('signed_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('late_minutes', sa.Integer(), nullable=False),
    sa.Column('early_minutes', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('username', 'work_date', 'session', name=op.f('uq_attendance_username_work_date_session'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_username'), ['username'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_window'), ['window'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_work_date'), ['work_date'], unique=False)

    op.create_table('post_leaves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('window', sa.String(length=32), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=True),
    sa.Column('work_date', sa.Date(), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_leaves'))
    )
    with op.batch_alter_table('post_leaves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_leaves_username'), ['username'], unique=False)
        batch_op.create_index(batch_op.f('ix_post_leaves_work_date'), ['work_date'], unique=False)

    op.create_table('staff_cards',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('staff_number', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=64), nullable=True),
    sa.Column('public_phone', sa.String(length=32), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('username', name=op.f('pk_staff_cards')),
    sa.UniqueConstraint('staff_number', name=op.f('uq_staff_cards_staff_number'))
    )

    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcements_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcements_published_at'), ['published_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcements_published_at'))
        batch_op.drop_index(batch_op.f('ix_announcements_category'))

    op.drop_table('announcements')
    op.drop_table('staff_cards')
    with op.batch_alter_table('post_leaves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_leaves_work_date'))
        batch_op.drop_index(batch_op.f('ix_post_leaves_username'))

    op.drop_table('post_leaves')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_work_date'))
        batch_op.drop_index(batch_op.f('ix_attendance_window'))
        batch_op.drop_index(batch_op.f('ix_attendance_username'))

    op.drop_table('attendance')
