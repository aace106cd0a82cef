"""Decoding still images with limits, EXIF orientation applied, at no more resolution than needed.

PDQ looks at 512 px at most, so JPEGs are decoded with libjpeg's DCT scaling ("draft") to the
smallest scale that is still at least that size: several times faster, same hash (see the PDQ
conformance test).
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from tessera.config import Limits
from tessera.core.errors import MediaError
from tessera.media.metadata import read_exif

try:  # HEIC/AVIF through libheif; optional so a broken wheel never blocks JPEG work
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_AVAILABLE = True
except Exception:  # pragma: no cover - depends on the platform wheel
    HEIF_AVAILABLE = False

# We enforce our own (configurable) pixel limit before decoding; Pillow's global guard would
# raise for legitimately huge scans that our limit allows.
Image.MAX_IMAGE_PIXELS = None

WORKING_SIZE = 512


@dataclass(slots=True)
class DecodedImage:
    """An RGB image ready for analyzers, plus facts about the original file."""

    rgb: Image.Image
    width: int  # of the original, after orientation
    height: int
    format: str
    metadata: dict[str, Any]
    source: bytes | None = None  # the encoded file, for analyzers that need more pixels
    limits: Limits | None = None

    def at_size(self, size: int) -> Image.Image:
        """The picture at up to ``size`` pixels on its longest side (decoded again from the
        file when the working copy is smaller and the original is larger)."""
        have = max(self.rgb.size)
        if have >= size or have >= max(self.width, self.height) or self.source is None \
                or self.limits is None:
            image = self.rgb.copy()
        else:
            image = decode_image(self.source, self.limits, size).rgb
        image.thumbnail((size, size), Image.Resampling.BILINEAR)
        return image


def decode_image(data: bytes, limits: Limits, working_size: int = WORKING_SIZE) -> DecodedImage:
    """Decode ``data`` for analysis; raise ``MediaError`` for anything we cannot trust."""
    if len(data) > limits.max_image_bytes:
        raise MediaError("too_large", f"image of {len(data)} bytes exceeds the limit of "
                                      f"{limits.max_image_bytes} bytes")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            w, h = image.size
            if w <= 0 or h <= 0:
                raise MediaError("corrupt", "image has no pixels")
            if w * h > limits.max_image_pixels:
                raise MediaError("decompression_bomb",
                                 f"{w}x{h} = {w * h} pixels exceeds the limit of "
                                 f"{limits.max_image_pixels}")
            fmt = image.format or "unknown"
            metadata = read_exif(image)
            metadata["format"] = fmt
            metadata["mode"] = image.mode
            frames = getattr(image, "n_frames", 1)
            if frames > 1:
                metadata["frames"] = frames
            if fmt == "JPEG":
                # Ask libjpeg for the smallest DCT scale that still covers the working size
                # on *both* sides of the final thumbnail (not a square, which disables it for
                # most landscape photos).
                scale = working_size / max(w, h)
                if scale < 1:
                    image.draft("RGB", (math.ceil(w * scale), math.ceil(h * scale)))
            image.load()
            if fmt not in ("HEIF", "AVIF"):  # libheif already applied the rotation
                image = ImageOps.exif_transpose(image)
            orientation = metadata.get("orientation")
            if orientation in (5, 6, 7, 8) and fmt not in ("HEIF", "AVIF"):
                w, h = h, w
            rgb = image.convert("RGB")
    except MediaError:
        raise
    except Image.DecompressionBombError as exc:
        raise MediaError("decompression_bomb", str(exc)) from None
    except UnidentifiedImageError:
        raise MediaError("unsupported", "content looks like an image but no decoder accepts it") \
            from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        raise MediaError("corrupt", f"cannot decode image: {exc}") from None
    return DecodedImage(rgb=rgb, width=w, height=h, format=fmt, metadata=metadata, source=data,
                        limits=limits)


def thumbnail_jpeg(image: Image.Image, size: int = 160, quality: int = 70) -> bytes:
    """A small full-colour JPEG: served only through an audited reveal, never in a file that
    leaves the server (those carry ``shielded_jpeg`` of it)."""
    thumb = image.copy()
    thumb.thumbnail((size, size))
    out = io.BytesIO()
    thumb.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def shielded_jpeg(jpeg: bytes) -> bytes:
    """Greyscale and strongly blurred in the pixels themselves (not by a style a viewer can
    switch off): shapes to orient by, no detail. The wellness default everywhere."""
    image = ImageOps.grayscale(Image.open(io.BytesIO(jpeg)))
    image = image.filter(ImageFilter.GaussianBlur(max(image.size) / 20))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=60)
    return out.getvalue()
