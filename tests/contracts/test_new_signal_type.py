"""A signal type is one module and one registration: a toy 64-bit average hash with its own
index space, registered here only, is extracted on ingest, indexed, matched and reported
without any other code knowing its name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import numpy as np
from PIL import Image

from tessera.context import Context
from tessera.core.types import MediaKind, Signal
from tessera.media.image import DecodedImage
from tessera.pipeline.deconflict import deconflict
from tessera.pipeline.ingest import ingest
from tessera.reports.renderers import RENDERERS
from tessera.signals import SIGNAL_TYPES, BinaryHashType, Knob, matching_types
from tessera.synthetic import jpeg, picture
from tests.conftest import write_pictures

TOY = "toy-ahash"


class ToyAverageHash(BinaryHashType):
    name: ClassVar[str] = TOY
    version: ClassVar[int] = 1
    applies_to = frozenset({MediaKind.IMAGE})
    default_threshold: ClassVar[float] = 6
    index_width: ClassVar[int] = 64
    knobs = (Knob("threshold", "TESSERA_TOY_MAX_DISTANCE", 0, 20, integer=True),)

    def extract(self, media: DecodedImage) -> list[Signal]:
        small = np.asarray(media.rgb.convert("L").resize((8, 8), Image.Resampling.BOX))
        bits = (small > small.mean()).astype(np.uint8).ravel()
        return [Signal(self.name, self.version, np.packbits(bits).tobytes(), 100)]


def test_a_toy_type_is_ingested_indexed_matched_and_reported(sqlite_ctx: Context,
                                                              tmp_path: Path) -> None:
    with SIGNAL_TYPES.registered(TOY, ToyAverageHash()):
        write_pictures(tmp_path / "known", range(0, 4))
        ingest(sqlite_ctx, tmp_path / "known", "AU", "OP-AU", "Series Toy")
        index = sqlite_ctx.index(TOY)
        assert len(index.index) == 4  # type: ignore[attr-defined]

        seizure = tmp_path / "seizure"
        seizure.mkdir()
        copy = picture(2).resize((500, 375))  # smaller and recompressed: a near copy
        (seizure / "copy.jpg").write_bytes(jpeg(copy, 70))
        report = deconflict(sqlite_ctx, seizure, "DE")

        [entry] = report.files
        toy = [m for m in entry.matches if m.signal_type == TOY]
        assert toy and toy[0].kind == TOY and toy[0].unit == "bits"
        assert toy[0].distance <= 6 and toy[0].series[0].name == "Series Toy"
        assert entry.status == "near"
        assert {"space": TOY, "threshold": 6, "unit": "bits"} in report.thresholds
        rendered = json.loads(RENDERERS.get("json").render(report))
        assert any(m["signal_type"] == TOY for m in rendered["files"][0]["matches"])

        # its threshold is the type's, tuned through its own knob
        strict = matching_types(sqlite_ctx.settings.media, {"TESSERA_TOY_MAX_DISTANCE": "0"})
        assert next(t for t in strict if t.name == TOY).threshold == 0
    assert TOY not in SIGNAL_TYPES
