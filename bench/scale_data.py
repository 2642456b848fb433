"""Scale benchmark, part 1: write a county centre's two years of cases straight into the database, fast.

Rows are built directly (no process runs): completed and open cases (``cases``, with records shaped exactly as
engine/domain/case_codec.py writes them, so the case services read them back), their process instances, one
inbox row per case (READY for an open case, the last COMPLETED step for a finished one) and a share of
好差评 ratings, spread over the real catalogue's items (a skewed mix: a few busy items, many quiet ones), their
departments and windows, ~2 years of receipt dates on working days, the channels and the results. Inserted in
big batches (SQLAlchemy Core executemany), one transaction per batch. Used by bench/scale.py and its smoke test.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import Engine, insert, select, text

from engine.domain.calendar import WorkCalendar
from engine.persistence.tables import cases, evaluations, human_tasks, instances, items, process_versions

#: the instant the benchmark's reads happen: a Friday morning; completed cases end before it, open ones reach it
NOW_LOCAL = (2026, 11, 20, 10, 0)
DAYS = 730  # ~2 years of receipts
BATCH = 20_000
MATERIALS = ["申请书", "身份证明", "营业执照复印件", "授权委托书"]
CHANNELS = [("window", 0.58), ("online", 0.32), ("agent", 0.07), ("mail", 0.03)]
EVAL_CHANNELS = ["web", "window", "app", "sms"]
OPEN_STEPS = ["case_officer", "reviewer", "approver"]


def query_code(case_no: str) -> str:
    """The applicant's 6-digit code of a generated case (derived, so a reused database needs no list)."""
    return f"{int(hashlib.blake2b(case_no.encode(), digest_size=8).hexdigest(), 16) % 10**6:06d}"


def code_hash(secret: str, case_no: str, code: str) -> str:
    """As engine/services/case_queries.py CaseReading._code_hash stores it."""
    return hmac.new(secret.encode(), f"{case_no}:{code}".encode(), hashlib.sha256).hexdigest()


@dataclass
class Summary:
    """What was generated, for the benchmark's consistency checks."""

    completed: int = 0
    open: int = 0
    ready_tasks: Counter[tuple[str, str]] = field(default_factory=Counter)  # (role, department) -> READY tasks
    received_by_day: Counter[date] = field(default_factory=Counter)  # local receipt day -> cases
    open_by_department: Counter[str] = field(default_factory=Counter)
    samples: list[tuple[str, str]] = field(default_factory=list)  # (case_no, status) for lookups


