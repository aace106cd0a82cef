"""Uploads become background de-confliction jobs (optionally storing the files as evidence)."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from tessera.access.policy import Action, Principal, require
from tessera.api.schemas import JobOut
from tessera.core.errors import TesseraError
from tessera.core.sealed import seal_file
from tessera.http.deps import RowId, Services, Svc, Who
from tessera.reports.renderers import renderer
from tessera.reports.select import Selection
from tessera.service import tasks

router = APIRouter(tags=["jobs"])

UPLOAD_SCHEMA = {"requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["files"], "properties": {
        "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                  "description": "files or zip archives; a name may hold a relative path"},
        "case": {"type": "string", "description": "case reference (needed to store)"},
        "series": {"type": "string", "description": "series to add stored files to"},
        "store": {"type": "boolean", "description": "also store the files as evidence"},
    }}}}}}


def safe_relative(name: str) -> str:
    """A client's file name as a harmless relative path: no '..', no absolute, no drive."""
    parts = [p for p in re.split(r"[\\/]+", name) if p not in ("", ".", "..")]
    parts = [re.sub(r"[\x00-\x1f]", "_", p)[:200] for p in parts]
    return "/".join(parts[-16:]) or "unnamed"


def _unique(root: Path, relative: str) -> Path:
    path = root / relative
    stem, suffix, n = path.stem, path.suffix, 2
    while path.exists():
        path = path.with_name(f"{stem}-{n}{suffix}")
        n += 1
    return path


def _save(upload: UploadFile, target: Path, key: bytes) -> None:
    """Stage one uploaded file sealed with the evidence key: it waits for its job encrypted."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    seal_file(iter(lambda: upload.file.read(1024 * 1024), b""), target, key)


async def start_upload(request: Request, svc: Services, p: Principal) -> int:
    """Stream the uploaded files into a private staging folder and queue the job."""
    require(p, Action.UPLOAD)
    limits = svc.ctx.settings.service
    form = await request.form(max_files=limits.max_upload_files, max_fields=50)
    staging: Path | None = None
    try:
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        if not uploads:
            raise TesseraError("no files in the upload (field 'files')")
        staging = tasks.staging_root(svc.ctx) / uuid.uuid4().hex
        staging.mkdir(mode=0o700)
        files = staging / "files"
        files.mkdir(mode=0o700)
        for upload in uploads:
            await run_in_threadpool(_save, upload, _unique(files, safe_relative(
                upload.filename or "unnamed")), svc.key)
        store = str(form.get("store", "")).lower() in ("1", "true", "on", "yes")
        task_id = tasks.create_task(svc.ctx, p, files, len(uploads),
                                    case=_text(form.get("case")), series=_text(form.get("series")),
                                    store=store)
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        await form.close()
    if svc.runner:
        svc.runner.notify()
    return task_id


def _text(value: object) -> str | None:
    return value.strip()[:200] or None if isinstance(value, str) else None


@router.post("/jobs", status_code=202, openapi_extra=UPLOAD_SCHEMA, response_model=JobOut)
async def upload(request: Request, svc: Svc, p: Who) -> dict[str, Any]:
    """Upload files or zips to de-confliction (``store=true``: and keep them as evidence)."""
    task_id = await start_upload(request, svc, p)
    return tasks.task_row(tasks.get_task(svc.ctx, p, task_id))


@router.get("/jobs", response_model=list[JobOut])
def list_jobs(svc: Svc, p: Who) -> list[dict[str, Any]]:
    return [tasks.task_row(t) for t in tasks.list_tasks(svc.ctx, p)]


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(job_id: RowId, svc: Svc, p: Who) -> dict[str, Any]:
    return tasks.task_row(tasks.get_task(svc.ctx, p, job_id))


@router.post("/jobs/{job_id}/cancel", response_model=JobOut)
def cancel_job(job_id: RowId, svc: Svc, p: Who) -> dict[str, Any]:
    tasks.cancel_task(svc.ctx, p, job_id)
    if svc.runner:
        svc.runner.cancel(job_id)
    return tasks.task_row(tasks.get_task(svc.ctx, p, job_id))


@router.get("/jobs/{job_id}/report")
def job_report(job_id: RowId, svc: Svc, p: Who, format: str = "json",
               status: Annotated[str | None, Query(max_length=10)] = None,
               series: Annotated[str | None, Query(max_length=220)] = None,
               agency: Annotated[str | None, Query(max_length=32)] = None,
               kind: Annotated[str | None, Query(max_length=20)] = None,
               sort: Annotated[str, Query(pattern="^(path|status|matches)$")] = "path") -> Any:
    """The de-confliction report as the caller may see it, in any registered format (json,
    csv, html, …); the filters select files as the report page does (the summary always
    covers every file)."""
    chosen = renderer(format)
    report, _ = Selection(status, series, agency, kind, sort).apply(
        tasks.task_report(svc.ctx, p, job_id))
    headers = {} if format == "json" else {
        "content-disposition": f'attachment; filename="tessera-job-{job_id}.{chosen.suffix}"'}
    return Response(chosen.render(report), media_type=chosen.content_type, headers=headers)
