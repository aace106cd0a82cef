"""dlib's face-embedding ResNet, run by NumPy on the weights that ``face_recognition_models`` ships.

Why: the prebuilt dlib (``dlib-bin``) has no BLAS, so its forward pass costs ~85 ms a face on one
core; the same network as im2col products through NumPy's BLAS costs a fraction of that, and
gives dlib's embedding to float rounding (tests/analyzers/test_dlib_resnet.py compares the two),
so every stored face signal and every threshold stays valid.

The file is dlib's own serialisation of ``anet_type`` (dlib's dnn_face_recognition_ex): variable
length integers, raw float32 tensors, and each layer's details in order from input to output.
Tags and skips leave no trace in it, so the residual wiring below is the published architecture,
and the layer kinds read from the file must match it exactly or loading fails.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

INPUT_SIZE = 150


class ModelFormatError(ValueError):
    """The weights file is not the dlib face ResNet this module knows how to run."""


class _Reader:
    """dlib's serialisation primitives: integers, strings, portable floats, tensors."""

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data, self.pos = data, pos

    def integer(self) -> int:
        head = self.data[self.pos]
        size = head & 0x0F
        if size > 8:
            raise ModelFormatError(f"bad integer at byte {self.pos}")
        value = int.from_bytes(self.data[self.pos + 1:self.pos + 1 + size], "little")
        self.pos += 1 + size
        return -value if head & 0x80 else value

    def string(self) -> str:
        size = self.integer()
        text = self.data[self.pos:self.pos + size].decode("ascii")
        self.pos += size
        return text

    def portable_float(self) -> float:
        mantissa = self.integer()
        exponent = self.integer()
        return float(mantissa) * 2.0 ** exponent

    def tensor(self) -> np.ndarray:
        if self.integer() != 2:
            raise ModelFormatError(f"unknown tensor version at byte {self.pos}")
        shape = tuple(self.integer() for _ in range(4))
        count = int(np.prod(shape))
        values = np.frombuffer(self.data, dtype="<f4", count=count, offset=self.pos)
        self.pos += 4 * count
        return values.astype(np.float32)

    def find(self, name: str) -> None:
        """Move past the next occurrence of the layer name ``name`` (length-prefixed)."""
        encoded = name.encode("ascii")
        marker = bytes([0x01, len(encoded)]) + encoded
        found = self.data.find(marker, self.pos)
        if found < 0:
            raise ModelFormatError(f"layer {name!r} not found after byte {self.pos}")
        self.pos = found + len(marker)


@dataclass(frozen=True, slots=True)
class _Conv:
    weights: np.ndarray  # (k * nr * nc, filters), rows in the order of an im2col patch
    bias: np.ndarray
    size: int
    stride: int
    padding: int


@dataclass(frozen=True, slots=True)
class _Affine:
    gamma: np.ndarray
    beta: np.ndarray


# The published wiring: a stem, then residual blocks (filters, downsampling), widest last.
_BLOCKS = ((32, False),) * 3 + ((64, True),) + ((64, False),) * 3 + ((128, True),) \
    + ((128, False),) * 2 + ((256, True),) + ((256, False),) * 2 + ((256, True),)
_LAYER_KINDS = (["input_rgb_image_sized", "con_4", "affine_", "relu_", "max_pool_2"]
                + [kind for _, down in _BLOCKS
                   for kind in ["con_4", "affine_", "relu_", "con_4", "affine_"]
                   + (["avg_pool_2"] if down else []) + ["add_prev_", "relu_"]]
                + ["avg_pool_2", "fc_2"])


