"""Finding and describing faces: detection, landmarks, a 128-d embedding and a quality score.

The built-in engines use dlib (``dlib-bin``) with the models shipped in the
``face_recognition_models`` package: nothing is downloaded. ``dlib-hog`` (HOG + linear SVM,
frontal faces, fast on a CPU) is the default; ``dlib-cnn`` (MMOD CNN) also finds turned and
smaller faces at several times the cost. Both embed with dlib's ResNet (99.38% on LFW), on the
chip aligned by the 68-point landmarks; the ResNet runs through NumPy (``dlib_resnet``), equal to
dlib's own forward pass and several times faster.

Detection is a cascade, because HOG's cost grows with the pixels it scans and three quarters of
it go to the smallest faces: a first look with the longest side at ``DETECT_SIZE`` (HOG's window:
faces from 80 px there) is taken as the answer where it finds faces and all of them are large —
a portrait. Anywhere else (no face found, or a small one: crowds, groups) the full look at twice
the given resolution runs, as before the cascade. The price: beside only large faces, a face
too small for the first look (under an eighth of the longest side) is not searched for.
Landmarks and chips are cut from the full picture the engine was given.

Quality is what decides whether a face may be matched at all: a face too small, too blurred or
too turned away gives embeddings that land near everybody, which is how false links are made.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PIL import Image

from tessera.analyzers.dlib_resnet import DlibFaceResNet
from tessera.core.registry import Registry

EMBEDDING_DIMS = 128
MIN_FACE_PIXELS = 20  # smaller boxes are dropped: nothing can be said of them
GOOD_FACE_PIXELS = 80  # a face this wide (in the original) counts as full size
GOOD_SHARPNESS = 60.0  # variance of the Laplacian of the aligned grey chip
POSE_FREE = 0.5  # yaw estimate (0 frontal, 1 profile) that costs no quality yet
POSE_SPAN = 0.4  # quality falls to 0 over this much more yaw
PAD_RETRY_SIZE = 400  # images this small that show no face are retried with a margin added
DETECT_SIZE = 640  # longest side of the first detection look
SECOND_LOOK_FACE = 120  # a face narrower than this in the first look asks for the full look


@dataclass(frozen=True, slots=True)
class FoundFace:
    """One face in the coordinates of the picture the engine was given."""

    box: tuple[float, float, float, float]  # x, y, width, height
    landmarks: tuple[tuple[float, float], ...]  # eyes, nose tip, mouth corners
    confidence: float  # detector score (engine-specific scale)
    embedding: np.ndarray  # float32, unit length
    sharpness: float
    yaw: float  # 0 frontal, 1 full profile (from where the nose sits between the eyes)

    def quality(self, scale: float = 1.0) -> int:
        """0-100 from size (in original pixels, hence ``scale``), sharpness and pose; the
        weakest of the three decides."""
        return round(100 * min(self.factors(scale).values()))

    def factors(self, scale: float = 1.0) -> dict[str, float]:
        """Each 0-1. The pose factor starts falling only past a yaw estimate of 0.5 and is 0
        from 0.9 (profile): on ../shared/data/faces, faces estimated up to about 0.65 (the
        nose-between-the-eyes estimate overstates moderate turns) matched every photo of the
        same person at the match threshold (benchmarks/RESULTS.md, quality buckets)."""
        side = min(self.box[2], self.box[3]) * scale
        size = (side - MIN_FACE_PIXELS) / (GOOD_FACE_PIXELS - MIN_FACE_PIXELS)
        return {"size": float(np.clip(size, 0, 1)),
                "sharpness": float(np.clip(self.sharpness / GOOD_SHARPNESS, 0, 1)),
                "pose": float(np.clip(1 - max(0.0, self.yaw - POSE_FREE) / POSE_SPAN, 0, 1))}


class FaceEngine(ABC):
    name: ClassVar[str]

    @abstractmethod
    def find(self, image: Image.Image, max_faces: int) -> list[FoundFace]:
        """Faces of an RGB picture, largest first, at most ``max_faces``."""


FACE_ENGINES: Registry[type[FaceEngine]] = Registry("face engine")


class _DlibModels:
    """The landmark and embedding networks, loaded once per process on first use."""

    _lock = threading.Lock()
    _loaded: ClassVar[dict[str, Any]] = {}

    @classmethod
    def get(cls, name: str) -> Any:
        with cls._lock:
            if name not in cls._loaded:
                import dlib
                import face_recognition_models as models

                if name == "shape":
                    cls._loaded[name] = dlib.shape_predictor(
                        models.pose_predictor_model_location())
                elif name == "embed":
                    cls._loaded[name] = DlibFaceResNet.shared(
                        Path(models.face_recognition_model_location()))
                elif name == "hog":
                    cls._loaded[name] = dlib.get_frontal_face_detector()
                elif name == "cnn":
                    cls._loaded[name] = dlib.cnn_face_detection_model_v1(
                        models.cnn_face_detector_model_location())
            return cls._loaded[name]


def _sharpness(chip: np.ndarray) -> float:
    grey = chip.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    lap = (grey[1:-1, :-2] + grey[1:-1, 2:] + grey[:-2, 1:-1] + grey[2:, 1:-1]
           - 4 * grey[1:-1, 1:-1])
    return float(lap.var())


def _five(points: np.ndarray) -> tuple[tuple[float, float], ...]:
    """The usual five landmarks from dlib's 68: eye centres, nose tip, mouth corners."""
    picks = [points[36:42].mean(0), points[42:48].mean(0), points[30], points[48], points[54]]
    return tuple((round(float(x), 1), round(float(y), 1)) for x, y in picks)


