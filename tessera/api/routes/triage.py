"""Categories, grading, tags/bookmarks/notes, bulk actions and the filtered media browser."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from tessera.api.schemas import (
    AnnotationOut,
    DoneOut,
    GradeOut,
    GradingQueueOut,
    MediaPageOut,
    Removed,
    SchemeOut,
)
from tessera.core.errors import NotFound
from tessera.http.deps import MAX_ID, RowId, Svc, Who
from tessera.service import categories
from tessera.store.repos.triage import MediaFilter

router = APIRouter(tags=["triage"])
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class CategoryIn(BaseModel):
    category_id: Id
    segment: tuple[float, float] | None = Field(
        default=None, description="start and end (seconds) of a video segment")


class GradeIn(BaseModel):
    media_id: Id
    category_id: Id


class BulkIn(BaseModel):
    media_ids: list[Id] = Field(min_length=1, max_length=5000)
    action: Literal["tag", "bookmark", "note", "categorise", "series"]
    value: str = Field(default="", max_length=2000)


class AnnotationIn(BaseModel):
    target: Literal["media", "series", "job"]
    target_ids: list[Id] = Field(min_length=1, max_length=5000)
    kind: Literal["tag", "bookmark", "note"]
    text: str = Field(default="", max_length=10_000)


@router.get("/categories", response_model=list[SchemeOut])
def list_categories(svc: Svc, p: Who) -> list[dict[str, Any]]:
    with svc.ctx.db.session() as s:
        return categories.scheme_rows(s)


@router.put("/media/{media_id}/category", response_model=DoneOut)
def set_category(media_id: RowId, body: CategoryIn, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return {"done": categories.categorise(s, p, [media_id], body.category_id,
                                              segment=body.segment)}


@router.get("/grading/{job_id}", response_model=GradingQueueOut)
def grading_queue(job_id: RowId, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return categories.queue(s, p, job_id)


@router.post("/grading/{job_id}/grade", response_model=GradeOut)
def grade(job_id: RowId, body: GradeIn, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        queue = categories.queue(s, p, job_id)  # the job must be the caller's to grade
        if body.media_id not in {i["media_id"] for i in queue["items"]}:
            raise NotFound("not found")
        return categories.grade(s, p, body.media_id, body.category_id)


@router.post("/media/bulk", response_model=DoneOut)
def bulk(body: BulkIn, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return categories.bulk(s, p, body.media_ids, body.action, body.value)


@router.post("/annotations", response_model=DoneOut)
def annotate(body: AnnotationIn, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return {"done": categories.annotate(s, p, body.target, body.target_ids, body.kind,
                                            body.text)}


@router.get("/annotations", response_model=list[AnnotationOut])
def list_annotations(svc: Svc, p: Who, target: Literal["media", "series", "job"],
                     target_id: Annotated[int, Query(ge=1, le=MAX_ID)]) -> list[dict[str, Any]]:
    with svc.ctx.db.session() as s:
        return categories.annotations_on(s, p, target, target_id)


@router.delete("/annotations/{annotation_id}", response_model=Removed)
def remove_annotation(annotation_id: RowId, svc: Svc, p: Who) -> dict[str, bool]:
    with svc.ctx.db.session() as s:
        categories.remove_annotation(s, p, annotation_id)
    return {"removed": True}


@router.get("/media", response_model=MediaPageOut)
def browse(svc: Svc, p: Who, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
           category: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
           status: Literal["uncategorised", "proposed", "graded"] | None = None,
           tag: Annotated[str | None, Query(max_length=200)] = None, bookmarked: bool = False,
           series: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
           job: Annotated[int | None, Query(ge=1, le=MAX_ID,
                                            description="a stored (ingest) job")] = None,
           kind: Literal["image", "video", "audio"] | None = None,
           hash_only: bool | None = None, since: datetime | None = None,
           until: datetime | None = None) -> dict[str, Any]:
    """One's own agency's media, filtered, newest first, 60 a page."""
    f = MediaFilter(p.agency_id, category, status, tag, bookmarked, series, job, kind,
                    hash_only, since, until)
    with svc.ctx.db.session() as s:
        return categories.browse(s, p, f, page=page)
