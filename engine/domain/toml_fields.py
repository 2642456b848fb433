"""Typed reading of parsed TOML tables that records every problem instead of stopping at the first one."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

#: a mainland landline as published in service guides: area code, hyphen, 7–8 digits ("0871-60000102")
PHONE = re.compile(r"^0\d{2,3}-\d{7,8}$")
#: the whole record is fictional or inferred (organisation data)
WHOLE_RECORD = "*"

Table = Mapping[str, object]


@dataclass
class Problems:
    """Collects ``where: field: message`` lines; a loader raises once, listing all of them."""

    lines: list[str] = field(default_factory=list)

    def add(self, where: str, field_name: str, message: str) -> None:
        self.lines.append(f"{where}: {field_name}: {message}")


class Fields:
    """One TOML table seen through typed getters. A missing or ill-typed value is recorded as a problem and
    replaced by a neutral default, so the loader can go on and report everything else too."""

    def __init__(self, table: object, where: str, problems: Problems, allowed: Iterable[str]) -> None:
        if not isinstance(table, Mapping):
            problems.add(where, "-", "expected a table")
            table = {}
        self.raw: Table = table
        self.where = where
        self.problems = problems
        for key in sorted(set(self.raw) - set(allowed)):
            problems.add(where, key, "unknown field")

    def problem(self, key: str, message: str) -> None:
        self.problems.add(self.where, key, message)

    def _get(self, key: str, required: bool) -> object | None:
        value = self.raw.get(key)
        if value is None and required:
            self.problem(key, "missing required field")
        return value

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, str):
            self.problem(key, "expected a string")
            return default
        if required and not value.strip():
            self.problem(key, "must not be empty")
        return value

    def optional_text(self, key: str) -> str | None:
        value = self.text(key, required=False)
        return value if key in self.raw and isinstance(self.raw[key], str) else None

    def integer(self, key: str, *, required: bool = True, minimum: int = 0) -> int | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, "expected an integer")
            return None
        if value < minimum:
            self.problem(key, f"must be at least {minimum}")
            return None
        return value

    def flag(self, key: str, *, required: bool = True, default: bool = False) -> bool:
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(key, "expected true or false")
            return default
        return value

    def texts(self, key: str, *, required: bool = True, non_empty: bool = False) -> tuple[str, ...]:
        value = self._get(key, required)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problem(key, "expected a list of non-empty strings")
            return ()
        if non_empty and not value:
            self.problem(key, "must not be empty")
        return tuple(str(v) for v in value)

    def tables(self, key: str, *, required: bool = True, non_empty: bool = False) -> list[Table]:
        value = self._get(key, required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            self.problem(key, "expected a list of tables")
            return []
        if non_empty and not value:
            self.problem(key, "must not be empty")
        return list(value)

    def table(self, key: str, *, required: bool = True) -> Table | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.problem(key, "expected a table")
            return None
        return value

    def phone(self, key: str, *, required: bool = True) -> str:
        value = self.text(key, required=required)
        if value and not PHONE.match(value):
            self.problem(key, f"bad phone format {value!r} (expected e.g. 0871-60000102)")
        return value


def check_inferred_names(fields: Fields, names: Iterable[str], allowed: Iterable[str]) -> None:
    """Every name in an ``inferred`` list must name a real field, so a typo cannot hide an inferred value."""
    known = set(allowed)
    for name in names:
        if name not in known:
            fields.problem("inferred", f"{name!r} is not a field that can be inferred")


def duplicates(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated
