"""Leads from the matcher: a near-duplicate, a shared video frame, a face, a soundtrack. The kind
of link comes from the signal type behind each hit (``SignalType.suggests``), so a new signal
type brings its leads without a change here; the same file held in two series is a lead too."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tessera.matching.leads.base import SUGGESTERS, Lead, LinkSuggester, Probe
from tessera.signals import SIGNAL_TYPES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def _kind(signal_type: str, evidence: str) -> str:
    if signal_type in SIGNAL_TYPES:
        return SIGNAL_TYPES.get(signal_type).suggests
    return "same-person" if evidence == "person" else "same-series"


class MatchSuggester(LinkSuggester):
    name = "matches"

    def suggest(self, s: Session, probe: Probe) -> list[Lead]:
        out = []
        for item in probe.items:
            same = item.exact if item.exact is not None else item.media_id
            if same is not None:  # a lead wherever that one file sits in two series
                out.append(Lead(item.key, same, "same-series", "sha256", 1.0,
                                "the same file (SHA-256)", from_match=True))
            for hit in item.hits:
                if hit.media_id in (item.media_id, same):
                    continue
                unit = f" {hit.unit}" if hit.unit else ""
                out.append(Lead(item.key, hit.media_id, _kind(hit.signal_type, hit.evidence),
                                hit.signal_type, round(hit.score, 4),
                                f"{hit.kind} match, distance {hit.distance:g}{unit}",
                                from_match=True))
        return out


SUGGESTERS.register(MatchSuggester.name, MatchSuggester())
