"""Persons (victims and offenders) and the faces tied to them.

An investigator confirms or rejects a face for a person; Tessera only suggests, with a score,
and a suggestion never turns into a confirmation by itself. Every change is audited. Access
control is the caller's (the service checks the policy; the CLI is the local operator).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tessera.access.policy import parse_sharing
from tessera.context import Context
from tessera.core.errors import TesseraError
from tessera.core.types import OffenderStatus, Signal, VictimStatus
from tessera.matching.spaces.nearest import NearestSearch
from tessera.signals.face import face_type
from tessera.store import audit
from tessera.store.repos import faces as face_repo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tessera.store.tables import Agency, FaceLink, Person

ROLES: dict[str, type[VictimStatus] | type[OffenderStatus]] = {
    "victim": VictimStatus, "offender": OffenderStatus}
LINK_STATES = ("confirmed", "rejected")


def _status(role: str, status: str | None) -> str:
    if role not in ROLES:
        raise TesseraError(f"role must be one of {', '.join(ROLES)}")
    kind = ROLES[role]
    if status is None:
        return next(iter(kind)).value
    try:
        return kind(status).value
    except ValueError:
        raise TesseraError(f"a {role}'s status is one of "
                           f"{', '.join(v.value for v in kind)}") from None


def create_person(s: Session, agency: Agency, role: str, label: str, actor: str, *,
                  status: str | None = None, sharing: str | None = None,
                  description: str | None = None) -> Person:
    label = label.strip()
    if not label:
        raise TesseraError("a person needs a label (e.g. V-17)")
    if face_repo.label_taken(s, agency.id, label):
        raise TesseraError(f"{agency.code} already has a person labelled {label!r}")
    person = face_repo.add_person(s, role=role, label=label, status=_status(role, status),
                                  owner_agency_id=agency.id, owner=agency,
                                  sharing=parse_sharing(sharing or agency.default_sharing),
                                  description=description, created_by=actor)
    audit.append(s, actor, "person.create", f"person:{person.id}", agency=agency.code,
                 details={"role": role, "label": label, "status": person.status,
                          "sharing": person.sharing})
    return person


def update_person(s: Session, person: Person, actor: str, *, status: str | None = None,
                  label: str | None = None, description: str | None = None) -> Person:
    before = {"status": person.status, "label": person.label, "description": person.description}
    if status is not None:
        person.status = _status(person.role, status)
    if label is not None and label.strip():
        person.label = label.strip()
    if description is not None:
        person.description = description
    person.updated_at = datetime.now(UTC)
    audit.append(s, actor, "person.edit", f"person:{person.id}", agency=person.owner.code,
                 details={"before": before, "after": {"status": person.status,
                                                      "label": person.label,
                                                      "description": person.description}})
    return person


def share_person(s: Session, person: Person, sharing: str, actor: str) -> Person:
    before, person.sharing = person.sharing, parse_sharing(sharing)
    audit.append(s, actor, "sharing.change", f"person:{person.id}", agency=person.owner.code,
                 details={"before": before, "after": person.sharing})
    return person


def link_faces(s: Session, person: Person, signal_ids: list[int], state: str,
               actor: str) -> list[FaceLink]:
    """``confirmed`` or ``rejected`` ("not this person") by an investigator; rejecting keeps
    the face from being suggested for this person again."""
    if state not in LINK_STATES:
        raise TesseraError(f"state must be one of {', '.join(LINK_STATES)}")
    found = face_repo.faces(s, signal_ids)
    missing = sorted(set(signal_ids) - set(found))
    if missing:
        raise TesseraError(f"not faces: {', '.join(map(str, missing))}")
    links = [face_repo.set_link(s, sid, person.id, state, actor) for sid in signal_ids]
    audit.append(s, actor, f"person.face_{state}", f"person:{person.id}",
                 agency=person.owner.code, details={"faces": sorted(signal_ids)})
    return links


def unlink_face(s: Session, person: Person, signal_id: int, actor: str) -> bool:
    removed = face_repo.remove_link(s, signal_id, person.id)
    if removed:
        audit.append(s, actor, "person.face_unlink", f"person:{person.id}",
                     agency=person.owner.code, details={"face": signal_id})
    return removed


def suggest(ctx: Context, person_ids: list[int] | None = None) -> int:
    """Suggest every face that looks like a person's confirmed faces (score at least the
    suggestion threshold), unless an investigator already decided on that face for them or
    confirmed it for someone else. Returns how many suggestions were made or refreshed."""
    faces = face_type(ctx.settings.tuning)
    space = ctx.matcher(replace(ctx.settings.media, faces=True)).space(faces.space())
    if not isinstance(space, NearestSearch):
        raise TypeError(f"face space {faces.space()!r} is not a nearest-neighbour search")
    ctx.index(faces.space()).refresh()
    made = 0
    with ctx.db.session() as s:
        confirmed = face_repo.confirmed_faces(s)
        wanted = set(person_ids) if person_ids is not None else set(confirmed.values())
        by_person: dict[int, list[int]] = {}
        for sid, pid in confirmed.items():
            if pid in wanted:
                by_person.setdefault(pid, []).append(sid)
        for pid, sids in by_person.items():
            rows = face_repo.faces(s, sids)
            queries = [Signal(faces.name, faces.version, r.value, r.quality)
                       for r in rows.values()]
            decided = {link.signal_id for link in face_repo.links_of_person(
                s, pid, ("confirmed", "rejected"))}
            best: dict[int, float] = {}
            for found in space.neighbours(queries, faces.suggest):
                for sid, score in found:
                    if sid not in decided and sid not in confirmed:
                        best[sid] = max(score, best.get(sid, 0.0))
            for sid, score in best.items():
                face_repo.set_link(s, sid, pid, "suggested", "tessera", score)
                made += 1
    return made


def person_record(s: Session, person: Person, *, faces: bool = True) -> dict[str, Any]:
    owner = person.owner
    row: dict[str, Any] = {
        "id": person.id, "role": person.role, "label": person.label, "status": person.status,
        "owner": owner.code, "country": owner.country, "contact": owner.contact,
        "sharing": person.sharing, "description": person.description,
        "created_at": person.created_at.isoformat(), "updated_at": person.updated_at.isoformat(),
    }
    if faces:
        links = face_repo.links_of_person(s, person.id)
        rows = face_repo.faces(s, [x.signal_id for x in links])
        row["faces"] = [{"face": x.signal_id, "state": x.state, "score": x.score,
                         "by": x.actor, "media_id": rows[x.signal_id].media_id,
                         "start": rows[x.signal_id].start,
                         "box": rows[x.signal_id].detail.get("box"),
                         "quality": rows[x.signal_id].quality}
                        for x in links if x.signal_id in rows]
    return row
