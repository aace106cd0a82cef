from PIL import Image

from tessera.media.borders import find_content_box
from tessera.synthetic import letterbox, picture


def test_letterbox_and_pillarbox_are_found() -> None:
    image = picture(7, (400, 300))
    boxed = letterbox(image, 0.1)
    box = find_content_box(boxed)
    assert box is not None
    assert abs(box[1] - 30) <= 2 and abs((boxed.height - box[3]) - 30) <= 2
    pillar = letterbox(image.transpose(Image.Transpose.TRANSPOSE), 0.1, colour=255).transpose(
        Image.Transpose.TRANSPOSE)
    box = find_content_box(pillar)
    assert box is not None and box[0] >= 28 and box[1] == 0


def test_no_border_and_uniform_images_are_left_alone() -> None:
    assert find_content_box(picture(8, (400, 300))) is None
    assert find_content_box(Image.new("RGB", (300, 300))) is None
