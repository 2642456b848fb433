"""The 96128 hotline on a real database: a call is logged as a consultation (channel hotline) with its first
responder and its caller (masked in the log), a transferred call is followed like any transfer, and hotline
calls are counted in the statistics' consultations figure, on their own, and when grouped by channel."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from engine.errors import FormValidationError, PermissionDenied
from tests.conftest import ADMIN, CST, principal

CONSULTANT = principal("consult", ("consultant", "CENTRE"))
LAND = principal("land_chief", ("approver", "LAND"))
SUPERVISOR = principal("supervisor", ("supervisor", None))
CALL = {"caller_name": "李大爷", "caller_phone": "13812345678", "subject": "不动产登记", "question": "要带什么材料？"}


def test_a_call_is_a_consultation_with_its_caller_masked_in_the_log(platform: Platform, clock: FrozenClock) -> None:
    clock.set(datetime(2026, 3, 10, 9, 30, tzinfo=CST))
    call = platform.hotline.log_call(CONSULTANT, {**CALL, "answer": "身份证和不动产权证书。"})
    assert call["caller"] == {"name": "李**", "phone": "138****5678"}
    assert (call["first_responder"], call["outcome"], call["open"]) == ("consult", "answered", False)
    transferred = platform.hotline.log_call(
        CONSULTANT, {**CALL, "question": "能否加急？", "outcome": "transferred", "transferred_to": "LAND"}
    )
    assert transferred["open"] and transferred["follow_up_due"] is not None
    log = platform.hotline.calls(CONSULTANT)
    assert [c["id"] for c in log] == [transferred["id"], call["id"]]
    assert all("13812345678" not in str(c) and "李大爷" not in str(c) for c in log)
    assert [c["id"] for c in platform.hotline.calls(SUPERVISOR, open_only=True)] == [transferred["id"]]
    # the receiving department closes the transfer as with any consultation (首问负责制)
    platform.consultations.close(LAND, transferred["id"], "已安排加急办理。")
    assert platform.hotline.calls(CONSULTANT, open_only=True) == []
    # desk consultations are not hotline calls
    platform.consultations.log(CONSULTANT, {"channel": "desk", "subject": "咨询", "question": "?", "answer": "!"})
    assert len(platform.hotline.calls(CONSULTANT)) == 2


def test_only_the_desk_answers_and_a_bad_number_is_refused(platform: Platform) -> None:
    with pytest.raises(PermissionDenied):
        platform.hotline.log_call(LAND, CALL)
    with pytest.raises(PermissionDenied):
        platform.hotline.calls(LAND)
    with pytest.raises(FormValidationError) as caught:
        platform.hotline.log_call(CONSULTANT, {**CALL, "caller_phone": "12345", "question": ""})
    assert {e.field for e in caught.value.field_errors} == {"caller_phone"}
    with pytest.raises(FormValidationError) as caught:
        platform.hotline.log_call(CONSULTANT, {**CALL, "question": ""})
    assert {e.field for e in caught.value.field_errors} == {"question"}
    assert platform.hotline.calls(CONSULTANT) == []  # nothing half-logged
    anonymous = platform.hotline.log_call(
        CONSULTANT, {"subject": "营业时间", "question": "周六上班吗？", "answer": "上午"}
    )
    assert anonymous["caller"] == {"name": "", "phone": ""}


def test_hotline_calls_appear_in_the_consultation_figures(platform: Platform, clock: FrozenClock) -> None:
    clock.set(datetime(2026, 3, 10, 9, 30, tzinfo=CST))
    for question in ("一问", "二问", "三问"):
        platform.hotline.log_call(CONSULTANT, {**CALL, "question": question, "answer": "已答复"})
    platform.consultations.log(CONSULTANT, {"channel": "desk", "subject": "咨询", "question": "?", "answer": "!"})
    clock.set(datetime(2026, 4, 2, 9, 30, tzinfo=CST))  # next month: outside the period
    platform.hotline.log_call(CONSULTANT, {**CALL, "answer": "已答复"})
    figures = platform.stats.period(ADMIN, date(2026, 3, 1), date(2026, 3, 31), group_by=["channel"])
    assert (figures["consultations"], figures["hotline_calls"]) == (4, 3)
    assert "hotline" in figures["definitions"]["hotline_calls"].lower()
    by_channel = {g["key"]: g["figures"] for g in figures["groups"]["channel"]}
    assert by_channel["hotline"]["consultations"] == 3 and by_channel["hotline"]["hotline_calls"] == 3
    assert by_channel["desk"]["consultations"] == 1 and by_channel["desk"]["hotline_calls"] == 0
