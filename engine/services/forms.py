"""User-task forms: JSON Schemas stored with each deployment; submitted data is checked against them."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from engine.errors import FieldError, FormValidationError, NotFound


def _field_of(error: ValidationError) -> str:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [name for name in error.validator_value if name not in error.instance]
        if missing:
            path.append(str(missing[0]))
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set((error.schema or {}).get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        if extra:
            path.append(str(extra[0]))
    return ".".join(path) or "_form"


class FormRegistry:
    """Compiled validators per stored form file, loaded once (form files are immutable by hash)."""

    def __init__(self, load_content: Callable[[int], bytes]) -> None:
        self._load = load_content
        self._validators: dict[int, Draft202012Validator] = {}
        self._schemas: dict[int, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def schema(self, file_id: int) -> dict[str, Any]:
        if file_id not in self._schemas:
            with self._lock:
                if file_id not in self._schemas:
                    try:
                        schema = json.loads(self._load(file_id))
                    except (ValueError, KeyError) as exc:
                        raise NotFound(f"form file {file_id} is missing or unreadable") from exc
                    self._schemas[file_id] = schema
                    self._validators[file_id] = Draft202012Validator(schema)
        return self._schemas[file_id]

    def validate(self, file_id: int | None, data: Any) -> None:
        if not isinstance(data, dict):
            raise FormValidationError("form data must be an object", [FieldError("_form", "expected an object")])
        if file_id is None:
            return
        self.schema(file_id)
        errors = sorted(self._validators[file_id].iter_errors(data), key=lambda e: list(e.absolute_path))
        if errors:
            field_errors = [FieldError(_field_of(e), e.message) for e in errors]
            raise FormValidationError(f"{len(field_errors)} field(s) are invalid", field_errors)
