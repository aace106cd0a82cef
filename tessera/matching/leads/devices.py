"""Leads from the camera: two files whose metadata give the same make, model and serial number
were made with one device. Metadata can be forged or copied, so it stays a suggestion."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tessera.matching.leads.base import SUGGESTERS, Lead, LinkSuggester, Probe
from tessera.media.metadata import device_of
from tessera.store.repos import facts

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class DeviceSuggester(LinkSuggester):
    name = "camera-serial"
    score = 0.9  # a serial is specific; a copied EXIF block is the usual false lead

    def suggest(self, s: Session, probe: Probe) -> list[Lead]:
        wanted = {i.key: key for i in probe.items if (key := device_of(i.meta)) is not None}
        made_by = facts.media_by_device(s, set(wanted.values()))
        out: list[Lead] = []
        for item in probe.items:
            key = wanted.get(item.key)
            if key is None:
                continue
            camera = " ".join(x for x in key[:2] if x) or "camera"
            out.extend(Lead(item.key, other, "same-device", self.name, self.score,
                            f"{camera}, serial {key[2]}")
                       for other in made_by.get(key, []) if other != item.media_id)
        return out


SUGGESTERS.register(DeviceSuggester.name, DeviceSuggester())
