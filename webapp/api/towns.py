"""Town centres and their duty roster over the API: the towns (windows by category, items received and
decided, agents), a month's roster, generating it, swapping a slot, who is on duty, and a case received at a
town (off-hours with the officer on duty). The towns and who is on duty are public (the 值班表 is posted) by
display names and days only; the full month (logins, swaps and their reasons) needs a sign-in."""

from __future__ import annotations

from datetime import date, datetime

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from engine.errors import FieldError, FormValidationError
from webapp.api import bp
from webapp.api.render import int_arg, json_body
from webapp.auth import current_principal, platform


def _date(value: object, name: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise FormValidationError(f"bad {name}", [FieldError(name, "a date like 2026-10-03")]) from None


def _month_args() -> tuple[int, int]:
    today = platform().clock.now().date()
    return int_arg("year", today.year, 2000, 2100), int_arg("month", today.month, 1, 12)


@bp.get("/public/towns")
def public_towns() -> ResponseReturnValue:
    """Every town centre: its four windows with the items received and decided there, staff and agents."""
    return jsonify(platform().towns.overview())


@bp.get("/public/towns/<code>/on-duty")
def public_on_duty(code: str) -> ResponseReturnValue:
    """Who takes intake now (or at ?at=ISO instant) and the rest-day duties of the next two weeks."""
    raw = request.args.get("at")
    try:
        at = datetime.fromisoformat(raw) if raw else None
    except ValueError:
        raise FormValidationError("bad instant", [FieldError("at", "an ISO date-time with its zone")]) from None
    if at is not None and at.tzinfo is None:
        raise FormValidationError("bad instant", [FieldError("at", "an ISO date-time with its zone")])
    return jsonify(platform().roster.public_on_duty(code, at))


@bp.get("/public/towns/<code>/roster")
def public_roster(code: str) -> ResponseReturnValue:
    """A month's duty roster as posted (?year=&month=, default this month): days and display names only."""
    year, month = _month_args()
    return jsonify(platform().roster.public_month(code, year, month))


@bp.get("/towns/<code>/roster")
def roster_month(code: str) -> ResponseReturnValue:
    """The full month for signed-in staff: logins, swaps with who handed over and why, each person's counts."""
    current_principal()
    year, month = _month_args()
    return jsonify(platform().roster.month(code, year, month))


@bp.post("/towns/<code>/roster")
def generate_roster(code: str) -> ResponseReturnValue:
    """Generate a month: {year, month, off_hours?, leave?: {username: [dates]}} (the town's own staff, role
    town_officer, or an administrator); without off_hours, the town's own setting (evening duty unless it keeps none).
    Regenerating rewrites the month from today on: past days and agreed swaps stay."""
    body = json_body()
    year, month = body.get("year"), body.get("month")
    leave = body.get("leave") or {}
    if not isinstance(leave, dict):
        raise FormValidationError("bad leave", [FieldError("leave", "{username: [dates]}")])
    off_hours = body.get("off_hours")  # absent: the town's own off_hours_duty (towns.toml, true by default)
    if off_hours is not None and not isinstance(off_hours, bool):
        raise FormValidationError("bad off_hours", [FieldError("off_hours", "true or false")])
    result = platform().roster.generate(current_principal(), code, year, month, off_hours=off_hours, leave=leave)
    return jsonify(result), 201


@bp.post("/towns/<code>/roster/swap")
def swap_duty(code: str) -> ResponseReturnValue:
    """Hand one slot to a colleague: {day, shift, username, reason}."""
    body = json_body()
    duty = platform().roster.swap(
        current_principal(),
        code,
        _date(body.get("day"), "day"),
        str(body.get("shift") or ""),
        str(body.get("username") or ""),
        str(body.get("reason") or ""),
    )
    return jsonify(duty)


@bp.post("/towns/<code>/cases")
def town_case(code: str) -> ResponseReturnValue:
    """Receive a case at a town: {item_code, applicant, materials, channel}; off-hours it is recorded with the
    officer on duty and its clocks count from the next opening."""
    return jsonify(platform().towns.open_case(current_principal(), code, json_body())), 201


@bp.get("/towns/<code>/intakes")
def town_intakes(code: str) -> ResponseReturnValue:
    """The town's off-hours intakes with the officer on duty, newest first (the town's staff)."""
    return jsonify(platform().towns.duty_intakes(current_principal(), code))


@bp.get("/cases/<case_no>/town-receipt")
def town_receipt(case_no: str) -> ResponseReturnValue:
    """How a case was received at a town: off-hours or not, the officer on duty, the counted acceptance limit."""
    current_principal()
    return jsonify(platform().towns.receipt(case_no))