class _Gen:
    """Builds rows for one item mix and one calendar; ``n`` numbers cases, instances and tasks."""

    def __init__(self, catalogue: list[dict[str, Any]], versions: dict[str, int], calendar: WorkCalendar,
                 secret: str, seed: int) -> None:  # fmt: skip
        self.rng = random.Random(seed)
        self.calendar, self.zone, self.secret = calendar, calendar.zone, secret
        self.items = catalogue
        # a skewed mix: the busiest items (business licences, real estate) take most of the cases
        self.cum_weights = list(accumulate(1 / (rank + 1) ** 0.9 for rank in range(len(catalogue))))
        self.versions, self.any_version = versions, next(iter(versions.values()))
        self.now = datetime(*NOW_LOCAL, tzinfo=self.zone)
        self.sequence: Counter[str] = Counter()
        self._deadlines: dict[tuple[date, int], datetime] = {}
        self.n = 0

    # -- time ---------------------------------------------------------------------------------------------
    def workdays(self, first: date, last: date) -> list[date]:
        days = [first + timedelta(d) for d in range((last - first).days + 1)]
        return [d for d in days if self.calendar.is_workday(d)]

    def at(self, day: date, lo: float = 9.0, hi: float = 17.0) -> datetime:
        return datetime.combine(day, time(0), self.zone) + timedelta(hours=self.rng.uniform(lo, hi))

    def due(self, accepted: datetime, days: int) -> datetime:
        key = (accepted.astimezone(self.zone).date(), days)
        if key not in self._deadlines:
            self._deadlines[key] = self.calendar.deadline_after(accepted, days).due_at
        return self._deadlines[key]

    def later_workday(self, start: datetime, k: int) -> datetime:
        day = self.calendar.add_working_days(start.astimezone(self.zone).date(), k)
        return self.at(day, 9.5, 17.0)

    # -- one case -----------------------------------------------------------------------------------------
    def case_no(self, item: dict[str, Any], received: datetime) -> str:
        prefix = f"{item['code']}{received.astimezone(self.zone):%Y%m%d}"
        self.sequence[prefix] += 1
        return f"{prefix}{self.sequence[prefix]:04d}"

    def pick_item(self) -> dict[str, Any]:
        return self.rng.choices(self.items, cum_weights=self.cum_weights)[0]

    def channel(self) -> str:
        draw, acc = self.rng.random(), 0.0
        for name, share in CHANNELS:
            acc += share
            if draw < acc:
                return name
        return CHANNELS[0][0]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _record(item: dict[str, Any], case_no: str, received: datetime, status: str, history: list[dict[str, Any]],
            **fields: Any) -> dict[str, Any]:  # fmt: skip
    """A case record exactly as case_to_dict writes it (the smoke test round-trips one through the codec)."""
    record: dict[str, Any] = {
        "case_no": case_no, "item_code": item["code"], "received_at": received.isoformat(),
        "promised_days": int(item["promised_days"]), "statutory_days": item["statutory_days"],
        "instant": bool(item["instant"]), "status": status, "accepted_at": None, "auto_accepted": False,
        "decided_at": None, "completed_at": None, "delivered_at": None, "delivery_method": None, "result": None,
        "reasons": [], "materials": dict.fromkeys(MATERIALS, True), "pauses": [], "extensions": [],
        "corrections": [], "violations": [], "history": history, "project_code": None,
        "statutory_fees_only": False, "fees_charged": [], "counted_from": None,
    }  # fmt: skip
    record.update(fields)
    return record


def _step(at: datetime, frm: str, to: str, actor: str, action: str, note: str = "") -> dict[str, Any]:
    return {"at": at.isoformat(), "from": frm, "to": to, "actor": actor, "action": action, "note": note}


def _officers(item: dict[str, Any]) -> tuple[str, str, str]:
    """Window officer, case officer and approver of an item (synthetic accounts of its department)."""
    dept = str(item["department"]).lower()
    return f"win_{item['window']}".lower(), f"{dept}_officer", f"{dept}_leader"


def _accept(gen: _Gen, item: dict[str, Any], received: datetime, window: str, correct: bool,
            history: list[dict[str, Any]]) -> tuple[datetime, list[dict[str, Any]]]:  # fmt: skip
    """Acceptance, after a correction when ``correct``: the acceptance instant and the correction records."""
    if not correct:
        accepted = received + timedelta(minutes=gen.rng.uniform(5, 90))
        history.append(_step(accepted, "received", "accepted", window, "accept"))
        return accepted, []
    asked = received + timedelta(minutes=gen.rng.uniform(10, 40))
    supplied = gen.later_workday(asked, gen.rng.randint(1, 3))
    history.append(_step(asked, "received", "correction_requested", window, "request_correction", "营业执照复印件"))
    history.append(
        _step(supplied, "correction_requested", "accepted", "applicant", "supply_correction", "营业执照复印件")
    )
    correction = {"requested_at": _iso(asked), "items": ["营业执照复印件"], "actor": window,
                  "visible": sorted(MATERIALS), "supplied_at": _iso(supplied)}  # fmt: skip
    return supplied, [correction]


