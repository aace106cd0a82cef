"""Leads from GPS: two files made within ``radius_m`` of each other may show the same place. A
street corner is shared by many, so the score falls with the distance and never reaches a
copy's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tessera.matching.leads.base import SUGGESTERS, Lead, LinkSuggester, Probe
from tessera.media.metadata import position_of
from tessera.store.repos import facts

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class PlaceSuggester(LinkSuggester):
    name = "gps"
    radius_m = 100.0  # phone GPS is good to some 5-30 m outdoors, worse indoors
    best = 0.8

    def suggest(self, s: Session, probe: Probe) -> list[Lead]:
        out = []
        for item in probe.items:
            here = position_of(item.meta)
            if here is None:
                continue
            for other, metres in facts.media_near(s, here[0], here[1], self.radius_m):
                if other != item.media_id:
                    out.append(Lead(item.key, other, "same-place", self.name,
                                    round(self.best * (1 - metres / (2 * self.radius_m)), 4),
                                    f"GPS positions {metres:.0f} m apart"))
        return out


SUGGESTERS.register(PlaceSuggester.name, PlaceSuggester())
