"""Turn engine records into JSON-ready dictionaries (ISO instants, plain values)."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from flask import request

from engine.errors import FieldError, FormValidationError, OnestopError
from webapp.request_limits import out_of_range


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def pick(obj: Any, *names: str) -> dict[str, Any]:
    return {name: jsonable(getattr(obj, name)) for name in names}


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise FormValidationError(
            "the request body must be a JSON object", [FieldError("_body", "expected a JSON object")]
        )
    too_big = out_of_range(body)
    if too_big is not None:  # no stored row has such a number; the database driver would fail on it
        raise FormValidationError(
            "a number in the request is too large", [FieldError(too_big, "a whole number of at most 19 digits")]
        )
    return body


def int_arg(name: str, default: int, low: int = 0, high: int = 10_000) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise OnestopError(f"query parameter {name} must be a whole number") from exc
    return max(low, min(high, value))
