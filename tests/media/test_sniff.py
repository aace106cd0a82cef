import io

import pytest
from PIL import Image

from tessera.core.types import MediaKind
from tessera.media.sniff import sniff
from tessera.media.sources import SOURCES
from tessera.media.sources.base import source_for


def _encoded(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize(("fmt", "mime"), [("JPEG", "image/jpeg"), ("PNG", "image/png"),
                                           ("GIF", "image/gif"), ("BMP", "image/bmp"),
                                           ("TIFF", "image/tiff"), ("WEBP", "image/webp")])
def test_images_are_recognised_by_content(fmt: str, mime: str) -> None:
    found = sniff(_encoded(fmt)[:64])
    assert found is not None and found.mime == mime and found.kind is MediaKind.IMAGE


def test_heic_is_recognised() -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    found = sniff(_encoded("HEIF")[:64])
    assert found is not None and found.mime == "image/heic"


def test_videos_and_archives(shared_data) -> None:  # type: ignore[no-untyped-def]
    mp4 = next((shared_data / "videos").glob("*.mp4")).read_bytes()[:64]
    webm = next((shared_data / "videos").glob("*.webm")).read_bytes()[:64]
    assert sniff(mp4).kind is MediaKind.VIDEO  # type: ignore[union-attr]
    assert sniff(webm).kind is MediaKind.VIDEO  # type: ignore[union-attr]
    assert sniff(b"PK\x03\x04rest") is None  # a container: the zip source claims it
    assert source_for(b"PK\x03\x04rest") is SOURCES.get("zip")


def test_text_is_not_media() -> None:
    assert sniff(b"hello, this is a text file") is None
    assert sniff(b"") is None
