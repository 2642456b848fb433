"""Create the SQLAlchemy engine for a URL: SQLite in WAL mode with real transactions, or PostgreSQL (whose
lost-server errors become DatabaseUnavailable)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.pool import StaticPool

from engine.errors import DatabaseUnavailable, UnstorableValue

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
        event.listen(engine, "handle_error", _unstorable)
        return engine
    engine = create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)
    event.listen(engine, "handle_error", _unavailable)
    event.listen(engine, "handle_error", _unstorable)
    return engine


# SQLSTATE classes of a lost server: connection exceptions (08…), operator intervention (57P01 admin shutdown,
# 57P02 crash shutdown, 57P03 cannot connect now: the server is starting or stopping)
_UNAVAILABLE_SQLSTATES = ("08", "57P")


def _unavailable(context: ExceptionContext) -> BaseException | None:
    """A PostgreSQL server that is down or restarting becomes one clear error (DatabaseUnavailable → HTTP 503)
    instead of a bare driver error. pool_pre_ping already replaces connections a restart broke; this names what
    happens while the server is really away. The pool still invalidates the broken connection as usual."""
    if context.is_pre_ping:
        return None  # the pool reconnects quietly; only a failed reconnect reaches the caller
    error = context.original_exception
    sqlstate = getattr(error, "sqlstate", None) or ""
    no_server = context.connection is None and not sqlstate  # connecting failed: refused, reset, no such host
    operational = isinstance(error, context.dialect.loaded_dbapi.OperationalError)
    if operational and (context.is_disconnect or no_server or sqlstate.startswith(_UNAVAILABLE_SQLSTATES)):
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        return DatabaseUnavailable(f"the database is unavailable: {first_line}")
    return None


# SQLSTATE class 22, data exception: 22003 numeric value out of range, 22001 string too long, 22P05 untranslatable
# character, 22021 bad byte sequence, …
_DATA_EXCEPTION = "22"


def _unstorable(context: ExceptionContext) -> BaseException | None:
    """A value the database cannot hold is the request's fault, not the server's: name it (UnstorableValue →
    HTTP 422) instead of a bare driver error (a 500). SQLite raises OverflowError for an integer beyond 64 bits;
    PostgreSQL a data exception (an id beyond its 32-bit INTEGER, text over its column's length), and psycopg
    refuses a NUL character in text before sending it."""
    error = context.original_exception
    if context.is_disconnect or context.is_pre_ping:
        return None
    sqlstate = getattr(error, "sqlstate", None) or ""
    data_error = isinstance(error, context.dialect.loaded_dbapi.DataError) and (
        not sqlstate or sqlstate.startswith(_DATA_EXCEPTION)
    )
    if isinstance(error, OverflowError) or data_error:
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        return UnstorableValue(f"a value in the request cannot be stored: {first_line}")
    return None


def attach_counter(engine: Engine) -> StatementCounter:
    counter = StatementCounter()
    event.listen(engine, "before_cursor_execute", counter)
    return counter
