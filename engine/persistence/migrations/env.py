"""Alembic environment: runs against the connection handed over by engine.persistence.migrate."""

from __future__ import annotations

from alembic import context

from engine.persistence.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    raise RuntimeError("run migrations through `onestop migrate`, which provides the connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    compare_type=True,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
