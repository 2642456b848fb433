"""Agency (代办) rules: the mandate (代办服务委托书) and its lifecycle — suspension (中止单), renewal (续办委托书),
termination (终止单) — whether a mandate lets its agent file an item at an instant, which level decides an
item, and the relay's levels with the time each one took (domain §9.2, §9.3).

Pure: standard library and the work calendar only; the agency service stores and checks permissions.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from engine.domain.calendar import WorkCalendar
from engine.errors import InvalidTransition

#: the longest a mandate may run (days): a 委托书 is for one matter or a season of them, not for life
MAX_VALIDITY_DAYS = 366
ALL_ITEMS = "*"


class MandateKind(enum.StrEnum):
    FULL = "full"  # 全程代办: the agent runs the whole case and hands the result back
    AUTHORISED = "authorised"  # 授权代办: only the items the principal names

    @property
    def label(self) -> str:
        return "全程代办" if self is MandateKind.FULL else "授权代办"


class MandateStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # 中止: the principal or agent paused it; renewal (续办) resumes it
    TERMINATED = "terminated"  # 终止: for good
    EXPIRED = "expired"  # past its validity (never stored: read from the dates)

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    MandateStatus.ACTIVE: "有效", MandateStatus.SUSPENDED: "已中止", MandateStatus.TERMINATED: "已终止",
    MandateStatus.EXPIRED: "已过期",
}  # fmt: skip


@dataclass(frozen=True)
class MandateEvent:
    action: str  # signed | suspended | renewed | terminated
    at: datetime
    by: str
    reason: str = ""
    valid_to: date | None = None  # a renewal's new end of validity

    def as_dict(self) -> dict[str, str | None]:
        return {
            "action": self.action,
            "at": self.at.isoformat(),
            "by": self.by,
            "reason": self.reason,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, str | None]) -> MandateEvent:
        valid_to = raw.get("valid_to")
        return cls(
            action=str(raw["action"]),
            at=datetime.fromisoformat(str(raw["at"])),
            by=str(raw["by"]),
            reason=str(raw.get("reason") or ""),
            valid_to=date.fromisoformat(valid_to) if valid_to else None,
        )


@dataclass(frozen=True)
class Mandate:
    """What a 委托书 says: who (agent) may act for whom (the principal, kept by the service) in which items and
    until when; ``history`` lists what happened to it since it was signed."""

    kind: MandateKind
    agent: str
    items: tuple[str, ...]  # empty when the scope is every item (全程 over all matters)
    valid_from: date
    valid_to: date
    status: MandateStatus = MandateStatus.ACTIVE
    history: tuple[MandateEvent, ...] = ()

    @property
    def scope_all(self) -> bool:
        return not self.items

    def effective_status(self, day: date) -> MandateStatus:
        """The stored status, but an active mandate past its last day is expired."""
        if self.status is MandateStatus.ACTIVE and day > self.valid_to:
            return MandateStatus.EXPIRED
        return self.status

    def refusal(self, item_code: str, day: date) -> str | None:
        """Why the agent may NOT file ``item_code`` under this mandate on ``day`` (None: it may)."""
        status = self.effective_status(day)
        if status is not MandateStatus.ACTIVE:
            return f"the mandate is {status.value}"
        if day < self.valid_from:
            return f"the mandate is valid from {self.valid_from.isoformat()}"
        if not self.scope_all and item_code not in self.items:
            return f"the mandate does not cover item {item_code}"
        return None

    def covers(self, item_code: str, day: date) -> bool:
        return self.refusal(item_code, day) is None

    # -- lifecycle (each returns the changed mandate) ---------------------------------------------------------
    def suspend(self, at: datetime, by: str, reason: str) -> Mandate:
        """中止单: an active mandate is paused (the agent may file nothing under it until renewed)."""
        if self.effective_status(at.date()) is not MandateStatus.ACTIVE:
            raise InvalidTransition(f"only an active mandate can be suspended, not a {self.status.value} one")
        return self._with(MandateStatus.SUSPENDED, MandateEvent("suspended", at, by, _reason(reason)))

    def renew(self, at: datetime, by: str, reason: str, valid_to: date | None = None) -> Mandate:
        """续办委托书: a suspended or expired mandate runs again, an active one runs longer (to ``valid_to``)."""
        if self.status is MandateStatus.TERMINATED:
            raise InvalidTransition("a terminated mandate cannot be renewed: sign a new one")
        new_to = valid_to or self.valid_to
        if new_to < at.date():
            raise ValueError("a renewal must run at least until today")
        check_validity(self.valid_from, new_to)
        event = MandateEvent("renewed", at, by, _reason(reason), new_to)
        return replace(self._with(MandateStatus.ACTIVE, event), valid_to=new_to)

    def terminate(self, at: datetime, by: str, reason: str) -> Mandate:
        """终止单: the mandate ends for good (whatever its dates)."""
        if self.status is MandateStatus.TERMINATED:
            raise InvalidTransition("the mandate is already terminated")
        return self._with(MandateStatus.TERMINATED, MandateEvent("terminated", at, by, _reason(reason)))

    def _with(self, status: MandateStatus, event: MandateEvent) -> Mandate:
        return replace(self, status=status, history=(*self.history, event))


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValueError("a reason is required")
    return text


def check_validity(valid_from: date, valid_to: date) -> None:
    if valid_to < valid_from:
        raise ValueError("the mandate must end on or after its first day")
    if (valid_to - valid_from) > timedelta(days=MAX_VALIDITY_DAYS):
        raise ValueError(f"a mandate runs at most {MAX_VALIDITY_DAYS} days; renew it for longer")


def new_mandate(
    kind: MandateKind, agent: str, items: Sequence[str], valid_from: date, valid_to: date, at: datetime, by: str
) -> Mandate:
    """A signed mandate. 授权代办 names its items; 全程代办 may name them or cover every item (no items)."""
    check_validity(valid_from, valid_to)
    codes = tuple(dict.fromkeys(code.strip() for code in items if code.strip() and code.strip() != ALL_ITEMS))
    if kind is MandateKind.AUTHORISED and not codes:
        raise ValueError("an authorised mandate (授权代办) names the items it covers")
    return Mandate(kind, agent, codes, valid_from, valid_to, history=(MandateEvent("signed", at, by),))


def mandate_number(year: int, sequence: int) -> str:
    return f"WT-{year}-{sequence:06d}"


def relay_number(year: int, sequence: int) -> str:
    return f"JL-{year}-{sequence:06d}"


# -- who decides --------------------------------------------------------------------------------------------
class Level(enum.StrEnum):
    VILLAGE = "village"
    TOWN = "town"
    COUNTY = "county"

    @property
    def label(self) -> str:
        return {"village": "村（社区）为民服务站", "town": "乡镇为民服务中心", "county": "县政务服务中心"}[self.value]


def deciding_level(item_code: str, town_decides: Collection[str] = ()) -> Level:
    """The level whose window decides an item: the town for the items its centre decides itself (its
    ``decides`` list in processes/towns.toml), else the county."""
    return Level.TOWN if item_code in town_decides else Level.COUNTY


# -- the relay and its hand-overs ------------------------------------------------------------------------------
class Handover(enum.StrEnum):
    VILLAGE_TOWN = "village_town"  # the village agent hands the application to the town
    TOWN_COUNTY = "town_county"  # the town hands it to the county window, which opens the case
    COUNTY_VILLAGE = "county_village"  # the result comes back to the village agent (回交)
    TOWN_VILLAGE = "town_village"  # an item the town decides: its result comes back from the town

    @property
    def label(self) -> str:
        return _HANDOVER_LABELS[self]


_HANDOVER_LABELS = {
    Handover.VILLAGE_TOWN: "村 → 乡镇",
    Handover.TOWN_COUNTY: "乡镇 → 县",
    Handover.COUNTY_VILLAGE: "县 → 村（结果回交）",
    Handover.TOWN_VILLAGE: "乡镇 → 村（结果回交）",
}


class RelayStatus(enum.StrEnum):
    TO_TOWN = "to_town"  # handed over by the village, the town has not signed yet
    AT_TOWN = "at_town"
    TO_COUNTY = "to_county"
    AT_COUNTY = "at_county"  # the county window opened the case: its department decides
    AT_TOWN_DECIDING = "at_town_deciding"  # an item the town decides: the town opened the case
    RETURNING = "returning"  # decided: the result is on its way back to the village agent
    DELIVERED = "delivered"  # the agent signed for the result (and hands it to the applicant)
    CANCELLED = "cancelled"  # the agent withdrew it before any case was opened

    @property
    def label(self) -> str:
        return _RELAY_LABELS[self]

    @property
    def cancellable(self) -> bool:
        """Before a window opened the case (the county's receipt, or the town's for an item it decides)."""
        return self in (RelayStatus.TO_TOWN, RelayStatus.AT_TOWN, RelayStatus.TO_COUNTY)


_RELAY_LABELS = {
    RelayStatus.TO_TOWN: "待乡镇签收", RelayStatus.AT_TOWN: "乡镇初审中", RelayStatus.TO_COUNTY: "待县级窗口签收",
    RelayStatus.AT_COUNTY: "县级部门办理中", RelayStatus.AT_TOWN_DECIDING: "乡镇办理中",
    RelayStatus.RETURNING: "结果回交中", RelayStatus.DELIVERED: "已回交申请人", RelayStatus.CANCELLED: "已取消",
}  # fmt: skip


@dataclass(frozen=True)
class HandoverTimes:
    level: Handover
    handed_at: datetime
    received_at: datetime | None


@dataclass(frozen=True)
class Span:
    """Time spent at one level: wall-clock hours and the working days in (start day, end day]."""

    level: str  # village | town | county | return
    start: datetime
    end: datetime | None  # None: still there (measured until now)
    hours: float
    working_days: int


def span(level: str, start: datetime, end: datetime | None, now: datetime, calendar: WorkCalendar) -> Span:
    stop = end or now
    zone = calendar.zone
    days = calendar.working_days_between(start.astimezone(zone).date(), stop.astimezone(zone).date())
    hours = round(max(0.0, (stop - start).total_seconds() / 3600), 1)
    return Span(level, start, end, hours, max(0, days))


def level_spans(
    started_at: datetime,
    handovers: Sequence[HandoverTimes],
    now: datetime,
    calendar: WorkCalendar,
    deciding: Level = Level.COUNTY,
) -> list[Span]:
    """Attribute the relay's time to its levels: the village from intake until the town signs, the town until
    the county signs, the county until it hands the result back, the way back until the agent signs. For an
    item the town decides the levels are village → town: the town's time ends when it hands the result back.
    A level not reached yet has no span; the current one runs until ``now``."""
    by_level = {h.level: h for h in handovers}
    result = Handover.TOWN_VILLAGE if deciding is Level.TOWN else Handover.COUNTY_VILLAGE
    levels = [("village", Handover.VILLAGE_TOWN), ("town", Handover.TOWN_COUNTY), ("county", result)]
    if deciding is Level.TOWN:
        levels = [("village", Handover.VILLAGE_TOWN), ("town", result)]
    spans: list[Span] = []
    start: datetime | None = started_at
    for level, closing in levels:
        if start is None:
            break
        record = by_level.get(closing)
        # the deciding level's time ends when it hands the result back; the lower levels' when the next signs
        end = None if record is None else record.handed_at if closing is result else record.received_at
        spans.append(span(level, start, end, now, calendar))
        start = end
    back = by_level.get(result)
    if back is not None:
        spans.append(span("return", back.handed_at, back.received_at, now, calendar))
    return spans


def total_span(started_at: datetime, ended_at: datetime | None, now: datetime, calendar: WorkCalendar) -> Span:
    """What the applicant lived through: from the village intake until the result is back (or now)."""
    return span("total", started_at, ended_at, now, calendar)
