"""Definition files are unique by (content, name) and remember their latest deployment; a process's versions
are compared with its latest version only (so re-deploying an older bundle is a rollback, not a no-op).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("definition_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_deployed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE definition_files SET last_deployed_at = created_at")
    with op.batch_alter_table("definition_files", schema=None) as batch_op:
        batch_op.alter_column("last_deployed_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.drop_constraint(batch_op.f("uq_definition_files_sha256"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_definition_files_sha256_name"), ["sha256", "name"])
    with op.batch_alter_table("process_versions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_process_versions_process_id_bundle_sha256"), type_="unique")


def downgrade() -> None:
    with op.batch_alter_table("process_versions", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_process_versions_process_id_bundle_sha256"), ["process_id", "bundle_sha256"]
        )
    with op.batch_alter_table("definition_files", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_definition_files_sha256_name"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_definition_files_sha256"), ["sha256"])
        batch_op.drop_column("last_deployed_at")
