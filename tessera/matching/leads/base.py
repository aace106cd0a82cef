"""The contract of a link suggester: given some files (stored media, or the files of an upload
not stored yet), say which stored media they are connected to, how (the link kind), how surely
(score 0-1) and on what fact. A suggester reads a file's metadata and the matcher's hits, never
its pixels, so the same code serves a new upload's report and a series' stored media.

Suggesters never decide: what they find becomes a *suggested* link between the series of the
two media, which only an investigator confirms. A new source of leads (a new signal, a new
metadata fact) is one module with a ``LinkSuggester`` registered in ``SUGGESTERS``; the link
service runs every registered suggester and knows none by name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from tessera.core.registry import Registry
from tessera.matching.hits import Hit

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class Lead:
    """One piece of evidence that a probed file is connected to a stored media."""

    key: int  # the probed file's ``ProbeItem.key``
    other_media_id: int  # may be the probed file itself, stored: one file held in two series
    kind: str  # the link it suggests: same-series, same-device, same-place, same-person, …
    source: str  # the suggester or signal type that found it
    score: float  # 1 certain … 0 nothing
    fact: str  # what was seen, in words that say nothing of either media's pixels
    from_match: bool = False  # a hit the report already lists as a match


@dataclass(frozen=True, slots=True)
class EntityLead:
    """Evidence that a probed file belongs with an entity itself (the place it was made at),
    not with another media."""

    key: int  # the probed file's ``ProbeItem.key``
    entity: tuple[str, int]  # ("place", 3)
    kind: str
    source: str
    score: float
    fact: str  # says nothing of the entity that its own sharing would not (no name)


@dataclass(frozen=True, slots=True)
class ProbeItem:
    """One file to find connections of, with what is known of it already."""

    key: int  # its media id when stored; any distinct number for a file of an upload
    meta: Mapping[str, Any] = field(default_factory=dict)  # EXIF facts (media.metadata)
    hits: Sequence[Hit] = ()  # what the matcher found for it
    media_id: int | None = None  # stored as this media
    exact: int | None = None  # the stored media it is a byte-identical copy of


@dataclass(frozen=True, slots=True)
class Probe:
    items: tuple[ProbeItem, ...]

    def own_media(self) -> set[int]:
        return {i.media_id for i in self.items if i.media_id is not None}


class LinkSuggester(ABC):
    name: ClassVar[str]

    @abstractmethod
    def suggest(self, s: Session, probe: Probe) -> list[Lead]: ...

    def suggest_entities(self, s: Session, probe: Probe) -> list[EntityLead]:
        """Leads straight to entities (a place); most suggesters find none."""
        return []


SUGGESTERS: Registry[LinkSuggester] = Registry("link suggester")

KIND_WORDS = {
    "same-series": "the same material (copies or shared frames)",
    "same-person": "the same person",
    "same-device": "the same camera",
    "same-place": "the same place",
    "same-recording": "the same recording",
    "same-victim": "the same victim",
    "same-offender": "the same offender",
    "related": "related",
}


def kind_words(kind: str) -> str:
    """A link kind in words; a kind a new suggester brings reads from its name."""
    return KIND_WORDS.get(kind, kind.replace("-", " "))
