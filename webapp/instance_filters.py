"""Reads the instance-list filters from a request's query string, for the API and the administrator's page alike.

Dates are the centre's local calendar days; the range is inclusive of both days. Bad values are field errors.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from werkzeug.datastructures import MultiDict

from engine.domain.instance_query import InstanceQuery
from engine.errors import FieldError, FormValidationError

STATUSES = ("running", "suspended", "error", "completed", "terminated")


def _day(args: MultiDict[str, str], name: str, problems: list[FieldError]) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(FieldError(name, "日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD"))
        return None


def _whole(args: MultiDict[str, str], name: str, default: int, low: int, high: int, problems: list[FieldError]) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        problems.append(FieldError(name, "应为整数 / expected a whole number"))
        return default
    return max(low, min(high, int(raw)))


def instance_query(args: MultiDict[str, str], now: datetime, zone: ZoneInfo, page_size: int = 50) -> InstanceQuery:
    """The query the arguments describe; raises FormValidationError naming each bad argument."""
    problems: list[FieldError] = []
    status = (args.get("status") or "").strip() or None
    if status is not None and status not in STATUSES:
        problems.append(FieldError("status", f"应为 {' / '.join(STATUSES)} 之一 / one of {', '.join(STATUSES)}"))
    first, last = _day(args, "from", problems), _day(args, "to", problems)
    if first and last and last < first:
        problems.append(FieldError("to", "结束日期早于开始日期 / the end is before the start"))
    limit = _whole(args, "limit", page_size, 1, 500, problems)
    page = _whole(args, "page", 1, 1, 1_000_000, problems)
    offset = _whole(args, "offset", (page - 1) * limit, 0, 10_000_000, problems)
    if problems:
        raise FormValidationError("invalid filter", problems)
    return InstanceQuery(
        status=status,
        process_id=(args.get("process_id") or "").strip() or None,
        item_code=(args.get("item") or args.get("item_code") or "").strip() or None,
        department=(args.get("department") or "").strip() or None,
        overdue_at=now if args.get("overdue") in {"1", "true", "on"} else None,
        started_from=datetime.combine(first, time(), zone) if first else None,
        started_before=datetime.combine(last + timedelta(days=1), time(), zone) if last else None,
        limit=limit,
        offset=offset,
    )
