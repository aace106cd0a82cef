"""How the services read each type of entity (series, person, place, clue, media): rows by
id, and each row as one *side* for a reader, with what the reader may see of it. Links, their
walks and the threads between agencies go through here; a new entity type is a class of rows,
a side and a registration, not edits in each of them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tessera.access.policy import (
    Principal,
    Visibility,
    clue_visibility,
    media_visibility,
    person_visibility,
    series_visibility,
)
from tessera.entities.clues import clue_words
from tessera.entities.links import ENTITY_TYPES, Endpoint
from tessera.service.views import media_target
from tessera.store import repos
from tessera.store.repos import clues as clue_repo
from tessera.store.repos import faces as face_repo
from tessera.store.repos import places as place_repo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tessera.store.tables import Agency, Clue, Media, Person, Place, Series


@dataclass(frozen=True)
class Side:
    end: Endpoint
    owner: Agency
    visibility: Visibility
    label: str
    role: str | None  # a person's: victim | offender
    status: str | None

    def shown(self) -> dict[str, Any]:
        """The side as the viewer may know it: its name and id only with its details."""
        open_ = self.visibility >= Visibility.METADATA
        return {"type": self.end[0], "id": self.end[1] if open_ else None,
                "label": self.label if open_ else None,
                "role": self.role if open_ else None, "status": self.status if open_ else None,
                "agency": self.owner.code, "country": self.owner.country,
                "contact": self.owner.contact,
                "words": self.label if open_ else f"held by {self.owner.code}"}


@dataclass(frozen=True)
class EntityKind:
    """How the services read one type of entity: rows by id, and each row as a side for ``p``."""

    load: Callable[[Session, Iterable[int]], Mapping[int, Any]]
    side: Callable[[Session, Principal, Any], Side | None]  # None: nobody to ask about it
    shares: Callable[[Any], tuple[int, str, dict[int, str]]]  # for policy.*_visibility


def _series_side(s: Session, p: Principal, x: Series) -> Side:
    return Side(("series", x.id), x.owner, series_visibility(p, *x.shares), x.name, None,
                x.victim_status)


def _person_side(s: Session, p: Principal, x: Person) -> Side:
    return Side(("person", x.id), x.owner, person_visibility(p, x.owner_agency_id, x.sharing),
                x.label, x.role, x.status)


def _place_side(s: Session, p: Principal, x: Place) -> Side:
    where = ", ".join(filter(None, (x.region, x.country)))
    return Side(("place", x.id), x.owner, person_visibility(p, x.owner_agency_id, x.sharing),
                x.label, None, where or None)


def _clue_side(s: Session, p: Principal, x: Clue) -> Side:
    seen = clue_visibility(p, x.owner_agency_id, x.sharing,
                           media_target(s, p, x.media_id).visibility)
    return Side(("clue", x.id), x.owner, seen, clue_words(x.kind, x.note), None, x.kind)


def _media_side(s: Session, p: Principal, x: Media) -> Side | None:
    """A file is its submitting agencies' (one's own first): a link to it is read as far as
    the file's details may be, a hidden one as "held by" an agency that holds it."""
    owners = repos.media_owners(s, [x.id]).get(x.id, [])
    held = repos.series_for_media(s, [x.id]).get(x.id, [])
    agencies = sorted(owners, key=lambda a: (a.id != p.agency_id, a.id)) or \
        [y.owner for y in held]
    if not agencies:
        return None
    seen = media_visibility(p, [a.id for a in owners], [y.shares for y in held])
    return Side(("media", x.id), agencies[0], seen, f"media #{x.id}", None, x.kind)


def _media_shares(x: Media) -> tuple[int, str, dict[int, str]]:
    first = min((sub.agency_id for sub in x.submissions), default=0)
    return first, "hash-only", {}


ENTITY_KINDS: dict[str, EntityKind] = {
    "series": EntityKind(repos.series_by_ids, _series_side, lambda x: x.shares),
    "person": EntityKind(face_repo.persons_by_ids, _person_side,
                         lambda x: (x.owner_agency_id, x.sharing, {})),
    "place": EntityKind(place_repo.places_by_ids, _place_side,
                        lambda x: (x.owner_agency_id, x.sharing, {})),
    "clue": EntityKind(clue_repo.clues_by_ids, _clue_side,
                       lambda x: (x.owner_agency_id, x.sharing, {})),
    "media": EntityKind(repos.media_by_ids, _media_side, _media_shares),
}
assert set(ENTITY_KINDS) == set(ENTITY_TYPES)


def sides(s: Session, p: Principal, ends: Iterable[Endpoint]) -> dict[Endpoint, Side]:
    """Each entity that exists, as ``p`` may know it (absent ones are left out)."""
    wanted: dict[str, set[int]] = {}
    for kind, entity_id in ends:
        wanted.setdefault(kind, set()).add(entity_id)
    out: dict[Endpoint, Side] = {}
    for kind, ids in wanted.items():
        entity = ENTITY_KINDS.get(kind)
        if entity is None:
            continue
        for row in entity.load(s, ids).values():
            side = entity.side(s, p, row)
            if side is not None:
                out[side.end] = side
    return out


def shares_of(s: Session, end: Endpoint) -> tuple[int, str, dict[int, str]]:
    """Owner, sharing and grants of one entity: what a message to another agency may say."""
    entity = ENTITY_KINDS[end[0]]
    return entity.shares(entity.load(s, [end[1]])[end[1]])
