"""Public disclosure edited by the centre: the announcements board (政务信息公开栏: hot questions, notices,
policy explanations — published, pinned, withdrawn) and the staff cards the public window board shows
(staff number, title, office phone)."""

from __future__ import annotations

import re
from typing import Any

from engine.domain.access import SUPERVISOR, Principal
from engine.errors import FieldError, FormValidationError, NotFound, PermissionDenied
from engine.services.context import ServiceContext

CATEGORIES = ("热点问题", "通知公告", "政策解读", "办事提示")
PHONE = re.compile(r"^[0-9][0-9-]{4,19}$")
STAFF_NUMBER = re.compile(r"^[A-Za-z0-9-]{1,32}$")


def _may_edit(principal: Principal) -> bool:
    return principal.is_admin or principal.has_role(SUPERVISOR)


def _text(values: dict[str, Any], errors: list[FieldError], name: str, limit: int, *, required: bool) -> str | None:
    raw = values.get(name)
    text = raw.strip() if isinstance(raw, str) else None
    if raw is not None and not isinstance(raw, str):
        errors.append(FieldError(name, "应为文本"))
    elif required and not text:
        errors.append(FieldError(name, "必填"))
    elif text and len(text) > limit:
        errors.append(FieldError(name, f"不能超过{limit}字"))
    return text or None


class DisclosureService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # -- announcements ------------------------------------------------------------------------------------
    def announcements(self) -> list[dict[str, Any]]:
        """What the public board shows: published and not withdrawn, pinned first, newest first."""
        with self._ctx.uow() as uow:
            return list(uow.discipline.announcements())

    def all_announcements(self, principal: Principal) -> list[dict[str, Any]]:
        """For the editors: withdrawn ones too."""
        self._require_editor(principal)
        with self._ctx.uow() as uow:
            return list(uow.discipline.announcements(include_withdrawn=True))

    def publish(self, principal: Principal, values: dict[str, Any]) -> dict[str, Any]:
        self._require_editor(principal)
        errors: list[FieldError] = []
        row = self._content(values, errors, partial=False)
        if errors:
            raise FormValidationError("公告内容有误", errors)
        now = self._ctx.now()
        row.update(published_at=now, updated_at=now, author=principal.username, withdrawn_at=None)
        row["pinned"] = bool(values.get("pinned", False))
        with self._ctx.uow(write=True) as uow:
            row["id"] = uow.discipline.add_announcement(row)
            uow.commit()
        return row

    def update(self, principal: Principal, announcement_id: int, values: dict[str, Any]) -> dict[str, Any]:
        """Change the text or category, pin or unpin, withdraw (``withdrawn: true``) or restore it."""
        self._require_editor(principal)
        errors: list[FieldError] = []
        changes = self._content(values, errors, partial=True)
        for flag in ("pinned", "withdrawn"):
            if flag in values and not isinstance(values[flag], bool):
                errors.append(FieldError(flag, "应为 true 或 false"))
        if errors:
            raise FormValidationError("公告内容有误", errors)
        now = self._ctx.now()
        if "pinned" in values:
            changes["pinned"] = values["pinned"]
        if "withdrawn" in values:
            changes["withdrawn_at"] = now if values["withdrawn"] else None
            changes["withdrawn_by"] = principal.username if values["withdrawn"] else None
        with self._ctx.uow(write=True) as uow:
            current = uow.discipline.announcement(announcement_id)
            if current is None:
                raise NotFound(f"没有第{announcement_id}号公告")
            if current["withdrawn_at"] is not None and values.get("withdrawn") is True:
                changes.pop("withdrawn_at"), changes.pop("withdrawn_by")  # withdrawn once: keep who and when
            uow.discipline.update_announcement(announcement_id, {**changes, "updated_at": now})
            updated = uow.discipline.announcement(announcement_id)
            uow.commit()
        assert updated is not None
        return updated

    def _content(self, values: dict[str, Any], errors: list[FieldError], *, partial: bool) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for name, limit in (("title", 200), ("body", 5000)):
            if not partial or name in values:
                row[name] = _text(values, errors, name, limit, required=True)
        if not partial or "category" in values:
            category = values.get("category") or ("" if partial else CATEGORIES[0])
            if category not in CATEGORIES:
                errors.append(FieldError("category", "可选：" + "、".join(CATEGORIES)))
            row["category"] = category
        return row

    def _require_editor(self, principal: Principal) -> None:
        if not _may_edit(principal):
            raise PermissionDenied("只有中心管理员和监察窗口可以编辑公开栏")

    # -- staff cards --------------------------------------------------------------------------------------
    def staff_cards(self, principal: Principal) -> list[dict[str, Any]]:
        """Every staff member assigned to a window, with their card (or an empty one)."""
        if not principal.is_admin:
            raise PermissionDenied("只有管理员可以编辑工作人员公示信息")
        with self._ctx.uow() as uow:
            cards = uow.discipline.cards()
            people: dict[str, dict[str, Any]] = {}
            for grant in uow.organisation.staff_grants():
                if grant["window"] and grant["username"] not in people:
                    card = cards.get(grant["username"], {})
                    people[grant["username"]] = {
                        "username": grant["username"], "name": grant["display_name"], "window": grant["window"],
                        "staff_number": card.get("staff_number"), "title": card.get("title"),
                        "public_phone": card.get("public_phone"),
                    }  # fmt: skip
        return sorted(people.values(), key=lambda p: (p["window"], p["username"]))

    def set_card(self, principal: Principal, username: str, values: dict[str, Any]) -> dict[str, Any]:
        if not principal.is_admin:
            raise PermissionDenied("只有管理员可以编辑工作人员公示信息")
        errors: list[FieldError] = []
        number = _text(values, errors, "staff_number", 32, required=True)
        title = _text(values, errors, "title", 64, required=False)
        phone = _text(values, errors, "public_phone", 32, required=False)
        if number and not STAFF_NUMBER.match(number):
            errors.append(FieldError("staff_number", "只能包含字母、数字和连字符"))
        if phone and not PHONE.match(phone):
            errors.append(FieldError("public_phone", "应为电话号码，如 0871-60000101"))
        with self._ctx.uow(write=True) as uow:
            if uow.accounts.user_id(username) is None:
                raise NotFound(f"没有账号 {username}")
            holder = uow.discipline.card_with_number(number) if number else None
            if holder is not None and holder["username"] != username:
                errors.append(FieldError("staff_number", f"工号已属于 {holder['username']}"))
            if errors:
                raise FormValidationError("公示信息有误", errors)
            row = {"username": username, "staff_number": number, "title": title, "public_phone": phone}
            uow.discipline.upsert_card({**row, "updated_at": self._ctx.now()})
            uow.commit()
        return row
