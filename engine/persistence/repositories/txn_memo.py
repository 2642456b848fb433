"""Rows a repository already holds for the current transaction, so one use case does not read the same row twice.

A memo lives inside one repository object (one unit of work) and is dropped as soon as the connection is in
another transaction (after a commit the connection autobegins a fresh one, which must see other processes'
work). Only rows this transaction can vouch for go in — rows it wrote itself (the write holds the row's lock
until the commit: PostgreSQL's row lock, SQLite's single writer) or rows of a table only the owning repository
writes, invalidated by that repository's own writes — so a memo never answers differently from the database
for the same transaction. Values are stored as the database would return them (UTC instants, JSON round-tripped)
and handed out as shallow copies.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection


def as_stored(row: dict[str, Any], json_columns: frozenset[str]) -> dict[str, Any]:
    """``row`` as a read would give it back: instants in UTC, JSON values decoded afresh (tuples become lists,
    keys strings), so a memo hit and a database read are indistinguishable to the caller."""
    stored: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(UTC)
        elif key in json_columns and value is not None:
            value = json.loads(json.dumps(value))
        stored[key] = value
    return stored


class TransactionMemo:
    """Key -> value, valid while the connection stays in the transaction that filled it."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._transaction: Any = None
        self._values: dict[Any, Any] = {}

    def _current(self) -> dict[Any, Any]:
        transaction = self._conn.get_transaction()
        if transaction is not self._transaction:
            self._transaction, self._values = transaction, {}
        return self._values

    def get(self, key: Any, default: Any = None) -> Any:
        return self._current().get(key, default)

    def put(self, key: Any, value: Any) -> None:
        self._current()[key] = value

    def values(self) -> list[Any]:
        return list(self._current().values())

    def discard(self, key: Any) -> None:
        self._current().pop(key, None)

    def clear(self) -> None:
        self._current().clear()
