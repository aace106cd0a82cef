"""PDQ conformance by Meta's rule: within Hamming distance 10 of the C++ reference for every
listed image with quality >= 80 (see ../shared/data/pdq-reference/README.md)."""

import csv
from pathlib import Path

from tessera.config import Limits
from tessera.media.image import decode_image
from tessera.signals.pdq import PdqSignal, hamming

REFERENCE = "pdq-reference/expected/regenerated/cpp-HEAD-libjpeg.csv"


def test_pdq_within_10_bits_of_meta_cpp_reference(shared_data: Path) -> None:
    root = shared_data / "pdq-reference"
    pdq = PdqSignal()
    rows = list(csv.reader((shared_data / REFERENCE).open()))
    checked: list[tuple[str, int, int]] = []
    for hex_hash, quality, rel in rows:
        path = root / rel
        if not path.exists() or int(quality) < 80:
            continue
        (full, *_) = pdq.extract(decode_image(path.read_bytes(), Limits()))
        checked.append((rel, hamming(full.value, bytes.fromhex(hex_hash)), full.quality or 0))
    print("\nPDQ distance to Meta C++ HEAD (libjpeg):")
    for rel, distance, quality in checked:
        print(f"  {distance:3d}  q={quality:3d}  {rel}")
    distances = sorted(d for _, d, _ in checked)
    print(f"  n={len(distances)} median={distances[len(distances) // 2]} max={distances[-1]}")
    assert len(checked) >= 30
    assert all(d <= 10 for d in distances), [c for c in checked if c[1] > 10]


def test_low_quality_reference_images_report_low_quality(shared_data: Path) -> None:
    pdq = PdqSignal()
    for name in ("reg-test-input/labelme-subset/q0003.jpg", "misc-images/small.jpg"):
        data = (shared_data / "pdq-reference" / name).read_bytes()
        (full, *_) = pdq.extract(decode_image(data, Limits()))
        assert full.quality is not None and full.quality < 50