def _yaw(points: np.ndarray) -> float:
    left, right, nose = points[36:42].mean(0), points[42:48].mean(0), points[30]
    eyes = right - left
    span = float(np.hypot(*eyes))
    if span < 1e-6:
        return 1.0
    along = float(np.dot(nose - left, eyes)) / (span * span)  # 0.5 when centred
    return min(1.0, abs(along - 0.5) * 2)


@dataclass(frozen=True, slots=True)
class _Aligned:
    """A detected face once landmarked and cut out, before it is embedded."""

    box: tuple[float, float, float, float]
    points: np.ndarray  # 68 landmarks in the given picture's pixels
    confidence: float
    chip: np.ndarray  # 150x150 RGB, aligned as dlib's ResNet expects


class DlibEngine(FaceEngine):
    """Shared by both dlib detectors: the detection cascade, landmarks, alignment, embedding,
    quality.

    dlib's models are not safe to call from two threads at once (two concurrent searches
    crashed the server): every call into them in a process holds one lock. The embedding is
    NumPy and runs outside it. The service also runs analysis in worker processes, so a native
    crash cannot take it down."""

    _native: ClassVar[threading.Lock] = threading.Lock()
    grey: ClassVar[bool] = False  # whether the detector looks at grey pixels

    def __init__(self, detect_size: int = DETECT_SIZE) -> None:
        self.detect_size = detect_size

    @abstractmethod
    def _detect(self, pixels: np.ndarray, upsample: int) -> list[tuple[Any, float]]: ...

    def find(self, image: Image.Image, max_faces: int) -> list[FoundFace]:
        pixels = np.ascontiguousarray(np.asarray(image.convert("RGB")))
        with self._native:
            aligned = self._align(pixels, max_faces)
        net = _DlibModels.get("embed")
        return [self._describe(face, net.descriptor(face.chip)) for face in aligned]

    def _align(self, pixels: np.ndarray, max_faces: int) -> list[_Aligned]:
        found = self._cascade(pixels)
        shift = 0
        if not found and max(pixels.shape[:2]) <= PAD_RETRY_SIZE:
            # aligned face crops fill the frame; the detector wants some context around them
            shift = max(pixels.shape[:2]) // 2
            pixels = np.ascontiguousarray(np.pad(pixels, ((shift, shift), (shift, shift), (0, 0)),
                                                 mode="edge"))
            found = self._cascade(pixels)
        found.sort(key=lambda rs: -rs[0].width() * rs[0].height())
        return [self._cut(pixels, rect, score, shift) for rect, score in found[:max_faces]]

    def _cascade(self, pixels: np.ndarray) -> list[tuple[Any, float]]:
        """Faces in ``pixels``, as the full look (twice the resolution given) would find them,
        skipping it where a first look at ``detect_size`` already found only large faces."""
        import dlib

        h, w = pixels.shape[:2]
        look = Image.fromarray(pixels)
        if self.grey:
            look = look.convert("L")
        factor = self.detect_size / max(h, w)
        if factor < 0.95:
            size = (max(1, round(w * factor)), max(1, round(h * factor)))
            found = self._detect(np.asarray(look.resize(size, Image.Resampling.BILINEAR)), 0)
            if found and all(min(r.width(), r.height()) >= SECOND_LOOK_FACE for r, _ in found):
                sx, sy = w / size[0], h / size[1]
                return [(dlib.rectangle(round(r.left() * sx), round(r.top() * sy),
                                        round(r.right() * sx), round(r.bottom() * sy)), score)
                        for r, score in found]
        return self._detect(np.asarray(look), 1)

    @staticmethod
    def _cut(pixels: np.ndarray, rect: Any, score: float, shift: int) -> _Aligned:
        import dlib

        shape = _DlibModels.get("shape")(pixels, rect)
        points = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32) - shift
        chip = dlib.get_face_chip(pixels, shape, size=150, padding=0.25)
        h, w = pixels.shape[:2]
        x0, y0 = max(0, rect.left()), max(0, rect.top())
        x1, y1 = min(w, rect.right()), min(h, rect.bottom())
        return _Aligned((float(x0 - shift), float(y0 - shift), float(x1 - x0), float(y1 - y0)),
                        points, round(float(score), 3), chip)

    @staticmethod
    def _describe(face: _Aligned, descriptor: np.ndarray) -> FoundFace:
        embedding = descriptor.astype(np.float32)
        embedding /= max(float(np.linalg.norm(embedding)), 1e-9)
        return FoundFace(box=face.box, landmarks=_five(face.points),
                         confidence=face.confidence, embedding=embedding,
                         sharpness=_sharpness(face.chip), yaw=_yaw(face.points))


@FACE_ENGINES.decorator("dlib-hog")
class DlibHogEngine(DlibEngine):
    name: ClassVar[str] = "dlib-hog"
    grey: ClassVar[bool] = True  # a third of the gradient work, ~0.7x the time

    def _detect(self, pixels: np.ndarray, upsample: int) -> list[tuple[Any, float]]:
        rects, scores, _ = _DlibModels.get("hog").run(pixels, upsample, 0.0)
        return list(zip(rects, scores, strict=True))


@FACE_ENGINES.decorator("dlib-cnn")
class DlibCnnEngine(DlibEngine):
    name: ClassVar[str] = "dlib-cnn"

    def _detect(self, pixels: np.ndarray, upsample: int) -> list[tuple[Any, float]]:
        return [(d.rect, float(d.confidence))
                for d in _DlibModels.get("cnn")(pixels, upsample)]


def engine(name: str) -> FaceEngine:
    return FACE_ENGINES.get(name)()
