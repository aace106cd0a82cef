"""Face finding on real photos (../shared/data/faces) and on hostile pictures made here."""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

from tessera.analyzers.faces import engine
from tessera.config import Limits, MediaOptions
from tessera.media.image import decode_image
from tessera.media.sources import Item
from tessera.pipeline.analyze import AnalyzeOptions, analyze_item
from tessera.signals.face import FaceSignal, similarity

FACES = MediaOptions(speech=False, faces=True)


def _faces(data: bytes, max_faces: int = 100) -> list:
    signal = FaceSignal("dlib-hog", max_faces)
    return signal.extract(decode_image(data, Limits()))


def _jpeg(image: Image.Image, **kw) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=92, **kw)
    return out.getvalue()


def test_one_face_per_portrait_with_box_landmarks_and_quality(shared_data: Path) -> None:
    for path in sorted((shared_data / "faces" / "obama").glob("*.jpg"))[:3]:
        found = _faces(path.read_bytes())
        assert len(found) == 1, path.name
        face = found[0]
        x, y, w, h = face.detail["box"]
        with Image.open(path) as im:
            assert x >= 0 and y >= 0 and x + w <= im.width + 1 and y + h <= im.height + 1
        assert len(face.detail["landmarks"]) == 5
        eyes = face.detail["landmarks"][:2]
        assert all(x <= px <= x + w and y <= py <= y + h for px, py in eyes)
        assert face.quality is not None and face.quality >= 40
        vector = np.frombuffer(face.value, dtype=np.float32)
        assert vector.shape == (128,) and abs(float(np.linalg.norm(vector)) - 1) < 1e-4


def test_same_person_scores_higher_than_another(shared_data: Path) -> None:
    obama = [_faces(p.read_bytes())[0].value for p in
             sorted((shared_data / "faces" / "obama").glob("*.jpg"))[:2]]
    biden = _faces((shared_data / "faces" / "biden" / "biden.jpg").read_bytes())[0].value
    assert similarity(obama[0], obama[1]) > 0.92 > similarity(obama[0], biden)


def test_two_people_in_a_group_photo(shared_data: Path) -> None:
    found = _faces((shared_data / "faces" / "_groups" / "two_people.jpg").read_bytes())
    assert len(found) == 2
    assert similarity(found[0].value, found[1].value) < 0.9


def test_exif_orientation_is_respected(shared_data: Path) -> None:
    """The same portrait stored on its side with an EXIF "rotate" tag: found upright, with
    the box in the oriented picture's coordinates."""
    original = Image.open(shared_data / "faces" / "obama" / "obama.jpg").convert("RGB")
    upright = _faces(_jpeg(original))[0]
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display": the pixels are stored turned left
    sideways = _jpeg(original.transpose(Image.Transpose.ROTATE_90), exif=exif)
    found = _faces(sideways)
    assert len(found) == 1
    assert np.allclose(found[0].detail["box"], upright.detail["box"], atol=12)
    assert similarity(found[0].value, upright.value) > 0.97


def test_face_filling_the_frame_is_found_with_a_margin(shared_data: Path) -> None:
    chip = next((shared_data / "faces" / "john_simm").glob("*.jpg"))
    found = _faces(chip.read_bytes())
    assert len(found) == 1
    x, y, w, _h = found[0].detail["box"]
    assert w > 60 and -40 < x < 75 and -40 < y < 75  # in the chip's own coordinates


def test_no_face_is_an_empty_answer_not_an_error(shared_data: Path) -> None:
    result = analyze_item(Item("coffee", str(shared_data / "images" / "coffee.png"),
                               size=(shared_data / "images" / "coffee.png").stat().st_size),
                          AnalyzeOptions(Limits(), media=FACES), None)
    assert result.ok and not [s for s in result.info.signals if s.type == "face"]


def test_a_crowd_is_capped_with_a_warning(shared_data: Path, tmp_path: Path) -> None:
    face = Image.open(shared_data / "faces" / "obama" / "obama-240p.jpg").convert("RGB")
    crowd = Image.new("RGB", (face.width * 4, face.height * 3))
    for k in range(12):
        crowd.paste(face, ((k % 4) * face.width, (k // 4) * face.height))
    path = tmp_path / "crowd.jpg"
    path.write_bytes(_jpeg(crowd))
    options = MediaOptions(speech=False, faces=True, max_faces=5)
    started = time.monotonic()
    result = analyze_item(Item("crowd.jpg", str(path), size=path.stat().st_size),
                          AnalyzeOptions(Limits(), media=options), None)
    assert time.monotonic() - started < 60
    faces = [s for s in result.info.signals if s.type == "face"]
    assert len(faces) == 5
    assert any("the 5 largest were kept" in w for w in result.warnings)


def test_tiny_and_blurred_faces_are_kept_but_not_matchable(shared_data: Path) -> None:
    original = Image.open(shared_data / "faces" / "obama" / "obama.jpg").convert("RGB")
    sharp = _faces(_jpeg(original))[0]
    blurred = _faces(_jpeg(original.filter(ImageFilter.GaussianBlur(6))))
    assert blurred and blurred[0].detail["quality"]["sharpness"] < \
        sharp.detail["quality"]["sharpness"]
    assert blurred[0].quality < 40
    small = original.copy()
    small.thumbnail((110, 110))  # the face is about 30 px wide
    tiny = _faces(_jpeg(small))
    assert all(f.quality < 40 for f in tiny)


def test_a_clear_moderately_turned_face_is_matchable(shared_data: Path) -> None:
    """A sharp 186-px face, turned a little, once scored 30 and could not be searched by; it
    matches the same man's other photos well above the match threshold."""
    from tessera.signals.face import FaceSignal

    turned = _faces((shared_data / "faces" / "kit_harington" / "john2.jpeg").read_bytes())
    assert turned and turned[0].quality >= (FaceSignal().min_quality or 0)
    others = [f for p in sorted((shared_data / "faces" / "kit_harington").iterdir())
              if p.name != "john2.jpeg" for f in _faces(p.read_bytes())[:1]]
    assert others and max(similarity(turned[0].value, f.value) for f in others) >= \
        FaceSignal().match


def test_huge_picture_is_searched_at_working_size(shared_data: Path) -> None:
    face = Image.open(shared_data / "faces" / "obama" / "obama.jpg").convert("RGB")
    canvas = Image.new("RGB", (9000, 6000), (90, 110, 90))
    canvas.paste(face.resize((face.width * 3, face.height * 3)), (3000, 1500))
    started = time.monotonic()
    found = _faces(_jpeg(canvas))
    assert time.monotonic() - started < 30
    assert len(found) == 1
    x, _y, w, _h = found[0].detail["box"]
    assert 3000 < x < 3000 + face.width * 3 and w > 400  # scaled back to the original


def test_corrupt_file_is_a_per_file_error(shared_data: Path) -> None:
    bad = next((shared_data / "corrupt").iterdir())
    result = analyze_item(Item(bad.name, str(bad), size=bad.stat().st_size),
                          AnalyzeOptions(Limits(), media=FACES), None)
    assert result.error_code in ("corrupt", None)  # truncated JPEGs may still decode in part
    if result.ok:
        assert all(s.type != "face" or s.quality is not None for s in result.info.signals)


@pytest.mark.parametrize("name", ["dlib-hog", "dlib-cnn"])
def test_both_engines_find_a_face(shared_data: Path, name: str) -> None:
    picture = Image.open(shared_data / "faces" / "obama" / "obama-240p.jpg").convert("RGB")
    found = engine(name).find(picture, 10)
    assert len(found) == 1 and found[0].embedding.shape == (128,)