def completed_case(gen: _Gen, received: datetime) -> dict[str, Any]:
    """One finished case: instant, not accepted, withdrawn, or decided (on time or late) and delivered."""
    item, rng = gen.pick_item(), gen.rng
    case_no, (window, officer, leader) = gen.case_no(item, received), _officers(item)
    history: list[dict[str, Any]] = []
    row = _case_row(gen, item, case_no, received)
    draw = rng.random()
    if item["instant"]:
        done = received + timedelta(minutes=rng.uniform(5, 30))
        history.append(_step(done, "received", "completed", window, "complete_instantly"))
        history.append(_step(done, "completed", "delivered", window, "deliver", "当场领取"))
        fields: dict[str, Any] = {"accepted_at": _iso(done), "decided_at": _iso(done), "completed_at": _iso(done),
                  "delivered_at": _iso(done), "delivery_method": "当场领取", "result": "approved"}  # fmt: skip
        row.update(status="delivered", accepted_at=done, completed_at=done, result="approved", due_at=done)
        row["record"] = _record(item, case_no, received, "delivered", history, **fields)
        return row
    if draw < 0.03:  # 不予受理
        done = received + timedelta(minutes=rng.uniform(10, 60))
        history.append(_step(done, "received", "not_accepted", window, "refuse_acceptance", "不属于本机关职权范围"))
        row.update(status="not_accepted", completed_at=done, result="not_accepted")
        row["record"] = _record(item, case_no, received, "not_accepted", history, completed_at=_iso(done),
                                result="not_accepted", reasons=["不属于本机关职权范围"])  # fmt: skip
        return row
    accepted, corrections = _accept(gen, item, received, window, rng.random() < 0.08, history)
    promised = max(1, int(item["promised_days"]))
    extensions: list[dict[str, Any]] = []
    if rng.random() < 0.02:
        at = accepted + timedelta(hours=rng.uniform(2, 20))
        extensions.append(
            {"days": 5, "approved_at": _iso(at), "approver": leader, "reason": "情况复杂，经负责人批准延长"}
        )
        history.append(_step(at, "accepted", "accepted", leader, "extend", "+5个工作日：情况复杂，经负责人批准延长"))
    extra = 5 if extensions else 0
    due = gen.due(accepted, promised + extra)
    common: dict[str, Any] = {"accepted_at": _iso(accepted), "corrections": corrections, "extensions": extensions}
    if draw < 0.04:  # withdrawn after acceptance
        done = gen.later_workday(accepted, 1)
        history.append(_step(done, "accepted", "withdrawn", "applicant", "withdraw", "申请人撤回"))
        row.update(status="withdrawn", accepted_at=accepted, due_at=due, completed_at=done, result="withdrawn")
        row["record"] = _record(item, case_no, received, "withdrawn", history, completed_at=_iso(done),
                                result="withdrawn", reasons=["申请人撤回"], **common)  # fmt: skip
        return row
    late = rng.random() < 0.05
    used = promised + rng.randint(1, 3) if late else rng.randint(1, promised)
    decided = gen.later_workday(accepted, used)
    approved = rng.random() < 0.95
    result = "approved" if approved else "refused"
    history.append(_step(decided, "accepted", result, leader, "decide", "" if approved else "不符合法定条件"))
    completed = decided + timedelta(minutes=rng.uniform(10, 120))
    history.append(_step(completed, result, "completed", officer, "complete"))
    fields = {"decided_at": _iso(decided), "completed_at": _iso(completed), "result": result,
              "reasons": [] if approved else ["不符合法定条件"], **common}  # fmt: skip
    status = "completed"
    if rng.random() < 0.9:
        delivered = completed + timedelta(hours=rng.uniform(1, 30))
        history.append(_step(delivered, "completed", "delivered", window, "deliver", "窗口领取"))
        fields.update(delivered_at=_iso(delivered), delivery_method="窗口领取")
        status = "delivered"
    row.update(status=status, accepted_at=accepted, due_at=due, completed_at=completed, result=result)
    row["record"] = _record(item, case_no, received, status, history, **fields)
    return row


