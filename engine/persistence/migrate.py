"""Run Alembic migrations explicitly (``onestop init`` / ``onestop migrate``) and compare them with the models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from engine.persistence.tables import metadata

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _config(connection: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_differences(engine: Engine) -> list[Any]:
    """What autogenerate would still change: empty when migrations and models agree."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def new_revision(engine: Engine, message: str) -> None:
    """Developer helper: autogenerate a revision from the models (python -m engine.persistence.migrate MSG)."""
    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)


if __name__ == "__main__":  # pragma: no cover - developer tool
    import sys

    from engine.persistence.database import make_engine

    db = make_engine(sys.argv[2] if len(sys.argv) > 2 else "sqlite:////tmp/onestop-migrate.db")
    upgrade(db)
    new_revision(db, sys.argv[1])
