"""Reads one year's holiday arrangement (部分节假日安排的通知) into dated rest days and make-up working days.

Two shapes are accepted by :func:`parse_notice`:

1. The State Council General Office notice as published (国务院办公厅关于YYYY年部分节假日安排的通知), pasted
   as text. The year comes from the title; each numbered item is one line::

       一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
       二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
       三、清明节：4月5日放假。

   Full- or half-width punctuation; ranges may cross months ("9月30日至10月7日") or years
   ("2018年12月30日至2019年1月1日"); a date without a month or year takes it from the date before it.
   Cross-checks: "共N天" must equal the number of days off, and a weekday in brackets ("（周六）") must be the
   real weekday of that date. Lines without 放假/上班 (preamble, closing paragraph, signature) are prose; a
   line that mentions 放假/上班 and is not a numbered item is refused, except the "……通知如下" preamble.

2. A TOML document for hand entry (e.g. an administrator typing the next year's arrangement)::

       year = 2027

       [[holiday]]
       label = "春节"
       start = 2027-02-05              # first day off
       end = 2027-02-13                # last day off, inclusive; omit for a single day
       workdays = [2027-01-31, 2027-02-20]   # optional: weekend days worked in exchange (调休上班)

   Dates may be TOML dates or "YYYY-MM-DD" strings. Unknown keys are refused.

Anything else raises :class:`NoticeParseError` naming the line (or the ``[[holiday]]`` entry) it could not
understand: a deadline computed from a half-read notice is worse than no deadline.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any


class NoticeParseError(ValueError):
    """The notice text could not be understood; ``line_no``/``line`` say where (1-based), when known."""

    def __init__(self, message: str, line_no: int | None = None, line: str = "") -> None:
        where = f"line {line_no}: " if line_no is not None else ""
        quoted = f" -- in: {line.strip()}" if line.strip() else ""
        super().__init__(f"{where}{message}{quoted}")
        self.line_no = line_no
        self.line = line


@dataclass(frozen=True)
class Notice:
    """One year's arrangement: days off and weekend days worked instead, each with its holiday's name."""

    year: int
    holidays: list[tuple[date, str]]
    workdays: list[tuple[date, str]]


# After NFKC normalisation full-width "：（），" are ASCII, so the patterns only need one form.
_TITLE = re.compile(r"关于(\d{4})年[^\n]{0,20}?安排的通知")
_ITEM = re.compile(r"^[一二三四五六七八九十]+、\s*([^:]{1,30}?)\s*:(.*)$")
_DATE = r"(?:\d{4}年)?(?:\d{1,2}月)?\d{1,2}日(?:\s*\([^)]*\))?"
_RANGE_SEP = r"至|-|—|–|~"
_SEGMENT = re.compile(rf"(?P<expr>{_DATE}(?:\s*(?:{_RANGE_SEP}|、|,)\s*{_DATE})*)\s*(?P<kind>放假|上班)")
_TOKEN = re.compile(
    r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日(?:\s*\((?P<note>[^)]*)\))?"
    rf"|(?P<range>{_RANGE_SEP})|(?P<list>[、,])"
)
_COUNT = re.compile(r"共(\d+)天")
_WEEKDAY_NOTE = re.compile(r"(?:周|星期)([一二三四五六日天])")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_BARE_DATE = re.compile(r"\d{1,2}月\d{1,2}日|\d{1,2}日")
_KEYWORDS = ("放假", "上班")
_LONGEST_RANGE = 31  # no arrangement has been longer than ~10 days; a month-long range is a typo


def parse_notice(text: str) -> Notice:
    """Parse a published notice or the TOML shape described in the module docstring."""
    if _looks_like_toml(text):
        return _parse_toml(text)
    return _parse_official_text(text)


def _looks_like_toml(text: str) -> bool:
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            return re.match(r"(year\s*=|\[\[?holiday\b)", line) is not None
    return False


def _parse_official_text(text: str) -> Notice:
    lines = [unicodedata.normalize("NFKC", raw).strip() for raw in text.splitlines()]
    year = _notice_year(lines)
    holidays: list[tuple[date, str]] = []
    workdays: list[tuple[date, str]] = []
    for line_no, line in enumerate(lines, start=1):
        item = _ITEM.match(line)
        if item is not None:
            label, body = item.group(1).strip(), item.group(2)
            _parse_item(body, label, year, line_no, line, holidays, workdays)
        elif any(k in line for k in _KEYWORDS) and "通知如下" not in line:
            # Never skip a line that might move a working day; the admin must fix or delete it.
            raise NoticeParseError("mentions 放假/上班 but is not a numbered item like '一、元旦：…'", line_no, line)
    if not holidays:
        raise NoticeParseError("no numbered holiday items ('一、元旦：1月1日放假…') were found")
    return _checked(Notice(year, holidays, workdays))


def _notice_year(lines: list[str]) -> int:
    years = {int(m.group(1)) for line in lines for m in _TITLE.finditer(line)}
    if len(years) != 1:
        found = ", ".join(str(y) for y in sorted(years)) or "none"
        raise NoticeParseError(f"expected one title '关于YYYY年部分节假日安排的通知', found years: {found}")
    return years.pop()


def _parse_item(
    body: str,
    label: str,
    year: int,
    line_no: int,
    line: str,
    holidays: list[tuple[date, str]],
    workdays: list[tuple[date, str]],
) -> None:
    saw_days_off = False
    for sentence in re.split(r"[。;]", body):
        if not any(k in sentence for k in _KEYWORDS):
            continue  # prose such as "鼓励……在除夕（2月9日）休息" changes no working day
        days_off = 0
        for segment in _SEGMENT.finditer(sentence):
            days = _expand(segment.group("expr"), year, line_no, line)
            target = holidays if segment.group("kind") == "放假" else workdays
            target.extend((d, label) for d in days)
            if segment.group("kind") == "放假":
                days_off += len(days)
        leftover = _SEGMENT.sub("", sentence)
        if any(k in leftover for k in _KEYWORDS) or _BARE_DATE.search(leftover):
            raise NoticeParseError(f"cannot read the dates in '{sentence}'", line_no, line)
        count = _COUNT.search(sentence)
        if count is not None and int(count.group(1)) != days_off:
            raise NoticeParseError(f"says 共{count.group(1)}天 but the dates give {days_off} days off", line_no, line)
        saw_days_off = saw_days_off or days_off > 0
    if not saw_days_off:
        raise NoticeParseError(f"item '{label}' gives no days off (no 'X月X日…放假')", line_no, line)


def _expand(expr: str, year: int, line_no: int, line: str) -> list[date]:
    """Turn '2月15日(…)至23日(…)' or '2月14日(周六)、2月28日(周六)' into the listed dates."""
    days: list[date] = []
    current_year, current_month = year, 0
    pending_range = False
    for token in _TOKEN.finditer(expr):
        if token.group("range"):
            pending_range = True
            continue
        if token.group("list"):
            continue
        current_year = int(token.group("y") or current_year)
        current_month = int(token.group("m") or current_month)
        if current_month == 0:
            raise NoticeParseError(f"'{token.group(0)}' has no month", line_no, line)
        day = _checked_date(current_year, current_month, int(token.group("d")), token.group("note"), line_no, line)
        if pending_range and days:
            days.extend(_range_after(days[-1], day, line_no, line))
        else:
            days.append(day)
        pending_range = False
    return days


def _checked_date(year: int, month: int, day: int, note: str | None, line_no: int, line: str) -> date:
    try:
        result = date(year, month, day)
    except ValueError:
        raise NoticeParseError(f"{year}-{month:02d}-{day:02d} is not a date", line_no, line) from None
    weekday = _WEEKDAY_NOTE.search(note or "")
    if weekday is not None and _WEEKDAYS[weekday.group(1)] != result.weekday():
        raise NoticeParseError(f"{result.isoformat()} is not a 周{weekday.group(1)}", line_no, line)
    return result


def _range_after(first: date, last: date, line_no: int, line: str) -> list[date]:
    length = (last - first).days
    if not 0 < length < _LONGEST_RANGE:
        raise NoticeParseError(f"range {first.isoformat()} to {last.isoformat()} is not plausible", line_no, line)
    return [first + timedelta(days=i) for i in range(1, length + 1)]


def _checked(notice: Notice) -> Notice:
    """Refuse a date listed twice: it is both a day off and a working day, or two items overlap."""
    seen: dict[date, str] = {}
    for day, label in [*notice.holidays, *notice.workdays]:
        if day in seen:
            raise NoticeParseError(f"{day.isoformat()} is listed twice ({seen[day]} and {label})")
        seen[day] = label
    return Notice(notice.year, sorted(notice.holidays), sorted(notice.workdays))


def _parse_toml(text: str) -> Notice:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise NoticeParseError(f"not valid TOML: {exc}") from None
    unknown = set(document) - {"year", "holiday"}
    if unknown:
        raise NoticeParseError(f"unknown top-level keys: {', '.join(sorted(unknown))}")
    year = document.get("year")
    entries = document.get("holiday")
    if not isinstance(year, int) or isinstance(year, bool):
        raise NoticeParseError("'year = YYYY' (an integer) is required")
    if not isinstance(entries, list) or not entries:
        raise NoticeParseError("at least one [[holiday]] table is required")
    holidays: list[tuple[date, str]] = []
    workdays: list[tuple[date, str]] = []
    for index, entry in enumerate(entries, start=1):
        _toml_entry(entry, f"[[holiday]] #{index}", holidays, workdays)
    return _checked(Notice(year, holidays, workdays))


def _toml_entry(entry: Any, where: str, holidays: list[tuple[date, str]], workdays: list[tuple[date, str]]) -> None:
    if not isinstance(entry, dict):
        raise NoticeParseError(f"{where}: must be a table")
    unknown = set(entry) - {"label", "start", "end", "workdays"}
    if unknown:
        raise NoticeParseError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    label = entry.get("label")
    if not isinstance(label, str) or not label.strip():
        raise NoticeParseError(f"{where}: 'label' (the holiday's name, e.g. \"春节\") is required")
    where = f"{where} ({label})"
    start = _toml_date(entry.get("start"), f"{where} start")
    end = _toml_date(entry.get("end", start), f"{where} end")
    if not 0 <= (end - start).days < _LONGEST_RANGE:
        raise NoticeParseError(f"{where}: end {end.isoformat()} must be on or within a month after start")
    holidays.extend((start + timedelta(days=i), label) for i in range((end - start).days + 1))
    extra = entry.get("workdays", [])
    if not isinstance(extra, list):
        raise NoticeParseError(f"{where}: 'workdays' must be a list of dates")
    workdays.extend((_toml_date(value, f"{where} workdays"), label) for value in extra)


def _toml_date(value: Any, where: str) -> date:
    # tomllib yields datetime for offset date-times, and datetime is a date subclass: refuse it explicitly.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise NoticeParseError(f"{where}: expected a date like 2027-02-05, got {value!r}")