def open_case(gen: _Gen, received: datetime) -> tuple[dict[str, Any], str, str]:
    """One undecided case and the (role, step name) its process waits in: received, correction asked,
    accepted (some extended) or paused for a special procedure."""
    item, rng = gen.pick_item(), gen.rng
    case_no, (window, officer, _) = gen.case_no(item, received), _officers(item)
    row, history = _case_row(gen, item, case_no, received), []
    steps = [s for s in (item["guide"] or {}).get("steps", []) if s.get("role") in OPEN_STEPS] or [{}]
    draw = rng.random()
    if draw < 0.12 or received > gen.now - timedelta(hours=2):
        correct = draw < 0.02
        if correct:
            asked = received + timedelta(minutes=20)
            history.append(
                _step(asked, "received", "correction_requested", window, "request_correction", "营业执照复印件")
            )
        status = "correction_requested" if correct else "received"
        row.update(status=status)
        asked_at = _iso(received + timedelta(minutes=20))
        corrections = [{"requested_at": asked_at, "items": ["营业执照复印件"], "actor": window,
                        "visible": sorted(MATERIALS), "supplied_at": None}] if correct else []  # fmt: skip
        row["record"] = _record(item, case_no, received, status, history, corrections=corrections)
        return row, "window_officer", "受理"
    accepted = received + timedelta(minutes=rng.uniform(5, 90))
    history.append(_step(accepted, "received", "accepted", window, "accept"))
    promised = max(1, int(item["promised_days"]))
    row.update(status="accepted", accepted_at=accepted, due_at=gen.due(accepted, promised))
    pauses: list[dict[str, Any]] = []
    if draw > 0.95 and accepted + timedelta(days=1) < gen.now:
        at = accepted + timedelta(days=1)
        history.append(_step(at, "accepted", "paused", officer, "start_pause", "专家评审"))
        pauses.append({"kind": "专家评审", "started_at": _iso(at), "ended_at": None, "counted": False})
        row.update(status="paused", due_at=None)  # a paused clock has no fixed due time
    step = rng.choice(steps)
    row["record"] = _record(item, case_no, received, row["status"], history, accepted_at=_iso(accepted),
                            pauses=pauses)  # fmt: skip
    return row, str(step.get("role") or "case_officer"), str(step.get("name") or "审查")


def _case_row(gen: _Gen, item: dict[str, Any], case_no: str, received: datetime) -> dict[str, Any]:
    channel = gen.channel()
    return {
        "case_no": case_no, "item_code": item["code"], "instance_id": None, "department": item["department"],
        "window": item["window"], "channel": channel, "status": "received",
        "query_code_hash": code_hash(gen.secret, case_no, query_code(case_no)),
        "applicant": {"name": f"申请人{gen.n}", "phone": "13800000000"}, "received_at": received,
        "accepted_at": None, "due_at": None, "completed_at": None, "result": None, "row_version": 1,
        "created_by": f"agent_{item['department']}".lower() if channel == "agent" else _officers(item)[0],
    }  # fmt: skip


# -- rows around a case ------------------------------------------------------------------------------------
def _instance(gen: _Gen, row: dict[str, Any], item: dict[str, Any], running: bool) -> dict[str, Any]:
    version = gen.versions.get(item["process_id"], gen.any_version)
    return {
        "id": gen.n, "process_version_id": version, "process_id": item["process_id"], "version": 1,
        "status": "running" if running else "completed", "department": row["department"],
        "business_key": row["case_no"], "state": "{}", "serializer_version": "bench", "row_version": 1,
        "started_by": row["created_by"], "started_at": row["received_at"],
        "updated_at": row["completed_at"] or row["received_at"], "ended_at": None if running else row["completed_at"],
        "data": {},
    }  # fmt: skip


def _task(gen: _Gen, row: dict[str, Any], item: dict[str, Any], role: str, name: str, done: bool) -> dict[str, Any]:
    return {
        "task_id": str(uuid.UUID(int=gen.rng.getrandbits(128), version=4)), "instance_id": gen.n,
        "element_id": f"task_{role}", "name": name, "lane": None, "role": role, "department": row["department"],
        "form_ref": None, "form_ui_ref": None, "state": "completed" if done else "ready",
        "claimed_by": None, "due_at": row["due_at"], "due_provisional": False,
        "created_at": row["accepted_at"] or row["received_at"], "completed_at": row["completed_at"] if done else None,
        "completed_by": _officers(item)[2] if done else None, "business_key": row["case_no"],
        "process_id": item["process_id"],
    }  # fmt: skip


def _rating(gen: _Gen, row: dict[str, Any]) -> dict[str, Any]:
    level = gen.rng.choices([5, 4, 3, 2, 1], cum_weights=[70, 90, 97, 99, 100])[0]
    return {
        "case_no": row["case_no"], "stage": "completion", "channel": gen.rng.choice(EVAL_CHANNELS), "level": level,
        "comment": "", "department": row["department"], "window": row["window"],
        "handled_by": row["record"]["history"][-1]["actor"], "needs_rectification": level <= 2,
        "evaluated_at": row["completed_at"] + timedelta(hours=2), "instance_id": None, "excluded": False,
    }  # fmt: skip


