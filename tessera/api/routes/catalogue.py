"""Series and media as the caller may see them; pixels only through audited endpoints."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from tessera.api.schemas import (
    DeviceOut,
    MediaDetailOut,
    PostOut,
    SeriesDetailOut,
    SeriesOut,
    SharingIn,
    SharingOut,
    TimelineEventOut,
)
from tessera.http.deps import MAX_ID, RowId, Svc, Who
from tessera.http.responses import JPEG, NO_STORE, jpeg
from tessera.service import devices, discussion, timeline, views

router = APIRouter(tags=["catalogue"])


class SeriesEdit(BaseModel):
    victim_status: str | None = Field(default=None, max_length=20)
    offender_status: str | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=10_000)
    note: str | None = Field(default=None, max_length=2000,
                             description="why the status changed: kept in the series' history")


@router.get("/series", response_model=list[SeriesOut])
def list_series(svc: Svc, p: Who) -> list[dict[str, Any]]:
    with svc.ctx.db.session() as s:
        return views.list_series(s, p)


@router.get("/series/{series_id}", response_model=SeriesDetailOut)
def get_series(series_id: RowId, svc: Svc, p: Who, limit: int = Query(200, ge=1, le=1000),
               offset: int = Query(0, ge=0, le=MAX_ID)) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return views.series_detail(s, p, series_id, limit=limit, offset=offset)


@router.patch("/series/{series_id}", response_model=SeriesDetailOut)
def edit_series(series_id: RowId, body: SeriesEdit, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        views.edit_series(s, p, series_id, victim=body.victim_status,
                          offender=body.offender_status, description=body.description,
                          note=body.note)
    with svc.ctx.db.session() as s:
        return views.series_detail(s, p, series_id, limit=1)


class PostIn(BaseModel):
    text: str = Field(min_length=1, max_length=10_000,
                      description="@CODE names an agency, which is told if it may read the series")


@router.get("/series/{series_id}/discussion", response_model=list[PostOut])
def series_thread(series_id: RowId, svc: Svc, p: Who) -> list[dict[str, Any]]:
    """The series' thread between agencies, oldest first."""
    with svc.ctx.db.session() as s:
        return discussion.thread(s, p, series_id)


@router.get("/series/{series_id}/timeline", response_model=list[TimelineEventOut])
def series_timeline(series_id: RowId, svc: Svc, p: Who) -> list[dict[str, Any]]:
    """First seen, submissions, matches (the owner's to know), status steps, notes and
    confirmed connections, oldest first."""
    with svc.ctx.db.session() as s:
        return timeline.series_timeline(s, p, series_id)


@router.post("/series/{series_id}/discussion", status_code=201, response_model=PostOut)
def series_post(series_id: RowId, body: PostIn, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return discussion.post(s, p, series_id, body.text)


@router.put("/series/{series_id}/sharing", response_model=SharingOut)
def share_series(series_id: RowId, body: SharingIn, svc: Svc, p: Who) -> dict[str, str]:
    with svc.ctx.db.session() as s:
        x = views.share_series(s, p, series_id, body.sharing)
        return {"sharing": x.sharing}


@router.get("/media/{media_id}", response_model=MediaDetailOut)
def get_media(media_id: RowId, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return views.media_detail(svc.ctx, s, p, media_id)


Index = Annotated[int, Path(ge=0, le=10_000)]


@router.get("/media/{media_id}/thumbnail", response_class=Response, responses=JPEG)
def thumbnail(media_id: RowId, svc: Svc, p: Who) -> Response:
    """Grayscale and blurred: what a grid shows until a person chooses to reveal."""
    with svc.ctx.db.session() as s:
        return jpeg(views.thumbnail(svc.ctx, s, p, svc.thumbnails, media_id, reveal=False))


@router.post("/media/{media_id}/reveal", response_class=Response, responses=JPEG)
def reveal(media_id: RowId, svc: Svc, p: Who, large: bool = False) -> Response:
    """The real thumbnail (``large``: 1024 px, to look closer); each call is recorded in the
    audit trail."""
    with svc.ctx.db.session() as s:
        return jpeg(views.thumbnail(svc.ctx, s, p, svc.thumbnails, media_id, reveal=True,
                                     large=large))


@router.get("/media/{media_id}/keyframes/{index}", response_class=Response, responses=JPEG)
def keyframe(media_id: RowId, index: Index, svc: Svc, p: Who) -> Response:
    """One keyframe of a video, grey and blurred."""
    with svc.ctx.db.session() as s:
        return jpeg(views.keyframe(svc.ctx, s, p, media_id, index, reveal=False))


@router.post("/media/{media_id}/keyframes/{index}/reveal", response_class=Response,
             responses=JPEG)
def reveal_keyframe(media_id: RowId, index: Index, svc: Svc, p: Who) -> Response:
    """One keyframe as it is; each call is recorded in the audit trail."""
    with svc.ctx.db.session() as s:
        return jpeg(views.keyframe(svc.ctx, s, p, media_id, index, reveal=True))


@router.get("/media/{media_id}/download", response_class=StreamingResponse,
            responses={200: {"content": {"application/octet-stream": {}}}})
def download(media_id: RowId, svc: Svc, p: Who) -> StreamingResponse:
    """The original bytes, decrypted and verified as they stream; audited."""
    with svc.ctx.db.session() as s:
        media, chunks = views.download(svc.ctx, s, p, media_id)
    return StreamingResponse(chunks, media_type="application/octet-stream", headers={
        **NO_STORE, "content-disposition": f'attachment; filename="{media.sha256}"'})


@router.get("/devices/{device_id}", response_model=DeviceOut)
def device(device_id: RowId, svc: Svc, p: Who) -> dict[str, Any]:
    """A camera known by its serial: the series it shot, as far as each is shared."""
    with svc.ctx.db.session() as s:
        return devices.device_detail(s, p, device_id)
