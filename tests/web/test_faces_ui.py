"""Faces in the web UI, in real headless Chromium: outlines on the blurred picture, the person
page with blurred crops revealed on click (audited), linking a face, and cluster review."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.api.test_faces_api import seed_faces
from tests.conftest import serving
from tests.web.test_ui_in_chromium import Server, login

BLOB = re.compile(r"^blob:")


@pytest.fixture(scope="module")
def faces_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict]]:
    settings, ids, _, folders = seed_faces(tmp_path_factory.mktemp("faces-ui"))
    with serving(settings) as url:
        yield Server(url, folders, {}), ids


@pytest.fixture
def fpage(browser, faces_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text
          or (m.type == "error" and "Failed to load resource" not in m.text) else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    assert not errors, errors
    context.close()


def test_faces_outlined_person_page_and_cluster_review(fpage, faces_server) -> None:  # type: ignore[no-untyped-def]
    server, ids = faces_server
    page = fpage
    login(page, server, "au.inv")
    page.goto(f"{server.url}/media/{ids['shared_media']}")
    expect(page.locator("svg.face-boxes rect")).to_have_count(1)  # outlined on the picture
    expect(page.locator("#face-matches")).to_contain_text("V-hash")  # seen elsewhere: who
    large = page.locator("button.zoomable")
    large.click()  # a larger look, after an audited reveal
    expect(large.locator("img")).to_have_attribute("src", BLOB)
    crop = page.locator("button.face-crop").first
    assert crop.locator("img").get_attribute("src").endswith("/crop")  # blurred first

    # link the face to a new victim from the media page
    page.goto(server.url + "/persons")
    page.fill("input[name=label]", "V-ui")
    page.click("text=Create")
    page.wait_for_url("**/persons/*")
    person_url = page.url
    page.goto(f"{server.url}/media/{ids['shared_media']}")
    page.select_option("select[name=person]", label="V-ui (victim)")
    page.click("text=This is them")
    expect(page.locator("table.faces")).to_contain_text("V-ui")

    # the person page shows the face blurred; a click reveals it (and is audited)
    page.goto(person_url)
    faces = page.locator("button.face-crop")
    assert faces.count() >= 1
    faces.first.click()
    expect(faces.first.locator("img")).to_have_attribute("src", BLOB)

    # cluster review: run, then "not this person" moves a face out of its cluster
    page.goto(server.url + "/faces/clusters")
    page.click("text=Cluster the faces again")
    page.wait_for_url("**/faces/clusters")
    clusters = page.locator("section.cluster")
    assert clusters.count() >= 1
    first = clusters.first
    section = first.get_attribute("id")
    before = first.locator("button.face-crop").count()
    assert before >= 2
    first.locator("text=Not this person").first.click()
    page.wait_for_url("**/faces/clusters*")
    after = page.locator(f"section#{section} button.face-crop").count()
    assert after == (before - 1 if before > 2 else 0)  # a single face is no group to show
    page.screenshot(path="/tmp/tessera-ui-clusters.png")

    page.click("text=Log out")
    login(page, server, "root")
    page.goto(server.url + "/admin/audit?action=face.reveal")
    assert "user:au.inv" in page.inner_text("#audit-table")


def test_a_face_hit_is_in_the_files_row_and_leads_to_the_person(fpage, faces_server,
                                                                tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    from tests.conftest import SHARED

    server, ids = faces_server
    page = fpage
    seized = tmp_path / "seized-biden.jpg"  # a smaller copy of AU's photo of V-meta
    with Image.open(SHARED / "faces" / "biden" / "biden.jpg") as im:
        im.resize((im.width * 3 // 4, im.height * 3 // 4)).save(seized, quality=85)
    login(page, server, "nl.inv")
    page.click("text=Upload")
    page.set_input_files("#upload-files", [str(seized)])
    page.click("#upload-submit")
    page.wait_for_url("**/jobs/*")
    page.wait_for_selector("#job-report:not([hidden])", timeout=120_000)
    page.click("#job-report")
    row = page.locator("#report-files tbody tr").first
    assert "+ face" in row.inner_text()  # a kind of its own, beside the hash status
    face = row.locator(".match.face", has_text="V-meta").first
    assert "victim 'V-meta'" in face.inner_text() and "confirmed" in face.inner_text()
    assert "confirmed" in page.inner_text("main")  # the page says what confirmed means
    face.locator("a[href^='/persons/']").first.click()
    page.wait_for_url(f"**/persons/{ids['V-meta']}")
