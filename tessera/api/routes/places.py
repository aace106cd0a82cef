"""Places an agency has worked out, shared like its series; linked to series and persons
through ``POST /api/links`` (``{"type": "place", "id": …}``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from tessera.api.schemas import PlaceOut, SharingIn, SharingOut
from tessera.http.deps import RowId, Svc, Who
from tessera.service import links, places

router = APIRouter(tags=["places"])


class PlaceEdit(BaseModel):
    label: str | None = Field(default=None, max_length=200)
    country: str | None = Field(default=None, max_length=60,
                                description="ISO code (AU, DEU) or name")
    region: str | None = Field(default=None, max_length=200)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    radius_m: float | None = Field(default=None, ge=0, description="how sure the point is")
    clues: str | None = Field(default=None, max_length=10_000)


class PlaceIn(PlaceEdit):
    label: str = Field(min_length=1, max_length=200)
    sharing: str | None = Field(default=None, max_length=12,
                                description="hash-only | metadata | full")


@router.get("/places", response_model=list[PlaceOut])
def list_places(svc: Svc, p: Who) -> list[dict[str, Any]]:
    with svc.ctx.db.session() as s:
        return places.list_places(s, p)


@router.post("/places", status_code=201, response_model=PlaceOut)
def create_place(body: PlaceIn, svc: Svc, p: Who) -> dict[str, Any]:
    """The series whose files' GPS falls inside the new place are suggested as made there."""
    with svc.ctx.db.session() as s:
        fields = body.model_dump(exclude={"label", "sharing"})
        row = places.create_place(s, p, body.label, sharing=body.sharing, **fields)
    links.suggest_for_place(svc.ctx, p, row["id"])
    return row


@router.get("/places/{place_id}", response_model=PlaceOut)
def get_place(place_id: RowId, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return places.place_detail(s, p, place_id)


@router.patch("/places/{place_id}", response_model=PlaceOut)
def edit_place(place_id: RowId, body: PlaceEdit, svc: Svc, p: Who) -> dict[str, Any]:
    """Only the fields sent change; send ``null`` to clear one. A new point or radius looks
    for the series made there again."""
    with svc.ctx.db.session() as s:
        row = places.edit_place(s, p, place_id, **body.model_dump(exclude_unset=True))
    links.suggest_for_place(svc.ctx, p, place_id)
    return row


@router.put("/places/{place_id}/sharing", response_model=SharingOut)
def share_place(place_id: RowId, body: SharingIn, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return {"sharing": places.share_place(s, p, place_id, body.sharing)["sharing"]}
