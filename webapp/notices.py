"""Printable notices (文书) of a case as server-rendered HTML (A4 print CSS, no JavaScript).

The engine describes a notice as a plain dict; :func:`render_notice` validates and normalises it, then renders
``webapp/templates/notices/<kind>.html`` with Jinja2 autoescaping on. Every notice shows the centre's name,
its title and number (文号), the case number (办件编号), the item (name and code), the applicant, its dates,
the promised deadline where relevant and the complaint phone (投诉和监督电话). Contents follow the domain
specification §4.1–§4.2 (行政许可法 第32、38、42、44、45条; rights to 行政复议 / 行政诉讼).

Input keys (all optional except ``kind``; a missing or empty value prints as a blank line to fill by hand):

===================  =========================================================================================
``kind``             one of :data:`NOTICE_KINDS` (``receipt``, ``acceptance``, ``non_acceptance``, ``correction``,
                     ``special_procedure``, ``extension``, ``approval``, ``refusal``, ``delivery``)
``number``           the notice's 文号, e.g. ``嵩政务受字〔2026〕0001号``
``issued_at``        when the notice is issued (the date above the seal)
``centre_name``      default :data:`DEFAULT_CENTRE_NAME` (嵩明县政务服务中心)
``department_name``  the department deciding the item (受理机关 / 决定机关), e.g. ``嵩明县自然资源局``
``case_no``          办件编号
``item_code``        事项编码 (实施编码)
``item_name``        事项名称
``applicant_name``   申请人 (person or organisation)
``received_at``      when the materials were received (收件)
``accepted_at``      when the case was accepted (受理)
``due_at``           the promised completion deadline (承诺办结日期); on ``correction`` the deadline for
                     supplying the materials (补正期限)
``promised_days``    承诺办理时限 in working days (int)
``statutory_days``   法定办理时限 in working days (int)
``complaint_phone``  投诉和监督电话
``office_phone``     咨询电话 of the window / department
``materials``        list of ``{name, form, copies, received}``: ``form`` is ``原件``/``复印件``/``电子件`` (or
                     ``original``/``copy``/``electronic``), ``copies`` an int, ``received`` a bool
``missing``          list of str: every missing or wrong material (补正内容); the correction notice also lists each
                     material with ``received: false`` that ``missing`` does not name, so nothing is left out
``reasons``          list of str: reasons (不予受理, 不予许可, 延期)
``procedure``        ``{name, expected_days, started_at}``: 特别程序 (听证、检验、检测、鉴定、专家评审…);
                     ``expected_days`` in working days
``extension``        ``{days, reason, new_due_at, approver}``: extra working days, why, the new deadline, who approved
``decision``         ``{approved, decided_at, content}``: the decision and, when approved, the licence's content;
                     ``approval`` with ``approved: false`` (or ``refusal`` with ``true``) is a ValueError
``delivery``         ``{method, delivered_at, receiver, document, document_number, address}``: ``method`` is
                     ``直接送达``… or ``in_person``/``agent``/``mail``/``electronic``/``left``/``public``;
                     ``document`` and ``document_number`` name the document delivered (default: from ``decision``)
``legal_basis``      list of ``{law, article}``, e.g. ``{"law": "中华人民共和国行政许可法", "article": 32}``
``refer_to``         str: where to apply instead (不予受理 because another agency is competent)
``fees``             ``{statutory_only, amount_text, basis, lines, total, charged, charged_total}`` (key projects'
                     cases only): ``lines`` is a list of ``{name, amount, statutory, waived, basis, note}``, amounts
                     in yuan as decimal text; a waived line prints its ``note`` (免收（重点项目并联审批…）) instead of
                     a payable amount; ``total`` is what is payable, ``charged`` the ``{name, amount}`` collected
``inferred``         list of field names whose values are demo/inferred data; each such value is followed by a
                     visible "（示例数据）" and the notice carries a banner saying it has no legal force. A name may
                     be a top-level key (``applicant_name``, ``materials``…) or a dotted sub-key
                     (``extension.approver``); a top-level name marks all of its sub-keys
===================  =========================================================================================

Instants are ISO 8601 strings with an offset (``2026-03-09T02:30:00Z``) or aware ``datetime`` objects, shown as
local dates in the centre's zone (``2026年3月9日``, Asia/Shanghai by default); a bare date (``2026-03-09``) is a
calendar date. A naive date-time is refused (ValueError), as the engine refuses it, rather than guessed.
Deadlines (``due_at``, ``extension.new_due_at``) end at local midnight after their last working day
(``ONESTOP_WORKDAY_END=24:00``), so a deadline at exactly 00:00 local is printed as the day before: the last
working day. Working days print as ``5个工作日``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

__all__ = ["DEFAULT_CENTRE_NAME", "NOTICE_KINDS", "render_notice"]

#: kind → the notice's Chinese title
NOTICE_KINDS: dict[str, str] = {
    "receipt": "材料接收凭证",
    "acceptance": "受理通知书",
    "non_acceptance": "不予受理通知书",
    "correction": "补正材料通知书（一次性告知单）",
    "special_procedure": "特别程序告知书",
    "extension": "延期通知书",
    "approval": "准予行政许可决定书",
    "refusal": "不予行政许可决定书",
    "delivery": "送达回证",
}

DEFAULT_CENTRE_NAME = "嵩明县政务服务中心"
DEFAULT_TIMEZONE = "Asia/Shanghai"

_TEMPLATES = Path(__file__).resolve().parent / "templates"

_TEXT_FIELDS = (
    "number", "centre_name", "department_name", "case_no", "item_code", "item_name", "applicant_name",
    "complaint_phone", "office_phone", "refer_to",
)  # fmt: skip
_INSTANT_FIELDS = ("issued_at", "received_at", "accepted_at", "due_at")
_DAY_FIELDS = ("promised_days", "statutory_days")
_TEXT_LISTS = ("missing", "reasons")

# each nested dict: sub-key → how it is read ("text", "instant", "days", "int", "bool")
_SECTIONS: dict[str, dict[str, str]] = {
    "procedure": {"name": "text", "expected_days": "days", "started_at": "instant"},
    "extension": {"days": "days", "reason": "text", "new_due_at": "instant", "approver": "text"},
    "decision": {"approved": "bool", "decided_at": "instant", "content": "text"},
    "delivery": {
        "method": "text", "delivered_at": "instant", "receiver": "text", "document": "text",
        "document_number": "text", "address": "text",
    },
}  # fmt: skip
_MATERIAL = {"name": "text", "form": "text", "copies": "int", "received": "bool"}
_FEES = {
    "statutory_only": "bool", "amount_text": "text", "basis": "text", "total": "text", "charged_total": "text",
}  # fmt: skip
_FEE_LINE = {"name": "text", "amount": "text", "statutory": "bool", "waived": "bool", "basis": "text", "note": "text"}
_CHARGED = {"name": "text", "amount": "text"}
_LEGAL_BASIS = {"law": "text", "article": "article"}

_FORMS = {"original": "原件", "copy": "复印件", "electronic": "电子件", "scan": "电子件"}
_METHODS = {
    "in_person": "直接送达", "direct": "直接送达", "window": "直接送达（窗口领取）", "agent": "委托送达",
    "mail": "邮寄送达", "post": "邮寄送达", "express": "邮寄送达", "electronic": "电子送达", "left": "留置送达",
    "public": "公告送达",
}  # fmt: skip

_BLANK = Markup('<span class="blank" aria-label="待填写"></span>')
_INFERRED = Markup('<span class="inferred">（示例数据）</span>')

_environment: Environment | None = None


def render_notice(notice: Mapping[str, Any], *, timezone: str = DEFAULT_TIMEZONE) -> str:
    """The notice as a complete HTML page; ValueError names the kind or field that is unknown or malformed."""
    if not isinstance(notice, Mapping):
        raise ValueError(f"a notice must be a dict, got {type(notice).__name__}")
    kind = notice.get("kind")
    if not isinstance(kind, str) or kind not in NOTICE_KINDS:
        known = ", ".join(NOTICE_KINDS)
        raise ValueError(f"unknown notice kind {kind!r}; known kinds: {known}")
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {timezone!r}") from None
    context = _context(kind, notice, zone)
    return _env().get_template(f"notices/{kind}.html").render(context)


def _env() -> Environment:
    global _environment
    if _environment is None:
        env = Environment(
            loader=FileSystemLoader(str(_TEMPLATES)),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters.update(
            cn_date=_cn_date,
            cn_datetime=_cn_datetime,
            cn_due=_cn_due,
            workdays=_workdays,
            copies=_copies,
            material_form=_material_form,
            delivery_method=_delivery_method,
            law_ref=_law_ref,
        )
        _environment = env
    return _environment


# ---------------------------------------------------------------------------------------------- normalising


def _context(kind: str, notice: Mapping[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    context: dict[str, Any] = {"kind": kind, "title": NOTICE_KINDS[kind], "zone": zone}
    for name in _TEXT_FIELDS:
        context[name] = _text(notice.get(name), name)
    context["centre_name"] = context["centre_name"] or DEFAULT_CENTRE_NAME
    for name in _INSTANT_FIELDS:
        context[name] = _instant(notice.get(name), name, zone)
    for name in _DAY_FIELDS:
        context[name] = _days(notice.get(name), name)
    for name in _TEXT_LISTS:
        context[name] = [text for text in (_text(v, f"{name}[{i}]") for i, v in _items(notice, name)) if text]
    for name, spec in _SECTIONS.items():
        context[name] = _record(notice.get(name), spec, name, zone)
    context["materials"] = [_record(v, _MATERIAL, f"materials[{i}]", zone) for i, v in _items(notice, "materials")]
    context["legal_basis"] = [
        record
        for record in (_record(v, _LEGAL_BASIS, f"legal_basis[{i}]", zone) for i, v in _items(notice, "legal_basis"))
        if record["law"]
    ]
    context["fees"] = _fees(notice.get("fees"), zone)
    inferred = {text for text in (_text(v, f"inferred[{i}]") for i, v in _items(notice, "inferred")) if text}
    context["inferred"] = sorted(inferred)
    context["show"] = _shower(inferred)
    context["mark"] = _marker(inferred)
    context["blank"] = lambda: _BLANK
    context["to_correct"] = _to_correct(context["missing"], context["materials"])
    context["delivery_document"] = _delivery_document(context["delivery"], context["decision"])
    _check_decision(kind, context["decision"])
    return context


def _fees(value: Any, zone: ZoneInfo) -> dict[str, Any] | None:
    """The fee section (a key project's case): None when the notice has none, so the page prints none."""
    if value is None:
        return None
    fees = _record(value, _FEES, "fees", zone)
    fees["lines"] = [_record(v, _FEE_LINE, f"fees.lines[{i}]", zone) for i, v in _items(value, "lines")]
    fees["charged"] = [_record(v, _CHARGED, f"fees.charged[{i}]", zone) for i, v in _items(value, "charged")]
    return fees


def _to_correct(missing: list[str], materials: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Every item to correct at once: ``missing``, then each material marked not received that it does not name."""
    items = [{"text": text, "field": "missing"} for text in missing]
    for material in materials:
        name = material["name"]
        if material["received"] is False and name and name not in missing:
            items.append({"text": name, "field": "materials"})
    return items


def _delivery_document(delivery: Mapping[str, Any], decision: Mapping[str, Any]) -> str | None:
    """The document a 送达回证 covers: as given, else the decision's own title."""
    if delivery["document"]:
        return str(delivery["document"])
    approved = decision["approved"]
    if approved is None:
        return None
    return NOTICE_KINDS["approval"] if approved else NOTICE_KINDS["refusal"]


def _items(notice: Mapping[str, Any], name: str) -> list[tuple[int, Any]]:
    value = notice.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [(0, value)]
    if not isinstance(value, list | tuple):
        raise ValueError(f"{name} must be a list, got {type(value).__name__}")
    return list(enumerate(value))


def _record(value: Any, spec: Mapping[str, str], name: str, zone: ZoneInfo) -> dict[str, Any]:
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        raise ValueError(f"{name} must be a dict, got {type(value).__name__}")
    record: dict[str, Any] = {}
    for key, how in spec.items():
        field, raw = f"{name}.{key}", value.get(key)
        if how == "text":
            record[key] = _text(raw, field)
        elif how == "instant":
            record[key] = _instant(raw, field, zone)
        elif how in ("days", "int"):
            record[key] = _days(raw, field)
        elif how == "bool":
            record[key] = _flag(raw, field)
        else:  # article: a number or a text such as "第三十二条第一款"
            record[key] = raw if isinstance(raw, int) and not isinstance(raw, bool) else _text(raw, field)
    return record


def _text(value: Any, name: str) -> str | None:
    """Plain text (an exact ``str``: a Markup subclass from the input is never trusted); empty → None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{name} must be text, got {type(value).__name__}")
    text = str.__str__(value) if isinstance(value, str) else str(value)
    text = text.strip()
    return text or None


def _days(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a whole number of days, got {value!r}")
    return value


def _flag(value: Any, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(f"{name} must be true or false, got {value!r}")


def _instant(value: Any, name: str, zone: ZoneInfo) -> datetime | date | None:
    """An aware instant in the centre's zone, or a bare calendar date; naive date-times are refused."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            value = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{name} is not an ISO 8601 date or instant: {value!r}") from None
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{name} must carry a time zone offset (e.g. 'Z' or '+08:00'), got {value.isoformat()}")
        return value.astimezone(zone)
    if isinstance(value, date):
        return value
    raise ValueError(f"{name} must be an ISO 8601 date or instant, got {type(value).__name__}")


def _check_decision(kind: str, decision: Mapping[str, Any]) -> None:
    approved = decision.get("approved")
    if kind == "approval" and approved is False:
        raise ValueError("an approval notice needs decision.approved to be true (use kind 'refusal')")
    if kind == "refusal" and approved is True:
        raise ValueError("a refusal notice needs decision.approved to be false (use kind 'approval')")


def _is_inferred(inferred: set[str], names: tuple[str, ...]) -> bool:
    for name in names:
        parts = name.split(".")
        if any(".".join(parts[: i + 1]) in inferred for i in range(len(parts))):
            return True
    return False


def _shower(inferred: set[str]) -> Callable[..., Markup]:
    def show(value: Any, *names: str) -> Markup:
        """The value escaped (or a blank line to fill in) followed by the demo mark when any name is inferred."""
        shown: Markup = _BLANK if value is None or value == "" else escape(str(value))
        return shown + _INFERRED if _is_inferred(inferred, names) else shown

    return show


def _marker(inferred: set[str]) -> Callable[..., Markup]:
    def mark(*names: str) -> Markup:
        return _INFERRED if _is_inferred(inferred, names) else Markup("")

    return mark


# ------------------------------------------------------------------------------------------------ filters


def _cn_date(value: datetime | date | None) -> str:
    """``2026年3月9日``; '' for a missing value."""
    if value is None:
        return ""
    day = value.date() if isinstance(value, datetime) else value
    return f"{day.year}年{day.month}月{day.day}日"


def _cn_datetime(value: datetime | date | None) -> str:
    """``2026年3月9日 10:30`` (local); a bare date prints as a date."""
    if not isinstance(value, datetime):
        return _cn_date(value)
    return f"{_cn_date(value)} {value:%H:%M}"


def _cn_due(value: datetime | date | None) -> str:
    """A deadline as its last day: an instant at exactly local midnight ends the day before."""
    if isinstance(value, datetime) and value.time() == time(0, 0):
        return _cn_date(value.date() - timedelta(days=1))
    return _cn_date(value)


def _workdays(value: int | None) -> str:
    return "" if value is None else f"{value}个工作日"


def _copies(value: int | None) -> str:
    return "" if value is None else f"{value}份"


def _material_form(value: str | None) -> str:
    if value is None:
        return ""
    return _FORMS.get(value.lower(), value)


def _delivery_method(value: str | None) -> str:
    if value is None:
        return ""
    return _METHODS.get(value.lower(), value)


def _law_ref(basis: Mapping[str, Any]) -> str:
    """``《中华人民共和国行政许可法》第三十二条`` from ``{law, article}``."""
    law = str(basis["law"])
    if not law.startswith("《"):
        law = f"《{law}》"
    article = basis.get("article")
    if article is None:
        return law
    if isinstance(article, int):
        return f"{law}第{_chinese_number(article)}条"
    if article.isdigit():
        return f"{law}第{_chinese_number(int(article))}条"
    return f"{law}{article}"


_DIGITS = "零一二三四五六七八九"


def _chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 45 → 四十五, 101 → 一百零一 (article numbers; up to 9999)."""
    if n <= 0 or n > 9999:
        return str(n)
    if 10 <= n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            if zero and out:
                out += "零"
            out += _DIGITS[digit] + unit
            zero = False
        else:
            zero = True
    return out
