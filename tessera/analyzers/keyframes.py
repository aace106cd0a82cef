"""Scene-change keyframes and a contact sheet, from the frames the hashing pass samples anyway.

A keyframe starts where the picture changes a lot from the last keyframe (mean absolute
difference of small greyscale copies). The contact sheet shows the video at a glance in reports
and the UI; like every picture it is shown blurred and greyscale until someone reveals it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

from tessera.core.timecode import timecode
from tessera.media.video import Frame

SCENE_CHANGE = 28.0  # mean absolute grey-level difference (0-255) that starts a new scene
MAX_KEYFRAMES = 64
SHEET_TILES = 16
SHEET_COLUMNS = 4
TILE_WIDTH = 240
KEYFRAME_SIZE = 640


def _signature(rgb: np.ndarray) -> np.ndarray:
    small = Image.fromarray(rgb).convert("L").resize((32, 32), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.float32)


def _thin(items: list, cap: int) -> list:
    """Every second item, when over ``cap``: keeps an even spread whatever the length."""
    return items[::2] if len(items) > cap else items


@dataclass(slots=True)
class Still:
    time: float
    image: Image.Image


@dataclass
class KeyframeCollector:
    """Fed every sampled frame; remembers scene starts and an even spread for the sheet."""

    keyframes: list[Still] = field(default_factory=list)
    spread: list[Still] = field(default_factory=list)
    _last: np.ndarray | None = None
    _count: int = 0
    _stride: int = 1

    def add(self, frame: Frame) -> None:
        sig = _signature(frame.rgb)
        if self._last is None or float(np.abs(sig - self._last).mean()) > SCENE_CHANGE:
            self.keyframes.append(Still(frame.time, _small(frame.rgb, KEYFRAME_SIZE)))
            self.keyframes = _thin(self.keyframes, MAX_KEYFRAMES)
            self._last = sig
        if self._count % self._stride == 0:
            self.spread.append(Still(frame.time, _small(frame.rgb, TILE_WIDTH)))
            if len(self.spread) > 2 * SHEET_TILES:
                self.spread, self._stride = self.spread[::2], self._stride * 2
        self._count += 1

    def sheet_stills(self) -> list[Still]:
        source = self.keyframes if len(self.keyframes) >= SHEET_TILES // 2 else self.spread
        if len(source) <= SHEET_TILES:
            return source
        picks = np.linspace(0, len(source) - 1, SHEET_TILES).round().astype(int)
        return [source[i] for i in picks]


def _small(rgb: np.ndarray, size: int) -> Image.Image:
    image = Image.fromarray(rgb)
    image.thumbnail((size, size), Image.Resampling.BILINEAR)
    return image


def contact_sheet(stills: list[Still]) -> Image.Image | None:
    """A grid of stills with their times; None for a video without frames."""
    if not stills:
        return None
    tiles = []
    for still in stills:
        tile = still.image.copy()
        tile.thumbnail((TILE_WIDTH, TILE_WIDTH))
        tiles.append((still.time, tile))
    cell_h = max(t.height for _, t in tiles)
    cols = min(SHEET_COLUMNS, len(tiles))
    rows = (len(tiles) + cols - 1) // cols
    sheet = Image.new("RGB", (cols * TILE_WIDTH, rows * cell_h), (24, 24, 24))
    draw = ImageDraw.Draw(sheet)
    for k, (t, tile) in enumerate(tiles):
        x, y = (k % cols) * TILE_WIDTH, (k // cols) * cell_h
        sheet.paste(tile, (x + (TILE_WIDTH - tile.width) // 2, y + (cell_h - tile.height) // 2))
        label = timecode(t)
        draw.rectangle((x + 2, y + 2, x + 8 + 7 * len(label), y + 16), fill=(0, 0, 0))
        draw.text((x + 5, y + 3), label, fill=(255, 255, 255))
    return sheet
