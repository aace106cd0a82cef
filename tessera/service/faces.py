"""Persons, faces and cluster review as a principal may see and change them.

A person follows its owner's sharing (``person_visibility``); a face is a picture of its media,
so seeing a face's crop needs the media's pixels, and confirming a face for a person needs
both the right to edit the person and to see the face. Crops are grey and blurred until a
person reveals one, and every reveal is audited.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from tessera.access.policy import Action, Principal, Target, can, person_visibility, require
from tessera.context import Context
from tessera.core.errors import NotFound
from tessera.entities import face_clusters, persons
from tessera.media.image import decode_image, thumbnail_jpeg
from tessera.media.image import shielded_jpeg as shielded
from tessera.pipeline.face_search import FaceSearch, search_faces
from tessera.service.views import media_target
from tessera.signals.face import face_type
from tessera.store import audit, repos
from tessera.store.repos import faces as face_repo
from tessera.store.repos.faces import FaceRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tessera.store.tables import FaceClusterRun, Person

CROP_SIZE = 160
CROP_MARGIN = 0.35  # of the face box on each side: hair and chin help a reviewer


def quality_floor(ctx: Context) -> int:
    """Faces under this quality are kept and shown but never matched."""
    return face_type(ctx.settings.tuning).min_quality or 0


def person_target(p: Principal, person: Person) -> Target:
    return Target(person.owner_agency_id,
                  person_visibility(p, person.owner_agency_id, person.sharing))


def _person(s: Session, p: Principal, person_id: int, action: Action) -> Person:
    try:
        person = face_repo.get_person(s, person_id)
    except NotFound:
        raise NotFound(f"no person {person_id}") from None
    target = person_target(p, person)
    require(p, Action.VIEW_PERSON, target, hide=True)
    require(p, action, target)
    return person


def list_persons(s: Session, p: Principal) -> list[dict[str, Any]]:
    out = []
    for person in face_repo.list_persons(s):
        target = person_target(p, person)
        if can(p, Action.VIEW_PERSON, target):
            row = persons.person_record(s, person, faces=False)
            row["can_edit"] = can(p, Action.EDIT_PERSON, target)
            out.append(row)
    return out


def person_detail(s: Session, p: Principal, person_id: int) -> dict[str, Any]:
    person = _person(s, p, person_id, Action.VIEW_PERSON)
    target = person_target(p, person)
    row = persons.person_record(s, person)
    visible: dict[int, Target] = {}
    faces = []
    for face in row["faces"]:
        m = face["media_id"]
        visible.setdefault(m, media_target(s, p, m))
        if can(p, Action.VIEW_MEDIA, visible[m]):
            face["pixels"] = can(p, Action.VIEW_PIXELS, visible[m])
            faces.append(face)
    row["faces"] = faces  # faces in media the viewer may not see are not even counted
    row["can_edit"] = can(p, Action.EDIT_PERSON, target)
    row["can_share"] = can(p, Action.SHARE_PERSON, target)
    audit.append_read(s, p.actor, "person.view", f"person:{person.id}", agency=p.agency_code)
    return row


def create_person(s: Session, p: Principal, **fields: Any) -> Person:
    agency = repos.get_agency(s, p.agency_code)
    require(p, Action.EDIT_PERSON, Target(agency.id))
    return persons.create_person(s, agency, fields.pop("role"), fields.pop("label"), p.actor,
                                 **fields)


def edit_person(s: Session, p: Principal, person_id: int, **fields: Any) -> Person:
    return persons.update_person(s, _person(s, p, person_id, Action.EDIT_PERSON), p.actor,
                                 **fields)


def share_person(s: Session, p: Principal, person_id: int, sharing: str) -> Person:
    return persons.share_person(s, _person(s, p, person_id, Action.SHARE_PERSON), sharing,
                                p.actor)


def _face(s: Session, p: Principal, face_id: int, action: Action) -> FaceRow:
    try:
        face = face_repo.get_face(s, face_id)
    except NotFound:
        raise NotFound(f"no face {face_id}") from None
    target = media_target(s, p, face.media_id)
    require(p, Action.VIEW_MEDIA, target, hide=True)
    require(p, action, target)
    return face


def link_faces(ctx: Context, p: Principal, person_id: int, face_ids: list[int],
               state: str) -> dict[str, Any]:
    with ctx.db.session() as s:
        person = _person(s, p, person_id, Action.EDIT_PERSON)
        for face_id in face_ids:
            _face(s, p, face_id, Action.VIEW_PIXELS)
        persons.link_faces(s, person, face_ids, state, p.actor)
    suggested = persons.suggest(ctx, [person_id])
    return {"linked": len(face_ids), "state": state, "suggested": suggested}


def unlink_face(s: Session, p: Principal, person_id: int, face_id: int) -> bool:
    person = _person(s, p, person_id, Action.EDIT_PERSON)
    _face(s, p, face_id, Action.VIEW_MEDIA)
    return persons.unlink_face(s, person, face_id, p.actor)


def faces_of_media(s: Session, p: Principal, media_id: int) -> list[dict[str, Any]]:
    target = media_target(s, p, media_id)
    require(p, Action.VIEW_MEDIA, target, hide=True)
    rows = face_repo.faces_of_media(s, media_id)
    links = face_repo.links_of_faces(s, [r.signal_id for r in rows], ("confirmed", "suggested"))
    out = []
    for r in rows:
        shown = [{"person": person.id, "label": person.label, "role": person.role,
                  "state": link.state, "score": link.score}
                 for link, person in links.get(r.signal_id, [])
                 if can(p, Action.VIEW_PERSON, person_target(p, person))]
        out.append({"face": r.signal_id, "box": r.detail.get("box"),
                    "landmarks": r.detail.get("landmarks"), "quality": r.quality,
                    "factors": r.detail.get("quality"), "confidence": r.detail.get("confidence"),
                    "start": r.start, "persons": shown})
    return out


def _face_picture(ctx: Context, s: Session, face: FaceRow) -> tuple[Image.Image, float]:
    """The picture the face was found in, and the scale from original pixels to it."""
    media = repos.get_media(s, face.media_id)
    if media.sha256 is None:  # a face is only ever found in pixels Tessera holds
        raise NotFound(f"media {media.id} is known by its hashes only")
    if media.kind == "image":
        picture = decode_image(ctx.blobs().get(media.sha256), ctx.settings.limits, 4096).rgb
        return picture, picture.width / max(1, media.width or picture.width)
    for frame in repos.derivatives_of(s, media.id, "keyframe"):
        if face.start is not None and frame.t_start is not None \
                and abs(frame.t_start - face.start) < 1e-3:
            picture = Image.open(io.BytesIO(ctx.blobs().get(frame.sha256))).convert("RGB")
            return picture, picture.width / max(1, media.width or picture.width)
    raise NotFound(f"the picture of face {face.signal_id} is not stored")


def crop(ctx: Context, s: Session, p: Principal, face_id: int, *, reveal: bool) -> bytes:
    face = _face(s, p, face_id, Action.VIEW_PIXELS)
    picture, scale = _face_picture(ctx, s, face)
    x, y, w, h = (v * scale for v in face.detail.get("box", [0, 0, *picture.size]))
    mx, my = w * CROP_MARGIN, h * CROP_MARGIN
    box = (max(0, int(x - mx)), max(0, int(y - my)), min(picture.width, int(x + w + mx)),
           min(picture.height, int(y + h + my)))
    data = thumbnail_jpeg(picture.crop(box), CROP_SIZE, 85)
    if not reveal:
        return shielded(data)
    audit.append_read(s, p.actor, "face.reveal", f"face:{face_id}", agency=p.agency_code,
                      details={"media": face.media_id})
    return data


def search(ctx: Context, p: Principal, path: Path, name: str, face: int | None, *,
           sealed: bool = False) -> FaceSearch:
    require(p, Action.SEARCH)
    return search_faces(ctx, path, name, face=face, viewer=p, sealed=sealed)


# --- clusters ----------------------------------------------------------------------------


def run_clusters(ctx: Context, p: Principal, job_id: int | None) -> dict[str, Any]:
    require(p, Action.EDIT_PERSON, Target(p.agency_id))
    summary = face_clusters.run_clustering(ctx, p.agency_code, p.actor, job_id=job_id)
    return {"run": summary.run_id, "faces": summary.faces, "clusters": summary.clusters,
            "multi": summary.multi, "suggestions": summary.suggestions}


def _run(s: Session, p: Principal, run_id: int | None, action: Action) -> FaceClusterRun:
    run = face_repo.get_run(s, run_id) if run_id else face_repo.latest_run(s, p.agency_id)
    if run is None or run.agency_id != p.agency_id:  # reviews are an agency's own
        raise NotFound("no clustering run")
    require(p, action, Target(run.agency_id, person_visibility(p, run.agency_id, "hash-only")))
    return run


def clusters(s: Session, p: Principal, run_id: int | None, min_size: int,
             cluster: int | None = None) -> dict[str, Any]:
    run = _run(s, p, run_id, Action.VIEW_PERSON)
    return {"run": run.id, "scope": run.scope, "threshold": run.threshold, "faces": run.faces,
            "created_at": run.created_at.isoformat(),
            "can_edit": can(p, Action.EDIT_PERSON, Target(run.agency_id)),
            "clusters": face_clusters.clusters(s, run, min_size=min_size, cluster=cluster)}


def review(ctx: Context, p: Principal, run_id: int | None, action: str,
           **args: Any) -> dict[str, Any]:
    """merge (keep, other) | split (cluster, faces) | remove (cluster, face) |
    link (cluster, person)."""
    with ctx.db.session() as s:
        run = _run(s, p, run_id, Action.EDIT_PERSON)
        if action == "merge":
            number = face_clusters.merge(s, run, args["keep"], args["other"], p.actor)
        elif action == "split":
            number = face_clusters.split(s, run, args["cluster"], args["faces"], p.actor)
        elif action == "remove":
            number = face_clusters.remove_face(s, run, args["cluster"], args["face"], p.actor)
        else:
            person = _person(s, p, args["person"], Action.EDIT_PERSON)
            face_clusters.link_cluster(s, run, args["cluster"], person, p.actor)
            number = args["cluster"]
    if action == "link":
        persons.suggest(ctx, [args["person"]])
    return {"run": run_id, "cluster": number}
