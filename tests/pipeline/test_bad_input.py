"""Hostile and broken input: every file gets a clear outcome, nothing raises, nothing hangs."""

import io
import random
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from tessera.config import Limits
from tessera.media.sources import Item, iter_items
from tessera.pipeline.analyze import AnalyzeOptions, analyze_item
from tessera.synthetic import jpeg, picture
from tests.conftest import write_pictures

OPTIONS = AnalyzeOptions(Limits(max_image_pixels=20_000_000, max_file_bytes=5_000_000),
                         query_variants=True, thumbnails=True)


def _encoded(fmt: str) -> bytes:
    out = io.BytesIO()
    picture(5, (200, 150)).save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP"])
def test_mutated_and_truncated_files_never_raise(tmp_path: Path, fmt: str) -> None:
    rng = random.Random(fmt)
    good = _encoded(fmt)
    for i in range(25):
        data = bytearray(good)
        if i % 2:
            data = data[: rng.randint(1, len(data) - 1)]
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path = tmp_path / f"{fmt}_{i}.bin"
        path.write_bytes(bytes(data))
        (item,) = list(iter_items(path, OPTIONS.limits))
        result = analyze_item(item, OPTIONS, None)
        assert result.ok or (result.error_code and result.error), result
        if result.ok:
            assert result.info is not None and result.digests is not None


def test_size_and_pixel_limits_give_clear_errors(tmp_path: Path) -> None:
    big = tmp_path / "big.jpg"
    big.write_bytes(jpeg(picture(1)) + b"\0" * 6_000_000)
    bomb = tmp_path / "bomb.png"
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, format="PNG")  # 64 MP in a few KB
    bomb.write_bytes(out.getvalue())
    results = {p.name: analyze_item(next(iter_items(p, OPTIONS.limits)), OPTIONS, None)
               for p in (big, bomb)}
    assert results["big.jpg"].error_code == "too_large"
    assert results["bomb.png"].error_code == "decompression_bomb"


def test_zip_of_bad_things_is_a_list_of_per_file_outcomes(tmp_path: Path) -> None:
    archive = tmp_path / "mixed.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("good.jpg", jpeg(picture(2)))
        zf.writestr("empty.jpg", b"")
        zf.writestr("bomb.bin", b"\0" * (4 * 1024**2))  # under the size cap, 1000x ratio
        zf.writestr("../../etc/passwd", b"root:x:0:0")
    outcomes = {i.path.split("!/")[1]: analyze_item(i, OPTIONS, None)
                for i in iter_items(archive, OPTIONS.limits)}
    assert outcomes["good.jpg"].ok
    assert outcomes["empty.jpg"].error_code == "empty"
    assert outcomes["bomb.bin"].error_code == "decompression_bomb"
    assert outcomes["etc/passwd"].error_code == "not_media"


def test_errors_known_before_decoding_keep_their_code_with_workers(tmp_path: Path,
                                                                   sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    """A symlink and a zip bomb were reported as decoder_crashed with two workers: the item's
    own error never survived the trip to a worker."""
    from dataclasses import replace

    from tessera.pipeline.dispatch import analyze_stream

    seizure = tmp_path / "seizure"
    write_pictures(seizure, [1])
    (seizure / "link.jpg").symlink_to(seizure / "img_00001.jpg")
    with zipfile.ZipFile(seizure / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.bin", b"\0" * (4 * 1024**2))
    sqlite_ctx.settings = replace(sqlite_ctx.settings, workers=2)
    codes = {r.path.rsplit("/", 1)[-1]: r.error_code for r in analyze_stream(
        sqlite_ctx, iter_items(seizure, OPTIONS.limits), OPTIONS)}
    assert codes == {"img_00001.jpg": None, "link.jpg": "symlink",
                     "bomb.bin": "decompression_bomb"}


def test_one_failing_signal_type_costs_only_its_signals(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A face engine that throws used to throw the whole still away, PDQ hash included."""
    from dataclasses import replace

    from tessera.config import MediaOptions
    from tessera.signals import SIGNAL_TYPES

    face_type = type(SIGNAL_TYPES.get("face"))

    def broken(*_: object, **__: object) -> object:
        raise RuntimeError("engine fell over")

    monkeypatch.setattr(face_type, "extract", broken)
    monkeypatch.setattr(face_type, "extract_with_variants", broken)
    path = write_pictures(tmp_path, [3])[0]
    for variants in (True, False):
        options = replace(OPTIONS, query_variants=variants, media=MediaOptions(faces=True))
        result = analyze_item(Item(str(path), str(path), size=path.stat().st_size), options,
                              None)
        assert result.ok and result.info is not None
        assert {s.type for s in result.info.signals} >= {"pdq"}
        assert any("face failed: RuntimeError: engine fell over" in w for w in result.warnings)
