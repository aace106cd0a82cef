"""Agencies, users, sharing defaults, the audit trail and the instance's status."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from tessera import __version__
from tessera.api.schemas import (
    AgencyOut,
    AuditEventOut,
    AuditVerifyOut,
    CheckpointOut,
    StatusOut,
    UserOut,
)
from tessera.http.deps import MAX_ID, RowId, Svc, Who
from tessera.service import accounts
from tessera.store import repos

router = APIRouter(tags=["admin"])


class AgencyIn(BaseModel):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1, max_length=200)
    country: str = Field(min_length=2, max_length=2)
    contact: str | None = Field(default=None, max_length=300)
    default_sharing: str = Field(default="hash-only", max_length=12)


class AgencyEdit(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    contact: str | None = Field(default=None, max_length=300)
    default_sharing: str | None = Field(default=None, max_length=12)
    grading_votes: int | None = Field(default=None, ge=1, le=3,
                                      description="investigators who must agree on a category")
    partner_consent: bool | None = Field(
        default=None, description="abuse-material hashes may go into signed partner exports")


class UserIn(BaseModel):
    username: str = Field(min_length=2, max_length=80, pattern=r"^[A-Za-z0-9_.@-]+$")
    password: str = Field(min_length=12, max_length=1000)
    agency: str = Field(min_length=1, max_length=32)
    role: str = Field(max_length=20, description="admin | agency-admin | investigator | viewer")
    display_name: str | None = Field(default=None, max_length=200)
    totp_required: bool = False


class UserEdit(BaseModel):
    role: str | None = Field(default=None, max_length=20)
    totp_required: bool | None = None
    disabled: bool | None = None
    unlock: bool = False
    password: str | None = Field(default=None, min_length=12, max_length=1000)
    reset_totp: bool = False


@router.get("/agencies", response_model=list[AgencyOut])
def list_agencies(svc: Svc, p: Who) -> list[dict[str, Any]]:
    """The directory every user may read: who is who, and how to reach them."""
    with svc.ctx.db.session() as s:
        return [accounts.agency_row(a) for a in repos.list_agencies(s)]


@router.post("/agencies", status_code=201, response_model=AgencyOut)
def create_agency(body: AgencyIn, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return accounts.agency_row(accounts.create_agency(
            s, p, body.code, body.name, body.country, body.contact, body.default_sharing))


@router.patch("/agencies/{agency_id}", response_model=AgencyOut)
def edit_agency(agency_id: RowId, body: AgencyEdit, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return accounts.agency_row(accounts.update_agency(
            s, p, agency_id, contact=body.contact, default_sharing=body.default_sharing,
            name=body.name, grading_votes=body.grading_votes,
            partner_consent=body.partner_consent))


@router.get("/users", response_model=list[UserOut])
def list_users(svc: Svc, p: Who) -> list[dict[str, Any]]:
    with svc.ctx.db.session() as s:
        return [accounts.user_row(u) for u in accounts.list_users(s, p)]


@router.post("/users", status_code=201, response_model=UserOut)
def create_user(body: UserIn, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return accounts.user_row(accounts.create_user(
            s, p, body.username, body.password, body.agency, body.role, body.display_name,
            body.totp_required))


@router.patch("/users/{user_id}", response_model=UserOut)
def edit_user(user_id: RowId, body: UserEdit, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        row = accounts.user_row(accounts.update_user(
            s, p, user_id, role=body.role, totp_required=body.totp_required,
            disabled=body.disabled, unlock=body.unlock, password=body.password,
            reset_totp=body.reset_totp))
    if body.unlock:
        svc.throttle.forget(row["username"])
    return row


def _filters(actor: str | None, action: str | None, agency: str | None,
             since: datetime | None, until: datetime | None,
             outcome: str | None) -> dict[str, Any]:
    return {"actor": actor, "action": action, "agency": agency, "since": since,
            "until": until, "outcome": outcome}


@router.get("/audit", response_model=list[AuditEventOut])
def browse_audit(svc: Svc, p: Who, actor: str | None = None, action: str | None = None,
                 agency: str | None = None, since: datetime | None = None,
                 until: datetime | None = None, outcome: str | None = None,
                 before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                 limit: int = Query(100, ge=1, le=1000)) -> list[dict[str, Any]]:
    with svc.ctx.db.session() as s:
        return accounts.browse_audit(s, p, limit=limit, before_id=before_id,
                                     **_filters(actor, action, agency, since, until, outcome))


@router.get("/audit/export", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}})
def export_audit(svc: Svc, p: Who, format: str = Query("csv", pattern="^(csv|jsonl)$"),
                 actor: str | None = None, action: str | None = None,
                 agency: str | None = None, since: datetime | None = None,
                 until: datetime | None = None,
                 outcome: str | None = None) -> StreamingResponse:
    with svc.ctx.db.session() as s:
        chunks = accounts.export_audit(s, p, format,
                                       **_filters(actor, action, agency, since, until, outcome))
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    return StreamingResponse(chunks, media_type=media, headers={
        "content-disposition": f'attachment; filename="tessera-audit.{format}"'})


@router.get("/audit/verify", response_model=AuditVerifyOut)
def verify_audit(svc: Svc, p: Who) -> dict[str, Any]:
    """Walk the whole chain and hold it against the signed checkpoints (instance admins)."""
    with svc.ctx.db.session() as s:
        return accounts.verify_audit(s, p)


@router.get("/audit/checkpoint", response_model=CheckpointOut | None)
def audit_checkpoint(svc: Svc, p: Who) -> dict[str, Any] | None:
    """The newest signed checkpoint of the audit chain and its public key."""
    with svc.ctx.db.session() as s:
        return accounts.last_checkpoint(s, p)


@router.get("/status", response_model=StatusOut)
def status(svc: Svc, p: Who) -> dict[str, Any]:
    """Counts for the caller's own agency and the state of the service."""
    return {"version": __version__, **accounts.agency_status(svc.ctx, p)}
