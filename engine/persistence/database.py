"""Create the SQLAlchemy engine for a URL: SQLite in WAL mode with real transactions, or PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

IMMEDIATE_FLAG = "onestop_begin_immediate"


class StatementCounter:
    """Counts SQL statements sent to the database (BEGIN/COMMIT excluded), for benchmarks and tests."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.strip().upper() not in {"BEGIN", "COMMIT", "ROLLBACK", "BEGIN IMMEDIATE"}:
            self.count += 1


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling begins lazily and never for SELECT; take control so a
        # use case's reads and writes share one snapshot (see SQLAlchemy's "serializable isolation" notes)
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # a use case that will write takes the write lock up front, so concurrent writers queue on
        # busy_timeout instead of failing with SQLITE_BUSY_SNAPSHOT after reading a stale snapshot
        immediate = conn.info.pop(IMMEDIATE_FLAG, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        memory = url in {"sqlite://", "sqlite:///:memory:"}
        if not memory:
            path = url.split("///", 1)[-1]
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
        if memory:
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, echo=echo, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


def attach_counter(engine: Engine) -> StatementCounter:
    counter = StatementCounter()
    event.listen(engine, "before_cursor_execute", counter)
    return counter
