"""What a request may carry before a handler sees it: numbers that fit a stored row, JSON of sane depth.

Row ids and versions are INTEGER columns: 32-bit on PostgreSQL, 64-bit on SQLite. A bigger number in a URL used
to reach the driver and fail there (OverflowError on SQLite, "integer out of range" on PostgreSQL, a 500); here
it never matches a route (404). A JSON body holding an integer beyond 64 bits is refused as invalid input
(422); one that fits 64 bits but not its column is refused by the database layer (UnstorableValue, 422). A JSON
body nested thousands deep used to exhaust the decoder's recursion (RecursionError, a 500); it is now a body
that is not valid JSON (400/422).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter, Map

#: the largest value a BIGINT / SQLite INTEGER column holds (JSON bodies)
MAX_STORED_INT = 2**63 - 1
#: the largest id an INTEGER column holds on every supported database (PostgreSQL's INTEGER is 32-bit)
MAX_ROW_ID = 2**31 - 1


class StoredIntConverter(IntegerConverter):
    """``<int:...>`` that does not match a number no row can have."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def out_of_range(value: object) -> str | None:
    """Where (``a.b[2]``) the first integer beyond 64 bits sits in a JSON value, or None.

    Iterative, so a deeply nested body cannot exhaust the stack here."""
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int) and abs(item) > MAX_STORED_INT:
            return path or "_body"
        if isinstance(item, dict):
            stack.extend((f"{path}.{k}" if path else str(k), v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(item))
    return None


class DepthSafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, but a body too deeply nested to decode is invalid JSON (ValueError), as Flask expects."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("the JSON is nested too deeply") from None


def register(app: Flask) -> None:
    """Install the converter and the JSON provider; must run before any blueprint adds its routes."""
    app.url_map.converters["int"] = StoredIntConverter
    ensure_ascii = getattr(app.json, "ensure_ascii", True)
    app.json = DepthSafeJSONProvider(app)
    app.json.ensure_ascii = ensure_ascii
