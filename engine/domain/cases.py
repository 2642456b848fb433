"""A case (办件) from intake to delivery: its statuses, its records and the transitions between them.

Pure: each transition checks the current status, changes the case in memory and appends a history entry
(环节记录, domain §4.3 rule 7); notices (文书) and persistence are the services' job. A refused transition
raises :class:`~engine.errors.InvalidTransition` naming the current status, in Chinese and English.

received ─accept / supply_correction / auto_accept_if_overdue─► accepted ⇄ paused
received ─request_correction─► correction_requested (─supply_correction─► accepted)
received | correction_requested ─refuse_acceptance─► not_accepted; received ─complete_instantly─► completed
accepted ─decide─► approved | refused ─complete─► completed ─deliver─► delivered
before a decision: ─withdraw─► withdrawn, ─terminate─► terminated
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import NoReturn

from engine.domain.calendar import WorkCalendar
from engine.domain.case_clock import EXTENSION_DAYS, CaseClock, Pause, acceptance_due, require_aware
from engine.domain.fees import ChargedFee
from engine.errors import InvalidTransition

__all__ = [
    "Case", "CaseResult", "CaseStatus", "CorrectionRequest", "Extension", "Transition", "Violation", "new_case_no",
    "new_query_code",
]  # fmt: skip


class CaseStatus(enum.StrEnum):
    RECEIVED = "received"
    CORRECTION_REQUESTED = "correction_requested"
    ACCEPTED = "accepted"
    PAUSED = "paused"
    APPROVED = "approved"
    REFUSED = "refused"
    COMPLETED = "completed"
    DELIVERED = "delivered"
    NOT_ACCEPTED = "not_accepted"
    WITHDRAWN = "withdrawn"
    TERMINATED = "terminated"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def is_final(self) -> bool:
        return self in _FINAL


_LABELS = {
    CaseStatus.RECEIVED: "收件", CaseStatus.CORRECTION_REQUESTED: "补正", CaseStatus.ACCEPTED: "受理/办理中",
    CaseStatus.PAUSED: "特别程序/中止", CaseStatus.APPROVED: "准予", CaseStatus.REFUSED: "不予许可",
    CaseStatus.COMPLETED: "办结", CaseStatus.DELIVERED: "送达", CaseStatus.NOT_ACCEPTED: "不予受理",
    CaseStatus.WITHDRAWN: "撤回", CaseStatus.TERMINATED: "终止",
}  # fmt: skip
_FINAL = frozenset({CaseStatus.DELIVERED, CaseStatus.NOT_ACCEPTED, CaseStatus.WITHDRAWN, CaseStatus.TERMINATED})
#: before a decision: the applicant may still withdraw (domain §4.3 rule 8)
_UNDECIDED = frozenset({CaseStatus.RECEIVED, CaseStatus.CORRECTION_REQUESTED, CaseStatus.ACCEPTED, CaseStatus.PAUSED})


class CaseResult(enum.StrEnum):
    """How a case ended (办理结果), kept after completion and delivery."""

    APPROVED = "approved"  # 准予
    REFUSED = "refused"  # 不予许可
    NOT_ACCEPTED = "not_accepted"  # 不予受理
    WITHDRAWN = "withdrawn"  # 撤回
    TERMINATED = "terminated"  # 终止


#: what each transition is called in a refusal message
_ACTIONS = {
    "accept": "受理", "refuse_acceptance": "不予受理", "request_correction": "要求补正",
    "supply_correction": "补正材料", "complete_instantly": "当场办结", "auto_accept": "视为受理",
    "start_pause": "启动特别程序/中止",
    "end_pause": "恢复计时", "extend": "延长时限", "decide": "作出决定", "complete": "办结", "deliver": "送达",
    "withdraw": "撤回申请", "terminate": "终止办理",
}  # fmt: skip


@dataclass(frozen=True)
class Transition:
    """One 环节 record: who moved the case from which status to which, when, and why."""

    at: datetime
    from_status: CaseStatus
    to_status: CaseStatus
    actor: str
    action: str
    note: str = ""


@dataclass
class CorrectionRequest:
    """One 补正材料通知书; ``visible`` is every material the officer could see when it was issued."""

    requested_at: datetime
    items: tuple[str, ...]
    actor: str
    visible: frozenset[str]
    supplied_at: datetime | None = None


@dataclass(frozen=True)
class Extension:
    days: int
    approved_at: datetime
    approver: str
    reason: str


@dataclass(frozen=True)
class Violation:
    """A breach recorded for supervision (e.g. a second correction naming what the first should have)."""

    kind: str
    items: tuple[str, ...]
    at: datetime
    actor: str


def _texts(values: Iterable[str]) -> tuple[str, ...]:
    """Stripped, non-empty, first occurrence kept."""
    return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))


@dataclass
class Case:
    case_no: str
    item_code: str
    received_at: datetime
    promised_days: int
    statutory_days: int | None = None
    instant: bool = False  # 即办件
    status: CaseStatus = CaseStatus.RECEIVED
    accepted_at: datetime | None = None  # the clock's start instant
    auto_accepted: bool = False
    decided_at: datetime | None = None
    completed_at: datetime | None = None
    delivered_at: datetime | None = None
    delivery_method: str | None = None
    result: CaseResult | None = None
    reasons: tuple[str, ...] = ()  # of 不予受理 / 不予许可 / 撤回 / 终止
    materials: dict[str, bool] = field(default_factory=dict)  # name -> received (and acceptable)
    pauses: list[Pause] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    corrections: list[CorrectionRequest] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    history: list[Transition] = field(default_factory=list)
    #: the key project (重点项目) whose fast track opened this case, if any
    project_code: str | None = None
    #: the fast track charges statutory fees only; the item's other fees are waived (shown as such on notices)
    statutory_fees_only: bool = False
    #: the charges collected (recorded at delivery; engine/domain/fees.py checks them against the guide)
    fees_charged: list[ChargedFee] = field(default_factory=list)
    #: where the 5-working-day acceptance limit counts from when not the receipt: a case received off-hours at
    #: a town centre counts from the centre's next opening (engine/services/towns.py); None: from receipt
    counted_from: datetime | None = None

    def __post_init__(self) -> None:
        require_aware(self.received_at, "received_at")
        if self.counted_from is not None:
            require_aware(self.counted_from, "counted_from")
        if self.promised_days < 0:
            raise ValueError("promised_days must be >= 0 (0 = 当场办结)")

    # -- reading ---------------------------------------------------------------------------------------------
    @property
    def clock(self) -> CaseClock | None:
        """The clock, once accepted; None before acceptance (the 5-day acceptance limit applies then)."""
        if self.accepted_at is None:
            return None
        days = sum(e.days for e in self.extensions)
        return CaseClock(self.accepted_at, self.promised_days, self.statutory_days, tuple(self.pauses), days)

    @property
    def acceptance_start(self) -> datetime:
        """The instant the acceptance limit counts from: the receipt, or the next opening after an off-hours one."""
        return self.counted_from if self.counted_from is not None else self.received_at

    # -- acceptance (第32条) ----------------------------------------------------------------------------------
    def accept(self, at: datetime, actor: str) -> None:
        self._require("accept", {CaseStatus.RECEIVED})
        self._move("accept", CaseStatus.ACCEPTED, at, actor)
        self.accepted_at = at

    def refuse_acceptance(self, at: datetime, actor: str, reasons: Iterable[str]) -> None:
        self._require("refuse_acceptance", {CaseStatus.RECEIVED, CaseStatus.CORRECTION_REQUESTED})
        self._end("refuse_acceptance", CaseStatus.NOT_ACCEPTED, CaseResult.NOT_ACCEPTED, at, actor, reasons)

    def request_correction(self, at: datetime, actor: str, missing: Iterable[str]) -> Violation | None:
        """Issue a 补正 notice naming every missing or wrong material at once (一次性告知, 第32条(四)).

        A later request naming a material visible when the first was issued (submitted or named in it) is
        recorded as a ``second_correction`` violation and returned; the request itself still stands."""
        # Examining a supplement that just arrived may show more to correct: that request reopens the acceptance.
        last = self.history[-1].action if self.history else ""
        if not (self.status is CaseStatus.ACCEPTED and last == "supply_correction"):
            self._require("request_correction", {CaseStatus.RECEIVED, CaseStatus.CORRECTION_REQUESTED})
        items = _texts(missing)
        if not items:
            self._refuse("request_correction", "补正通知须列明全部需补正的材料", "a correction must name the materials")
        violation = None
        if self.corrections:
            # 一次性告知: a material the officer could already see at the first notice, yet named only now.
            # Naming again something an earlier notice named (a supplement still wrong) is no breach.
            named_before = {item for request in self.corrections for item in request.items}
            repeated = tuple(i for i in items if i in self.corrections[0].visible and i not in named_before)
            if repeated:
                violation = Violation("second_correction", repeated, at, actor)
        self._move("request_correction", CaseStatus.CORRECTION_REQUESTED, at, actor, "、".join(items))
        # what the officer could see: the materials on file when this notice was issued
        self.corrections.append(CorrectionRequest(at, items, actor, frozenset(self.materials)))
        self.materials.update(dict.fromkeys(items, False))
        self.accepted_at = None  # the clock restarts when the supplement arrives
        if violation is not None:
            self.violations.append(violation)
        return violation

    def supply_correction(self, at: datetime, actor: str = "applicant", supplied: Iterable[str] | None = None) -> None:
        """The supplement arrived: the case is accepted now, its clock starts the next working day."""
        self._require("supply_correction", {CaseStatus.CORRECTION_REQUESTED})
        open_requests = [r for r in self.corrections if r.supplied_at is None]
        names = _texts(supplied) if supplied is not None else _texts(i for r in open_requests for i in r.items)
        self._move("supply_correction", CaseStatus.ACCEPTED, at, actor, "、".join(names))
        for request in open_requests:
            request.supplied_at = at
        self.materials.update(dict.fromkeys(names, True))
        self.accepted_at = at

    def auto_accept_if_overdue(self, now: datetime, calendar: WorkCalendar) -> bool:
        """Past the 5-working-day limit with neither decision nor correction notice, the case counts as
        accepted from the day its materials were received (第32条(四)): ``accepted_at = received_at`` — or, for
        an off-hours intake, the next opening its limit counts from (``counted_from``), so both clocks agree."""
        if self.status is not CaseStatus.RECEIVED or now < acceptance_due(self.acceptance_start, calendar).due_at:
            return False
        self._move("auto_accept", CaseStatus.ACCEPTED, now, "system", "第32条(四)逾期未告知，自收到材料之日起视为受理")
        self.accepted_at, self.auto_accepted = self.acceptance_start, True
        return True

    def complete_instantly(self, at: datetime, actor: str) -> None:
        """即办件: accepted, decided and completed on the spot (第34条)."""
        self._require("complete_instantly", {CaseStatus.RECEIVED})
        if not self.instant:
            self._refuse("complete_instantly", "非即办件，应受理为承诺件", "not an instant item; accept it instead")
        self._move("complete_instantly", CaseStatus.COMPLETED, at, actor)
        self.accepted_at = self.decided_at = self.completed_at = at
        self.result = CaseResult.APPROVED

    # -- processing (第42条, 第45条) -----------------------------------------------------------------------------
    def start_pause(self, kind: str, at: datetime, counted: bool, actor: str = "system") -> None:
        self._require("start_pause", {CaseStatus.ACCEPTED})
        pause = Pause(kind.strip(), at, None, counted)  # validates kind and time before anything changes
        self._move("start_pause", CaseStatus.PAUSED, at, actor, f"{pause.kind}{'（计入时限）' if counted else ''}")
        self.pauses.append(pause)

    def end_pause(self, at: datetime, actor: str = "system") -> None:
        self._require("end_pause", {CaseStatus.PAUSED})
        self._move("end_pause", CaseStatus.ACCEPTED, at, actor, self.pauses[-1].kind)
        self._close_pause(at)

    def extend(
        self, at: datetime, approver: str, reason: str, calendar: WorkCalendar, days: int = EXTENSION_DAYS
    ) -> Extension:
        """Extend once, approved before the promised deadline passes (第42条; 限时办结制: in advance)."""
        self._require("extend", {CaseStatus.ACCEPTED, CaseStatus.PAUSED})
        if self.extensions:
            self._refuse("extend", "时限只能延长一次", "the limit may be extended only once")
        if days <= 0 or not reason.strip():
            self._refuse("extend", "延期须有天数和理由", "an extension needs positive days and a reason")
        clock = self.clock
        assert clock is not None  # accepted and paused cases always have one
        if at >= clock.promised_due(calendar, at).due_at:
            self._refuse("extend", "承诺时限已届满，不能再延期", "the promised deadline has passed")
        self._move("extend", self.status, at, approver, f"+{days}个工作日：{reason.strip()}")
        extension = Extension(days, at, approver, reason.strip())
        self.extensions.append(extension)
        return extension

    def decide(self, approved: bool, at: datetime, actor: str, reasons: Iterable[str] = ()) -> None:
        """准予 or 不予许可 (a refusal gives its reasons, with the right to 复议/诉讼 on the notice)."""
        self._require("decide", {CaseStatus.ACCEPTED}, "特别程序/中止须先结束 (end the pause first)")
        texts = _texts(reasons)
        if not approved and not texts:
            self._refuse("decide", "不予许可须说明理由", "a refusal needs reasons")
        self._move("decide", CaseStatus.APPROVED if approved else CaseStatus.REFUSED, at, actor, "；".join(texts))
        self.decided_at, self.reasons = at, texts
        self.result = CaseResult.APPROVED if approved else CaseResult.REFUSED

    def complete(self, at: datetime, actor: str = "system") -> None:
        self._require("complete", {CaseStatus.APPROVED, CaseStatus.REFUSED})
        self._move("complete", CaseStatus.COMPLETED, at, actor)
        self.completed_at = at

    def deliver(self, at: datetime, method: str, actor: str = "system") -> None:
        self._require("deliver", {CaseStatus.COMPLETED})
        if not method.strip():
            self._refuse("deliver", "须写明送达方式", "name the delivery method")
        self._move("deliver", CaseStatus.DELIVERED, at, actor, method.strip())
        self.delivered_at, self.delivery_method = at, method.strip()

    def withdraw(self, at: datetime, reason: str, actor: str = "applicant") -> None:
        hint = "作出决定后只能适用撤回/撤销/注销程序 (after a decision only 撤回/撤销/注销 procedures apply)"
        self._require("withdraw", _UNDECIDED, hint)
        self._end("withdraw", CaseStatus.WITHDRAWN, CaseResult.WITHDRAWN, at, actor, [reason])

    def terminate(self, at: datetime, reason: str, actor: str = "system") -> None:
        self._require("terminate", _UNDECIDED)
        if not reason.strip():
            self._refuse("terminate", "终止须说明理由", "a termination needs a reason")
        self._end("terminate", CaseStatus.TERMINATED, CaseResult.TERMINATED, at, actor, [reason])

    # -- machinery -------------------------------------------------------------------------------------------
    def _end(
        self, action: str, to: CaseStatus, result: CaseResult, at: datetime, actor: str, reasons: Iterable[str]
    ) -> None:
        texts = _texts(reasons)
        if action == "refuse_acceptance" and not texts:
            self._refuse(action, "不予受理须说明理由", "a refusal of acceptance needs reasons")
        self._move(action, to, at, actor, "；".join(texts))
        self._close_pause(at)
        self.completed_at, self.result, self.reasons = at, result, texts

    def _close_pause(self, at: datetime) -> None:
        if self.pauses and self.pauses[-1].is_open:
            self.pauses[-1] = replace(self.pauses[-1], ended_at=at)

    def _require(self, action: str, allowed: Collection[CaseStatus], hint: str = "") -> None:
        if self.status not in allowed:
            self._refuse(action, "", hint)

    def _refuse(self, action: str, why_cn: str, why_en: str) -> NoReturn:
        where = f"办件{self.case_no}当前状态为「{self.status.label}」"
        raise InvalidTransition(
            f"{where}，不能{_ACTIONS[action]}{'：' + why_cn if why_cn else ''}; "
            f"cannot {action} case {self.case_no} in status {self.status}{': ' + why_en if why_en else ''}",
            {"case_no": self.case_no, "status": str(self.status), "action": action},
        )

    def _move(self, action: str, to: CaseStatus, at: datetime, actor: str, note: str = "") -> None:
        require_aware(at, action)
        last = self.history[-1].at if self.history else self.received_at
        if at < last:
            self._refuse(action, "时间早于上一环节", f"{at.isoformat()} is before {last.isoformat()}")
        self.history.append(Transition(at, self.status, to, actor, action, note))
        self.status = to


def new_case_no(item_code: str, at: datetime, sequence: int) -> str:
    """办件编号 = item code + yyyyMMdd + 4-digit daily sequence (domain §3.2, §13.7); the date is ``at``'s own
    local date, so pass the centre's local time (``now.astimezone(calendar.zone)``)."""
    code = item_code.strip()
    if not code or any(c.isspace() for c in code):
        raise ValueError(f"item code {item_code!r} must be non-empty without spaces")
    if not 1 <= sequence <= 9999:
        raise ValueError(f"daily sequence {sequence} must be 1..9999")
    return f"{code}{at:%Y%m%d}{sequence:04d}"


def new_query_code() -> str:
    """The applicant's 6-digit 查询密码, from the operating system's CSPRNG."""
    return f"{secrets.randbelow(10**6):06d}"
