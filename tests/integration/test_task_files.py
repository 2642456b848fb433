"""The clerk workbench's task extras through the service layer: attachments (stored by content hash outside the
database, size and type limits by extension and content, who may add and read them), comments, 转办 transfers
that move a task between department inboxes and survive later saves, and the case panel beside a task."""

from __future__ import annotations

import hashlib
import io
import os
import time
import zipfile
from datetime import datetime, timedelta

import pytest

from engine.bootstrap import Platform
from engine.domain.access import Principal
from engine.domain.records import InstanceStatus, TaskState
from engine.errors import ConcurrencyConflict, FormValidationError, InvalidTransition, NotFound, PermissionDenied
from engine.services.attachment_store import AttachmentStore
from engine.services.definitions import SourceFile, read_paths
from tests.conftest import ADMIN, APPROVER, CST, ENV, HOUSING, LAND, ROOT, WINDOW, principal

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WATER = principal("water", ("reviewer", "WATER"))
STRANGER = principal("stranger", ("reviewer", "TRANSPORT"))
INTAKE = {"applicant_name": "张三", "materials_complete": True, "accepted": True}
YES = {"approved": True, "opinion": "同意"}


def zipped(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def stored_files(platform: Platform) -> list[str]:
    root = platform.settings.instance_dir / "attachments"
    return sorted(p.name for p in root.glob("*/*") if p.is_file() and p.parent.name != "tmp")


def task_of(platform: Platform, who: Principal, instance_id: int) -> str:
    mine = [t.task_id for t in platform.tasks.inbox(who) if t.instance_id == instance_id]
    assert len(mine) == 1, f"{who.username} sees {len(mine)} tasks of instance {instance_id}"
    return mine[0]


@pytest.fixture
def reviewing(deployed: Platform) -> tuple[Platform, int, str]:
    """The parallel review after intake: (platform, instance id, LAND's review task)."""
    deployed.accounts.add_department("WATER", "县水务局")
    deployed.accounts.add_department("TRANSPORT", "县交通运输局")
    iid = deployed.instances.start(WINDOW, "parallel_review", {"department": "CENTRE", "case_no": "TF-1"}).id
    deployed.tasks.complete(WINDOW, task_of(deployed, WINDOW, iid), INTAKE)
    return deployed, iid, task_of(deployed, LAND, iid)


# -- attachments -------------------------------------------------------------------------------------------


def test_an_attachment_is_stored_by_its_content_hash_never_by_its_name(reviewing: tuple[Platform, int, str]) -> None:
    platform, iid, task = reviewing
    files = platform.task_files
    first = files.upload(LAND, task, "../../etc/现场照片.pdf", io.BytesIO(PDF))
    digest = hashlib.sha256(PDF).hexdigest()
    assert (first.filename, first.sha256, first.size, first.content_type) == (
        "现场照片.pdf", digest, len(PDF), "application/pdf"
    )  # fmt: skip
    attachment, path = files.open(LAND, first.id)
    assert path == platform.settings.instance_dir / "attachments" / digest[:2] / digest
    assert path.read_bytes() == PDF and attachment == first
    again = files.upload(HOUSING, task_of(platform, HOUSING, iid), "副本.PDF", io.BytesIO(PDF))
    assert stored_files(platform) == [digest]  # one copy of identical content
    assert [(a.id, a.uploaded_by) for a in files.attachments(ENV, task_of(platform, ENV, iid))] == [
        (first.id, "land"),
        (again.id, "housing"),
    ]
    history = platform.instances.show(ADMIN, iid).history
    added = [e for e in history if e.action == "attachment_added"]
    assert [e.details["filename"] for e in added if e.details] == ["现场照片.pdf", "副本.PDF"]


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_kept(reviewing: tuple[Platform, int, str]) -> None:
    platform, _, task = reviewing
    limit = platform.settings.max_attachment_bytes
    assert limit == 10 * 1024 * 1024
    with pytest.raises(FormValidationError) as refused:
        platform.task_files.upload(LAND, task, "大文件.pdf", io.BytesIO(PDF + b"0" * (limit - len(PDF) + 1)))
    assert refused.value.details[0]["field"] == "file" and "10 MB" in refused.value.details[0]["message"]
    root = platform.settings.instance_dir / "attachments"
    assert [p for p in root.rglob("*") if p.is_file()] == []
    exactly = platform.task_files.upload(LAND, task, "刚好.pdf", io.BytesIO(PDF + b"0" * (limit - len(PDF))))
    assert exactly.size == limit


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("照片.pdf", PNG),  # a PNG wearing a .pdf name
        ("setup.exe", b"MZ\x90\x00"),
        ("宏.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
        ("报告.docx", zipped("evil.sh")),  # a ZIP, but not a Word document
        ("报告.docx", b"PK\x03\x04 truncated"),
        ("空.pdf", b""),
        ("", PDF),
    ],
)
def test_a_file_whose_name_or_content_is_not_accepted_is_refused(
    reviewing: tuple[Platform, int, str], name: str, content: bytes
) -> None:
    platform, iid, task = reviewing
    with pytest.raises(FormValidationError) as refused:
        platform.task_files.upload(LAND, task, name, io.BytesIO(content))
    assert refused.value.details[0]["field"] == "file"
    assert stored_files(platform) == [] and platform.task_files.attachments(LAND, task) == []
    assert not [p for p in (platform.settings.instance_dir / "attachments").rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("扫描件.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg"),
        ("平面图.png", PNG, "image/png"),
        ("审查意见.docx", zipped("[Content_Types].xml", "word/document.xml"), "application/vnd.openxmlformats"),
        ("清单.xlsx", zipped("[Content_Types].xml", "xl/workbook.xml"), "application/vnd.openxmlformats"),
        ("证照.ofd", zipped("OFD.xml", "Doc_0/Document.xml"), "application/ofd"),
    ],
)
def test_each_accepted_kind_is_stored_with_its_own_content_type(
    reviewing: tuple[Platform, int, str], name: str, content: bytes, content_type: str
) -> None:
    platform, _, task = reviewing
    stored = platform.task_files.upload(LAND, task, name, io.BytesIO(content))
    assert stored.content_type.startswith(content_type)
    assert platform.task_files.open(LAND, stored.id)[1].read_bytes() == content


