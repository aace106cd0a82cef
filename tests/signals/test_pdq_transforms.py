import io
from pathlib import Path

import pytest
from PIL import Image

from tessera.config import Limits
from tessera.core.types import Transform
from tessera.media.image import decode_image
from tessera.signals.pdq import PdqSignal, hamming
from tessera.synthetic import jpeg, picture

PDQ = PdqSignal()
OPS = [Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_270,
       Image.Transpose.FLIP_LEFT_RIGHT, Image.Transpose.FLIP_TOP_BOTTOM,
       Image.Transpose.TRANSPOSE, Image.Transpose.TRANSVERSE]


def _best(query: bytes, stored: bytes) -> tuple[int, Transform]:
    variants = PDQ.query_variants(decode_image(query, Limits()))
    (target, *_) = PDQ.extract(decode_image(stored, Limits()))
    return min((hamming(v.value, target.value), v.transform) for v in variants)


@pytest.mark.parametrize("size", [(640, 480), (120, 90), (48, 36)])
@pytest.mark.parametrize("op", OPS)
def test_rotations_and_mirrors_match_even_for_small_images(size: tuple[int, int],
                                                           op: Image.Transpose) -> None:
    original = picture(11, size)
    distance, transform = _best(jpeg(original), jpeg(original.transpose(op)))
    assert distance <= 16, (size, op, distance)
    assert transform is not Transform.ORIGINAL


def test_reference_dihedral_set_matches_original(shared_data: Path) -> None:
    folder = shared_data / "pdq-reference" / "reg-test-input" / "dih"
    original = (folder / "bridge-1-original.jpg").read_bytes()
    for path in sorted(folder.glob("bridge-*.jpg")):
        distance, _ = _best(path.read_bytes(), original)
        assert distance <= 16, (path.name, distance)


def test_letterboxed_bridge_matches_original_through_trimmed_hash(shared_data: Path) -> None:
    boxed = decode_image((shared_data / "images" / "bridge_letterboxed.jpg").read_bytes(),
                         Limits())
    plain = decode_image((shared_data / "pdq-reference" / "bridge-mods" / "aaa-orig.jpg")
                         .read_bytes(), Limits())
    stored = {s.region: s for s in PDQ.extract(boxed)}
    assert set(stored) == {"full", "trimmed"}  # both hashes are kept
    (original,) = PDQ.extract(plain)
    assert hamming(stored["full"].value, original.value) > 31  # why trimming is needed
    assert hamming(stored["trimmed"].value, original.value) <= 10


def test_pdq_is_stable_across_jpeg_reencoding() -> None:
    image = picture(12)
    a = PDQ.extract(decode_image(jpeg(image, 95), Limits()))[0]
    b = PDQ.extract(decode_image(jpeg(image, 50), Limits()))[0]
    out = io.BytesIO()
    image.save(out, format="PNG")
    c = PDQ.extract(decode_image(out.getvalue(), Limits()))[0]
    assert hamming(a.value, b.value) <= 12 and hamming(a.value, c.value) <= 12
