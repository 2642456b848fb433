"""Cells written to a CSV a spreadsheet program opens: text that the program would read as a formula
(CSV/formula injection — a cell starting with =, +, -, @, a tab or a carriage return) is prefixed with a single
quote, so an answer like ``=HYPERLINK(...)`` shows as text instead of running. Numbers pass unchanged."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` with a leading quote when it is text a spreadsheet would take for a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]