def test_only_candidates_participants_and_admins_may_add_or_read_attachments(
    reviewing: tuple[Platform, int, str],
) -> None:
    platform, _, task = reviewing
    stored = platform.task_files.upload(LAND, task, "a.pdf", io.BytesIO(PDF))
    for stranger in (STRANGER, APPROVER):
        with pytest.raises(PermissionDenied):
            platform.task_files.upload(stranger, task, "b.pdf", io.BytesIO(PDF))
        with pytest.raises(PermissionDenied):
            platform.task_files.attachments(stranger, task)
        with pytest.raises(PermissionDenied):
            platform.task_files.open(stranger, stored.id)
    assert platform.task_files.open(ADMIN, stored.id)[0].id == stored.id
    assert platform.task_files.open(WINDOW, stored.id)[0].id == stored.id  # completed the intake: a participant
    with pytest.raises(NotFound):
        platform.task_files.open(ADMIN, stored.id + 1000)
    with pytest.raises(NotFound):
        platform.task_files.upload(ADMIN, "no-such-task", "a.pdf", io.BytesIO(PDF))
    assert len(stored_files(platform)) == 1


def test_nothing_can_be_added_to_an_ended_instance(reviewing: tuple[Platform, int, str]) -> None:
    platform, iid, task = reviewing
    platform.instances.terminate(ADMIN, iid, "测试")
    with pytest.raises(InvalidTransition):
        platform.task_files.upload(ADMIN, task, "a.pdf", io.BytesIO(PDF))
    with pytest.raises(InvalidTransition):
        platform.task_files.add_comment(ADMIN, task, "迟到的意见")


def test_a_failed_twin_upload_never_removes_the_file_the_other_one_committed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = AttachmentStore(tmp_path / "attachments")
    first = store.place(store.receive(io.BytesIO(PDF), 1000))
    second = store.place(store.receive(io.BytesIO(PDF), 1000))
    assert first.created and not second.created and second.spare is not None
    store.abandon(first, still_referenced=False)  # the first upload's row failed before the second committed
    assert not first.final.exists()
    store.settle(second)  # the second committed: its own copy takes the address
    assert first.final.read_bytes() == PDF and list((tmp_path / "attachments" / "tmp").iterdir()) == []
    third = store.place(store.receive(io.BytesIO(PDF), 1000))
    store.abandon(third, still_referenced=False)  # did not create the file: leaves it alone
    assert first.final.read_bytes() == PDF


def test_the_sweep_removes_old_unreferenced_files_only(reviewing: tuple[Platform, int, str]) -> None:
    platform, _, task = reviewing
    kept = platform.task_files.upload(LAND, task, "a.pdf", io.BytesIO(PDF))
    store = platform.task_files.store
    orphan = store.place(store.receive(io.BytesIO(PNG), 1000)).final  # as if the process died before commit
    leftover = store.root / "tmp" / "upload-crashed"
    leftover.write_bytes(b"half")
    assert platform.task_files.sweep_orphans() == 0  # all younger than the grace period
    old = time.time() - 7200
    for path in (orphan, leftover, store.path_for(kept.sha256)):
        os.utime(path, (old, old))
    assert platform.task_files.sweep_orphans() == 2
    assert not orphan.exists() and not leftover.exists() and store.path_for(kept.sha256).exists()


