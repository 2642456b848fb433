"""Attachments and comments on the case a task belongs to: who may add and read them, the size and type limits,
and storing files outside the database (see engine.services.attachment_store and engine.domain.attachments).

Who: the task's candidates (TaskService.show's rule) and the instance's participants (InstanceService.show's
rule: administrators, supervision, the starter, whoever claimed or completed one of its tasks, and holders of
any of its tasks' role and department). Attachments and comments belong to the instance, so every step of the
case sees what earlier steps added; adding needs the instance to be open.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from engine.domain.access import Principal, may_work_on
from engine.domain.attachments import ACCEPTED_LABELS, Attachment, FileKind, TaskComment, kind_of, safe_filename
from engine.domain.records import AuditEvent, HumanTaskRecord, InstanceRecord
from engine.errors import FieldError, FormValidationError, InvalidTransition, NotFound, PermissionDenied
from engine.services.attachment_store import AttachmentStore, Received, TooLarge
from engine.services.context import ServiceContext, UnitOfWorkLike, log, with_retry

MAX_COMMENT = 2000
ORPHAN_GRACE = timedelta(hours=1)


def may_follow(principal: Principal, instance: InstanceRecord, tasks: list[HumanTaskRecord]) -> bool:
    """InstanceService.show's participant rule."""
    return (
        principal.is_admin
        or principal.has_role("supervisor")
        or instance.started_by == principal.username
        or any(t.claimed_by == principal.username or t.completed_by == principal.username for t in tasks)
        or any(principal.holds(t.role, t.department) for t in tasks if t.role)
    )


def _refuse(field: str, message: str) -> FormValidationError:
    return FormValidationError(message, [FieldError(field, message)])


