"""Leads from the camera: two files whose metadata give the same make, model and serial number
were made with one device. Metadata can be forged or copied, so it stays a suggestion."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tessera.entities.suggesters.base import SUGGESTERS, Lead, LinkSuggester, Probe
from tessera.store.repos import facts

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class DeviceSuggester(LinkSuggester):
    name = "camera-serial"
    score = 0.9  # a serial is specific; a copied EXIF block is the usual false lead

    def suggest(self, s: Session, probe: Probe) -> list[Lead]:
        out = []
        for shared in facts.same_device(s, probe.media_ids):
            camera = " ".join(x for x in (shared.make, shared.model) if x) or "camera"
            out.append(Lead(shared.media_id, shared.other_media_id, "same-device", self.name,
                            self.score, f"{camera}, serial {shared.serial}"))
        return out


SUGGESTERS.register(DeviceSuggester.name, DeviceSuggester())