# -- comments ----------------------------------------------------------------------------------------------


def test_comments_are_plain_text_with_author_and_time_oldest_first(reviewing: tuple[Platform, int, str], clock) -> None:  # type: ignore[no-untyped-def]
    platform, iid, task = reviewing
    platform.task_files.add_comment(LAND, task, "  请补充<b>红线图</b>  ")
    clock.advance(timedelta(minutes=5))
    platform.task_files.add_comment(HOUSING, task_of(platform, HOUSING, iid), "已收到")
    comments = platform.task_files.comments(ENV, task_of(platform, ENV, iid))
    assert [(c.author, c.body) for c in comments] == [("land", "请补充<b>红线图</b>"), ("housing", "已收到")]
    assert comments[1].created_at - comments[0].created_at == timedelta(minutes=5)
    with pytest.raises(FormValidationError) as empty:
        platform.task_files.add_comment(LAND, task, "   ")
    assert empty.value.details[0]["field"] == "body"
    with pytest.raises(FormValidationError):
        platform.task_files.add_comment(LAND, task, "长" * 2001)
    with pytest.raises(PermissionDenied):
        platform.task_files.add_comment(STRANGER, task, "路过")
    with pytest.raises(PermissionDenied):
        platform.task_files.comments(STRANGER, task)


# -- transfer (转办) -----------------------------------------------------------------------------------------


def test_a_transfer_moves_the_task_to_the_other_department_s_inbox(reviewing: tuple[Platform, int, str]) -> None:
    platform, iid, task = reviewing
    platform.tasks.claim(LAND, task)
    moved = platform.tasks.transfer(LAND, task, "WATER", "涉及水源保护区，应由水务局审查")
    assert (moved.department, moved.claimed_by) == ("WATER", None)
    assert task not in [t.task_id for t in platform.tasks.inbox(LAND)]
    assert task_of(platform, WATER, iid) == task
    event = [e for e in platform.instances.show(ADMIN, iid).history if e.action == "task_transferred"]
    assert len(event) == 1 and event[0].actor == "land" and event[0].task_id == task
    assert event[0].details == {"from": "LAND", "to": "WATER", "reason": "涉及水源保护区，应由水务局审查"}


def test_a_transferred_task_stays_moved_through_later_saves_and_only_the_target_completes_it(
    reviewing: tuple[Platform, int, str], clock
) -> None:  # type: ignore[no-untyped-def]
    platform, iid, task = reviewing
    platform.tasks.transfer(LAND, task, "WATER", "职责调整")
    platform.tasks.complete(HOUSING, task_of(platform, HOUSING, iid), YES)  # the instance is saved again
    clock.set(datetime(2026, 3, 20, 9, 0, tzinfo=CST))  # past the 5-working-day deadline: the timer fires
    assert iid in platform.timers.fire_due().fired
    platform.instances.suspend(ADMIN, iid)
    platform.instances.resume(ADMIN, iid)
    assert task_of(platform, WATER, iid) == task
    assert task not in [t.task_id for t in platform.tasks.inbox(LAND)]
    with pytest.raises(PermissionDenied):
        platform.tasks.complete(LAND, task, YES)
    with pytest.raises(PermissionDenied):
        platform.tasks.show(LAND, task)
    platform.tasks.complete(WATER, task, {"approved": True, "opinion": "水务局同意"})
    platform.tasks.complete(ENV, task_of(platform, ENV, iid), YES)
    approve = task_of(platform, APPROVER, iid)
    assert platform.instances.show(ADMIN, iid).data["review_land"]["opinion"] == "水务局同意"
    platform.tasks.complete(APPROVER, approve, {"decision": "准予许可"})
    assert platform.instances.show(ADMIN, iid).instance.status == InstanceStatus.COMPLETED


@pytest.mark.parametrize(
    ("department", "reason", "field"),
    [("", "理由", "department"), ("NOWHERE", "理由", "department"), ("LAND", "理由", "department"),
     ("WATER", "  ", "reason"), ("WATER", "长" * 501, "reason")],
)  # fmt: skip
def test_a_transfer_needs_another_existing_department_and_a_reason(
    reviewing: tuple[Platform, int, str], department: str, reason: str, field: str
) -> None:
    platform, _, task = reviewing
    with pytest.raises(FormValidationError) as refused:
        platform.tasks.transfer(LAND, task, department, reason)
    assert [d["field"] for d in refused.value.details] == [field]
    assert platform.tasks.show(LAND, task).task.department == "LAND"


