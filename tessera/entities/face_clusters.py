"""Clustering runs over the faces an agency may see, and the review that follows.

A run is a proposal: it stores which faces it grouped, nothing else changes. What a reviewer
does is stored as decisions on faces (same / not the same) or as links to persons, so the next
run obeys it: merged faces stay together, split faces stay apart, a face rejected for a person
is never grouped with that person's confirmed faces again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from tessera.context import Context
from tessera.core.errors import NotFound, TesseraError
from tessera.entities.persons import link_faces
from tessera.matching.clustering import cluster_faces
from tessera.signals.face import face_type
from tessera.store import audit, repos
from tessera.store.repos import faces as face_repo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tessera.store.tables import FaceClusterMember, FaceClusterRun, Person


@dataclass(frozen=True, slots=True)
class RunSummary:
    run_id: int
    faces: int
    clusters: int
    multi: int  # clusters of two faces or more
    suggestions: int


def _scope_media(s: Session, agency_id: int, job_id: int | None) -> set[int]:
    visible = face_repo.visible_media_ids(s, agency_id)
    if job_id is None:
        return visible
    return visible & repos.job_media_of_agency(s, job_id, agency_id)


def run_clustering(ctx: Context, agency_code: str, actor: str, *,
                   job_id: int | None = None) -> RunSummary:
    """Cluster the faces of every picture ``agency_code`` may see (or of one of its jobs)."""
    t = face_type(ctx.settings.tuning)
    with ctx.db.session() as s:
        agency = repos.get_agency(s, agency_code)
        rows = face_repo.faces_in(s, _scope_media(s, agency.id, job_id), t.min_quality or 0)
        ids = [r.signal_id for r in rows]
        position = {sid: k for k, sid in enumerate(ids)}
        same, different = _rules(s, set(ids), position)
        vectors = np.stack([np.frombuffer(r.value, dtype=np.float32) for r in rows]) \
            if rows else np.zeros((0, 128), dtype=np.float32)
        labels = cluster_faces(vectors, [(r.media_id, r.start) for r in rows], t.cluster,
                               same, different)
        confirmed = face_repo.confirmed_faces(s)
        person_of = _cluster_persons(ids, labels, confirmed)
        run = face_repo.add_run(
            s, ((sid, label + 1, person_of.get(label))
                for sid, label in zip(ids, labels, strict=True)),
            agency_id=agency.id, scope=f"job:{job_id}" if job_id else "all",
            threshold=t.cluster, faces=len(rows), clusters=len(set(labels)), actor=actor)
        suggestions = _suggest_from_clusters(s, ids, labels, vectors, person_of, confirmed)
        sizes: defaultdict[int, int] = defaultdict(int)
        for label in labels:
            sizes[label] += 1
        summary = RunSummary(run.id, len(rows), len(sizes),
                             sum(1 for n in sizes.values() if n > 1), suggestions)
        audit.append(s, actor, "faces.cluster", f"run:{run.id}", agency=agency.code,
                     details={"faces": summary.faces, "clusters": summary.clusters,
                              "scope": run.scope, "threshold": t.cluster})
    return summary


def _rules(s: Session, ids: set[int], position: dict[int, int],
           ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Decisions and person links as row pairs: what must and must not be grouped."""
    same: list[tuple[int, int]] = []
    different: list[tuple[int, int]] = []
    for a, b, is_same in face_repo.decisions_among(s, ids):
        (same if is_same else different).append((position[a], position[b]))
    by_person: dict[int, list[int]] = defaultdict(list)
    for sid, pid in face_repo.confirmed_faces(s).items():
        if sid in ids:
            by_person[pid].append(position[sid])
    for rows in by_person.values():
        same.extend((rows[0], r) for r in rows[1:])
    anchors = [rows[0] for rows in by_person.values()]
    different.extend((a, b) for k, a in enumerate(anchors) for b in anchors[k + 1:])
    for sid, pid in face_repo.rejected_links(s):
        if sid in ids and by_person.get(pid):
            different.append((position[sid], by_person[pid][0]))
    return same, different


def _cluster_persons(ids: list[int], labels: list[int],
                     confirmed: dict[int, int]) -> dict[int, int]:
    """The person whose confirmed faces a cluster holds (the rules keep it to one)."""
    out: dict[int, int] = {}
    for sid, label in zip(ids, labels, strict=True):
        if sid in confirmed:
            out[label] = confirmed[sid]
    return out


def _suggest_from_clusters(s: Session, ids: list[int], labels: list[int], vectors: np.ndarray,
                           person_of: dict[int, int], confirmed: dict[int, int]) -> int:
    """Faces grouped with a person's confirmed faces become suggestions for that person."""
    rejected = set(face_repo.rejected_links(s))
    members: dict[int, list[int]] = defaultdict(list)
    for k, label in enumerate(labels):
        members[label].append(k)
    made = 0
    for label, pid in person_of.items():
        rows = members[label]
        anchors = [k for k in rows if confirmed.get(ids[k]) == pid]
        for k in rows:
            sid = ids[k]
            if sid in confirmed or (sid, pid) in rejected:
                continue
            score = float((vectors[anchors] @ vectors[k]).max())
            face_repo.set_link(s, sid, pid, "suggested", "tessera", round(score, 4))
            made += 1
    return made