# -- writing -----------------------------------------------------------------------------------------------
def _flush(engine: Engine, buffers: dict[Any, list[dict[str, Any]]]) -> None:
    with engine.begin() as conn:
        for table in (instances, cases, human_tasks, evaluations):  # parents first (foreign keys)
            rows = buffers[table]
            if rows:
                conn.execute(insert(table), rows)
                rows.clear()


def _catalogue(engine: Engine) -> tuple[list[dict[str, Any]], dict[str, int]]:
    with engine.connect() as conn:
        catalogue = [dict(r._mapping) for r in conn.execute(select(items).order_by(items.c.code))]
        versions = {
            r.process_id: r.id
            for r in conn.execute(select(process_versions.c.process_id, process_versions.c.id).order_by("id"))
        }
    if not catalogue or not versions:
        raise RuntimeError("load the catalogue and deploy the processes first")
    # shuffle deterministically, so the busiest items are not all of one department
    random.Random(3).shuffle(catalogue)
    return catalogue, versions


def _completed_receipts(gen: _Gen, count: int) -> Iterator[datetime]:
    last = gen.now.date() - timedelta(days=45)  # every completed case has ended before "now"
    days = gen.workdays(last - timedelta(days=DAYS - 45), last)
    for _ in range(count):
        yield gen.at(gen.rng.choice(days))


def _open_receipts(gen: _Gen, count: int) -> Iterator[datetime]:
    for _ in range(count):
        back = min(60.0, gen.rng.expovariate(1 / 7))
        received = gen.now - timedelta(days=back, hours=gen.rng.uniform(0, 3))
        while not gen.calendar.is_workday(received.astimezone(gen.zone).date()):
            received -= timedelta(days=1)
        yield received


def generate(engine: Engine, calendar: WorkCalendar, secret: str, completed: int, open_: int, *, seed: int = 11,
             progress: Callable[[int], None] | None = None) -> Summary:  # fmt: skip
    """Write ``completed`` finished and ``open_`` undecided cases with their instances, inbox rows and ratings."""
    catalogue, versions = _catalogue(engine)
    gen = _Gen(catalogue, versions, calendar, secret, seed)
    by_code = {i["code"]: i for i in catalogue}
    with engine.connect() as conn:
        gen.n = int(conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM instances")).scalar_one())
    summary = Summary(completed=completed, open=open_)
    buffers: dict[Any, list[dict[str, Any]]] = {t: [] for t in (instances, cases, human_tasks, evaluations)}
    sample_every = max(1, (completed + open_) // 200)
    for kind, receipts in (("done", _completed_receipts(gen, completed)), ("open", _open_receipts(gen, open_))):
        for received in receipts:
            gen.n += 1
            if kind == "done":
                row, role, name = completed_case(gen, received), "approver", "审批"
            else:
                row, role, name = open_case(gen, received)
            item = by_code[row["item_code"]]
            row["instance_id"] = gen.n
            buffers[instances].append(_instance(gen, row, item, kind == "open"))
            buffers[cases].append(row)
            if kind == "open" or row["accepted_at"] is not None:
                buffers[human_tasks].append(_task(gen, row, item, role, name, kind == "done"))
            if kind == "open":
                summary.ready_tasks[(role, row["department"])] += 1
                summary.open_by_department[row["department"]] += 1
            elif row["result"] in {"approved", "refused"} and gen.rng.random() < 0.25:
                buffers[evaluations].append(_rating(gen, row))
            summary.received_by_day[received.astimezone(gen.zone).date()] += 1
            if gen.n % sample_every == 0:
                summary.samples.append((row["case_no"], row["status"]))
            if len(buffers[cases]) >= BATCH:
                _flush(engine, buffers)
                if progress:
                    progress(BATCH)
    _flush(engine, buffers)
    return summary


def analyse(engine: Engine) -> None:
    """Refresh the planner's statistics after a bulk load (what autovacuum/``PRAGMA optimize`` do in time)."""
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
