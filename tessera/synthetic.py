"""Benign synthetic pictures for the demo, tests and benchmarks: smooth colour fields, shapes and
lines from a seeded generator. Distinct seeds give perceptually unrelated images (PDQ ~128 bits
apart); the same seed always gives the same pixels."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import ExifTags, Image, ImageDraw, ImageFilter, ImageOps


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


def jpeg(image: Image.Image, quality: int = 90,
         camera: tuple[str, str, str] | None = None) -> bytes:
    """A JPEG; with ``camera`` (make, model, serial) in its EXIF, as a camera writes them."""
    out = io.BytesIO()
    extra = {}
    if camera is not None:
        exif = Image.Exif()
        exif[0x010F], exif[0x0110] = camera[0], camera[1]
        exif.get_ifd(ExifTags.IFD.Exif)[0xA431] = camera[2]
        extra["exif"] = exif.tobytes()
    image.save(out, format="JPEG", quality=quality, **extra)
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


# --- video ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shot:
    """A few seconds of one synthetic picture, slowly panned and zoomed (so frames differ)."""

    seed: int
    seconds: float
    offset: float = 0.0  # start this far into the shot's motion (a cut from a longer take)


_PICTURES: dict[int, np.ndarray] = {}


def _source(seed: int) -> np.ndarray:
    if seed not in _PICTURES:
        _PICTURES[seed] = np.asarray(picture(seed, (960, 720)))
    return _PICTURES[seed]


def shot_frame(shot: Shot, t: float, size: tuple[int, int]) -> Image.Image:
    """The shot at local time ``t``: a window that zooms in and drifts right."""
    src = _source(shot.seed)
    h, w = src.shape[:2]
    progress = min(max((t + shot.offset) / 8.0, 0.0), 1.0)  # motion spans 8 s of a take
    zoom = 1.0 - 0.25 * progress
    cw, ch = int(w * zoom * 0.8), int(h * zoom * 0.8)
    x0 = int((w - cw) * (0.2 + 0.6 * progress))
    y0 = int((h - ch) * 0.5)
    window = Image.fromarray(src[y0:y0 + ch, x0:x0 + cw])
    return window.resize(size, Image.Resampling.BILINEAR)


def timeline_frame(shots: list[Shot], t: float, size: tuple[int, int]) -> Image.Image:
    for shot in shots:
        if t < shot.seconds:
            return shot_frame(shot, t, size)
        t -= shot.seconds
    return shot_frame(shots[-1], shots[-1].seconds, size)


def tone_track(seconds: float, seed: int, rate: int = 16_000) -> np.ndarray:
    """A benign soundtrack: a seeded melody of tones with a little noise (mono int16)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(int(seconds * 4) + 1):
        n = rate // 4
        freq = float(rng.uniform(220, 1200))
        tt = np.arange(n) / rate
        note = 0.4 * np.sin(2 * np.pi * freq * tt) + 0.2 * np.sin(2 * np.pi * 2.01 * freq * tt)
        out.append(note * np.hanning(n) + rng.normal(0, 0.02, n))
    pcm = np.concatenate(out)[:int(seconds * rate)]
    return (pcm * 20000).astype(np.int16)


def write_video(path: Path, shots: list[Shot], *, start: float = 0.0, end: float | None = None,
                size: tuple[int, int] = (640, 360), fps: int = 15, bitrate: int = 1_000_000,
                pillarbox: int = 0, audio: np.ndarray | None = None,
                audio_rate: int = 16_000, codec: str = "h264",
                tags: dict[str, str] | None = None, mirror: bool = False) -> Path:
    """Encode ``shots`` between ``start`` and ``end`` seconds (trims), optionally with black
    side bars of ``pillarbox`` pixels, a mono soundtrack (``audio`` covers the whole
    timeline; the same stretch is cut) and container ``tags`` (creation_time, location …)."""
    import av

    total = sum(s.seconds for s in shots)
    end = total if end is None else min(end, total)
    with av.open(str(path), mode="w") as container:
        container.metadata.update(tags or {})
        stream = container.add_stream(codec, rate=fps)
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.bit_rate = bitrate
        if codec in ("h264", "libx264"):
            stream.options = {"preset": "veryfast"}
        sound = None
        if audio is not None:
            sound = container.add_stream("aac", rate=audio_rate)
            assert isinstance(sound, av.AudioStream)
            sound.layout = "mono"
        inner = (size[0] - 2 * pillarbox, size[1])
        for k in range(round((end - start) * fps)):
            picture_ = timeline_frame(shots, start + k / fps, inner)
            if mirror:
                picture_ = ImageOps.mirror(picture_)
            if pillarbox:
                picture_ = ImageOps.expand(picture_, border=(pillarbox, 0), fill=(0, 0, 0))
            frame = av.VideoFrame.from_image(picture_)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        if sound is not None and audio is not None:
            pcm = audio[int(start * audio_rate):int(end * audio_rate)].astype(np.float32) / 32768
            step = 1024
            for k in range(0, pcm.size, step):
                chunk = pcm[k:k + step]
                frame = av.AudioFrame.from_ndarray(chunk[None, :], format="flt", layout="mono")
                frame.sample_rate = audio_rate
                frame.pts = k
                for packet in sound.encode(frame):
                    container.mux(packet)
            for packet in sound.encode():
                container.mux(packet)
    return path
