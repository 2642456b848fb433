"""The query arguments of the statistics routes (API and pages): a period, a month, groupings."""

from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict

from engine.errors import FieldError, FormValidationError
from engine.services.stats import check_groupings, check_period


def _date(args: MultiDict[str, str], name: str, default: date | None) -> date:
    raw = args.get(name, "").strip()
    if not raw and default is not None:
        return default
    try:
        value = date.fromisoformat(raw)
    except ValueError as exc:
        raise FormValidationError("invalid period", [FieldError(name, "a date YYYY-MM-DD")]) from exc
    if not 2000 <= value.year <= 2100:
        raise FormValidationError("invalid period", [FieldError(name, "a date between 2000 and 2100")])
    return value


def period(args: MultiDict[str, str], today: date | None = None) -> tuple[date, date]:
    """``from`` and ``to`` (inclusive), at most 366 days; with ``today``, missing ones default to this month so far."""
    start = _date(args, "from", today.replace(day=1) if today else None)
    end = _date(args, "to", today)
    check_period(start, end)  # forwards, at most 366 days (the service checks again)
    return start, end


def groupings(args: MultiDict[str, str]) -> list[str]:
    """``group_by`` given once with commas or repeated; each must be a known grouping."""
    return check_groupings([g.strip() for raw in args.getlist("group_by") for g in raw.split(",") if g.strip()])


def month(args: MultiDict[str, str], today: date) -> tuple[int, int]:
    """``month=YYYY-MM``; the previous month when missing (the one a monthly report is usually about)."""
    raw = args.get("month", "").strip()
    if not raw:
        last = today.replace(day=1).toordinal() - 1
        previous = date.fromordinal(last)
        return previous.year, previous.month
    try:
        year, number = (int(part) for part in raw.split("-"))
        date(year, number, 1)
    except ValueError as exc:
        raise FormValidationError("invalid month", [FieldError("month", "a month YYYY-MM")]) from exc
    if not 2000 <= year <= 2100:
        raise FormValidationError("invalid month", [FieldError("month", "a month between 2000 and 2100")])
    return year, number
