"""The PDQ hashes of all eight rotations and mirrors of a picture, from one pass over it.

PDQ's two box-filter passes and its 64x64 decimation are linear along each axis, so the 64x64
buffer of a picture is ``R @ L @ C.T`` (luma ``L``, one 64 x n operator per axis). A mirror
image reverses an operator's columns and a transposed picture transposes the buffer, so both
mirrors of both axes come from two banded products, and the DCT, median and quality follow for
each. This equals hashing the physically transformed pixels with ``pdqhash`` (Meta's C++): the
same bits but for a rare tie at the median (tests/signals/test_pdq_dihedral.py), at a fraction
of the cost of eight passes (benchmarks/RESULTS.md). The DCT-domain shortcut that ``pdqhash``
offers is not used: its box filter is asymmetric, so its mirrors lie 6-14 bits off.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image

from tessera.core.types import Transform

SIDE = 64  # PDQ decimates to 64 x 64, then keeps 16 x 16 DCT coefficients

# (reverse the rows, reverse the columns, transpose) of the buffer, per physical transform
_LAYOUT: dict[Transform, tuple[int, int, bool]] = {
    Transform.ORIGINAL: (0, 0, False),
    Transform.FLIP_HORIZONTAL: (0, 1, False),
    Transform.FLIP_VERTICAL: (1, 0, False),
    Transform.ROTATE_180: (1, 1, False),
    Transform.TRANSPOSE: (0, 0, True),
    Transform.ROTATE_90: (0, 1, True),
    Transform.ROTATE_270: (1, 0, True),
    Transform.TRANSVERSE: (1, 1, True),
}

_k = np.arange(SIDE)
_DCT = np.sqrt(2 / SIDE) * np.cos(np.pi / (2 * SIDE) * np.arange(1, 17)[:, None]
                                  * (2 * _k[None, :] + 1))  # rows 1-16: no DC term


def _box(n: int, window: int) -> np.ndarray:
    """PDQ's 1-D box filter as a matrix: the window is cut short at the ends, and off-centre
    by one for an even width (as in Meta's ``box1DFloat``)."""
    half = (window + 2) // 2
    out = np.zeros((n, n))
    for i in range(n):
        lo, hi = max(0, i - (window - half)), min(n, i + half)
        out[i, lo:hi] = 1.0 / (hi - lo)
    return out


@lru_cache(maxsize=64)
def _axis(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The operator of an axis of ``n`` pixels, plain then mirrored (128 rows), as the few
    (index, weight) pairs of each row: the rows are banded, so a gather beats a dense product."""
    box = _box(n, (n + 2 * SIDE - 1) // (2 * SIDE))
    samples = [int(((i + 0.5) * n) / SIDE) for i in range(SIDE)]
    plain = box[samples] @ box
    both = np.vstack([plain, plain[:, ::-1]])
    nonzero = [np.flatnonzero(row) for row in both]
    width = max(len(z) for z in nonzero)
    index = np.zeros((len(both), width), dtype=np.intp)
    weight = np.zeros((len(both), width), dtype=np.float32)
    for row, z in enumerate(nonzero):
        index[row, :len(z)] = z
        weight[row, :len(z)] = both[row, z]
    index.flags.writeable = weight.flags.writeable = False
    return index, weight


def _quality(buffer: np.ndarray) -> int:
    """Meta's image-domain quality: the sum of quantised gradients of the 64x64 buffer."""
    down = np.trunc((buffer[:-1] - buffer[1:]) * 100 / 255)
    across = np.trunc((buffer[:, :-1] - buffer[:, 1:]) * 100 / 255)
    return min(100, int((np.abs(down).sum() + np.abs(across).sum()) // 90))


def _bits(coefficients: np.ndarray) -> bytes:
    flat = coefficients.ravel()
    median = np.partition(flat, 127)[127]  # the lower median, as Meta's Torben selection
    return np.packbits((flat > median)[::-1]).tobytes()  # pdqhash's bit order


def dihedral_hashes(image: Image.Image) -> dict[Transform, tuple[bytes, int]]:
    """(32-byte hash, quality 0-100) of ``image`` as it is and turned every way. ``image`` is
    the working picture (at most 512 px), the one the stored hash was computed from."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    luma = np.asarray(rgb.convert("F"), dtype=np.float32)  # = pdqhash's float luma
    row_index, row_weight = _axis(luma.shape[0])
    col_index, col_weight = _axis(luma.shape[1])
    rows = np.einsum("ok,okc->oc", row_weight, luma[row_index])  # 128 x width
    buffer = np.einsum("ck,rck->rc", col_weight, rows[:, col_index]).astype(np.float64)
    qualities: dict[tuple[int, int], int] = {}
    out: dict[Transform, tuple[bytes, int]] = {}
    for transform, (flip_rows, flip_cols, transpose) in _LAYOUT.items():
        block = buffer[flip_rows * SIDE:(flip_rows + 1) * SIDE,
                       flip_cols * SIDE:(flip_cols + 1) * SIDE]
        # a transposed buffer has the same gradients; a mirror has not (the filter is skewed)
        quality = qualities.setdefault((flip_rows, flip_cols), _quality(block))
        out[transform] = (_bits(_DCT @ (block.T if transpose else block) @ _DCT.T), quality)
    return out