def test_who_may_transfer_and_when(reviewing: tuple[Platform, int, str]) -> None:
    platform, iid, task = reviewing
    with pytest.raises(PermissionDenied):
        platform.tasks.transfer(HOUSING, task, "WATER", "不是我的任务")
    platform.tasks.claim(ADMIN, task)
    with pytest.raises(PermissionDenied):
        platform.tasks.transfer(LAND, task, "WATER", "别人已签收")
    platform.tasks.unclaim(ADMIN, task)
    platform.instances.suspend(ADMIN, iid)
    with pytest.raises(InvalidTransition):
        platform.tasks.transfer(LAND, task, "WATER", "挂起中")
    platform.instances.resume(ADMIN, iid)
    platform.tasks.complete(LAND, task, YES)
    with pytest.raises(ConcurrencyConflict):
        platform.tasks.transfer(LAND, task, "WATER", "已办结")
    assert platform.tasks.show(LAND, task).task.state == TaskState.COMPLETED


# -- the case beside a task --------------------------------------------------------------------------------


@pytest.fixture
def item_case(platform: Platform) -> tuple[Platform, str, str]:
    """A real item's case at acceptance: (platform, case number, the acceptance task)."""
    platform.catalogue.load()
    forms = sorted((ROOT / "forms").glob("*.json"))
    platform.definitions.deploy(read_paths([ROOT / "processes" / "items" / "item_xk_zrzy_001.bpmn", *forms]))
    body = {
        "item_code": "XK-ZRZY-001",
        "applicant": {"name": "欧阳娜娜", "id_number": "530127199001011234", "phone": "13812345678"},
        "materials": [
            "建设项目用地预审与选址申请表",
            {"name": "标绘拟用地位置的地形图", "received": False},
            "授权委托书",
        ],
    }
    created = platform.cases.create(principal("win", ("window_officer", "LAND")), body)
    task = platform.tasks.inbox(principal("win", ("window_officer", "LAND")))[0].task_id
    return platform, created.case_no, task


def test_the_case_panel_shows_the_case_its_materials_and_notices(item_case: tuple[Platform, str, str]) -> None:
    platform, case_no, task = item_case
    panel = platform.tasks.case_panel(principal("win", ("window_officer", "LAND")), task)
    assert panel is not None and panel.case_no == case_no
    assert (panel.item_code, panel.item_name) == ("XK-ZRZY-001", "建设项目用地预审与选址意见书核发")
    assert (panel.applicant_name, panel.applicant_id_number, panel.applicant_phone) == (
        "欧阳娜娜", "530127********1234", "138****5678"
    )  # fmt: skip
    assert (panel.channel, panel.status, panel.department) == ("window", "received", "LAND")
    states = {m.name: m.state for m in panel.materials}
    assert states["建设项目用地预审与选址申请表"] == "received"
    assert states["标绘拟用地位置的地形图"] == "missing"
    assert states["土地利用现状材料"] == "missing"
    assert states["授权委托书"] == "received" and not panel.materials[-1].listed
    assert len(panel.missing) == 4
    assert [n.kind for n in panel.notices] == ["receipt"]
    notice = platform.tasks.case_notice(principal("win", ("window_officer", "LAND")), task, panel.notices[0].id)
    assert notice["case_no"] == case_no and notice["kind"] == "receipt"
    with pytest.raises(PermissionDenied):
        platform.tasks.case_panel(STRANGER, task)
    with pytest.raises(PermissionDenied):
        platform.tasks.case_notice(STRANGER, task, panel.notices[0].id)
    with pytest.raises(NotFound):
        platform.tasks.case_notice(ADMIN, task, panel.notices[0].id + 99)


def test_a_process_without_a_case_has_no_case_panel(reviewing: tuple[Platform, int, str]) -> None:
    platform, _, task = reviewing
    assert platform.tasks.case_panel(LAND, task) is None


def test_a_transferred_task_keeps_its_department_when_the_instance_moves_to_a_new_version(
    reviewing: tuple[Platform, int, str],
) -> None:
    platform, iid, task = reviewing
    platform.tasks.claim(LAND, task)
    platform.tasks.transfer(LAND, task, "WATER", "职责调整")
    xml = (ROOT / "processes" / "parallel_review.bpmn").read_text(encoding="utf-8")
    renamed = xml.replace('name="自然资源局审查"', 'name="自然资源局审查（新版）"')
    assert renamed != xml
    platform.definitions.deploy([SourceFile("parallel_review.bpmn", renamed.encode())], actor="test")
    assert platform.migration.migrate(ADMIN, "parallel_review", 2, [iid]).outcomes[0].migrated
    moved = platform.tasks.show(ADMIN, task).task
    assert (moved.name, moved.department, moved.claimed_by) == ("自然资源局审查（新版）", "WATER", None)
    assert task_of(platform, WATER, iid) == task
    assert task not in [t.task_id for t in platform.tasks.inbox(LAND)]
