"""Leads from GPS: two files made within ``radius_m`` of each other may show the same place, and
a file made inside a place an agency worked out (its point ± its radius) may have been made
there. A street corner is shared by many, so the score falls with the distance and never
reaches a copy's; a place as wide as a region suggests nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tessera.matching.leads.base import SUGGESTERS, EntityLead, Lead, LinkSuggester, Probe
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

    widest_place_m = 5_000.0  # a town at most: a wider place says too little to suggest
    gps_error_m = 30.0

    def suggest_entities(self, s: Session, probe: Probe) -> list[EntityLead]:
        out = []
        for item in probe.items:
            here = position_of(item.meta)
            if here is None:
                continue
            for place_id, metres, radius in facts.places_around(
                    s, here[0], here[1], self.widest_place_m, self.gps_error_m):
                reach = radius + self.gps_error_m
                out.append(EntityLead(item.key, ("place", place_id), "same-place", self.name,
                                      round(self.best * (1 - metres / (2 * reach)), 4),
                                      f"GPS position {metres:.0f} m from the place's point "
                                      f"(within its ± {radius:,.0f} m)"))
        return out


SUGGESTERS.register(PlaceSuggester.name, PlaceSuggester())
