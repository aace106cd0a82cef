"""Search by image: one file matched like a de-confliction, nothing stored."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from tessera.access.policy import Principal
from tessera.api.schemas import ImageSearchOut
from tessera.core.errors import TesseraError
from tessera.core.sealed import seal_file
from tessera.http.deps import Services, Svc, Who
from tessera.reports.model import Report
from tessera.service import tasks, views

router = APIRouter(tags=["search"])

SEARCH_SCHEMA = {"requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"}}}}}}}


T = TypeVar("T")


async def staged_search(request: Request, svc: Services, p: Principal,
                        run: Callable[[Path, str, FormData], T]) -> T:
    """One uploaded file, rate-limited per user, staged sealed in a private temporary folder
    that is removed afterwards; ``run(path, name, form)`` does the search in a worker thread
    (the path is a sealed file)."""
    svc.limiter.check(f"search:{p.user_id}", svc.ctx.settings.service.searches_per_minute)
    form = await request.form(max_files=1, max_fields=5)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise TesseraError("no file in the search (field 'file')")
        with tempfile.TemporaryDirectory(dir=tasks.staging_root(svc.ctx)) as tmp:
            path = Path(tmp) / "query"  # sealed with the evidence key, like job uploads
            await run_in_threadpool(seal_file, iter(lambda: upload.file.read(1024 * 1024), b""),
                                    path, svc.key)
            return await run_in_threadpool(run, path, upload.filename or "query", form)
    finally:
        await form.close()


async def search_upload(request: Request, svc: Services, p: Principal) -> Report:
    return await staged_search(request, svc, p, lambda path, name, _: views.search_image(
        svc.ctx, p, path, name, sealed=True))


@router.post("/search", openapi_extra=SEARCH_SCHEMA, response_model=ImageSearchOut)
async def search(request: Request, svc: Svc, p: Who) -> dict[str, Any]:
    """Matches of one image, video or sound file, redacted to what the caller's agency may see."""
    report = await search_upload(request, svc, p)
    entry = report.files[0]
    return {"file": entry.to_dict(), "lines": report.lines}
