"""Fees of a case: which of an item's charges a case pays, and the guard against charging a waived one.

A key project's child case (重点项目并联审批) pays statutory fees (法定收费) only: every other charge of the item is
waived (免收) and printed as such on its notices. Other cases pay every listed charge. Pure rules: amounts are
exact decimals of yuan, never floats.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from engine.domain.catalogue_model import Charge, Fee
from engine.errors import FieldError, FormValidationError

if TYPE_CHECKING:  # only for annotations: cases.py imports ChargedFee from here
    from engine.domain.cases import Case

__all__ = [
    "FEES_FIELD", "WAIVED_NOTE", "ChargedFee", "FeeLine", "check_charge", "check_charges", "fee_from_guide",
    "fee_lines", "payable_total",
]  # fmt: skip

#: printed beside every waived line on a key project's notices
WAIVED_NOTE = "免收（重点项目并联审批，仅收取法定费用）"
#: the form field (forms/delivery.json) that lists the charges collected
FEES_FIELD = "fees_charged"
_FEN = Decimal("0.01")


@dataclass(frozen=True)
class FeeLine:
    """One charge of an item as a given case pays it."""

    name: str
    amount: Decimal  # the published amount, also when waived
    statutory: bool
    waived: bool
    basis: str

    @property
    def payable(self) -> Decimal:
        return Decimal(0) if self.waived else self.amount


@dataclass(frozen=True)
class ChargedFee:
    """A charge recorded as collected on a case (at delivery)."""

    name: str
    amount: str  # yuan as decimal text, as in the catalogue when it was charged
    statutory: bool
    at: datetime
    actor: str


def fee_lines(fee: Fee, statutory_fees_only: bool) -> list[FeeLine]:
    """Every listed charge in catalogue order; on a statutory-fees-only case the non-statutory ones are waived.
    An item whose fee is not itemised (no ``charges``) has no lines: its ``amount_text`` is all there is."""
    return [
        FeeLine(c.name, Decimal(c.amount), c.statutory, statutory_fees_only and not c.statutory, c.basis)
        for c in fee.charges
    ]


def payable_total(lines: Iterable[FeeLine]) -> Decimal:
    """What the applicant pays: the sum of the lines not waived, in yuan to the fen."""
    return sum((line.payable for line in lines), Decimal(0)).quantize(_FEN)


def fee_from_guide(guide_fee: Mapping[str, Any] | None) -> Fee:
    """The catalogue Fee again from its plain form (the ``fee`` of a stored guide)."""
    data = guide_fee or {}
    charges = tuple(
        Charge(str(c["name"]), str(c["amount"]), bool(c["statutory"]), str(c.get("basis", "")))
        for c in data.get("charges") or ()
    )
    return Fee(str(data.get("amount_text", "")), str(data.get("basis", "")), charges)


def check_charge(case: Case, charge_name: str, fee: Fee, field: str = FEES_FIELD) -> Charge:
    """The item's charge named ``charge_name``, if this case may be charged it; otherwise FormValidationError
    on ``field``: a charge the guide does not list (no fee beyond the published ones), or a non-statutory
    charge on a statutory-fees-only case (it is waived there)."""
    name = charge_name.strip()
    charge = next((c for c in fee.charges if c.name == name), None)
    if charge is None:
        listed = "、".join(c.name for c in fee.charges) or "无"
        message = f"「{name}」不是本事项办事指南列明的收费项目（列明：{listed}） / not a charge listed for this item"
        raise FormValidationError(message, [FieldError(field, message)])
    if case.statutory_fees_only and not charge.statutory:
        message = (
            f"「{name}」不是法定收费，重点项目并联审批仅收取法定费用，该项免收 / "
            f"{name} is not a statutory fee: case {case.case_no} of a key project pays statutory fees only"
        )
        raise FormValidationError(message, [FieldError(field, message)])
    return charge


def check_charges(case: Case, names: Iterable[str], fee: Fee, at: datetime, actor: str) -> list[ChargedFee]:
    """Every named charge checked (all refusals reported at once), as the records to keep on the case."""
    charged: list[ChargedFee] = []
    errors: list[FieldError] = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        try:
            charge = check_charge(case, name, fee)
        except FormValidationError as refused:
            errors.extend(refused.field_errors)
            continue
        charged.append(ChargedFee(charge.name, charge.amount, charge.statutory, at, actor))
    if errors:
        raise FormValidationError("；".join(e.message for e in errors), errors)
    return charged
