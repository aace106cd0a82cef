"""PDQ, Meta's 256-bit perceptual hash, via ``pdqhash`` (Meta's C++ core).

Conformance (see tests/signals/test_pdq_conformance.py): images are shrunk to at most 512 px
with Pillow before hashing, as Meta's C++ tool does, which keeps us within 10 bits of its hashes.
Rotations and mirrors are matched by the hashes of the physically transformed pixels, which
only the query side computes: the plain one through ``pdqhash``, the seven others from one pass
over the working picture (``pdq_dihedral``, the same bits at a fraction of the cost).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pdqhash
from PIL import Image

from tessera.core.types import MediaKind, Signal, Transform
from tessera.media.borders import find_content_box
from tessera.media.image import WORKING_SIZE, DecodedImage
from tessera.signals.base import SIGNAL_TYPES, BinaryHashType, Knob, hamming
from tessera.signals.pdq_dihedral import dihedral_hashes

__all__ = ["PdqSignal", "hamming", "hash_array", "hash_pixels", "working_regions"]


def hash_array(rgb: np.ndarray) -> tuple[bytes, int]:
    """PDQ of RGB pixels (height x width x 3, uint8): (32 bytes, quality 0-100)."""
    bits, quality = pdqhash.compute(rgb)
    return np.packbits(bits.astype(np.uint8)).tobytes(), int(quality)


def hash_pixels(image: Image.Image) -> tuple[bytes, int]:
    """PDQ of an RGB image already at working size."""
    return hash_array(np.asarray(image))


def working_regions(media: DecodedImage) -> list[tuple[str, Image.Image]]:
    """The full picture and, when it has uniform borders, the picture inside them."""
    full = media.rgb.copy()
    full.thumbnail((WORKING_SIZE, WORKING_SIZE))
    regions = [("full", full)]
    box = find_content_box(full)
    if box is not None:
        sx, sy = media.rgb.width / full.width, media.rgb.height / full.height
        big_box = (round(box[0] * sx), round(box[1] * sy), round(box[2] * sx), round(box[3] * sy))
        inner = media.rgb.crop(big_box)
        inner.thumbnail((WORKING_SIZE, WORKING_SIZE))
        regions.append(("trimmed", inner))
    return regions


class PdqSignal(BinaryHashType):
    """Owner of the "pdq" space: vPDQ frame hashes are matched at its threshold and gate."""

    name: ClassVar[str] = "pdq"
    version: ClassVar[int] = 1
    applies_to = frozenset({MediaKind.IMAGE})
    default_threshold: ClassVar[float] = 31  # bits of 256 (Meta's recommended 31)
    min_quality: int | None = 50  # Meta: hashes below 50 are too uniform to match on
    knobs = (Knob("threshold", "TESSERA_PDQ_MAX_DISTANCE", 0, 80, integer=True,
                  why="a larger distance matches unrelated images"),
             Knob("min_quality", "TESSERA_PDQ_MIN_QUALITY", 0, 100, integer=True))

    def extract(self, media: DecodedImage) -> list[Signal]:
        out = []
        for region, image in working_regions(media):
            value, quality = hash_pixels(image)
            out.append(Signal(self.name, self.version, value, quality, region))
        return out

    def query_variants(self, media: DecodedImage) -> list[Signal]:
        """All eight from one pass, the plain one included (it equals ``extract``'s but for a
        tie at the median, which moves no match): for a search that keeps nothing."""
        return [Signal(self.name, self.version, value, quality, region, transform)
                for region, image in working_regions(media)
                for transform, (value, quality) in dihedral_hashes(image).items()]

    def extract_with_variants(self, media: DecodedImage) -> tuple[list[Signal], list[Signal]]:
        stored, variants = [], []
        for region, image in working_regions(media):
            value, quality = hash_pixels(image)  # the stored value stays Meta's own
            stored.append(Signal(self.name, self.version, value, quality, region))
            variants.append(stored[-1])
            for transform, (value, quality) in dihedral_hashes(image).items():
                if transform is not Transform.ORIGINAL:
                    variants.append(Signal(self.name, self.version, value, quality, region,
                                           transform))
        return stored, variants


SIGNAL_TYPES.register(PdqSignal.name, PdqSignal())