class TaskFileService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self.store = AttachmentStore(ctx.settings.instance_dir / "attachments")

    # -- who -----------------------------------------------------------------------------------
    def _scope(
        self, uow: UnitOfWorkLike, principal: Principal, task_id: str, *, adding: bool
    ) -> tuple[HumanTaskRecord, InstanceRecord]:
        found = uow.instances.get_task_and_instance(task_id, for_update=False)
        if found is None:
            raise NotFound(f"task {task_id} not found")
        task, instance = found
        if not (
            may_work_on(principal, task.role, task.department)
            or may_follow(principal, instance, uow.instances.tasks_for_instance(instance.id))
        ):
            raise PermissionDenied(f"task {task_id} belongs to another department")
        if adding and not instance.status.is_open:
            raise InvalidTransition(f"instance {instance.id} is {instance.status.value}; nothing can be added")
        return task, instance

    # -- attachments ---------------------------------------------------------------------------
    def attachments(self, principal: Principal, task_id: str) -> list[Attachment]:
        """Every attachment of the task's case (all steps), oldest first."""
        with self._ctx.uow() as uow:
            _, instance = self._scope(uow, principal, task_id, adding=False)
            found: list[Attachment] = uow.task_files.attachments_of(instance.id)
        return found

    def upload(self, principal: Principal, task_id: str, filename: str, stream: BinaryIO) -> Attachment:
        """Store one file for the task's case; FormValidationError (field ``file``) for an empty, too large or
        unaccepted file, in which case nothing is kept."""
        with self._ctx.uow() as uow:  # refuse strangers before reading a byte
            self._scope(uow, principal, task_id, adding=True)
        name = safe_filename(filename)
        if not name:
            raise _refuse("file", "请选择要上传的文件 / choose a file to upload")
        kind = kind_of(name)
        if kind is None:
            raise _refuse("file", f"只接受 {ACCEPTED_LABELS} 文件 / only {ACCEPTED_LABELS} files are accepted")
        received = self._receive(stream)
        self._check_content(received, kind)
        placement = self.store.place(received)
        try:
            attachment: Attachment = with_retry(
                3, lambda: self._record(principal, task_id, name, kind, received.sha256, received.size)
            )
        except BaseException:
            self.store.abandon(placement, self._still_referenced(received.sha256))
            raise
        self.store.settle(placement)
        return attachment

    def _receive(self, stream: BinaryIO) -> Received:
        limit = self._ctx.settings.max_attachment_bytes
        try:
            received = self.store.receive(stream, limit)
        except TooLarge:
            size = f"{limit / (1024 * 1024):g} MB"
            raise _refuse("file", f"文件超过 {size} 上限 / the file is larger than the {size} limit") from None
        if received.size == 0:
            self.store.discard(received)
            raise _refuse("file", "文件是空的 / the file is empty")
        return received

    def _check_content(self, received: Received, kind: FileKind) -> None:
        with open(received.temp, "rb") as file:
            matches = kind.matches(file)
        if not matches:
            self.store.discard(received)
            raise _refuse(
                "file", f"文件内容不是扩展名所示的 {kind.label} 格式 / the content is not a {kind.label} file"
            )

    def _record(
        self, principal: Principal, task_id: str, name: str, kind: FileKind, digest: str, size: int
    ) -> Attachment:
        ctx = self._ctx
        with ctx.uow(write=True) as uow:
            task, instance = self._scope(uow, principal, task_id, adding=True)
            now = ctx.now()
            attachment: Attachment = uow.task_files.add_attachment(
                {
                    "instance_id": instance.id,
                    "task_id": task.task_id,
                    "case_no": task.business_key,
                    "filename": name,
                    "content_type": kind.content_type,
                    "size": size,
                    "sha256": digest,
                    "uploaded_by": principal.username,
                    "uploaded_at": now,
                }
            )
            uow.instances.add_audit(
                [
                    AuditEvent(
                        instance_id=instance.id,
                        at=now,
                        actor=principal.username,
                        action="attachment_added",
                        task_id=task.task_id,
                        element_id=task.element_id,
                        element_name=task.name,
                        details={"attachment_id": attachment.id, "filename": name, "size": size, "sha256": digest},
                    )
                ]
            )
            uow.commit()
        return attachment

    def _still_referenced(self, digest: str) -> bool:
        try:
            with self._ctx.uow() as uow:
                return digest in uow.task_files.referenced([digest])
        except Exception:  # cannot tell: keep the file; the sweep removes it later if it is an orphan
            log.exception("could not check whether attachment %s is referenced", digest)
            return True

    def open(self, principal: Principal, attachment_id: int) -> tuple[Attachment, Path]:
        """An attachment and where its bytes are, for whoever may see its case."""
        with self._ctx.uow() as uow:
            attachment: Attachment | None = uow.task_files.attachment(attachment_id)
            if attachment is None:
                raise NotFound(f"attachment {attachment_id} not found")
            instance = uow.instances.get(attachment.instance_id)
            if instance is None:
                raise NotFound(f"attachment {attachment_id} not found")
            task = uow.instances.get_task(attachment.task_id)
            candidate = task is not None and may_work_on(principal, task.role, task.department)
            if not (candidate or may_follow(principal, instance, uow.instances.tasks_for_instance(instance.id))):
                raise PermissionDenied(f"attachment {attachment_id} belongs to another department's case")
        path = self.store.path_for(attachment.sha256)
        if not path.is_file():
            log.error("attachment %s: file %s is missing", attachment_id, path)
            raise NotFound(f"the file of attachment {attachment_id} is missing; ask an administrator")
        return attachment, path

    def sweep_orphans(self, older_than: timedelta = ORPHAN_GRACE) -> int:
        """Remove stored files no attachment references (and abandoned temp files) older than ``older_than``."""

        def referenced(digests: set[str]) -> set[str]:
            with self._ctx.uow() as uow:
                found: set[str] = uow.task_files.referenced(digests)
            return found

        return self.store.sweep(referenced, older_than.total_seconds())

    # -- comments ------------------------------------------------------------------------------
    def comments(self, principal: Principal, task_id: str) -> list[TaskComment]:
        """The case's comments, oldest first (the newest last, as a conversation reads)."""
        with self._ctx.uow() as uow:
            _, instance = self._scope(uow, principal, task_id, adding=False)
            found: list[TaskComment] = uow.task_files.comments_of(instance.id)
        return found

    def add_comment(self, principal: Principal, task_id: str, body: str) -> TaskComment:
        text = (body or "").replace("\r\n", "\n").strip()
        if not text:
            raise _refuse("body", "请填写意见内容 / write something")
        if len(text) > MAX_COMMENT:
            raise _refuse("body", f"意见不能超过 {MAX_COMMENT} 字 / at most {MAX_COMMENT} characters")
        comment: TaskComment = with_retry(3, lambda: self._add_comment(principal, task_id, text))
        return comment

    def _add_comment(self, principal: Principal, task_id: str, text: str) -> TaskComment:
        with self._ctx.uow(write=True) as uow:
            task, instance = self._scope(uow, principal, task_id, adding=True)
            comment: TaskComment = uow.task_files.add_comment(
                {
                    "instance_id": instance.id,
                    "task_id": task.task_id,
                    "author": principal.username,
                    "body": text,
                    "created_at": self._ctx.now(),
                }
            )
            uow.commit()
        return comment
