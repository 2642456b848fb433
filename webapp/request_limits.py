"""What a request may carry before a handler sees it: numbers that fit a stored row, JSON of sane depth.

Database ids are 64-bit signed integers on SQLite and PostgreSQL. A bigger number in a URL or a JSON body
used to reach the driver and fail there (OverflowError, a 500); here it never matches a route (404) and a
JSON body holding one is refused as invalid input (422). A JSON body nested thousands deep used to exhaust
the decoder's recursion (RecursionError, a 500); it is now a body that is not valid JSON (400/422).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter, Map

#: the largest value a BIGINT / SQLite INTEGER column holds
MAX_STORED_INT = 2**63 - 1


class StoredIntConverter(IntegerConverter):
    """``<int:...>`` that does not match a number no row can have."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_STORED_INT)
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
