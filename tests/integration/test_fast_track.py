"""The key-project fast track end to end on the real BPMN: four departments review at once, one of them
waits for another's result (提前介入 → 补送), the joint limit and each review's promised limit are counted in
working days and raise warnings on a frozen clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from engine.bootstrap import Platform
from engine.clock import FrozenClock
from engine.domain.projects import ProjectStatus, ReviewState, WarningLevel
from engine.errors import FormValidationError, InvalidTransition, PermissionDenied
from engine.services.definitions import read_paths
from tests.conftest import CST, ROOT, principal

OFFICE = principal("fasttrack", ("fast_track_officer", "CENTRE"))
ITEMS = {  # item -> department
    "XK-FZGG-001": "DRC",  # 企业投资项目核准
    "XK-ZRZY-001": "LAND",  # 用地预审与选址意见书
    "XK-STHJ-001": "ENV",  # 环评报告表审批
    "XK-ZFCX-001": "HOUSING",  # 施工许可: waits for the land's result
}
DEPENDENT, PREREQUISITE = "XK-ZFCX-001", "XK-ZRZY-001"
OFFICERS = {d: principal(f"officer_{d.lower()}", ("case_officer", d)) for d in ITEMS.values()}
APPROVERS = {d: principal(f"approver_{d.lower()}", ("approver", d)) for d in ITEMS.values()}


@pytest.fixture
def fast_track(platform: Platform) -> Platform:
    platform.catalogue.load()
    forms = sorted((ROOT / "forms").glob("*.json"))
    processes = [ROOT / "processes" / "fast_track.bpmn", ROOT / "processes" / "fast_track_review.bpmn"]
    platform.definitions.deploy(read_paths([*processes, *forms]), actor="test")
    platform.accounts.add_user("fasttrack", "pw-fasttrack-1", ["fast_track_officer"], "CENTRE")
    return platform


def register(platform: Platform) -> str:
    body = {
        "name": "嵩明职教园区配套产业园",
        "investor": {"name": "云南嵩明产业投资有限公司", "contact": "王强", "phone": "0871-67912345"},
        "location": "嵩明县杨林经济技术开发区",
        "investment": "58000",
        "stage": "construction_permit",
        "materials": ["项目申请报告", "用地红线图", "环境影响报告表", "施工图设计文件审查合格书"],
    }
    return platform.projects.register(OFFICE, body).code


def triage(platform: Platform, code: str) -> dict[str, str]:
    reviews = [{"item_code": item, "prerequisites": [PREREQUISITE] if item == DEPENDENT else []} for item in ITEMS]
    result = platform.projects.triage(OFFICE, code, reviews, "fasttrack", "DRC")
    return result.query_codes


def ready(platform: Platform, who: object, element: str) -> list[str]:
    return [t.task_id for t in platform.tasks.inbox(who) if t.element_id == element]  # type: ignore[arg-type]


def child(platform: Platform, code: str, item: str):  # type: ignore[no-untyped-def]
    return next(c for c in platform.projects.show(OFFICE, code).children if c.item_code == item)


def test_all_reviews_start_together_and_the_dependent_decides_only_after_its_prerequisite(
    fast_track: Platform, clock: FrozenClock
) -> None:
    code = register(fast_track)
    assert code == f"KP-{clock.now().year}-001"
    assert fast_track.projects.show(OFFICE, code).status is ProjectStatus.RECEIVED

    query_codes = triage(fast_track, code)
    progress = fast_track.projects.show(OFFICE, code)
    assert progress.status is ProjectStatus.IN_REVIEW and len(query_codes) == 4
    # one transaction: every department's pre-review became ready at the same instant
    tasks = {d: fast_track.tasks.inbox(OFFICERS[d]) for d in ITEMS.values()}
    assert all(len(t) == 1 and t[0].element_id == "pre_review" for t in tasks.values())
    assert len({t[0].created_at for t in tasks.values()}) == 1
    assert {c.state for c in progress.children} == {ReviewState.PRE_REVIEW}
    assert all(c.accepted_at == clock.now() for c in progress.children)
    for c in progress.children:  # each child is a real case, accepted at triage, statutory fees only
        status = fast_track.cases.public_status(c.case_no, query_codes[c.case_no])
        assert status["status"] == "accepted"

    # the dependent pre-reviews at once (early intervention) ... then waits: no decision step yet
    (task_id,) = ready(fast_track, OFFICERS["HOUSING"], "pre_review")
    fast_track.tasks.complete(OFFICERS["HOUSING"], task_id, {"opinion": "施工图与用地预审范围一致，待用地结果"})
    assert child(fast_track, code, DEPENDENT).state is ReviewState.WAITING
    assert ready(fast_track, APPROVERS["HOUSING"], "decision") == []
    # ... while an independent review goes straight to its decision
    (task_id,) = ready(fast_track, OFFICERS["ENV"], "pre_review")
    fast_track.tasks.complete(OFFICERS["ENV"], task_id, {"opinion": "环评报告表符合要求"})
    assert child(fast_track, code, "XK-STHJ-001").state is ReviewState.DECIDING
    assert len(ready(fast_track, APPROVERS["ENV"], "decision")) == 1

    # the prerequisite completes: its result is forwarded and the waiting decision becomes ready
    (task_id,) = ready(fast_track, OFFICERS["LAND"], "pre_review")
    fast_track.tasks.complete(OFFICERS["LAND"], task_id, {"opinion": "选址符合国土空间规划"})
    assert ready(fast_track, APPROVERS["HOUSING"], "decision") == []  # not before the land is DECIDED
    (task_id,) = ready(fast_track, APPROVERS["LAND"], "decision")
    fast_track.tasks.complete(APPROVERS["LAND"], task_id, {"approved": True})
    (decision_id,) = ready(fast_track, APPROVERS["HOUSING"], "decision")
    dependent = child(fast_track, code, DEPENDENT)
    assert dependent.state is ReviewState.DECIDING and dependent.forwarded
    assert dependent.prerequisites[0].state is ReviewState.APPROVED
    forwarded = fast_track.tasks.show(APPROVERS["HOUSING"], decision_id).data["forwarded"][PREREQUISITE]
    assert forwarded["approved"] is True and forwarded["department"] == "LAND"
    assert "用地红线图" in forwarded["materials"]

    # every decision in: the project's process goes on to the joint result
    for item, department in ITEMS.items():
        if item == PREREQUISITE:
            continue
        if department not in ("HOUSING", "ENV"):
            (task_id,) = ready(fast_track, OFFICERS[department], "pre_review")
            fast_track.tasks.complete(OFFICERS[department], task_id, {"opinion": "同意"})
        (task_id,) = ready(fast_track, APPROVERS[department], "decision")
        fast_track.tasks.complete(APPROVERS[department], task_id, {"approved": True})
    (conclusion,) = ready(fast_track, OFFICE, "conclusion")
    (joint_result,) = [t for t in fast_track.tasks.inbox(OFFICE) if t.task_id == conclusion]
    assert joint_result.due_at == fast_track.calendar.calendar().deadline_after(clock.now(), 2).due_at  # 出件时限
    fast_track.tasks.complete(OFFICE, conclusion, {"summary": "四部门均准予，统一出件"})
    final = fast_track.projects.show(OFFICE, code)
    assert final.status is ProjectStatus.CONCLUDED
    assert {c.state for c in final.children} == {ReviewState.APPROVED}
    actions = [e.action for e in fast_track.projects.timeline(OFFICE, code)]
    assert actions.index("registered") < actions.index("triaged") < actions.index("forwarded")
    assert actions.index("forwarded") < actions.index("all_decided") < actions.index("concluded")
    assert actions.count("task_completed") == 8  # four pre-reviews and four decisions, each on the timeline


def test_the_dependent_s_clock_stands_still_while_it_waits(fast_track: Platform, clock: FrozenClock) -> None:
    code = register(fast_track)
    triage(fast_track, code)
    (task_id,) = ready(fast_track, OFFICERS["HOUSING"], "pre_review")
    fast_track.tasks.complete(OFFICERS["HOUSING"], task_id, {"opinion": "预审完毕，待用地结果"})
    waiting = child(fast_track, code, DEPENDENT)
    assert waiting.state is ReviewState.WAITING and waiting.used_days == 0
    assert fast_track.cases.show(OFFICE, waiting.case_no)["status"] == "paused"

    clock.set(datetime(2026, 3, 16, 10, 0, tzinfo=CST))  # four working days later the land decides
    still = child(fast_track, code, DEPENDENT)
    assert still.used_days == 0 and still.warning is WarningLevel.GREEN  # not the housing department's delay
    (task_id,) = ready(fast_track, OFFICERS["LAND"], "pre_review")
    fast_track.tasks.complete(OFFICERS["LAND"], task_id, {"opinion": "同意"})
    (task_id,) = ready(fast_track, APPROVERS["LAND"], "decision")
    fast_track.tasks.complete(APPROVERS["LAND"], task_id, {"approved": True})
    resumed = child(fast_track, code, DEPENDENT)
    assert (
        resumed.state is ReviewState.DECIDING and fast_track.cases.show(OFFICE, resumed.case_no)["status"] == "accepted"
    )
    # three promised working days counted from the resumption: 3-17, 3-18, 3-19
    assert resumed.due_at is not None
    assert (resumed.due_at - timedelta(seconds=1)).astimezone(CST).date() == datetime(2026, 3, 19).date()
    (decision,) = [t for t in fast_track.tasks.inbox(APPROVERS["HOUSING"]) if t.element_id == "decision"]
    assert decision.due_at == resumed.due_at  # the BPMN's decision timer follows the case clock


def test_triage_refuses_mistakes_field_by_field_and_only_once(fast_track: Platform) -> None:
    code = register(fast_track)
    bad = [
        {"item_code": "XK-ZRZY-001", "prerequisites": ["XK-ZFCX-001"]},
        {"item_code": "XK-ZFCX-001", "prerequisites": ["XK-ZRZY-001"]},
        {"item_code": "NO-SUCH-ITEM"},
    ]
    with pytest.raises(FormValidationError) as refused:
        fast_track.projects.triage(OFFICE, code, bad, "nobody", "ENV")
    fields = {e.field for e in refused.value.field_errors}
    assert fields == {"reviews", "reviews.2.item_code", "steward", "lead_department"}
    assert fast_track.projects.show(OFFICE, code).children == ()  # nothing was opened
    with pytest.raises(PermissionDenied):
        fast_track.projects.triage(OFFICERS["LAND"], code, [{"item_code": "XK-ZRZY-001"}], "fasttrack", "LAND")
    fast_track.projects.triage(OFFICE, code, [{"item_code": "XK-ZRZY-001"}], "fasttrack", "LAND")
    with pytest.raises(InvalidTransition):
        fast_track.projects.triage(OFFICE, code, [{"item_code": "XK-ZRZY-001"}], "fasttrack", "LAND")


def test_deadlines_count_working_days_and_warn(fast_track: Platform, clock: FrozenClock) -> None:
    # triage on Tuesday 2026-03-10; the land review's promised 5 working days end Tuesday 2026-03-17
    code = register(fast_track)
    triage(fast_track, code)
    land = child(fast_track, code, PREREQUISITE)
    assert land.promised_days == 5 and land.due_at is not None
    assert (land.due_at - timedelta(seconds=1)).astimezone(CST).date() == datetime(2026, 3, 17).date()
    assert land.warning is WarningLevel.GREEN
    project = fast_track.projects.show(OFFICE, code)
    assert project.statutory_days == 45 and project.warning is WarningLevel.GREEN
    # 45 working days from 3-11: 15 in March, 21 in April (清明 4-4…4-6 off), then 5-6…5-8, the make-up
    # Saturday 5-9 and 5-11…5-15 (劳动节 5-1…5-5 off)
    assert project.due_at is not None
    assert (project.due_at - timedelta(seconds=1)).astimezone(CST).date() == datetime(2026, 5, 15).date()

    clock.set(datetime(2026, 3, 12, 10, 0, tzinfo=CST))  # Thursday: 2 of 5 working days used → green
    assert child(fast_track, code, PREREQUISITE).used_days == 2
    assert child(fast_track, code, PREREQUISITE).warning is WarningLevel.GREEN
    clock.set(datetime(2026, 3, 15, 10, 0, tzinfo=CST))  # Sunday counts nothing: still the Friday's 3
    assert child(fast_track, code, PREREQUISITE).used_days == 3
    clock.set(datetime(2026, 3, 13, 10, 0, tzinfo=CST))  # Friday: 3 of 5 used → yellow (≥ 50 %)
    assert child(fast_track, code, PREREQUISITE).warning is WarningLevel.YELLOW
    clock.set(datetime(2026, 3, 17, 10, 0, tzinfo=CST))  # the last day: red
    assert child(fast_track, code, PREREQUISITE).warning is WarningLevel.RED
    clock.set(datetime(2026, 3, 18, 9, 0, tzinfo=CST))  # past the end of the last working day
    assert fast_track.timers.fire_due().fired  # the BPMN's promised-deadline timer records the overdue step
    late = child(fast_track, code, PREREQUISITE)
    assert late.warning is WarningLevel.OVERDUE and late.remaining_days == -1
    board = fast_track.projects.board(OFFICE)
    assert board[0].worst_warning is WarningLevel.OVERDUE and board[0].warning is WarningLevel.GREEN


def test_the_joint_limit_is_extended_once_by_fifteen_working_days(fast_track: Platform, clock: FrozenClock) -> None:
    code = register(fast_track)
    triage(fast_track, code)
    before = fast_track.projects.show(OFFICE, code).due_at
    assert before is not None
    with pytest.raises(FormValidationError):
        fast_track.projects.extend(OFFICE, code, "需补充水土保持方案", "")
    after = fast_track.projects.extend(OFFICE, code, "需补充水土保持方案", "分管副县长李明")
    assert after.extended and after.statutory_days == 60
    assert after.due_at is not None and after.due_at > before + timedelta(days=15)
    with pytest.raises(InvalidTransition):
        fast_track.projects.extend(OFFICE, code, "再次延期", "分管副县长李明")
    # the process's joint timer moved with it: at the old limit nothing is overdue yet
    clock.set(before + timedelta(hours=1))
    fast_track.timers.fire_due()
    assert "overdue" not in [e.action for e in fast_track.projects.timeline(OFFICE, code)]
    clock.set(after.due_at + timedelta(hours=1))
    fast_track.timers.fire_due()
    assert "overdue" in [e.action for e in fast_track.projects.timeline(OFFICE, code)]


def test_the_meeting_job_puts_the_blocked_and_warned_projects_on_its_agenda(
    fast_track: Platform, clock: FrozenClock
) -> None:
    from engine.scheduler import TimerScheduler

    job = TimerScheduler(fast_track, safety_interval=60)  # its daily meeting job, called as APScheduler would
    processes = [ROOT / "processes" / "meeting_action.bpmn", ROOT / "forms" / "meeting_action.json"]
    fast_track.definitions.deploy(read_paths(processes), actor="test")
    blocked, calm = register(fast_track), register(fast_track)
    triage(fast_track, blocked)
    fast_track.projects.triage(OFFICE, calm, [{"item_code": "XK-FZGG-001"}], "fasttrack", "DRC")
    (task_id,) = ready(fast_track, OFFICERS["HOUSING"], "pre_review")
    fast_track.tasks.complete(OFFICERS["HOUSING"], task_id, {"opinion": "预审完毕，待用地结果"})
    job.convene_meetings()
    assert fast_track.meetings.list(OFFICE) == []  # Tuesday 10 March: no meeting today

    clock.set(datetime(2026, 3, 16, 9, 0, tzinfo=CST))  # the 16th, a Monday: the second meeting of March
    job.convene_meetings()
    job.convene_meetings()
    convened = fast_track.meetings.list(OFFICE)
    assert len(convened) == 1  # once, however often the job runs
    agenda = {entry["code"]: entry for entry in convened[0].agenda}
    assert set(agenda) == {blocked}  # the calm project (one green review, 10 promised days) is not discussed
    reasons = {(r["kind"], r["item_code"]) for r in agenda[blocked]["reasons"]}
    assert ("blocked", DEPENDENT) in reasons  # waiting for the land's result
    # 4 of 5 working days used (80 %) is yellow; the waiting housing review's clock stands still (blocked only)
    assert {("yellow", PREREQUISITE), ("yellow", "XK-STHJ-001")} <= reasons
    assert not [kind for kind, item in reasons if item == DEPENDENT and kind != "blocked"]

    action = {"description": "自然资源局2个工作日内作出用地预审决定", "department": "LAND", "workdays": 2,
              "project_code": blocked}  # fmt: skip
    held = fast_track.meetings.record_minutes(
        OFFICE, convened[0].id, "研究施工许可前置问题", ["用地预审优先办理"], [action]
    )
    land_officer = principal("land_officer", ("case_officer", "LAND"))
    (task,) = [t for t in fast_track.tasks.inbox(land_officer) if t.process_id == "meeting_action"]
    assert task.business_key == held.actions[0].business_key and task.due_at == held.actions[0].due_at
    fast_track.tasks.complete(land_officer, task.task_id, {"note": "已于3月17日作出准予决定"})
    assert fast_track.meetings.open_actions(OFFICE) == []


REGISTRATION, CERTIFICATE = "不动产登记费（非住宅类）", "不动产权证书工本费（第二本）"
SURVEY = "不动产权籍调查技术服务费"


def test_a_project_case_pays_statutory_fees_only_and_its_notices_show_the_waived_charge(
    fast_track: Platform,
) -> None:
    code = register(fast_track)
    # 不动产登记: 登记费 and 证书工本费 are statutory; the 权籍调查技术服务费 is not
    fast_track.projects.triage(OFFICE, code, [{"item_code": "FW-ZRZY-001"}], "fasttrack", "LAND")
    (task_id,) = ready(fast_track, OFFICERS["LAND"], "pre_review")
    fast_track.tasks.complete(OFFICERS["LAND"], task_id, {"opinion": "权属清楚"})
    (task_id,) = ready(fast_track, APPROVERS["LAND"], "decision")
    fast_track.tasks.complete(APPROVERS["LAND"], task_id, {"approved": True})
    (delivery,) = ready(fast_track, OFFICE, "delivery")
    with pytest.raises(FormValidationError) as refused:
        fast_track.tasks.complete(OFFICE, delivery, {"method": "窗口领取", "fees_charged": [SURVEY]})
    assert [e.field for e in refused.value.field_errors] == ["fees_charged"]
    assert "不是法定收费" in refused.value.field_errors[0].message
    fast_track.tasks.complete(OFFICE, delivery, {"method": "窗口领取", "fees_charged": [REGISTRATION, CERTIFICATE]})

    case_no = fast_track.projects.show(OFFICE, code).children[0].case_no
    notices = {n["kind"]: n["content"] for n in fast_track.cases.notices(OFFICE, case_no)}
    for kind in ("receipt", "acceptance", "delivery"):
        lines = {line["name"]: line for line in notices[kind]["fees"]["lines"]}
        assert lines[SURVEY]["waived"] and "免收" in lines[SURVEY]["note"]
        assert not lines[REGISTRATION]["waived"] and notices[kind]["fees"]["total"] == "560.00"
    assert notices["delivery"]["fees"]["charged_total"] == "560.00"


def test_triage_is_one_transaction_when_the_last_opening_fails(
    fast_track: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = register(fast_track)
    opened: list[str] = []
    real_open = fast_track.cases.open_in

    def open_then_fail_at_the_fourth(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if len(opened) == 3:
            raise RuntimeError("the disk filled up while opening the fourth review")
        result = real_open(*args, **kwargs)  # type: ignore[arg-type]
        opened.append(result.case_no)
        return result

    monkeypatch.setattr(fast_track.projects.flow, "_open_case", open_then_fail_at_the_fourth)
    with pytest.raises(RuntimeError):
        triage(fast_track, code)
    assert len(opened) == 3  # three cases were opened inside the transaction ...
    after = fast_track.projects.show(OFFICE, code)  # ... and none of them survived it
    assert after.status is ProjectStatus.RECEIVED and after.children == ()
    assert all(fast_track.tasks.inbox(officer) == [] for officer in OFFICERS.values())
    assert len(ready(fast_track, OFFICE, "triage")) == 1  # the office can triage again


def test_a_withdrawn_prerequisite_settles_its_dependent_and_the_project(fast_track: Platform) -> None:
    code = register(fast_track)
    reviews = [{"item_code": PREREQUISITE}, {"item_code": DEPENDENT, "prerequisites": [PREREQUISITE]}]
    fast_track.projects.triage(OFFICE, code, reviews, "fasttrack", "LAND")
    (task_id,) = ready(fast_track, OFFICERS["HOUSING"], "pre_review")
    fast_track.tasks.complete(OFFICERS["HOUSING"], task_id, {"opinion": "预审完毕"})
    land_case = child(fast_track, code, PREREQUISITE).case_no
    fast_track.cases.withdraw(OFFICE, land_case, "投资方调整用地方案，撤回用地预审申请")
    assert child(fast_track, code, PREREQUISITE).state is ReviewState.ENDED
    (decision_id,) = ready(fast_track, APPROVERS["HOUSING"], "decision")  # released, with what happened
    forwarded = fast_track.tasks.show(APPROVERS["HOUSING"], decision_id).data["forwarded"][PREREQUISITE]
    assert forwarded["result"] == "ended" and forwarded["approved"] is False
    fast_track.tasks.complete(APPROVERS["HOUSING"], decision_id, {"approved": False, "reasons": "用地预审已撤回"})
    assert len(ready(fast_track, OFFICE, "conclusion")) == 1  # every review settled: the joint result is next
    assert not fast_track.projects.show(OFFICE, code).can_extend


def test_each_department_reads_only_its_own_notes_and_meeting_items(fast_track: Platform, clock: FrozenClock) -> None:
    code = register(fast_track)
    triage(fast_track, code)
    fast_track.projects.message(OFFICE, code, "ENV", "请于周五前补充噪声评估结论")
    land = principal("land_clerk", ("window_officer", "LAND"))
    water = principal("water_clerk", ("window_officer", "WATER"))
    env = principal("env_clerk", ("window_officer", "ENV"))
    note = [e for e in fast_track.projects.timeline(land, code) if e.action == "note"]
    assert note and note[0].text == "" and "噪声" not in note[0].label  # LAND sees that ENV was written to
    assert [e.text for e in fast_track.projects.timeline(env, code) if e.action == "note"] == [
        "请于周五前补充噪声评估结论"
    ]
    with pytest.raises(PermissionDenied):
        fast_track.projects.show(water, code)
    (task_id,) = ready(fast_track, OFFICERS["HOUSING"], "pre_review")
    fast_track.tasks.complete(OFFICERS["HOUSING"], task_id, {"opinion": "待用地结果"})
    preview = fast_track.meetings.agenda_preview(OFFICE)
    assert preview is not None and [e["code"] for e in preview.entries] == [code]  # blocked: on the agenda
    assert [e["code"] for e in fast_track.meetings.agenda_preview(land).entries] == [code]  # type: ignore[union-attr]
    assert fast_track.meetings.agenda_preview(water).entries == []  # type: ignore[union-attr]


def test_a_package_not_triaged_on_its_day_is_overdue_and_said_so(fast_track: Platform, clock: FrozenClock) -> None:
    code = register(fast_track)
    assert fast_track.projects.show(OFFICE, code).warning is WarningLevel.GREEN
    (task_id,) = ready(fast_track, OFFICE, "triage")
    with pytest.raises(FormValidationError):  # the query codes are shown once, on the project page only
        fast_track.tasks.complete(OFFICE, task_id, {"reviews": [PREREQUISITE], "steward": "fasttrack",
                                                    "lead_department": "LAND"})  # fmt: skip
    clock.set(datetime(2026, 3, 11, 9, 0, tzinfo=CST))
    fast_track.timers.fire_due()
    late = fast_track.projects.show(OFFICE, code)
    assert late.warning is WarningLevel.OVERDUE
    assert "overdue" in [e.action for e in fast_track.projects.timeline(OFFICE, code)]
