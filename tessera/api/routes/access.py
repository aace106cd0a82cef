"""Access requests between agencies: ask an owner for more of a series, and the owner's answer
in one call; grants listed and withdrawn by the owner."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from tessera.api.schemas import AccessRequestOut, AccessRequestsOut, GrantOut, Removed
from tessera.http.deps import RowId, Svc, Who
from tessera.service import access

router = APIRouter(tags=["access requests"])


class AskIn(BaseModel):
    level: str = Field(pattern="^(metadata|full)$")
    reason: str | None = Field(default=None, max_length=access.MAX_REASON)


class AnswerIn(BaseModel):
    grant: bool
    note: str | None = Field(default=None, max_length=2000)


@router.post("/series/{series_id}/access-requests", status_code=201,
             response_model=AccessRequestOut)
def ask_for_series(series_id: RowId, body: AskIn, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return access.request_access(s, p, series_id, body.level, body.reason)


@router.post("/media/{media_id}/access-requests", status_code=201,
             response_model=list[AccessRequestOut])
def ask_for_media(media_id: RowId, body: AskIn, svc: Svc, p: Who) -> list[dict[str, Any]]:
    """Ask every agency whose series holds this file: how to ask about "held by AU"."""
    with svc.ctx.db.session() as s:
        return access.request_access_for_media(s, p, media_id, body.level, body.reason)


class AskHolderIn(AskIn):
    owner: str = Field(max_length=32, description="the holder's agency code, as the report "
                                                  "names it: \"held by AU\"")


@router.post("/jobs/{job_id}/access-requests", status_code=201,
             response_model=list[AccessRequestOut])
def ask_for_job(job_id: RowId, body: AskHolderIn, svc: Svc, p: Who) -> list[dict[str, Any]]:
    """Ask the holder of what one's upload matched, known only as "held by AU"."""
    with svc.ctx.db.session() as s:
        return access.request_access_for_job(s, p, job_id, body.owner, body.level,
                                             body.reason)


@router.get("/access-requests", response_model=AccessRequestsOut)
def list_requests(svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return access.requests_of(s, p)


@router.post("/access-requests/{request_id}/decision", response_model=AccessRequestOut)
def answer(request_id: RowId, body: AnswerIn, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return access.decide_request(s, p, request_id, body.grant, body.note)


@router.get("/series/{series_id}/grants", response_model=list[GrantOut])
def grants(series_id: RowId, svc: Svc, p: Who) -> list[dict[str, Any]]:
    with svc.ctx.db.session() as s:
        return access.grants_of(s, p, series_id)


@router.delete("/series/{series_id}/grants/{agency_code}", response_model=Removed)
def withdraw(series_id: RowId, agency_code: Annotated[str, Path(max_length=32)], svc: Svc,
             p: Who) -> dict[str, bool]:
    with svc.ctx.db.session() as s:
        access.withdraw_grant(s, p, series_id, agency_code)
    return {"removed": True}
