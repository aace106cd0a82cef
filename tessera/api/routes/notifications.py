"""Notifications: another agency's upload matched this agency's material."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tessera.api.schemas import Count, NotificationOut, Ok
from tessera.http.deps import RowId, Svc, Who
from tessera.service import notifications

router = APIRouter(tags=["notifications"])


@router.get("/notifications", response_model=list[NotificationOut])
def list_notifications(svc: Svc, p: Who, unread: bool = False) -> list[dict[str, Any]]:
    with svc.ctx.db.session() as s:
        return notifications.notification_rows(s, p, unread)


@router.post("/notifications/{notification_id}/read", response_model=Ok)
def mark_read(notification_id: RowId, svc: Svc, p: Who) -> dict[str, bool]:
    with svc.ctx.db.session() as s:
        notifications.mark_read(s, p, notification_id)
    return {"ok": True}


@router.post("/notifications/read-all", response_model=Count)
def mark_all_read(svc: Svc, p: Who) -> dict[str, int]:
    with svc.ctx.db.session() as s:
        return {"read": notifications.mark_all_read(s, p)}
