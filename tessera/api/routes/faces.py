"""Persons (victims, offenders), faces and cluster review."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.datastructures import FormData

from tessera.api.routes.search import staged_search
from tessera.api.schemas import (
    ClusterRunOut,
    ClustersOut,
    FaceSearchOut,
    LinkedOut,
    MediaFaceOut,
    PersonDetailOut,
    PersonOut,
    Removed,
    ReviewedOut,
    SharingIn,
    SharingOut,
)
from tessera.core.errors import TesseraError
from tessera.http.deps import MAX_ID, RowId, Svc, Who
from tessera.http.responses import JPEG, jpeg
from tessera.service import faces

router = APIRouter(tags=["faces"])
FaceId = Field(ge=1, le=MAX_ID)

SEARCH_SCHEMA = {"requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"},
        "face": {"type": "integer", "minimum": 1, "description": "search only this face"}}}}}}}


class PersonIn(BaseModel):
    role: Literal["victim", "offender"]
    label: str = Field(min_length=1, max_length=200)
    status: str | None = Field(default=None, max_length=20)
    sharing: str | None = Field(default=None, max_length=12)
    description: str | None = Field(default=None, max_length=10_000)


class PersonEdit(BaseModel):
    status: str | None = Field(default=None, max_length=20)
    label: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)


class LinkIn(BaseModel):
    faces: list[int] = Field(min_length=1, max_length=1000)
    state: Literal["confirmed", "rejected"] = "confirmed"


class RunIn(BaseModel):
    job_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class MergeIn(BaseModel):
    keep: int = Field(ge=1, le=MAX_ID)
    other: int = Field(ge=1, le=MAX_ID)


class SplitIn(BaseModel):
    cluster: int = Field(ge=1, le=MAX_ID)
    faces: list[int] = Field(min_length=1, max_length=10_000)


class RemoveIn(BaseModel):
    cluster: int = Field(ge=1, le=MAX_ID)
    face: int = FaceId


class ClusterLinkIn(BaseModel):
    cluster: int = Field(ge=1, le=MAX_ID)
    person: int = Field(ge=1, le=MAX_ID)


# --- persons --------------------------------------------------------------------------------


@router.get("/persons", response_model=list[PersonOut])
def list_persons(svc: Svc, p: Who) -> list[dict[str, Any]]:
    with svc.ctx.db.session() as s:
        return faces.list_persons(s, p)


@router.post("/persons", status_code=201, response_model=PersonDetailOut)
def create_person(body: PersonIn, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        person_id = faces.create_person(s, p, **body.model_dump()).id
    with svc.ctx.db.session() as s:
        return faces.person_detail(s, p, person_id)


@router.get("/persons/{person_id}", response_model=PersonDetailOut)
def get_person(person_id: RowId, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return faces.person_detail(s, p, person_id)


@router.patch("/persons/{person_id}", response_model=PersonDetailOut)
def edit_person(person_id: RowId, body: PersonEdit, svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        faces.edit_person(s, p, person_id, **body.model_dump())
    with svc.ctx.db.session() as s:
        return faces.person_detail(s, p, person_id)


@router.put("/persons/{person_id}/sharing", response_model=SharingOut)
def share_person(person_id: RowId, body: SharingIn, svc: Svc, p: Who) -> dict[str, str]:
    with svc.ctx.db.session() as s:
        return {"sharing": faces.share_person(s, p, person_id, body.sharing).sharing}


@router.post("/persons/{person_id}/faces", response_model=LinkedOut)
def link_faces(person_id: RowId, body: LinkIn, svc: Svc, p: Who) -> dict[str, Any]:
    """Confirm faces for the person, or reject them ("not this person"); then Tessera
    refreshes its suggestions for the person."""
    return faces.link_faces(svc.ctx, p, person_id, body.faces, body.state)


@router.delete("/persons/{person_id}/faces/{face_id}", response_model=Removed)
def unlink_face(person_id: RowId, face_id: RowId, svc: Svc, p: Who) -> dict[str, bool]:
    with svc.ctx.db.session() as s:
        return {"removed": faces.unlink_face(s, p, person_id, face_id)}


# --- faces ----------------------------------------------------------------------------------


@router.get("/media/{media_id}/faces", response_model=list[MediaFaceOut])
def media_faces(media_id: RowId, svc: Svc, p: Who) -> list[dict[str, Any]]:
    """Faces found in one media: box and landmarks in the original's pixels, quality, time."""
    with svc.ctx.db.session() as s:
        return faces.faces_of_media(s, p, media_id)


