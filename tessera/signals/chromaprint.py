"""Chromaprint soundtrack fingerprints, via Debian's ``fpcalc`` (libchromaprint-tools).

A fingerprint is a sequence of 32-bit items, one every ~0.124 s; two recordings of the same
sound agree on most bits of aligned items (re-encoding flips ~1%, unrelated audio ~50%), which
links videos that share a soundtrack even when their pictures differ. We decode the audio
ourselves (PyAV, with our limits) and pipe raw PCM to fpcalc, so fpcalc never parses evidence.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import ClassVar

import numpy as np

from tessera.core.errors import MediaError
from tessera.core.types import MediaKind, Signal
from tessera.signals.base import SIGNAL_TYPES, Knob, SequenceType

ITEM_SECONDS = 4096 / 3 / 11025  # Chromaprint's default algorithm: one item per 1365.3 samples
MIN_SECONDS = 3.0  # shorter sound gives too few items to link anything
MIN_ITEMS = 24  # ~3 s of fingerprint: the shortest stretch matching will accept
FPCALC_TIMEOUT = 300


def fingerprint(pcm: np.ndarray, rate: int) -> np.ndarray:
    """Raw Chromaprint items (uint32) of mono int16 PCM."""
    exe = shutil.which("fpcalc")
    if exe is None:
        raise MediaError("tool_missing", "fpcalc is not installed (Debian libchromaprint-tools)")
    seconds = int(pcm.size / rate) + 1
    try:
        done = subprocess.run(
            [exe, "-raw", "-plain", "-length", str(seconds), "-format", "s16le", "-rate",
             str(rate), "-channels", "1", "-ignore-errors", "-"],
            input=pcm.astype("<i2").tobytes(), capture_output=True, timeout=FPCALC_TIMEOUT,
            check=False)
    except subprocess.TimeoutExpired:
        raise MediaError("timeout", "audio fingerprinting took too long") from None
    text = done.stdout.decode("ascii", "replace").strip()
    if not text:
        return np.zeros(0, dtype=np.uint32)
    try:
        return np.array([int(x) for x in text.split(",") if x], dtype=np.uint32)
    except ValueError:
        raise MediaError("failed", f"fpcalc gave unexpected output: {text[:80]!r}") from None


def item_bit_errors(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Differing bits of each pair of aligned items (uint32 arrays of one length)."""
    x = np.bitwise_xor(a.astype(np.uint32), b.astype(np.uint32))
    return np.unpackbits(x.view(np.uint8).reshape(-1, 4), axis=1).sum(1)


def bit_error_rate(a: np.ndarray, b: np.ndarray) -> float:
    return float(item_bit_errors(a, b).sum()) / (32 * a.size) if a.size else 1.0


class ChromaprintSignal(SequenceType):
    name: ClassVar[str] = "chromaprint"
    version: ClassVar[int] = 1
    applies_to = frozenset({MediaKind.VIDEO, MediaKind.AUDIO})
    default_threshold: ClassVar[float] = 20  # percent of bits differing over the stretch
    hit_kind: ClassVar[str | None] = "audio"
    link_kind: ClassVar[str | None] = "same-recording"  # a soundtrack, not necessarily a copy
    item_seconds: ClassVar[float] = ITEM_SECONDS
    min_items: ClassVar[int] = MIN_ITEMS
    knobs = (Knob("threshold", "TESSERA_AUDIO_MAX_BIT_ERRORS", 1, 45,
                  why="near half the bits differ between unrelated sounds"),)

    def extract_audio(self, pcm: np.ndarray, rate: int) -> list[Signal]:
        if pcm.size < MIN_SECONDS * rate or not np.any(pcm):
            return []  # silence or a blip: nothing to link by
        items = fingerprint(pcm, rate)
        if items.size < MIN_ITEMS:
            return []  # Chromaprint needs a few seconds to warm up: too short to link by
        return [Signal(self.name, self.version, items.astype("<u4").tobytes(), None, "audio",
                       start=0.0, span=round(items.size * ITEM_SECONDS, 3))]

    def distance(self, a: bytes, b: bytes) -> float:
        x, y = np.frombuffer(a, dtype="<u4"), np.frombuffer(b, dtype="<u4")
        n = min(x.size, y.size)
        return 100 * bit_error_rate(x[:n], y[:n])


SIGNAL_TYPES.register(ChromaprintSignal.name, ChromaprintSignal())
