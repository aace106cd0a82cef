"""Benign synthetic pictures for the demo, tests and benchmarks: smooth colour fields, shapes and
lines from a seeded generator. Distinct seeds give perceptually unrelated images (PDQ ~128 bits
apart); the same seed always gives the same pixels."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps


def picture(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    canvas = np.zeros((h, w, 3), dtype=np.float32)
    for _ in range(6):
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        sx, sy = rng.uniform(w / 10, w / 2.5), rng.uniform(h / 10, h / 2.5)
        blob = np.exp(-(((xx - cx) / sx) ** 2 + ((yy - cy) / sy) ** 2))
        canvas += blob[..., None] * rng.uniform(-1, 1, 3)
    canvas = (canvas - canvas.min()) / (np.ptp(canvas) + 1e-6) * 200 + 25
    image = Image.fromarray(canvas.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(18, 30))):
        x0, y0 = int(rng.integers(0, w - 20)), int(rng.integers(0, h - 20))
        x1, y1 = x0 + int(rng.integers(10, w // 3)), y0 + int(rng.integers(10, h // 3))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        shape = int(rng.integers(0, 3))
        if shape == 0:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        elif shape == 1:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            draw.line((x0, y0, x1, y1), fill=colour, width=int(rng.integers(3, 15)))
    return image.filter(ImageFilter.GaussianBlur(1))


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def letterbox(image: Image.Image, fraction: float = 0.12, colour: int = 0) -> Image.Image:
    pad = int(image.height * fraction)
    return ImageOps.expand(image, border=(0, pad, 0, pad), fill=(colour,) * 3)


def crop_margin(image: Image.Image, fraction: float = 0.03) -> Image.Image:
    w, h = image.size
    dx, dy = int(w * fraction), int(h * fraction)
    return image.crop((dx, dy, w - dx, h - dy))


TRANSFORMS = {
    "resized": lambda im: im.resize((im.width // 2, im.height // 2), Image.Resampling.LANCZOS),
    "recompressed": lambda im: Image.open(io.BytesIO(jpeg(im, 45))).convert("RGB"),
    "cropped": lambda im: crop_margin(im, 0.01),  # PDQ tolerates ~1% a side (RESULTS.md)
    "rotated90": lambda im: im.transpose(Image.Transpose.ROTATE_270),
    "rotated180": lambda im: im.transpose(Image.Transpose.ROTATE_180),
    "mirrored": lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    "letterboxed": letterbox,
}