@router.get("/faces/{face_id}/crop", response_class=Response, responses=JPEG)
def face_crop(face_id: RowId, svc: Svc, p: Who) -> Response:
    """The face, grey and blurred."""
    with svc.ctx.db.session() as s:
        data = faces.crop(svc.ctx, s, p, face_id, reveal=False)
    return jpeg(data)


@router.post("/faces/{face_id}/reveal", response_class=Response, responses=JPEG)
def face_reveal(face_id: RowId, svc: Svc, p: Who) -> Response:
    """The face as it is; every reveal is in the audit trail."""
    with svc.ctx.db.session() as s:
        data = faces.crop(svc.ctx, s, p, face_id, reveal=True)
    return jpeg(data)


@router.post("/faces/search", openapi_extra=SEARCH_SCHEMA, response_model=FaceSearchOut)
async def face_search(request: Request, svc: Svc, p: Who) -> dict[str, Any]:
    """Every known face like the faces of one picture or video, best first, redacted to what
    the caller's agency may see."""
    def run(path: Path, name: str, form: FormData) -> dict[str, Any]:
        return faces.search(svc.ctx, p, path, name, _face_number(form.get("face")),
                            sealed=True).to_dict()

    return await staged_search(request, svc, p, run)


def _face_number(raw: object) -> int | None:
    try:
        face = int(raw) if isinstance(raw, str) and raw.strip() else None
    except ValueError:
        raise TesseraError("face must be a number (1 = the first face found)") from None
    if face is not None and not 1 <= face <= 10_000:
        raise TesseraError("face must be between 1 and 10000")
    return face


# --- clusters -------------------------------------------------------------------------------


@router.post("/faces/clusters", response_model=ClusterRunOut)
def run_clusters(body: RunIn, svc: Svc, p: Who) -> dict[str, Any]:
    """Group the faces the caller's agency may see (or of one of its jobs) into candidates."""
    return faces.run_clusters(svc.ctx, p, body.job_id)


@router.get("/faces/clusters", response_model=ClustersOut)
def get_clusters(svc: Svc, p: Who, run: int | None = Query(None, ge=1, le=MAX_ID),
                 min_size: int = Query(2, ge=1, le=10_000),
                 cluster: int | None = Query(None, ge=1, le=MAX_ID)) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        return faces.clusters(s, p, run, min_size, cluster)


@router.post("/faces/clusters/{run_id}/merge", response_model=ReviewedOut)
def merge(run_id: RowId, body: MergeIn, svc: Svc, p: Who) -> dict[str, Any]:
    return faces.review(svc.ctx, p, run_id, "merge", **body.model_dump())


@router.post("/faces/clusters/{run_id}/split", response_model=ReviewedOut)
def split(run_id: RowId, body: SplitIn, svc: Svc, p: Who) -> dict[str, Any]:
    return faces.review(svc.ctx, p, run_id, "split", **body.model_dump())


@router.post("/faces/clusters/{run_id}/remove", response_model=ReviewedOut)
def remove(run_id: RowId, body: RemoveIn, svc: Svc, p: Who) -> dict[str, Any]:
    """"Not this person": the face leaves the cluster for good."""
    return faces.review(svc.ctx, p, run_id, "remove", **body.model_dump())


@router.post("/faces/clusters/{run_id}/link", response_model=ReviewedOut)
def link(run_id: RowId, body: ClusterLinkIn, svc: Svc, p: Who) -> dict[str, Any]:
    """Confirm every face of the cluster for a person."""
    return faces.review(svc.ctx, p, run_id, "link", **body.model_dump())
