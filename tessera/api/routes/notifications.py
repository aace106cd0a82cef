"""Notifications: another agency's upload matched this agency's material."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tessera.api.deps import RowId, Svc, Who
from tessera.service import notifications
from tessera.store.tables import Notification

router = APIRouter(tags=["notifications"])


def notification_row(n: Notification) -> dict[str, Any]:
    return {"id": n.id, "message": n.message, "from_agency": n.from_agency.code,
            "from_country": n.from_agency.country, "from_contact": n.from_agency.contact,
            "case": n.case_ref, "series_id": n.series_id, "files": n.files,
            "created_at": n.created_at.isoformat(), "read": n.read_at is not None}


@router.get("/notifications")
def list_notifications(svc: Svc, p: Who, unread: bool = False) -> list[dict[str, Any]]:
    with svc.ctx.db.session() as s:
        return [notification_row(n) for n in notifications.list_notifications(s, p, unread)]


@router.post("/notifications/{notification_id}/read")
def mark_read(notification_id: RowId, svc: Svc, p: Who) -> dict[str, bool]:
    with svc.ctx.db.session() as s:
        notifications.mark_read(s, p, notification_id)
    return {"ok": True}


@router.post("/notifications/read-all")
def mark_all_read(svc: Svc, p: Who) -> dict[str, int]:
    with svc.ctx.db.session() as s:
        return {"read": notifications.mark_all_read(s, p)}
