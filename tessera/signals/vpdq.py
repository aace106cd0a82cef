"""vPDQ: PDQ hashes of sampled video frames, each placed in time, as Meta's vPDQ does.

Differences from Meta's reference, each for a reason:
- frames are sampled at ``sample_fps`` (default 1/s) rather than all, and a frame nearly equal
  to the last kept one is pruned; the kept frame's ``span`` covers the pruned ones, so matched
  time is still measured correctly;
- constant letterbox/pillarbox bars are detected over the whole video and the picture inside
  them is hashed as well (region "trimmed"): plain vPDQ scores 0% between a barred SD copy and
  the HD original, we match them;
- a query video may also be hashed mirrored (re-uploads are often flipped to dodge matching);
  those hashes are searched with, never stored;
- frames are scaled by FFmpeg to at most 1280 px before PDQ (native for SD and HD); see the
  conformance test for how close that stays to Meta's hashes.
The hashes live in the PDQ index (``index_space``), so a still finds the frames it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from tessera.core.types import MediaKind, Signal, Transform
from tessera.media.video import Frame
from tessera.signals.base import SIGNAL_TYPES, BinaryHashType, FrameSink, VideoPlan, hamming
from tessera.signals.pdq import PdqSignal, hash_array


@dataclass(slots=True)
class _Kept:
    frame: int
    start: float
    value: bytes
    quality: int


def crop(rgb: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    h, w = rgb.shape[:2]
    left, top, right, bottom = box
    return np.ascontiguousarray(rgb[round(top * h):round(bottom * h),
                                    round(left * w):round(right * w)])


class _VpdqSink:
    def __init__(self, plan: VideoPlan) -> None:
        self.plan = plan
        regions = ["full"] + (["trimmed"] if plan.content_box is not None else [])
        turns = [Transform.ORIGINAL] + ([Transform.FLIP_HORIZONTAL]
                                        if plan.mirrored_queries else [])
        self.kept: dict[tuple[str, Transform], list[_Kept]] = {
            (r, t): [] for r in regions for t in turns}

    def add(self, frame: Frame) -> None:
        for (region, turn), kept in self.kept.items():
            pixels = frame.rgb if region == "full" else crop(frame.rgb, self.plan.content_box)  # type: ignore[arg-type]
            if turn is Transform.FLIP_HORIZONTAL:
                pixels = np.ascontiguousarray(pixels[:, ::-1])
            value, quality = hash_array(pixels)
            if kept and self.plan.prune_distance >= 0 and \
                    hamming(kept[-1].value, value) <= self.plan.prune_distance:
                continue
            kept.append(_Kept(frame.index, frame.time, value, quality))

    def finish(self, end_time: float) -> list[Signal]:
        step = 1.0 / self.plan.sample_fps if self.plan.sample_fps else 0.0
        out = []
        for (region, turn), kept in self.kept.items():
            for k, item in enumerate(kept):
                if k + 1 < len(kept):
                    following = kept[k + 1].start
                else:  # the last kept frame holds until the end of what was analysed
                    following = end_time if end_time > item.start else item.start + step
                out.append(Signal(VpdqSignal.name, VpdqSignal.version, item.value, item.quality,
                                  region, turn, frame=item.frame, start=round(item.start, 3),
                                  span=round(max(following - item.start, 0.0), 3)))
        return out


class VpdqSignal(BinaryHashType):
    """Frames in the PDQ space: matched at the PDQ type's threshold and gate."""

    name: ClassVar[str] = "vpdq"
    version: ClassVar[int] = 1
    applies_to = frozenset({MediaKind.VIDEO})
    default_threshold: ClassVar[float] = PdqSignal.default_threshold
    min_quality: int | None = PdqSignal.min_quality
    index_space: ClassVar[str | None] = PdqSignal.name

    def frame_sink(self, plan: VideoPlan) -> FrameSink:
        return _VpdqSink(plan)


SIGNAL_TYPES.register(VpdqSignal.name, VpdqSignal())
