"""Queries about faces and the persons they are linked to (the face aggregate)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from tessera.core.errors import NotFound
from tessera.store.rows import added, by_id
from tessera.store.tables import (
    FaceClusterMember,
    FaceClusterRun,
    FaceDecision,
    FaceLink,
    MediaSeries,
    Person,
    Series,
    SeriesGrant,
    Signal,
    Submission,
)

FACE = "face"


@dataclass(frozen=True, slots=True)
class FaceRow:
    signal_id: int
    media_id: int
    quality: int
    start: float | None
    detail: dict[str, Any]
    value: bytes


def _rows(result: Iterable[Signal]) -> list[FaceRow]:
    return [FaceRow(x.id, x.media_id, x.quality if x.quality is not None else 0, x.t_start,
                    dict(x.detail or {}), bytes(x.value)) for x in result]


def faces(s: Session, signal_ids: Iterable[int]) -> dict[int, FaceRow]:
    ids = list(set(signal_ids))
    out: dict[int, FaceRow] = {}
    for start in range(0, len(ids), 500):
        rows = s.scalars(select(Signal).where(Signal.id.in_(ids[start:start + 500]),
                                              Signal.type == FACE)).all()
        out.update({r.signal_id: r for r in _rows(rows)})
    return out


def get_face(s: Session, signal_id: int) -> FaceRow:
    found = faces(s, [signal_id]).get(signal_id)
    if found is None:
        raise NotFound(f"no face {signal_id}")
    return found


def faces_of_media(s: Session, media_id: int) -> list[FaceRow]:
    return _rows(s.scalars(select(Signal).where(Signal.media_id == media_id, Signal.type == FACE)
                           .order_by(Signal.id)).all())


def visible_media_ids(s: Session, agency_id: int) -> set[int]:
    """Media whose pictures an agency may see: its own submissions, series shared in full and
    series granted to it in full (the same rule as ``policy.media_visibility`` reaching FULL)."""
    own = s.scalars(select(Submission.media_id).where(Submission.agency_id == agency_id))
    shared = s.scalars(select(MediaSeries.media_id).join(Series, Series.id == MediaSeries.series_id)
                       .where(or_(Series.owner_agency_id == agency_id, Series.sharing == "full")))
    granted = s.scalars(select(MediaSeries.media_id).join(
        SeriesGrant, SeriesGrant.series_id == MediaSeries.series_id)
        .where(SeriesGrant.agency_id == agency_id, SeriesGrant.level == "full"))
    return set(own) | set(shared) | set(granted)


def faces_in(s: Session, media_ids: Iterable[int], min_quality: int) -> list[FaceRow]:
    ids = sorted(set(media_ids))
    out: list[FaceRow] = []
    for start in range(0, len(ids), 500):
        out.extend(_rows(s.scalars(
            select(Signal).where(Signal.media_id.in_(ids[start:start + 500]),
                                 Signal.type == FACE, Signal.quality >= min_quality)
            .order_by(Signal.id)).all()))
    return out


# --- persons and links ---------------------------------------------------------------------


def get_person(s: Session, person_id: int) -> Person:
    return by_id(s, Person, person_id, "person")


def persons_by_ids(s: Session, ids: Iterable[int]) -> dict[int, Person]:
    wanted, out = sorted(set(ids)), {}
    for start in range(0, len(wanted), 500):
        out.update({x.id: x for x in s.scalars(
            select(Person).where(Person.id.in_(wanted[start:start + 500]))
            .options(selectinload(Person.owner)))})
    return out


def list_persons(s: Session) -> Sequence[Person]:
    return s.scalars(select(Person).order_by(Person.id)).all()


def links_of_faces(s: Session, signal_ids: Iterable[int],
                   states: tuple[str, ...] = ("confirmed", "suggested", "rejected"),
                   ) -> dict[int, list[tuple[FaceLink, Person]]]:
    ids = list(set(signal_ids))
    out: dict[int, list[tuple[FaceLink, Person]]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        rows = s.execute(select(FaceLink, Person).join(Person, Person.id == FaceLink.person_id)
                         .where(FaceLink.signal_id.in_(ids[start:start + 500]),
                                FaceLink.state.in_(states))
                         .order_by(FaceLink.score.desc())).all()
        for link, person in rows:
            out[link.signal_id].append((link, person))
    return out


def links_of_person(s: Session, person_id: int,
                    states: tuple[str, ...] = ("confirmed", "suggested", "rejected"),
                    ) -> Sequence[FaceLink]:
    return s.scalars(select(FaceLink).where(FaceLink.person_id == person_id,
                                            FaceLink.state.in_(states))
                     .order_by(FaceLink.state, FaceLink.score.desc(), FaceLink.id)).all()


def set_link(s: Session, signal_id: int, person_id: int, state: str, actor: str,
             score: float | None = None) -> FaceLink:
    """A person's word (confirmed, rejected) replaces anything; a suggestion replaces only an
    older suggestion, so Tessera never overrides an investigator."""
    link = s.scalar(select(FaceLink).where(FaceLink.signal_id == signal_id,
                                           FaceLink.person_id == person_id))
    if link is None:
        link = FaceLink(signal_id=signal_id, person_id=person_id, state=state, score=score,
                        actor=actor)
        s.add(link)
    elif state != "suggested" or link.state == "suggested":
        link.state, link.actor = state, actor
        link.score = score if score is not None else link.score
    s.flush()
    return link


def remove_link(s: Session, signal_id: int, person_id: int) -> bool:
    link = s.scalar(select(FaceLink).where(FaceLink.signal_id == signal_id,
                                           FaceLink.person_id == person_id))
    if link is None:
        return False
    s.delete(link)
    return True


def confirmed_faces(s: Session) -> dict[int, int]:
    """signal id → person id of every confirmed link."""
    return {sid: pid for sid, pid in s.execute(
        select(FaceLink.signal_id, FaceLink.person_id).where(FaceLink.state == "confirmed"))}


def rejected_links(s: Session) -> list[tuple[int, int]]:
    return [(sid, pid) for sid, pid in s.execute(
        select(FaceLink.signal_id, FaceLink.person_id).where(FaceLink.state == "rejected"))]


# --- decisions and clusters ----------------------------------------------------------------


def add_decision(s: Session, a: int, b: int, same: bool, agency_id: int, actor: str) -> None:
    a, b = min(a, b), max(a, b)
    if a == b:
        return
    row = s.scalar(select(FaceDecision).where(FaceDecision.a_signal_id == a,
                                              FaceDecision.b_signal_id == b))
    if row is None:
        s.add(FaceDecision(a_signal_id=a, b_signal_id=b, same=same, agency_id=agency_id,
                           actor=actor))
    else:
        row.same, row.actor = same, actor
    s.flush()


def decisions_among(s: Session, signal_ids: set[int]) -> list[tuple[int, int, bool]]:
    out: list[tuple[int, int, bool]] = []
    ids = sorted(signal_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = s.execute(select(FaceDecision.a_signal_id, FaceDecision.b_signal_id,
                                FaceDecision.same)
                         .where(or_(FaceDecision.a_signal_id.in_(chunk),
                                    FaceDecision.b_signal_id.in_(chunk)))).all()
        out.extend((a, b, same) for a, b, same in rows if a in signal_ids and b in signal_ids)
    return sorted(set(out))


def latest_run(s: Session, agency_id: int, scope: str | None = None) -> FaceClusterRun | None:
    query = select(FaceClusterRun).where(FaceClusterRun.agency_id == agency_id)
    if scope is not None:
        query = query.where(FaceClusterRun.scope == scope)
    return s.scalar(query.order_by(FaceClusterRun.id.desc()).limit(1))


def get_run(s: Session, run_id: int) -> FaceClusterRun:
    return by_id(s, FaceClusterRun, run_id, "clustering run")


def run_members(s: Session, run_id: int, cluster: int | None = None) -> list[FaceClusterMember]:
    query = select(FaceClusterMember).where(FaceClusterMember.run_id == run_id)
    if cluster is not None:
        query = query.where(FaceClusterMember.cluster == cluster)
    return list(s.scalars(query.order_by(FaceClusterMember.cluster,
                                         FaceClusterMember.signal_id)).all())


def members_of(s: Session, run_id: int, signal_ids: Iterable[int]) -> list[FaceClusterMember]:
    ids = list(signal_ids)
    return list(s.scalars(select(FaceClusterMember).where(
        and_(FaceClusterMember.run_id == run_id, FaceClusterMember.signal_id.in_(ids)))).all())


def label_taken(s: Session, agency_id: int, label: str) -> bool:
    """Whether the agency already tracks a person of that label."""
    return s.scalar(select(Person.id).where(Person.owner_agency_id == agency_id,
                                            Person.label == label)) is not None


def add_person(s: Session, **fields: Any) -> Person:
    return added(s, Person(**fields))


def persons_by_id(s: Session, person_ids: Iterable[int]) -> dict[int, Person]:
    ids = set(person_ids)
    return {p.id: p for p in s.scalars(select(Person).where(Person.id.in_(ids)))} if ids else {}


def add_run(s: Session, members: Iterable[tuple[int, int, int | None]],
            **fields: Any) -> FaceClusterRun:
    """A clustering run and its members: (signal id, cluster number, person id or None)."""
    run = added(s, FaceClusterRun(**fields))
    s.add_all(FaceClusterMember(run_id=run.id, signal_id=sid, cluster=cluster, person_id=pid)
              for sid, cluster, pid in members)
    return run
