"""In-app notifications (站内通知): a user's own list, the unread count for the page header, marking one read."""

from __future__ import annotations

from typing import Any

from engine.domain.access import Principal
from engine.errors import NotFound
from engine.services.context import ServiceContext


class NotificationService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def mine(self, principal: Principal, *, unread_only: bool = False, limit: int = 100) -> list[dict[str, Any]]:
        with self._ctx.uow() as uow:
            return list(uow.notifications.for_user(principal.username, unread_only=unread_only, limit=limit))

    def unread_count(self, principal: Principal) -> int:
        with self._ctx.uow() as uow:
            return int(uow.notifications.unread_count(principal.username))

    def mark_read(self, principal: Principal, notification_id: int) -> None:
        """Only the addressee marks a notification read; anyone else learns nothing about it (404)."""
        with self._ctx.uow(write=True) as uow:
            if not uow.notifications.mark_read(notification_id, principal.username, self._ctx.now()):
                raise NotFound(f"no notification {notification_id}")
            uow.commit()
