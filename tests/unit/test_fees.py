"""Itemised fees: the catalogue's charges and their validation, which lines a key project's case pays, the guard
against charging it a waived fee, the case record of charges collected, and the fee section of a notice."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from engine.domain.case_codec import case_from_dict, case_to_dict
from engine.domain.cases import Case
from engine.domain.catalogue import load_catalogue
from engine.domain.catalogue_model import Charge, Fee
from engine.domain.fees import (
    WAIVED_NOTE,
    ChargedFee,
    check_charge,
    check_charges,
    fee_from_guide,
    fee_lines,
    payable_total,
)
from engine.errors import FormValidationError
from engine.services.catalogue import plain
from engine.services.notices import notice_content
from tests.conftest import CST, ROOT
from tests.unit.test_catalogue import VALID, problems_of
from webapp.notices import render_notice

AT = datetime(2026, 3, 10, 9, 0, tzinfo=CST)
FEE = Fee(
    "登记费550元/件；证书工本费10元/本",
    "国家不动产登记收费标准",
    (
        Charge("不动产登记费（非住宅类）", "550.00", True, "发改价格规〔2016〕2559号"),
        Charge("不动产权证书工本费（第二本）", "10", True, "发改价格规〔2016〕2559号"),
        Charge("不动产权籍调查技术服务费", "3000.50", False, "经营服务性收费"),
    ),
)
SHIPPED = load_catalogue((ROOT / "processes" / "catalog.toml").read_text(encoding="utf-8"))


def case(fast_track: bool) -> Case:
    return Case(
        "FW-ZRZY-001202603100001",
        "FW-ZRZY-001",
        AT,
        promised_days=5,
        statutory_days=30,
        project_code="XM-2026-001" if fast_track else None,
        statutory_fees_only=fast_track,
    )


# ------------------------------------------------------------------------------------------------ fee lines


def test_an_ordinary_case_pays_every_listed_charge() -> None:
    lines = fee_lines(FEE, statutory_fees_only=False)
    assert [(line.name, line.waived) for line in lines] == [(c.name, False) for c in FEE.charges]
    assert payable_total(lines) == Decimal("3560.50")


def test_a_key_project_case_pays_statutory_charges_only_and_the_others_are_waived() -> None:
    lines = fee_lines(FEE, statutory_fees_only=True)
    assert [line.waived for line in lines] == [False, False, True]
    waived = lines[2]
    assert waived.amount == Decimal("3000.50") and waived.payable == 0 and not waived.statutory
    assert payable_total(lines) == Decimal("560.00")
    assert str(payable_total(lines)) == "560.00"  # to the fen


def test_a_fee_without_charges_has_no_lines_and_nothing_payable() -> None:
    assert fee_lines(Fee("不收费", "行政许可法第五十八条"), statutory_fees_only=True) == []
    assert payable_total([]) == Decimal("0.00")


def test_the_fee_is_rebuilt_from_its_stored_guide() -> None:
    item = SHIPPED.item("FW-ZRZY-001")
    assert fee_from_guide(plain(item)["fee"]) == item.fee
    assert fee_from_guide({"amount_text": "不收费", "basis": "无"}) == Fee("不收费", "无")


# ------------------------------------------------------------------------------------------------ the guard


def test_a_key_project_case_may_not_be_charged_a_non_statutory_fee() -> None:
    with pytest.raises(FormValidationError) as refused:
        check_charge(case(fast_track=True), "不动产权籍调查技术服务费", FEE)
    assert [e.field for e in refused.value.field_errors] == ["fees_charged"]
    assert "仅收取法定费用" in refused.value.field_errors[0].message


def test_a_key_project_case_may_be_charged_a_statutory_fee() -> None:
    assert check_charge(case(fast_track=True), " 不动产登记费（非住宅类） ", FEE) is FEE.charges[0]


def test_an_ordinary_case_may_be_charged_a_non_statutory_fee() -> None:
    assert check_charge(case(fast_track=False), "不动产权籍调查技术服务费", FEE) is FEE.charges[2]


def test_a_charge_the_guide_does_not_list_is_refused_on_any_case() -> None:
    for fast_track in (False, True):
        with pytest.raises(FormValidationError, match="不是本事项办事指南列明的收费项目") as refused:
            check_charge(case(fast_track), "加急费", FEE)
        assert refused.value.field_errors[0].field == "fees_charged"
    with pytest.raises(FormValidationError, match="列明：无"):
        check_charge(case(False), "工本费", Fee("不收费", "无"))


def test_every_refused_charge_is_reported_at_once_and_accepted_ones_are_recorded() -> None:
    with pytest.raises(FormValidationError) as refused:
        check_charges(case(True), ["不动产登记费（非住宅类）", "不动产权籍调查技术服务费", "加急费"], FEE, AT, "win")
    assert len(refused.value.field_errors) == 2
    charged = check_charges(case(True), ["不动产登记费（非住宅类）", "", "不动产登记费（非住宅类）"], FEE, AT, "win")
    assert charged == [ChargedFee("不动产登记费（非住宅类）", "550.00", True, AT, "win")]


# ------------------------------------------------------------------------------------------------ case record


def test_charges_collected_survive_the_case_codec_and_old_records_have_none() -> None:
    record = case(fast_track=True)
    record.fees_charged.append(ChargedFee("不动产登记费（非住宅类）", "550.00", True, AT, "win"))
    again = case_from_dict(case_to_dict(record))
    assert again.fees_charged == record.fees_charged and again.statutory_fees_only
    old = case_to_dict(case(fast_track=False))
    del old["fees_charged"]
    assert case_from_dict(old).fees_charged == []


# ------------------------------------------------------------------------------------------- the catalogue


def test_the_shipped_catalogue_itemises_charges_of_key_project_items() -> None:
    itemised = {item.code: item for item in SHIPPED.items if item.fee.charges}
    assert set(itemised) == {"FW-ZRZY-001", "XK-ZFCX-004"}
    for item in itemised.values():
        kinds = {charge.statutory for charge in item.fee.charges}
        assert kinds == {True, False}, item.code  # something to pay and something waived
        assert all(charge.basis.strip() for charge in item.fee.charges), item.code
        assert item.is_inferred("fee.charges"), item.code  # demo amounts are never shown as official
        assert all(Decimal(charge.amount) > 0 for charge in item.fee.charges), item.code
    road = fee_lines(itemised["XK-ZFCX-004"].fee, statutory_fees_only=True)
    assert payable_total(road) == Decimal("6000.00")


CHARGES = (
    'fee = { amount_text = "登记费550元/件", basis = "收费标准", charges = ['
    '{ name = "登记费", amount = "550.00", statutory = true, basis = "发改价格规〔2016〕2559号" }, '
    '{ name = "技术服务费", amount = "3000", statutory = false, basis = "经营服务性收费" }] }'
)
FREE = 'fee = { amount_text = "不收费", basis = "中华人民共和国行政许可法第五十八条" }'


def test_a_fee_may_list_its_charges() -> None:
    assert FREE in VALID
    fee = load_catalogue(VALID.replace(FREE, CHARGES)).item("XK-ZRZY-001").fee
    assert [(c.name, c.amount, c.statutory) for c in fee.charges] == [
        ("登记费", "550.00", True),
        ("技术服务费", "3000", False),
    ]
    assert load_catalogue(VALID).item("XK-ZRZY-001").fee.charges == ()  # the old form stays valid


BAD_CHARGES = [
    ("float amount", '"550.00"', "550.0", "charges[0]: amount: write yuan as decimal text"),
    ("not a number", '"550.00"', '"五百五十元"', "charges[0]: amount: not an amount in yuan"),
    ("three decimals", '"550.00"', '"550.005"', "at most two decimals"),
    ("negative", '"550.00"', '"-1"', "at most two decimals"),
    ("missing amount", 'amount = "550.00", ', "", "charges[0]: amount: missing required field"),
    ("missing statutory", "statutory = true, ", "", "charges[0]: statutory: missing required field"),
    ("statutory as text", "statutory = true", 'statutory = "是"', "statutory: expected true or false"),
    ("empty basis", 'basis = "经营服务性收费"', 'basis = ""', "charges[1]: basis: must not be empty"),
    (
        "unknown key",
        'statutory = false, basis = "经营',
        'statutory = false, legal = 1, basis = "经营',
        "legal: unknown",
    ),
    ("duplicate name", 'name = "技术服务费"', 'name = "登记费"', "fee: charges: duplicate charge '登记费'"),
    ("charges of a free item", 'amount_text = "登记费550元/件"', 'amount_text = "不收费"', "cannot list charges"),
]


@pytest.mark.parametrize(("label", "old", "new", "expected"), BAD_CHARGES, ids=[c[0] for c in BAD_CHARGES])
def test_the_loader_names_item_and_field_of_each_charge_error(label: str, old: str, new: str, expected: str) -> None:
    assert old in CHARGES, label
    problems = problems_of(VALID.replace(FREE, CHARGES.replace(old, new, 1)))
    assert "item XK-ZRZY-001 fee" in problems and expected in problems, problems


def test_an_empty_charges_list_is_refused() -> None:
    text = VALID.replace(FREE, FREE.replace(" }", ", charges = [] }"))
    assert "item XK-ZRZY-001 fee: charges: must not be empty" in problems_of(text)


def test_fee_charges_may_be_marked_inferred() -> None:
    item = load_catalogue(VALID.replace('inferred = ["materials.copies"]', 'inferred = ["fee.charges"]')).item(
        "XK-ZRZY-001"
    )
    assert item.is_inferred("fee.charges") and not item.is_inferred("fee.basis")


# ------------------------------------------------------------------------------------------------ notices


def fees_section(*, charged: bool = False) -> dict[str, object]:
    return {
        "statutory_only": True,
        "amount_text": FEE.amount_text,
        "lines": [
            {"name": "不动产登记费（非住宅类）", "amount": "550.00", "statutory": True, "waived": False},
            {
                "name": "不动产权籍调查技术服务费",
                "amount": "3000.50",
                "statutory": False,
                "waived": True,
                "note": WAIVED_NOTE,
            },
        ],  # fmt: skip
        "total": "550.00",
        "charged": [{"name": "不动产登记费（非住宅类）", "amount": "550.00"}] if charged else [],
        "charged_total": "550.00" if charged else None,
    }


def notice(kind: str, **extra: object) -> dict[str, object]:
    return {"kind": kind, "case_no": "FW-ZRZY-001202603100001", "item_name": "不动产登记", **extra}


def test_a_notice_with_fees_prints_every_line_the_waived_ones_and_the_total() -> None:
    html = render_notice(notice("acceptance", fees=fees_section()))
    assert "收费情况（重点项目并联审批，仅收取法定费用）" in html
    assert "不动产登记费（非住宅类）（法定收费）" in html and "550.00元" in html
    assert "不动产权籍调查技术服务费" in html and "3000.50" in html
    assert html.count(WAIVED_NOTE) == 1
    assert '应缴合计</th><td colspan="2">550.00元' in html


def test_the_delivery_notice_also_says_what_was_collected() -> None:
    html = render_notice(notice("delivery", fees=fees_section(charged=True)))
    assert "已收取" in html and "（合计550.00元）" in html


def test_a_notice_without_fees_has_no_fee_section() -> None:
    assert "收费情况" not in render_notice(notice("acceptance"))


def test_a_malformed_fee_section_is_refused() -> None:
    with pytest.raises(ValueError, match=r"fees.lines\[0\].waived must be true or false"):
        render_notice(notice("acceptance", fees={"lines": [{"name": "x", "waived": "yes"}]}))


def _content(kind: str, record: Case, code: str) -> dict[str, object]:
    facts = {"centre_name": "嵩明县政务服务中心", "guide": plain(SHIPPED.item(code))}
    return notice_content(kind, record, None, facts)


def test_only_a_key_project_case_s_fee_notices_carry_a_fee_section() -> None:
    assert "fees" not in _content("acceptance", case(fast_track=False), "FW-ZRZY-001")
    assert "fees" not in _content("non_acceptance", case(fast_track=True), "FW-ZRZY-001")
    fees = _content("acceptance", case(fast_track=True), "FW-ZRZY-001")["fees"]
    assert isinstance(fees, dict) and fees["total"] == "560.00" and fees["charged"] == []


def test_a_key_project_s_free_or_unitemised_item_says_so_on_its_notices() -> None:
    free = _content("acceptance", case(fast_track=True), "XK-STHJ-001")
    assert free["fees"] == {**free["fees"], "lines": [], "total": "0.00", "amount_text": "不收费"}
    html = render_notice(free)
    assert "收费标准" in html and '应缴合计</th><td colspan="2">0.00元' in html
    unitemised = _content("approval", case(fast_track=True), "FW-GA-001")  # 工本费 published as text only
    assert unitemised["fees"]["total"] is None  # type: ignore[index]
    assert "以收费标准为准，仅收取法定费用" in render_notice(unitemised)
