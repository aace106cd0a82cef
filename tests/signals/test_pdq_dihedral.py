"""The one-pass dihedral hashes against ``pdqhash`` on physically transformed pixels."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tessera.config import Limits
from tessera.core.types import Transform
from tessera.media.image import WORKING_SIZE, decode_image
from tessera.signals.pdq import PdqSignal, hamming, hash_pixels
from tessera.signals.pdq_dihedral import dihedral_hashes
from tessera.synthetic import jpeg, picture

PHYSICAL = {
    Transform.ORIGINAL: None,
    Transform.ROTATE_90: Image.Transpose.ROTATE_90,
    Transform.ROTATE_180: Image.Transpose.ROTATE_180,
    Transform.ROTATE_270: Image.Transpose.ROTATE_270,
    Transform.FLIP_HORIZONTAL: Image.Transpose.FLIP_LEFT_RIGHT,
    Transform.FLIP_VERTICAL: Image.Transpose.FLIP_TOP_BOTTOM,
    Transform.TRANSPOSE: Image.Transpose.TRANSPOSE,
    Transform.TRANSVERSE: Image.Transpose.TRANSVERSE,
}


def _working(image: Image.Image) -> Image.Image:
    image = image.convert("RGB")
    image.thumbnail((WORKING_SIZE, WORKING_SIZE))
    return image


def _pictures(shared_data: Path) -> list[Image.Image]:
    photos = sorted((shared_data / "images").glob("*.jpg"))[:12]
    out = [_working(Image.open(p)) for p in photos]
    out += [picture(seed) for seed in range(3)]
    out += [picture(7).resize(size) for size in [(301, 157), (157, 301), (37, 23), (9, 400)]]
    out.append(_working(picture(8, (1200, 700))))
    return out


def test_every_turn_and_mirror_equals_pdqhash_of_the_turned_pixels(shared_data: Path) -> None:
    distances, qualities = [], []
    for image in _pictures(shared_data):
        fast = dihedral_hashes(image)
        assert set(fast) == set(PHYSICAL)
        for transform, op in PHYSICAL.items():
            value, quality = hash_pixels(image if op is None else image.transpose(op))
            distances.append(hamming(value, fast[transform][0]))
            qualities.append((quality, fast[transform][1]))
    distances_array = np.array(distances)
    assert distances_array.max() <= 2  # a tie at the median may swap one pair of bits
    assert (distances_array == 0).mean() >= 0.98, distances
    assert all(a == b for a, b in qualities), qualities


def test_mirrors_are_not_bit_flips_of_the_plain_hash() -> None:
    """Why the operator is mirrored and not the DCT signs: PDQ's box filter is off-centre."""
    fast = dihedral_hashes(picture(4))
    value, _ = hash_pixels(picture(4).transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    assert hamming(fast[Transform.FLIP_HORIZONTAL][0], value) == 0
    assert hamming(fast[Transform.FLIP_HORIZONTAL][0], fast[Transform.ORIGINAL][0]) > 31


@pytest.mark.parametrize("mode", ["L", "RGBA", "P"])
def test_other_modes_hash_as_their_rgb(mode: str) -> None:
    image = picture(5).convert(mode)
    assert dihedral_hashes(image) == dihedral_hashes(image.convert("RGB"))


def test_query_variants_keep_the_stored_value_and_add_seven_turns() -> None:
    decoded = decode_image(jpeg(picture(6)), Limits())
    stored, variants = PdqSignal().extract_with_variants(decoded)
    assert [s.value for s in stored] == [s.value for s in PdqSignal().extract(decoded)]
    assert sorted(v.transform.value for v in variants) == sorted(t.value for t in PHYSICAL)
    assert next(v for v in variants if v.transform is Transform.ORIGINAL) == stored[0]
