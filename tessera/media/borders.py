"""Detect uniform black or white borders (letterbox, pillarbox, padding) so they can be cut off.

PDQ is fragile to borders: a 5% black frame moves the hash by ~90 bits. Trimming them before
hashing lets a framed copy meet its original.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

DARK_MAX = 40  # a border pixel darker than this counts as black (JPEG noise included)
LIGHT_MIN = 215
MIN_BORDER_FRACTION = 0.02
MIN_CONTENT_FRACTION = 0.25


def _run_length(lines: np.ndarray) -> tuple[int, str | None]:
    """How many leading lines (rows of ``lines``) are uniformly dark or uniformly light."""
    if lines.shape[0] == 0:
        return 0, None
    hi = np.percentile(lines, 98, axis=1)
    lo = np.percentile(lines, 2, axis=1)
    spread = hi - lo
    dark = (hi <= DARK_MAX) & (spread <= 24)
    light = (lo >= LIGHT_MIN) & (spread <= 24)
    for mask, colour in ((dark, "black"), (light, "white")):
        if mask[0]:
            stop = np.argmin(mask) if not mask.all() else mask.size
            return int(stop), colour
    return 0, None


def find_content_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The box (left, top, right, bottom) inside uniform borders, or ``None`` when there are none.

    Works on the image as given; pass the working-size image for speed.
    """
    gray = np.asarray(image.convert("L"), dtype=np.int16)
    h, w = gray.shape
    if h < 16 or w < 16:
        return None
    top, _ = _run_length(gray)
    bottom, _ = _run_length(gray[::-1])
    left, _ = _run_length(gray.T)
    right, _ = _run_length(gray.T[::-1])
    if top + bottom >= h or left + right >= w:
        return None  # the whole image is uniform: nothing to trim to
    min_h, min_w = MIN_BORDER_FRACTION * h, MIN_BORDER_FRACTION * w
    top = top if top >= min_h else 0
    bottom = bottom if bottom >= min_h else 0
    left = left if left >= min_w else 0
    right = right if right >= min_w else 0
    if not (top or bottom or left or right):
        return None
    box = (left, top, w - right, h - bottom)
    if (box[2] - box[0]) < MIN_CONTENT_FRACTION * w or (box[3] - box[1]) < MIN_CONTENT_FRACTION * h:
        return None
    return box
