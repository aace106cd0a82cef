"""Detect uniform black or white borders (letterbox, pillarbox, padding) so they can be cut off.

PDQ is fragile to borders: a 5% black frame moves the hash by ~90 bits. Trimming them before
hashing lets a framed copy meet its original.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

DARK_MAX = 48  # a border pixel darker than this counts as black (JPEG noise included)
LIGHT_MIN = 207
MAX_SPREAD = 32
MIN_BORDER_FRACTION = 0.02
MIN_CONTENT_FRACTION = 0.25
PROBE_SIZE = 256  # borders are looked for on a small greyscale copy: fast, ~1 px precise


def _run_length(lines: np.ndarray) -> int:
    """How many leading lines (rows of ``lines``) are uniformly dark or uniformly light."""
    hi, lo = lines.max(axis=1), lines.min(axis=1)
    uniform = (hi - lo) <= MAX_SPREAD
    dark, light = uniform & (hi <= DARK_MAX), uniform & (lo >= LIGHT_MIN)
    for mask in (dark, light):
        if mask[0]:
            return int(np.argmin(mask)) if not mask.all() else int(mask.size)
    return 0


def find_content_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The box (left, top, right, bottom) inside uniform borders, in ``image`` coordinates, or
    ``None`` when there are none."""
    probe = image.convert("L")
    if max(probe.size) > PROBE_SIZE:
        probe.thumbnail((PROBE_SIZE, PROBE_SIZE), Image.Resampling.BOX)
    gray = np.asarray(probe, dtype=np.int16)
    h, w = gray.shape
    if h < 16 or w < 16:
        return None
    edges = (gray[0], gray[-1], gray[:, 0], gray[:, -1])
    if not any(_run_length(e[None, :]) for e in edges):
        return None  # the common case: no edge line is uniform
    top, bottom = _run_length(gray), _run_length(gray[::-1])
    left, right = _run_length(gray.T), _run_length(gray.T[::-1])
    if top + bottom >= h or left + right >= w:
        return None  # the whole image is uniform: nothing to trim to
    min_h, min_w = MIN_BORDER_FRACTION * h, MIN_BORDER_FRACTION * w
    top = top if top >= min_h else 0
    bottom = bottom if bottom >= min_h else 0
    left = left if left >= min_w else 0
    right = right if right >= min_w else 0
    if not (top or bottom or left or right):
        return None
    if (w - left - right) < MIN_CONTENT_FRACTION * w or \
            (h - top - bottom) < MIN_CONTENT_FRACTION * h:
        return None
    sx, sy = image.width / w, image.height / h
    return (round(left * sx), round(top * sy), round(image.width - right * sx),
            round(image.height - bottom * sy))


def find_video_bars(frames: list[np.ndarray]) -> tuple[float, float, float, float] | None:
    """The content box inside letterbox/pillarbox bars that stay the same all through a video,
    as fractions (left, top, right, bottom) of the frame, or ``None``.

    ``frames`` are greyscale probes spread over the video. A line counts as bar when it is
    uniform (dark or light) in every probe; the first content line, often a blend of bar and
    picture after scaling, is trimmed too.
    """
    frames = [f for f in frames if f.ndim == 2 and f.shape == frames[0].shape]
    if not frames:
        return None
    stack = np.stack(frames).astype(np.int16)  # frames x rows x cols
    n, h, w = stack.shape
    if h < 16 or w < 16:
        return None
    rows = stack.transpose(1, 0, 2).reshape(h, n * w)  # one line per row, all frames joined
    cols = stack.transpose(2, 0, 1).reshape(w, n * h)
    top, bottom = _run_length(rows), _run_length(rows[::-1])
    left, right = _run_length(cols), _run_length(cols[::-1])
    if top + bottom >= h or left + right >= w:
        return None  # uniform all over (a black video): nothing to trim to
    min_h, min_w = MIN_BORDER_FRACTION * h, MIN_BORDER_FRACTION * w
    top, bottom = (top + 1 if top >= min_h else 0), (bottom + 1 if bottom >= min_h else 0)
    left, right = (left + 1 if left >= min_w else 0), (right + 1 if right >= min_w else 0)
    if not (top or bottom or left or right):
        return None
    if (w - left - right) < MIN_CONTENT_FRACTION * w or \
            (h - top - bottom) < MIN_CONTENT_FRACTION * h:
        return None
    return left / w, top / h, (w - right) / w, (h - bottom) / h
