"""The contract of a link suggester: given some stored media, say which other media they are
connected to, how (the link kind), how surely (score 0-1) and on what fact.

Suggesters never decide: what they find becomes a *suggested* link between the series of the
two media, which only an investigator confirms. A new source of leads (a new signal, a new
metadata fact) is one module with a ``LinkSuggester`` registered in ``SUGGESTERS``; the link
service runs every registered suggester and knows none by name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from tessera.core.registry import Registry
from tessera.matching.hits import Hit

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class Lead:
    """One piece of evidence that two stored media are connected."""

    media_id: int  # one of the probed media
    other_media_id: int  # may equal ``media_id``: one file held in two series
    kind: str  # the link it suggests: same-series, same-device, same-place, same-person, …
    source: str  # the suggester or signal type that found it
    score: float  # 1 certain … 0 nothing
    fact: str  # what was seen, in words that say nothing of either media's pixels


@dataclass(frozen=True, slots=True)
class Probe:
    """The media to find connections of, with what the matcher already found for each."""

    media_ids: tuple[int, ...]
    hits: Mapping[int, list[Hit]] = field(default_factory=dict)  # media id → its hits


class LinkSuggester(ABC):
    name: ClassVar[str]

    @abstractmethod
    def suggest(self, s: Session, probe: Probe) -> list[Lead]: ...


SUGGESTERS: Registry[LinkSuggester] = Registry("link suggester")
