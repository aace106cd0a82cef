"""Categories, grading, tags/bookmarks/notes, bulk actions and the filtered media browser."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from tessera.access.policy import Action, require
from tessera.api.routes.jobs import safe_relative
from tessera.api.schemas import (
    AnnotationOut,
    DoneOut,
    GradeOut,
    GradingQueueOut,
    ImportOut,
    MediaPageOut,
    Removed,
    SchemeOut,
)
from tessera.core.errors import TesseraError
from tessera.http.deps import MAX_ID, RowId, Svc, Who
from tessera.service import categories, hashsets
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


VicsVersion = Literal["1.1", "1.2", "1.3", "2.0"]
VicsDialect = Literal["default", "us", "uk", "custom"]
VICS_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}}, "description": "a VICS case, as a download"}}


class ExportIn(BaseModel):
    media_ids: list[Id] = Field(min_length=1, max_length=5000)
    version: VicsVersion = "2.0"
    dialect: VicsDialect = "default"


class AnnotationIn(BaseModel):
    target: Literal["media", "series", "job"] = Field(
        description="job: a stored (ingest) job, the id /api/jobs/{id} gives as ingest_job")
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
        return categories.grade_in_job(s, p, job_id, body.media_id, body.category_id)


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


def _download(svc: Svc, write: Any, name: str) -> FileResponse:
    """A VICS file written to the data folder's private scratch space, sent, then removed:
    a series of millions of records never sits in memory."""
    fd, raw = tempfile.mkstemp(prefix="vics-", suffix=".json", dir=_scratch(svc))
    path = Path(raw)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            write(fh)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return FileResponse(path, media_type="application/json", filename=name,
                        background=BackgroundTask(path.unlink, missing_ok=True))


@router.get("/series/{series_id}/vics", response_class=FileResponse, responses=VICS_RESPONSE)
def export_series(series_id: RowId, svc: Svc, p: Who, version: VicsVersion = "2.0",
                  dialect: VicsDialect = "default") -> FileResponse:
    """One of one's own series as a VICS case for the agency's forensic tools."""
    return _download(svc, lambda fh: hashsets.export_vics(
        svc.ctx, p, None, fh, version=version, dialect=dialect, series_id=series_id),
        f"tessera-series-{series_id}.json")


@router.post("/media/export", response_class=FileResponse, responses=VICS_RESPONSE)
def export_selection(body: ExportIn, svc: Svc, p: Who) -> FileResponse:
    """A selection of one's own media as one VICS case."""
    return _download(svc, lambda fh: hashsets.export_vics_selection(
        svc.ctx, p, body.media_ids, fh, version=body.version, dialect=body.dialect),
        "tessera-selection.json")


IMPORT_FORMATS = ("vics", "csv", "icse", "pdq")
IMPORT_SCHEMA = {"requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": "a VICS case or hash set (JSON), or a hash list"},
        "format": {"type": "string", "enum": list(IMPORT_FORMATS), "default": "vics"},
        "series": {"type": "string", "description": "put every entry in this series"},
        "dialect": {"type": "string", "description": "VICS category dialect: default|us|uk|"
                                                      "custom"},
    }}}}}}


def _run_import(svc: Svc, p: Any, upload: UploadFile, fmt: str, series: str | None,
                dialect: str | None) -> dict[str, Any]:
    """The upload waits in the data folder's private scratch space under its own name (so
    errors name it), is imported in one transaction, and is removed either way."""
    folder = Path(tempfile.mkdtemp(prefix="import-", dir=_scratch(svc)))
    name = safe_relative(upload.filename or "import").rsplit("/", 1)[-1]
    path = folder / name
    try:
        with path.open("wb") as fh:
            for chunk in iter(lambda: upload.file.read(1024 * 1024), b""):
                fh.write(chunk)
        if fmt == "vics":
            summary = hashsets.import_vics(svc.ctx, p, path, series=series, dialect=dialect,
                                           name=name)
        else:
            summary = hashsets.import_hashes(svc.ctx, p, path, fmt, series=series, name=name)
        return summary.to_dict()
    finally:
        path.unlink(missing_ok=True)
        folder.rmdir()


def _scratch(svc: Svc) -> Path:
    folder = svc.ctx.settings.temp_dir
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


@router.post("/imports", response_model=ImportOut, openapi_extra=IMPORT_SCHEMA)
async def import_hash_set(request: Request, svc: Svc, p: Who) -> dict[str, Any]:
    """A VICS case or a hash list from the lab's tools, imported as hash-only media with its
    categories and series (at once: a case of a million entries belongs to the CLI)."""
    require(p, Action.UPLOAD)
    form = await request.form(max_files=1, max_fields=10)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise TesseraError("no file in the upload (field 'file')")
        fmt = str(form.get("format") or "vics").lower()
        if fmt not in IMPORT_FORMATS:
            raise TesseraError(f"format must be one of {', '.join(IMPORT_FORMATS)}")
        series = str(form.get("series") or "").strip()[:200] or None
        dialect = str(form.get("dialect") or "").strip()[:20] or None
        return await run_in_threadpool(_run_import, svc, p, upload, fmt, series, dialect)
    finally:
        await form.close()
