"""The web UI driven in real headless Chromium against a real server on loopback: log in,
upload, read the report, open a series, reveal a thumbnail (audited), and see what another
agency sees under each sharing level. Also: no request leaves the app, no CSP violation."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.api.conftest import PASSWORD, SHARING, build_world
from tests.conftest import serving

BLOB = re.compile(r"^blob:")


@dataclass
class Server:
    url: str
    folders: dict[str, Path]
    series: dict[str, int]
    tokens: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("ui")
    settings, folders, series, tokens = build_world(root / "home", None)
    with serving(settings) as url:
        yield Server(url, folders, series, tokens)


@pytest.fixture
def page(browser, server: Server):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    pg.requests, pg.violations = [], []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("console", lambda m: pg.violations.append(m.text)  # 404 pages are visited on purpose
          if "Content Security Policy" in m.text or (
              m.type == "error" and "Failed to load resource" not in m.text) else None)
    pg.on("pageerror", lambda e: pg.violations.append(str(e)))
    yield pg
    assert all(u.startswith((server.url, "blob:", "data:")) for u in pg.requests), pg.requests
    assert not pg.violations, pg.violations
    context.close()


def login(page, server: Server, user: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/series")  # not logged in: sent to the login page
    assert page.url.endswith("/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(server.url + "/")


def test_upload_report_series_reveal_and_audit(page, server: Server) -> None:  # type: ignore[no-untyped-def]
    login(page, server, "nl.inv")
    page.click("text=Upload")
    files = [sorted(server.folders[level].iterdir())[0] for level in SHARING]
    page.set_input_files("#upload-files", [str(f) for f in files])
    page.fill("#upload-case", "NL-UI-1")
    page.click("#upload-submit")
    page.wait_for_url("**/jobs/*")
    page.wait_for_selector("#job-report:not([hidden])", timeout=60_000)
    page.click("#job-report")
    lines = page.inner_text("#summary-lines")
    assert SHARING["full"] in lines and SHARING["metadata"] in lines
    assert SHARING["hash-only"] not in page.content()
    assert "held by Australian Federal Police" in lines and "vid@afp.example" in lines

    # another agency's view under each sharing level
    page.goto(server.url + "/series")
    listed = page.inner_text("main")
    assert SHARING["full"] in listed and SHARING["metadata"] in listed
    assert SHARING["hash-only"] not in listed
    page.goto(f"{server.url}/series/{server.series['hash-only']}")
    assert "404" in page.inner_text("main")
    page.goto(f"{server.url}/series/{server.series['metadata']}")
    assert page.locator("button.thumb").count() == 0 and page.locator("td.hash").count() == 4
    page.goto(f"{server.url}/series/{server.series['full']}")
    thumbs = page.locator("button.thumb")
    assert thumbs.count() == 4

    # previews arrive grey and blurred from the server; a click fetches the real one
    src = thumbs.first.locator("img").get_attribute("src")
    shielded = page.request.get(server.url + src)
    assert Image.open(io.BytesIO(shielded.body())).mode == "L"
    thumbs.first.click()
    expect(thumbs.first.locator("img")).to_have_attribute("src", BLOB)
    assert thumbs.first.get_attribute("aria-pressed") == "true"
    assert thumbs.nth(1).locator("img").get_attribute("src").startswith("/api/media/")
    thumbs.nth(1).focus()
    page.keyboard.press("Enter")  # keyboard users reveal too
    expect(thumbs.nth(1).locator("img")).to_have_attribute("src", BLOB)
    page.screenshot(path="/tmp/tessera-ui-series.png")

    # search by image, as an investigator would drop one
    page.goto(server.url + "/search")
    page.set_input_files("#search-file", str(files[2]))
    page.wait_for_selector("#search-results li")
    assert "media" in page.inner_text("#search-results")

    # the job is in the jobs list
    page.click("nav >> text=Jobs")
    assert "NL-UI-1" in page.inner_text("#jobs-table")

    # the owner is told (with a link to the series), marks all read; the AU media list
    page.click("text=Log out")
    login(page, server, "au.inv")
    assert "NL-UI-1" in page.inner_text("main")
    page.click("nav >> text=Notifications")
    assert " 1 files" not in page.inner_text("main")
    page.locator("a", has_text="open the series").first.click()
    assert "/series/" in page.url
    page.goto(server.url + "/notifications")
    page.click("#read-all button")
    assert page.locator("li.unread").count() == 0 and page.locator(".badge").count() == 0
    page.click("nav >> text=Media")
    assert page.locator("#media-table tbody tr").count() == 12
    page.select_option("select[name=kind]", "video")
    page.click("text=Filter")
    assert page.locator("#media-table").count() == 0 and "0 media" in page.inner_text("main")
    page.click("text=Log out")
    login(page, server, "root")
    page.goto(server.url + "/admin/audit?action=media.reveal")
    rows = page.inner_text("#audit-table")
    assert rows.count("user:nl.inv") == 2 and "media.reveal" in rows
    assert "Last signed checkpoint: event" in page.inner_text("#audit-checkpoint")


def test_owner_changes_sharing_in_the_ui(page, server: Server) -> None:  # type: ignore[no-untyped-def]
    login(page, server, "au.admin")
    page.goto(f"{server.url}/series/{server.series['metadata']}")
    page.select_option("#sharing-select", "full")
    page.click("text=Change sharing")
    assert page.inner_text("#series-sharing") == "full"
    page.select_option("#sharing-select", "metadata")
    page.click("text=Change sharing")
    assert page.inner_text("#series-sharing") == "metadata"
    page.goto(server.url + "/admin/audit?action=sharing.change")
    assert page.inner_text("#audit-table").count("sharing.change") == 2


def test_api_docs_render_the_openapi_31_schema(page, server: Server) -> None:  # type: ignore[no-untyped-def]
    """The bundled Swagger UI once could not read FastAPI's OpenAPI 3.1 schema."""
    page.goto(server.url + "/api/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() > 40
    assert "/api/jobs" in page.inner_text("#swagger")
    assert "Unable to render" not in page.inner_text("#swagger")


def test_work_a_report_by_filter_group_and_compare(page, server: Server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tessera.synthetic import jpeg, picture

    known = [sorted(server.folders[level].iterdir())[1] for level in ("full", "metadata")]
    fresh = []
    for i in range(2):
        fresh.append(tmp_path / f"fresh{i}.jpg")
        fresh[-1].write_bytes(jpeg(picture(3000 + i)))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(jpeg(picture(3010))[:700])
    login(page, server, "nl.inv")
    page.click("text=Upload")
    page.set_input_files("#upload-files", [str(f) for f in [*known, *fresh, broken]])
    page.fill("#upload-case", "NL-UI-2")
    page.check("#upload-store")
    page.click("#upload-submit")
    page.wait_for_url("**/jobs/*")
    page.wait_for_selector("#job-report:not([hidden])", timeout=60_000)
    page.click("#job-report")
    assert "5 of 5 files" in page.inner_text("#report-count")
    generated = page.inner_text("main p.muted")
    page.select_option("#report-filter select[name=status]", "exact")
    page.click("#report-filter button")
    assert "2 of 5 files" in page.inner_text("#report-count")
    assert page.locator("#report-files td.status").all_inner_texts() == ["exact", "exact"]
    page.select_option("#report-filter select[name=status]", "")
    page.check("#report-filter input[name=group]")
    page.select_option("#report-filter select[name=sort]", "status")
    page.click("#report-filter button")
    heads = page.locator("th.group-head").all_inner_texts()
    assert any(SHARING["full"] in h for h in heads) and heads[-1].startswith("no known series")
    assert page.inner_text("main p.muted") == generated  # the run's time, not the view's
    page.screenshot(path="/tmp/tessera-ui-report.png", full_page=True)
    # the seized file's own blurred preview, and a side-by-side comparison with its match
    assert page.locator("#report-files td.preview button.thumb").count() == 4
    page.locator("a", has_text="compare").first.click()
    page.wait_for_url("**/compare/*/*")
    thumbs = page.locator("#compare button.thumb")
    assert thumbs.count() == 2
    thumbs.first.click()
    expect(thumbs.first.locator("img")).to_have_attribute("src", BLOB)
    assert thumbs.nth(1).locator("img").get_attribute("src").endswith("/thumbnail")


def test_follow_a_hostile_seizure_live(page, server: Server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Odd names, a symlink, a corrupt file and a bomb in a zip: the job is followed live
    (stage, files, rate) and every file has its row."""
    import zipfile

    from tessera.synthetic import jpeg, picture

    archive = tmp_path / "seizure.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(90):
            zf.writestr(f"DCIM/{i:03d}.jpg", jpeg(picture(4000 + i)))
        odd = zipfile.ZipInfo("DCIM/caf\xe9 \u00ff.jpg")  # a name no UTF-8 flag vouches for
        zf.writestr(odd, jpeg(picture(4100)))
        zf.writestr("DCIM/broken.jpg", jpeg(picture(4101))[:500])
        zf.writestr("bomb.bin", b"\0" * (8 * 1024 * 1024))
        link = zipfile.ZipInfo("DCIM/link.jpg")  # a symbolic link, as seized phones hold
        link.external_attr = (0o120777) << 16
        zf.writestr(link, "/etc/passwd")
    login(page, server, "nl.inv")
    page.click("text=Upload")
    page.set_input_files("#upload-files", str(archive))
    page.click("#upload-submit")
    page.wait_for_url("**/jobs/*")
    seen = []
    for _ in range(600):  # the page updates itself while the job runs (no reload)
        seen.append((page.inner_text("#job-count"), page.inner_text("#job-pace")))
        if seen[-1][0].startswith("analysing:") and "files/s" in seen[-1][1]:
            break
        page.wait_for_timeout(100)
    assert seen[-1][0].startswith("analysing:") and "files/s" in seen[-1][1], seen[-5:]
    page.wait_for_selector("#job-report:not([hidden])", timeout=120_000)
    page.click("#job-report")
    assert "94 of 94 files" in page.inner_text("#report-count")
    assert page.locator("#report-files tbody tr").count() == 50  # a page at a time
    page.click("nav.pager >> text=Next")
    assert "seizure.zip!/DCIM/caf\u00e9 \u00ff.jpg" in page.inner_text("#report-files")
    page.select_option("#report-filter select[name=status]", "error")
    page.click("#report-filter button")
    errors = page.inner_text("#report-files")
    assert "3 of 94 files" in page.inner_text("#report-count")
    assert "corrupt" in errors and "decompression_bomb" in errors and "symlink" in errors


def test_second_factor_enrolment_recovery_codes_and_password_change(page, server: Server) -> None:  # type: ignore[no-untyped-def]
    import httpx
    import pyotp

    root = {"authorization": f"Bearer {server.tokens['root']}"}
    made = httpx.post(server.url + "/api/users", headers=root, json={
        "username": "ui.careful", "password": PASSWORD, "agency": "NL", "role": "viewer",
        "totp_required": True})
    assert made.status_code == 201
    login_to = server.url + "/login"
    page.goto(login_to)
    page.fill("input[name=username]", "ui.careful")
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/login/enrol")
    secret = page.inner_text("#totp-secret")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.click("text=Confirm")
    page.wait_for_selector("#recovery-codes li")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(len(c) == 19 for c in codes)  # shown once, now
    page.click("text=Continue")
    page.wait_for_url(server.url + "/")
    page.click("text=Log out")
    # a recovery code stands in for the lost phone, once
    page.fill("input[name=username]", "ui.careful")
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/login/totp")
    page.fill("input[name=code]", codes[0])
    page.keyboard.press("Enter")
    page.wait_for_url(server.url + "/")
    # and one's own password changes with the current one
    page.goto(server.url + "/account")
    page.fill("#password-form input[name=current_password]", PASSWORD)
    page.fill("#password-form input[name=new_password]", "a fresh long password")
    page.click("#password-form button")
    assert "Password changed" in page.inner_text("main")


def test_the_users_page_offers_only_what_the_policy_allows(page, server: Server) -> None:  # type: ignore[no-untyped-def]
    import httpx

    root = {"authorization": f"Bearer {server.tokens['root']}"}
    for name, role in (("au.boss", "admin"), ("au.helper", "viewer")):
        assert httpx.post(server.url + "/api/users", headers=root, json={
            "username": name, "password": PASSWORD, "agency": "AU",
            "role": role}).status_code == 201
    login(page, server, "au.admin")
    page.goto(server.url + "/admin/users")
    boss = page.locator("tr", has_text="au.boss")
    assert "more rights than yours" in boss.inner_text() and boss.locator("form").count() == 0
    assert page.locator("option[value=password]").count() == 0  # never someone else's password
    page.click("text=Log out")
    login(page, server, "root")
    page.goto(server.url + "/admin/users")
    helper = page.locator("tr", has_text="au.helper")
    helper.locator("select[name=action]").select_option("password")
    helper.locator("input[name=password]").fill("set by the instance admin")
    helper.locator("button").click()
    page.wait_for_url("**/admin/users")
    r = httpx.post(server.url + "/api/auth/login",
                   json={"username": "au.helper", "password": "set by the instance admin"})
    assert r.status_code == 200
