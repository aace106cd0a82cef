"""The HTML report in a real headless Chromium: self-contained, and its previews blurred and
grey in the pixels, so that no style switched off (or another viewer) shows a picture."""

from __future__ import annotations

import base64
import io
import os
import shutil
from pathlib import Path

import numpy as np
from PIL import Image

from tessera.core.types import FileResult
from tessera.reports.build import build_report
from tessera.reports.renderers import RENDERERS
from tessera.store.db import Database
from tessera.synthetic import jpeg, picture


def _shown(page, i: int) -> Image.Image:  # type: ignore[no-untyped-def]
    src = page.eval_on_selector_all("img.preview", f"els => els[{i}].src")
    return Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))


def test_previews_are_blurred_grey_pixels_even_without_styles(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    squares = (np.indices((120, 160)).sum(axis=0) // 4 % 2 * 255).astype(np.uint8)
    detailed = Image.merge("RGB", [Image.fromarray(squares), picture(3, (160, 120)).getchannel(1),
                                   Image.fromarray(255 - squares)])
    original = jpeg(detailed)
    db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    results = [FileResult(f"/seizure/{n}.jpg", thumbnail=original) for n in "ab"]
    report = build_report(db, "DE", "/seizure", [("pdq", 31, "bits")], results, {}, [[], []])
    page_path = tmp_path / "report.html"
    page_path.write_bytes(RENDERERS.get("html").render(report))
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_path.as_uri())
    page.emulate_media(media="print")
    assert page.locator("img.preview").count() == 2 and page.locator("script").count() == 0
    for i in range(2):
        assert page.eval_on_selector_all("img.preview",
                                         f"els => getComputedStyle(els[{i}]).filter") == "none"
        shown = _shown(page, i)
        assert shown.mode == "L"  # grey in the file itself
        sharp = np.asarray(Image.open(io.BytesIO(original)).convert("L").resize(shown.size),
                           dtype=float)
        detail = np.abs(np.diff(np.asarray(shown, dtype=float), axis=1)).mean()
        assert detail < np.abs(np.diff(sharp, axis=1)).mean() / 4  # and blurred
    page.locator("img.preview").first.click()  # nothing to reveal
    assert _shown(page, 0).mode == "L"
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    page.screenshot(path=str(tmp_path / "report.png"))
    if os.environ.get("TESSERA_KEEP_SCREENSHOT"):
        shutil.copy(tmp_path / "report.png", os.environ["TESSERA_KEEP_SCREENSHOT"])
    page.close()
