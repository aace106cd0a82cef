"""Leads from GPS: two files made within ``radius_m`` of each other may show the same place. A
street corner is shared by many, so the score falls with the distance and never reaches a
copy's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tessera.entities.suggesters.base import SUGGESTERS, Lead, LinkSuggester, Probe
from tessera.store.repos import facts

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class PlaceSuggester(LinkSuggester):
    name = "gps"
    radius_m = 100.0  # phone GPS is good to some 5-30 m outdoors, worse indoors
    best = 0.8

    def suggest(self, s: Session, probe: Probe) -> list[Lead]:
        return [Lead(near.media_id, near.other_media_id, "same-place", self.name,
                     round(self.best * (1 - near.metres / (2 * self.radius_m)), 4),
                     f"GPS positions {near.metres:.0f} m apart")
                for near in facts.near_positions(s, probe.media_ids, self.radius_m)]


SUGGESTERS.register(PlaceSuggester.name, PlaceSuggester())
