"""The HTML report in a real headless Chromium: blurred and grey until a click, self-contained."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tessera.reports.build import summarise
from tessera.reports.model import FileEntry
from tessera.reports.renderers import RENDERERS
from tessera.synthetic import jpeg, picture


def test_thumbnails_are_blurred_grey_until_clicked(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import base64

    thumb = "data:image/jpeg;base64," + base64.b64encode(jpeg(picture(3, (160, 120)))).decode()
    report = summarise([FileEntry("seized/a.jpg", "new", sha256="a" * 64, thumbnail=thumb),
                        FileEntry("seized/b.jpg", "new", sha256="b" * 64, thumbnail=thumb)],
                       "DE", "/seizure", 31)
    page_path = tmp_path / "report.html"
    page_path.write_bytes(RENDERERS.get("html").render(report))
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_path.as_uri())

    def image_filter(i: int) -> str:
        return page.eval_on_selector_all(
            "button.thumb img", f"els => getComputedStyle(els[{i}]).filter")

    assert "grayscale(1)" in image_filter(0) and "blur(" in image_filter(0)
    page.locator("button.thumb").first.click()
    page.wait_for_timeout(300)
    assert image_filter(0) == "none"
    assert "blur(" in image_filter(1)  # revealing one reveals only that one
    page.locator("button.thumb").nth(1).focus()
    page.keyboard.press("Enter")  # keyboard users can reveal too
    page.wait_for_timeout(300)
    assert image_filter(1) == "none"
    assert page.locator("button.thumb").first.get_attribute("aria-pressed") == "true"
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    page.screenshot(path=str(tmp_path / "report.png"))
    if os.environ.get("TESSERA_KEEP_SCREENSHOT"):
        shutil.copy(tmp_path / "report.png", os.environ["TESSERA_KEEP_SCREENSHOT"])
    page.close()
