"""Clues noted in a media (a region of the picture, a stretch of the video or sound); linked
to places and persons through ``POST /api/links`` (``{"type": "clue", "id": …}``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from tessera.api.schemas import ClueOut
from tessera.http.deps import RowId, Svc, Who
from tessera.service import clues

router = APIRouter(tags=["clues"])


class ClueIn(BaseModel):
    kind: str = Field(pattern="^(object|logo|text|sound|other)$")
    note: str = Field(min_length=1, max_length=5_000)
    region: list[float] | None = Field(default=None, min_length=4, max_length=4,
                                       description="x, y, width, height as fractions 0-1")
    start_s: float | None = Field(default=None, ge=0)
    end_s: float | None = Field(default=None, ge=0)
    sharing: str | None = Field(default=None, max_length=12)


@router.get("/media/{media_id}/clues", response_model=list[ClueOut])
def media_clues(media_id: RowId, svc: Svc, p: Who) -> list[dict[str, Any]]:
    with svc.ctx.db.session() as s:
        return clues.clues_of_media(s, p, media_id)


@router.post("/media/{media_id}/clues", status_code=201, response_model=ClueOut)
def add_clue(media_id: RowId, body: ClueIn, svc: Svc, p: Who) -> dict[str, Any]:
    region = tuple(body.region) if body.region else None
    with svc.ctx.db.session() as s:
        return clues.add_clue(s, p, media_id, body.kind, body.note,
                              region=region,  # type: ignore[arg-type]
                              start_s=body.start_s, end_s=body.end_s, sharing=body.sharing)


@router.get("/clues/{clue_id}", response_model=ClueOut)
def get_clue(clue_id: RowId, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return clues.clue_detail(s, p, clue_id)