# --- review -------------------------------------------------------------------------------


def clusters(s: Session, run: FaceClusterRun, *, min_size: int = 1,
             cluster: int | None = None) -> list[dict[str, Any]]:
    members = face_repo.run_members(s, run.id, cluster)
    rows = face_repo.faces(s, [m.signal_id for m in members])
    grouped: dict[int, list[FaceClusterMember]] = defaultdict(list)
    for m in members:
        grouped[m.cluster].append(m)
    persons = face_repo.persons_by_id(s, {m.person_id for m in members if m.person_id})
    out = []
    for number, group in sorted(grouped.items()):
        if len(group) < min_size:
            continue
        person = persons.get(group[0].person_id) if group[0].person_id else None
        out.append({
            "cluster": number, "size": len(group),
            "person": {"id": person.id, "label": person.label, "role": person.role,
                       "status": person.status} if person else None,
            "faces": [{"face": m.signal_id, "media_id": rows[m.signal_id].media_id,
                       "start": rows[m.signal_id].start, "quality": rows[m.signal_id].quality,
                       "box": rows[m.signal_id].detail.get("box")}
                      for m in group if m.signal_id in rows],
        })
    return out


def _members(s: Session, run: FaceClusterRun, cluster: int) -> list[int]:
    ids = [m.signal_id for m in face_repo.run_members(s, run.id, cluster)]
    if not ids:
        raise NotFound(f"run {run.id} has no cluster {cluster}")
    return ids


def _same_star(s: Session, ids: list[int], agency_id: int, actor: str) -> None:
    for other in ids[1:]:
        face_repo.add_decision(s, ids[0], other, True, agency_id, actor)


def _new_cluster(s: Session, run: FaceClusterRun, ids: list[int]) -> int:
    number = max(m.cluster for m in face_repo.run_members(s, run.id)) + 1
    for m in face_repo.members_of(s, run.id, ids):
        m.cluster, m.person_id = number, None
    run.clusters += 1
    return number


def merge(s: Session, run: FaceClusterRun, keep: int, other: int, actor: str) -> int:
    """The investigator says clusters ``keep`` and ``other`` are one person."""
    a, b = _members(s, run, keep), _members(s, run, other)
    _same_star(s, a + b, run.agency_id, actor)
    person = next((m.person_id for m in face_repo.members_of(s, run.id, a + b) if m.person_id),
                  None)
    for m in face_repo.members_of(s, run.id, b):
        m.cluster = keep
    for m in face_repo.members_of(s, run.id, a + b):
        m.person_id = person
    run.clusters -= 1
    audit.append(s, actor, "faces.merge", f"run:{run.id}",
                 details={"clusters": [keep, other], "faces": len(a) + len(b)})
    return keep


def split(s: Session, run: FaceClusterRun, cluster: int, faces: list[int], actor: str) -> int:
    """The investigator says ``faces`` are a different person from the rest of the cluster."""
    members = _members(s, run, cluster)
    part = [f for f in members if f in set(faces)]
    rest = [f for f in members if f not in set(faces)]
    if not part or not rest:
        raise TesseraError("a split needs some, but not all, faces of the cluster")
    _same_star(s, part, run.agency_id, actor)
    _same_star(s, rest, run.agency_id, actor)
    face_repo.add_decision(s, part[0], rest[0], False, run.agency_id, actor)
    number = _new_cluster(s, run, part)
    audit.append(s, actor, "faces.split", f"run:{run.id}",
                 details={"cluster": cluster, "new": number, "faces": part})
    return number


def remove_face(s: Session, run: FaceClusterRun, cluster: int, face: int, actor: str) -> int:
    """"Not this person": the face leaves the cluster and is kept apart from every face in it
    (and, when the cluster is a person's, rejected for that person)."""
    members = _members(s, run, cluster)
    if face not in members:
        raise NotFound(f"face {face} is not in cluster {cluster}")
    for other in members:
        face_repo.add_decision(s, face, other, False, run.agency_id, actor)
    person_id = next((m.person_id for m in face_repo.members_of(s, run.id, [face])), None)
    if person_id is not None:
        face_repo.set_link(s, face, person_id, "rejected", actor)
    number = _new_cluster(s, run, [face])
    audit.append(s, actor, "faces.not_this_person", f"run:{run.id}",
                 details={"cluster": cluster, "face": face, "person": person_id})
    return number


def link_cluster(s: Session, run: FaceClusterRun, cluster: int, person: Person,
                 actor: str) -> int:
    """Confirm every face of a reviewed cluster for ``person``."""
    ids = _members(s, run, cluster)
    rejected = {link.signal_id for link in face_repo.links_of_person(s, person.id,
                                                                     ("rejected",))}
    chosen = [f for f in ids if f not in rejected]
    link_faces(s, person, chosen, "confirmed", actor)
    for m in face_repo.members_of(s, run.id, chosen):
        m.person_id = person.id
    return len(chosen)
