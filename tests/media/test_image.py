import io
from pathlib import Path

import pytest
from PIL import Image

from tessera.config import Limits
from tessera.core.errors import MediaError
from tessera.media.image import decode_image


def test_exif_orientation_is_applied(shared_data: Path) -> None:
    data = (shared_data / "images" / "room_exif_rotated.jpg").read_bytes()
    raw = Image.open(io.BytesIO(data))
    decoded = decode_image(data, Limits())
    assert decoded.metadata["orientation"] == 6
    # "Rotate 90 CW": the stored landscape pixels are shown as portrait
    assert (decoded.width, decoded.height) == (raw.height, raw.width)
    assert decoded.rgb.width < decoded.rgb.height


def test_gps_and_camera_metadata_are_kept(shared_data: Path) -> None:
    decoded = decode_image((shared_data / "images" / "street_garden.jpg").read_bytes(), Limits())
    gps = decoded.metadata["gps"]
    assert -90 <= gps["lat"] <= 90 and -180 <= gps["lon"] <= 180
    assert gps["lat"] != 0


def test_truncated_jpeg_is_a_clear_error(shared_data: Path) -> None:
    with pytest.raises(MediaError) as info:
        decode_image((shared_data / "corrupt" / "truncated.jpg").read_bytes(), Limits())
    assert info.value.code == "corrupt"


def test_decompression_bomb_is_refused_before_decoding() -> None:
    out = io.BytesIO()
    Image.new("L", (6000, 6000)).save(out, format="PNG")  # tiny file, 36 MP
    with pytest.raises(MediaError) as info:
        decode_image(out.getvalue(), Limits(max_image_pixels=10_000_000))
    assert info.value.code == "decompression_bomb"


def test_heic_decodes_with_its_rotation() -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (64, 32), (200, 10, 10)).save(out, format="HEIF")
    decoded = decode_image(out.getvalue(), Limits())
    assert decoded.format in ("HEIF", "HEIC") and (decoded.width, decoded.height) == (64, 32)


@pytest.mark.parametrize("mode", ["1", "L", "P", "RGBA", "CMYK", "I;16"])
def test_every_pillow_mode_becomes_rgb(mode: str) -> None:
    out = io.BytesIO()
    image = Image.new("RGB", (40, 30), (120, 60, 200)).convert(mode)
    image.save(out, format="TIFF")
    assert decode_image(out.getvalue(), Limits()).rgb.mode == "RGB"
