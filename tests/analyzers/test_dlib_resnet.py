"""The NumPy run of dlib's face ResNet against dlib's own, on faces cut from real photos."""

from __future__ import annotations

from pathlib import Path

import dlib
import face_recognition_models as models
import numpy as np
import pytest
from PIL import Image

from tessera.analyzers.dlib_resnet import DlibFaceResNet, ModelFormatError
from tessera.analyzers.faces import DETECT_SIZE, DlibHogEngine

WEIGHTS = Path(models.face_recognition_model_location())
PHOTOS = ["obama/obama.jpg", "biden/biden.jpg", "_groups/kit_with_rose.jpg",
          "kit_harington/john2.jpeg", "obama/obama-240p.jpg"]


@pytest.fixture(scope="module")
def chips(shared_data: Path) -> list[np.ndarray]:
    detector = dlib.get_frontal_face_detector()
    shapes = dlib.shape_predictor(models.pose_predictor_model_location())
    out = []
    for name in PHOTOS:
        image = Image.open(shared_data / "faces" / name).convert("RGB")
        image.thumbnail((1280, 1280))
        pixels = np.asarray(image)
        for rect in detector(pixels, 1):
            out.append(dlib.get_face_chip(pixels, shapes(pixels, rect), size=150, padding=0.25))
    assert len(out) >= len(PHOTOS)
    return out


def test_descriptors_equal_dlibs_own(chips: list[np.ndarray]) -> None:
    theirs = dlib.face_recognition_model_v1(str(WEIGHTS))
    ours = DlibFaceResNet.shared(WEIGHTS)
    for chip in chips:
        want = np.array(theirs.compute_face_descriptor(chip), dtype=np.float32)
        got = ours.descriptor(chip)
        assert got.shape == (128,) and got.dtype == np.float32
        assert np.abs(got - want).max() < 1e-4
        cosine = float(got @ want) / float(np.linalg.norm(got) * np.linalg.norm(want))
        assert cosine > 0.99999


def test_different_faces_give_different_descriptors(chips: list[np.ndarray]) -> None:
    net = DlibFaceResNet.shared(WEIGHTS)
    a, b = net.descriptor(chips[0]), net.descriptor(chips[1])  # obama, biden
    assert float(a @ b) / float(np.linalg.norm(a) * np.linalg.norm(b)) < 0.9


def test_a_chip_of_another_size_is_refused() -> None:
    with pytest.raises(ValueError, match="150x150"):
        DlibFaceResNet.shared(WEIGHTS).descriptor(np.zeros((160, 160, 3), np.uint8))


def test_other_and_damaged_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelFormatError):
        DlibFaceResNet(Path(models.pose_predictor_model_location()))
    cut = tmp_path / "cut.dat"
    cut.write_bytes(WEIGHTS.read_bytes()[:len(WEIGHTS.read_bytes()) // 2])
    with pytest.raises(ModelFormatError):
        DlibFaceResNet(cut)


def test_the_first_look_places_faces_where_the_full_look_does(shared_data: Path) -> None:
    """A portrait is settled by the first, smaller look; its boxes come back in the given
    picture's pixels, where the full look would have put them."""
    image = Image.open(shared_data / "faces" / "obama" / "obama.jpg").convert("RGB")
    image.thumbnail((1280, 1280))
    pixels = np.ascontiguousarray(np.asarray(image))
    assert max(pixels.shape) > 700  # large enough for the first look to be a smaller picture
    looks: list[tuple[int, int]] = []

    class Recording(DlibHogEngine):
        def _detect(self, pixels: np.ndarray, upsample: int) -> list:  # type: ignore[type-arg]
            looks.append((max(pixels.shape), upsample))
            return super()._detect(pixels, upsample)

    first = Recording()._cascade(pixels)
    assert looks == [(DETECT_SIZE, 0)]
    full = Recording(detect_size=10_000)._cascade(pixels)
    assert looks[1:] == [(max(pixels.shape), 1)]
    assert len(first) == len(full) == 1
    a, b = first[0][0], full[0][0]
    inter = max(0, min(a.right(), b.right()) - max(a.left(), b.left())) \
        * max(0, min(a.bottom(), b.bottom()) - max(a.top(), b.top()))
    assert inter / (a.area() + b.area() - inter) > 0.6