class DlibFaceResNet:
    """The 128-d face descriptor of 150x150 RGB chips (as ``dlib.get_face_chip`` cuts them)."""

    _lock: ClassVar[threading.Lock] = threading.Lock()
    _loaded: ClassVar[dict[Path, DlibFaceResNet]] = {}

    def __init__(self, path: Path) -> None:
        data = path.read_bytes()
        start = data.find(b"\x01\x15input_rgb_image_sized")
        if not data.startswith(b"\x01\x01\x01\x0dloss_metric_") or start < 0:
            raise ModelFormatError(f"{path.name} is not dlib's face ResNet")
        self._check_kinds(data, start)
        read = _Reader(data, start)
        read.find("input_rgb_image_sized")
        self.mean = np.array([read.portable_float() for _ in range(3)], dtype=np.float32)
        if (read.integer(), read.integer()) != (INPUT_SIZE, INPUT_SIZE):
            raise ModelFormatError("the network does not take 150x150 chips")
        self.stem = self._conv(read)
        self.stem_affine = self._affine(read)
        read.find("max_pool_2")
        self.pool = self._pool_geometry(read)
        self.blocks: list[tuple[_Conv, _Affine, _Conv, _Affine, tuple[int, int, int] | None]] = []
        for filters, down in _BLOCKS:
            first, first_affine = self._conv(read), self._affine(read)
            second, second_affine = self._conv(read), self._affine(read)
            if second.weights.shape[1] != filters:
                raise ModelFormatError("the residual blocks differ from dlib's face ResNet")
            shortcut = None
            if down:
                read.find("avg_pool_2")
                shortcut = self._pool_geometry(read)
            self.blocks.append((first, first_affine, second, second_affine, shortcut))
        read.find("fc_2")
        outputs, inputs = read.integer(), read.integer()
        self.fc = read.tensor().reshape(inputs, outputs)

    @classmethod
    def shared(cls, path: Path) -> DlibFaceResNet:
        """One parsed copy per process (the weights are 22 MB)."""
        with cls._lock:
            if path not in cls._loaded:
                cls._loaded[path] = cls(path)
            return cls._loaded[path]

    @staticmethod
    def _check_kinds(data: bytes, start: int) -> None:
        names = b"|".join(re.escape(k.encode("ascii")) for k in sorted(set(_LAYER_KINDS)))
        kinds = [m.group(2).decode("ascii") for m in
                 re.finditer(rb"\x01([\x03-\x20])(" + names + rb")", data[start:])
                 if m.group(1)[0] == len(m.group(2))]
        if kinds != _LAYER_KINDS:
            raise ModelFormatError("the layers differ from dlib's face ResNet")

    @staticmethod
    def _conv(read: _Reader) -> _Conv:
        read.find("con_4")
        params = read.tensor()
        filters, nr, nc = read.integer(), read.integer(), read.integer()
        stride_y, stride_x = read.integer(), read.integer()
        pad_y, pad_x = read.integer(), read.integer()
        if nr != nc or stride_y != stride_x or pad_y != pad_x:
            raise ModelFormatError("only square convolutions are expected")
        channels = (params.size - filters) // (filters * nr * nc)
        kernel = params[:filters * channels * nr * nc].reshape(filters, channels, nr, nc)
        # im2col patches below are laid out (row, column, channel)
        weights = np.ascontiguousarray(kernel.transpose(2, 3, 1, 0).reshape(-1, filters))
        return _Conv(weights, params[filters * channels * nr * nc:], nr, stride_y, pad_y)

    @staticmethod
    def _affine(read: _Reader) -> _Affine:
        read.find("affine_")
        params = read.tensor()
        half = params.size // 2
        return _Affine(params[:half], params[half:])

    @staticmethod
    def _pool_geometry(read: _Reader) -> tuple[int, int, int]:
        nr, nc, stride_y, stride_x, pad_y, pad_x = (read.integer() for _ in range(6))
        if nr != nc or stride_y != stride_x or pad_y != pad_x or pad_y:
            raise ModelFormatError("only square pools without padding are expected")
        return nr, stride_y, pad_y

    def descriptor(self, chip: np.ndarray) -> np.ndarray:
        """The raw (not normalised) 128-d descriptor of one 150x150x3 uint8 RGB chip."""
        if chip.shape != (INPUT_SIZE, INPUT_SIZE, 3):
            raise ValueError(f"a face chip is {INPUT_SIZE}x{INPUT_SIZE} RGB, not {chip.shape}")
        x = (chip.astype(np.float32) - self.mean) / np.float32(256.0)
        x = _relu(_scale(_convolve(x, self.stem), self.stem_affine))
        x = _max_pool(x, *self.pool)
        for first, first_affine, second, second_affine, shortcut in self.blocks:
            y = _relu(_scale(_convolve(x, first), first_affine))
            y = _scale(_convolve(y, second), second_affine)
            skip = x if shortcut is None else _avg_pool(x, *shortcut)
            x = _relu(_add(y, skip))
        pooled = x.mean(axis=(0, 1), dtype=np.float32)
        return (pooled @ self.fc).astype(np.float32)


def _convolve(x: np.ndarray, conv: _Conv) -> np.ndarray:
    """Cross-correlation of an (H, W, C) tensor, as dlib's ``con_``, by im2col and one product."""
    if conv.padding:
        p = conv.padding
        x = np.pad(x, ((p, p), (p, p), (0, 0)))
    windows = sliding_window_view(x, (conv.size, conv.size), axis=(0, 1))
    windows = windows[::conv.stride, ::conv.stride]  # (Ho, Wo, C, kr, kc)
    ho, wo = windows.shape[:2]
    patches = np.ascontiguousarray(windows.transpose(0, 1, 3, 4, 2)).reshape(ho * wo, -1)
    out = patches @ conv.weights
    out += conv.bias
    return out.reshape(ho, wo, -1)


def _scale(x: np.ndarray, affine: _Affine) -> np.ndarray:
    x *= affine.gamma
    x += affine.beta
    return x


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0, out=x)


def _max_pool(x: np.ndarray, size: int, stride: int, padding: int) -> np.ndarray:
    windows = sliding_window_view(x, (size, size), axis=(0, 1))[::stride, ::stride]
    return windows.max(axis=(3, 4))


def _avg_pool(x: np.ndarray, size: int, stride: int, padding: int) -> np.ndarray:
    windows = sliding_window_view(x, (size, size), axis=(0, 1))[::stride, ::stride]
    return windows.mean(axis=(3, 4), dtype=np.float32)


def _add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """dlib's ``add_prev``: tensors of different sizes add into the larger shape, each aligned
    at the origin and zero where it has no values (a downsampled block is one pixel smaller
    than its pooled shortcut, and has fewer channels than it)."""
    if a.shape == b.shape:
        return a + b
    shape = tuple(max(p, q) for p, q in zip(a.shape, b.shape, strict=True))
    out = np.zeros(shape, dtype=np.float32)
    out[:a.shape[0], :a.shape[1], :a.shape[2]] += a
    out[:b.shape[0], :b.shape[1], :b.shape[2]] += b
    return out

