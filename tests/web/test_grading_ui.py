"""The lab's round trip in real headless Chromium: NL imports a VICS case its forensic tool
exported, uploads the seizure to store it, finds the known files pre-categorised in the
grading queue, grades the rest with the keyboard (one at a time and as a grid, a reveal
audited), and the series goes back out as VICS that another instance re-imports identically."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tessera.access import identity
from tessera.access.policy import Principal
from tessera.config import Settings
from tessera.context import Context
from tessera.service import hashsets
from tessera.store import audit, repos
from tessera.store.bootstrap import initialise
from tessera.store.tables import User
from tests.api.conftest import SHARING, build_world
from tests.conftest import make_settings, serving, write_pictures
from tests.service.test_triage_flow import _media_rows, _other_tools_case
from tests.web.test_ui_in_chromium import BLOB, Server, login


@dataclass
class Lab:
    server: Server
    settings: Settings
    case: Path
    pictures: list[Path]


def _principal(ctx: Context, username: str) -> Principal:
    with ctx.db.session() as s:
        user = s.query(User).filter_by(username=username).one()
        return identity.principal_of(user)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("grading-ui")
    settings, folders, series, tokens = build_world(root / "home", None)
    pictures = write_pictures(root / "seized", range(300, 306))
    case = _other_tools_case(root, pictures[:4])  # categories 1, 1, 2 and none
    with serving(settings) as url:
        yield Lab(Server(url, folders, series, tokens), settings, case, pictures)


@pytest.fixture
def page(browser, lab: Lab):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    requests, problems = [], []
    pg.refusals = []  # statuses a test provokes on purpose
    pg.on("request", lambda r: requests.append(r.url))
    pg.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text
          or (m.type == "error" and not any(f"status of {n}" in m.text for n in pg.refusals))
          else None)
    pg.on("pageerror", lambda e: problems.append(str(e)))
    pg.on("response", lambda r: problems.append(f"{r.status} {r.url}")
          if r.status >= 400 and r.status not in pg.refusals else None)
    yield pg
    assert all(u.startswith((lab.server.url, "blob:", "data:")) for u in requests), requests
    assert not problems, problems
    context.close()


def _current(page):  # type: ignore[no-untyped-def]
    return page.locator("#grade li.current")


def _upload(lab: Lab, user: str, files: list[tuple[str, bytes]], **data: str) -> int:
    """An upload through the API as ``user``, waited for: its job id."""
    import time

    import httpx

    auth = {"authorization": f"Bearer {lab.server.tokens[user]}"}
    job = httpx.post(f"{lab.server.url}/api/jobs", headers=auth, data=data,
                     files=[("files", (name, body, "image/jpeg")) for name, body in files])
    assert job.status_code in (200, 201, 202), job.text
    for _ in range(600):
        state = httpx.get(f"{lab.server.url}/api/jobs/{job.json()['id']}", headers=auth).json()
        if state["state"] not in ("queued", "running"):
            break
        time.sleep(0.1)
    assert state["state"] == "done", state
    return int(job.json()["id"])


def test_grade_a_stored_seizure_with_the_keyboard(page, lab: Lab) -> None:  # type: ignore[no-untyped-def]
    login(page, lab.server, "nl.inv")
    page.goto(lab.server.url + "/upload")
    broken = lab.case.parent / "broken.json"  # a half-written export: refused, nothing kept
    broken.write_text(lab.case.read_text()[:-40])
    page.refusals.append(400)
    page.set_input_files("#import-file", str(broken))
    page.click("#import-submit")
    expect(page.locator("#import-status")).to_contain_text("Nothing imported")
    expect(page.locator("#import-status")).to_contain_text("line 1, column")
    page.set_input_files("#import-file", str(lab.case))  # what the other tool exported
    page.click("#import-submit")
    expect(page.locator("#import-status")).to_contain_text(
        "5 records: 4 new hash-only media", timeout=30_000)
    expect(page.locator("#import-status")).to_contain_text("3 categorised")
    expect(page.locator("#import-status")).to_contain_text("Series Ocean (4)")

    page.set_input_files("#upload-files", [str(p) for p in lab.pictures])
    page.fill("#upload-case", "NL-2026-GRADE")
    page.fill("#upload-series", "Series Ocean")
    page.check("#upload-store")
    page.click("#upload-submit")
    page.wait_for_url("**/jobs/*")
    page.wait_for_selector("#job-grade:not([hidden])", timeout=90_000)
    page.click("#job-grade")
    page.wait_for_url("**/grade/*")

    progress = page.locator("#grade-progress")
    expect(progress.locator('[data-count="total"]')).to_have_text("6")
    expect(progress.locator('[data-count="pre_categorised"]')).to_have_text("3")
    expect(progress.locator('[data-count="left_for_you"]')).to_have_text("3")
    assert "NL-2026-GRADE" in page.inner_text("main")
    assert str(lab.settings.home) not in page.content()  # no server paths, staging included
    items = page.locator("#grade li")
    assert items.count() == 6
    assert page.locator('#grade li[data-state="pre-categorised"]').count() == 3
    assert "(imported)" in page.locator('#grade li[data-state="pre-categorised"]').first \
        .inner_text()
    # one at a time: only the current file shows, and it is the first one left to grade
    expect(_current(page)).to_have_attribute("data-state", "todo")
    assert page.locator("#grade li:visible").count() == 1
    first = _current(page).get_attribute("data-media")

    # the preview arrives blurred; "r" reveals it (audited); grading moves on and shields it
    thumb = _current(page).locator("button.thumb")
    page.keyboard.press("r")
    expect(thumb.locator("img")).to_have_attribute("src", BLOB)
    page.keyboard.press("0")
    expect(page.locator(f'#grade li[data-media="{first}"]')).to_have_attribute(
        "data-state", "graded")
    second = _current(page).get_attribute("data-media")
    assert second != first
    expect(page.locator(f'#grade li[data-media="{first}"] button.thumb')).to_have_attribute(
        "aria-pressed", "false")
    expect(progress.locator('[data-count="left_for_you"]')).to_have_text("2")

    page.keyboard.press("ArrowLeft")  # back to look again, then forward
    page.keyboard.press("ArrowRight")
    page.keyboard.press("4")
    expect(page.locator(f'#grade li[data-media="{second}"]')).to_have_attribute(
        "data-state", "graded")

    page.keyboard.press("g")  # the whole queue as a grid
    expect(page.locator("#grade-mode")).to_have_attribute("aria-pressed", "true")
    assert page.locator("#grade li:visible").count() == 6
    third = _current(page).get_attribute("data-media")
    page.keyboard.press("3")
    expect(page.locator("#grade-status")).to_contain_text("nothing left for you to grade")
    expect(progress.locator('[data-count="graded"]')).to_have_text("3")
    expect(progress.locator('[data-count="left_for_you"]')).to_have_text("0")
    page.screenshot(path="/tmp/tessera-ui-grade.png")

    page.reload()  # what was graded is stored, not just shown
    graded = {li.get_attribute("data-media") for li in
              page.locator('#grade li[data-state="graded"]').all()}
    assert graded == {first, second, third}

    ctx = Context.open(lab.settings)
    try:
        with ctx.db.session() as s:
            actions = [(e.action, e.object) for e in audit.events(s, actor="user:nl.inv")]
        assert ("media.reveal", f"media:{first}") in actions
        assert sum(a == "media.grade" for a, _ in actions) == 3
        nl = _principal(ctx, "nl.inv")
        exported = lab.case.parent / "ocean-out.json"
        assert hashsets.export_vics(ctx, nl, "Series Ocean", exported, version="1.3") == 6
    finally:
        ctx.close()
    rows = {r["MD5"]: r for r in _media_rows(exported)}
    assert sorted(str(r["Category"]) for r in rows.values()) == sorted(
        ["1", "1", "2", "0", "4", "3"])

    other = make_settings(lab.case.parent / "other")  # another instance reads it back
    initialise(other, "test")
    octx = Context.open(other)
    octx.actor = "test"
    try:
        with octx.db.session() as s:
            repos.add_agency(s, "NL", "Dutch National Police", "NL", None)
            nl_other = Principal.local_operator("test", repos.get_agency(s, "NL").id, "NL")
        again = lab.case.parent / "again.json"
        hashsets.import_vics(octx, nl_other, exported)
        hashsets.export_vics(octx, nl_other, "Series Ocean", again, version="1.3")
    finally:
        octx.close()
    assert _media_rows(again) == _media_rows(exported)


def test_browse_filter_and_act_on_a_selection(page, lab: Lab) -> None:  # type: ignore[no-untyped-def]
    login(page, lab.server, "nl.inv")
    page.goto(lab.server.url + "/media")
    page.select_option("select[name=status]", "proposed")  # what the VICS import said
    page.click("#media-filter button[type=submit]")
    rows = page.locator("#media-table tbody tr")
    expect(rows).to_have_count(3)
    page.select_option("select[name=status]", "")
    page.select_option("#media-filter select[name=category]", label="1 Child abuse material")
    page.click("#media-filter button[type=submit]")
    expect(rows).to_have_count(2)
    assert "AU" not in page.inner_text("#media-table")  # one's own agency's media only

    page.check("#select-all")
    page.select_option("#bulk-action", "tag")
    page.fill("#bulk-value", "ocean-case")
    page.click("#bulk-apply")
    expect(page.locator("#media-table td.tags").first).to_contain_text("ocean-case")
    page.locator("#media-table input.pick").first.check()
    page.select_option("#bulk-action", "bookmark")
    page.click("#bulk-apply")
    expect(page.locator("#media-table span[title=bookmarked]")).to_have_count(1)

    page.goto(lab.server.url + "/media?tag=ocean-case")
    expect(rows).to_have_count(2)
    page.check("#select-all")
    page.select_option("#bulk-action", "export")
    with page.expect_download() as download:
        page.click("#bulk-apply")
    saved = lab.case.parent / "selection.json"
    download.value.save_as(saved)
    assert sorted(str(r["Category"]) for r in _media_rows(saved)) == ["1", "1"]
    assert all("ocean-case" in r["Tags"] for r in _media_rows(saved))
    page.goto(lab.server.url + "/media?bookmarked=true")
    expect(rows).to_have_count(1)
    page.goto(lab.server.url + "/media?kind=video")
    expect(rows).to_have_count(0)
    today = datetime.now(UTC).date().isoformat()
    page.goto(f"{lab.server.url}/media?tag=ocean-case&since={today}")
    expect(rows).to_have_count(2)
    page.goto(lab.server.url + "/media?tag=ocean-case&until=2000-01-01")
    expect(rows).to_have_count(0)

    page.click("text=Log out")  # a viewer browses, but has no bulk actions to offer
    login(page, lab.server, "nl.viewer")
    page.goto(lab.server.url + "/media?tag=ocean-case")
    expect(rows).to_have_count(2)
    assert page.locator("#bulk").count() == 0
    page.refusals.append(400)
    page.goto(lab.server.url + "/media?since=2026-13-45")
    assert "not a date" in page.inner_text("main")


def test_a_status_step_is_kept_shown_and_counted(page, lab: Lab) -> None:  # type: ignore[no-untyped-def]
    login(page, lab.server, "au.inv")
    page.goto(f"{lab.server.url}/series/{lab.server.series['full']}")
    page.click("text=Edit identification status")
    page.select_option("select[name=offender_status]", "convicted")
    page.fill("input[name=note]", "sentenced on 3 December")
    page.click("form[action$='/edit'] button[type=submit]")
    history = page.locator("#series-history")
    expect(history).to_contain_text("offender: unknown → convicted")
    expect(history).to_contain_text("sentenced on 3 December")
    page.click("#timeline-view summary")
    steps = page.locator("#series-timeline li")
    expect(steps.first).to_contain_text("Series created by")
    expect(page.locator("#series-timeline li.event-status")).to_contain_text(
        "offender: unknown → convicted (sentenced on 3 December)")
    page.fill("#post-form textarea[name=text]", "@NL the same wallpaper is in your case?")
    page.click("#post-form button[type=submit]")
    expect(page.locator("#series-thread")).to_contain_text("the same wallpaper")
    page.click("nav >> text=Statistics")
    au = page.locator("#stats-table tr", has_text="AU").first
    assert au.locator("td").nth(5).inner_text() == "1"  # offenders convicted
    bars = page.evaluate("""() => { const c = window.tesseraCharts['chart-groups'].data;
        return {labels: c.labels, sets: c.datasets.map(d => [d.label, d.data])}; }""")
    convicted = dict(bars["sets"])["offenders convicted"]
    assert convicted[bars["labels"].index("AU")] == 1  # the chart draws the table's numbers
    page.screenshot(path=str(lab.case.parent / "stats.png"), full_page=True)
    page.select_option("select[name=by]", "country")
    page.click("#stats-filter button")
    expect(page.locator("#stats-table th").first).to_have_text("country")
    with page.expect_download() as sheet:
        page.click("#stats-csv")
    saved = lab.case.parent / "stats.csv"
    sheet.value.save_as(saved)
    assert saved.read_text().startswith("country,victims_identified")


def test_connections_confirmed_rejected_and_told(page, lab: Lab) -> None:  # type: ignore[no-untyped-def]
    """NL stores copies of two AU pictures in its series Tulip; AU opens its series, sees the
    suggested link and why, confirms it, marks the victim safeguarded; NL is told of both,
    rejects the other suggestion and links Tulip to a third series by hand."""

    _upload(lab, "nl.inv", [(f"{level}.jpg", sorted(lab.server.folders[level].iterdir())[0]
                              .read_bytes()) for level in ("full", "metadata")],
            case="NL-TULIP", series="Tulip", store="true")

    login(page, lab.server, "au.inv")
    page.goto(f"{lab.server.url}/series/{lab.server.series['full']}#connections")
    row = page.locator("#links tr.link-suggested", has_text="held by NL")
    expect(row).to_contain_text("the same material")
    expect(row).to_contain_text("the same file (SHA-256)")
    row.locator("input[name=note]").fill("the same picture, checked side by side")
    row.locator("button[value=confirmed]").click()
    confirmed = page.locator("#links tr.link-confirmed", has_text="held by NL")
    expect(confirmed).to_contain_text("confirmed by user:au.inv")
    expect(confirmed).to_contain_text("the same picture, checked side by side")
    page.click("text=Edit identification status")
    page.select_option("select[name=victim_status]", "safeguarded")
    page.fill("input[name=note]", "the child is safe")
    page.click("form[action$='/edit'] button[type=submit]")
    expect(page.locator("#victim-status")).to_have_text("safeguarded")

    page.context.clear_cookies()
    login(page, lab.server, "nl.inv")
    page.click("nav >> text=Notifications")
    told = page.locator("main")
    expect(told).to_contain_text("confirmed that your series 'Tulip'")
    expect(told).to_contain_text("safeguarded")
    page.click("nav >> text=Series")
    page.click("a:text-is('Tulip')")
    meta = page.locator("#links tr.link-suggested", has_text=SHARING["metadata"])
    meta.locator("button[value=rejected]").click()
    expect(page.locator("#rejected-links")).to_contain_text("rejected by user:nl.inv")
    expect(page.locator("#links tr.link-confirmed")).to_have_count(1)
    page.click("text=Link to another series")
    page.select_option("#link-form select[name=kind]", "same-victim")
    page.fill("#link-form input[name=note]", "the same school uniform")
    page.click("#link-form button[type=submit]")
    expect(page.locator("#links tr.link-confirmed")).to_have_count(2)
    expect(page.locator("#links")).to_contain_text("the same school uniform")

    # the graph around Tulip, drawn by the served library, says what the table says
    graph = page.locator("#connection-graph")
    expect(graph).to_have_attribute("data-edges", "2")  # the rejected link is left out
    labels = page.evaluate("window.tesseraGraph.nodes().map(n => n.data('label')).sort()")
    assert labels == [f"{SHARING['full']} (AU)", "Tulip (NL)"], labels
    page.select_option("#graph-depth", "all")  # the whole group joined by confirmed links
    expect(graph).to_have_attribute("data-edges", "2")
    expect(page.locator("#graph-text")).to_contain_text("(confirmed)")
    expect(page.locator("#graph-text")).to_contain_text("the same victim (confirmed)")
    page.screenshot(path=str(lab.case.parent / "graph.png"))


def test_asking_for_access_and_the_owner_answering(page, lab: Lab) -> None:  # type: ignore[no-untyped-def]
    """NL asks AU for full access to a series it reads, and for access to what its upload
    matched that is known only as "held by AU"; AU's agency admin grants one and refuses the
    other in one click each; NL then sees the pictures (blurred) and both answers."""

    hidden = sorted(lab.server.folders["hash-only"].iterdir())[1]
    job = {"id": _upload(lab, "nl.inv", [(hidden.name, hidden.read_bytes())], case="NL-ASK")}

    login(page, lab.server, "nl.inv")
    page.goto(f"{lab.server.url}/jobs/{job['id']}/report")
    holder = page.locator("#holders form.ask-holder")
    holder.locator("input[name=reason]").fill("our case NL-ASK holds the same picture")
    holder.locator("button").click()
    page.wait_for_url(f"{lab.server.url}/access-requests")
    asked = page.locator("#outgoing tr.request-pending")
    expect(asked).to_contain_text("material held by AU")
    expect(page.locator("#outgoing")).not_to_contain_text(SHARING["hash-only"])
    page.goto(f"{lab.server.url}/series/{lab.server.series['metadata']}")
    page.fill("#ask-form input[name=reason]", "same room as Tulip")
    page.click("#ask-form button[type=submit]")
    expect(page.locator("#access ~ p.request-pending").first).to_contain_text("pending")

    page.context.clear_cookies()
    login(page, lab.server, "au.admin")
    page.click("nav >> text=Notifications")
    expect(page.locator("main")).to_contain_text(
        f"asks for full access to your series '{SHARING['metadata']}'")
    page.click("nav >> text=Access requests")
    meta = page.locator("#incoming tr.request-pending", has_text=SHARING["metadata"])
    expect(meta).to_contain_text("same room as Tulip")
    meta.locator("input[name=note]").fill("go ahead")
    meta.locator("button[value=grant]").click()
    expect(page.locator("#incoming tr.request-granted")).to_contain_text("go ahead")
    page.locator("#incoming tr.request-pending", has_text=SHARING["hash-only"]) \
        .locator("button[value=refuse]").click()
    expect(page.locator("#incoming tr.request-refused")).to_have_count(1)
    page.goto(f"{lab.server.url}/series/{lab.server.series['metadata']}#access")
    expect(page.locator("#grants")).to_contain_text("NL sees full")

    page.context.clear_cookies()
    login(page, lab.server, "nl.inv")
    page.goto(f"{lab.server.url}/series/{lab.server.series['metadata']}")
    expect(page.locator("main")).to_contain_text("Previews are blurred and grey")
    expect(page.locator("#access ~ p.request-granted")).to_contain_text("granted")
    page.click("nav >> text=Notifications")
    told = page.locator("main")
    expect(told).to_contain_text(f"granted your request for full access to series "
                                 f"'{SHARING['metadata']}'")
    expect(told).to_contain_text("refused your request for metadata access to material held "
                                 "by AU")
    expect(told).not_to_contain_text(SHARING["hash-only"])


def test_a_place_on_the_offline_map_linked_to_a_series(page, lab: Lab) -> None:  # type: ignore[no-untyped-def]
    """AU adds the place it worked out (a point ± 500 m, shared metadata), links its series to
    it; NL reads it on the map, drawn from the served country outlines without any tile
    service (every request stays on the server: the page fixture checks)."""
    login(page, lab.server, "au.inv")
    page.click("nav >> text=Places")
    page.fill("#place-form input[name=label]", "Harbour flat")
    page.fill("#place-form input[name=country]", "Australia")
    page.fill("#place-form input[name=region]", "New South Wales")
    page.fill("#place-form input[name=lat]", "-33.8688")
    page.fill("#place-form input[name=lon]", "151.2093")
    page.fill("#place-form input[name=radius_m]", "500")
    page.fill("#place-form textarea[name=clues]", "ferry horn; type I socket")
    page.select_option("#place-form select[name=sharing]", "metadata")
    page.click("#place-form button[type=submit]")
    expect(page.locator("#place-country")).to_have_text("Australia")
    expect(page.locator("#place-point")).to_contain_text("± 500 m")
    svg = page.locator("#places-map")
    expect(svg).to_have_attribute("data-markers", "1")
    assert int(svg.get_attribute("data-countries") or 0) > 150
    expect(page.locator("#places-map path.country.focus")).to_have_count(1)
    page.select_option("#place-link-form select[name=series]", label=f"{SHARING['full']} (AU)")
    page.fill("#place-link-form input[name=note]", "the same red door")
    page.click("#place-link-form button[type=submit]")
    expect(page.locator("#place-links")).to_contain_text(SHARING["full"])
    page.select_option("#graph-depth", "1")  # deeper, the series' other links come in
    expect(page.locator("#connection-graph")).to_have_attribute("data-edges", "1")

    page.context.clear_cookies()
    login(page, lab.server, "nl.viewer")
    page.click("nav >> text=Places")
    expect(page.locator("#places")).to_contain_text("Harbour flat")
    expect(page.locator("#places-map")).to_have_attribute("data-markers", "1")
    page.screenshot(path=str(lab.case.parent / "places.png"))
    page.click("#places a:text-is('Harbour flat')")
    expect(page.locator("#place-clues")).to_have_text("ferry horn; type I socket")
    expect(page.locator("#place-edit")).to_have_count(0)  # NL reads, AU corrects
    expect(page.locator("#entity-post-form")).to_have_count(0)  # a viewer reads the thread

    page.context.clear_cookies()
    login(page, lab.server, "nl.inv")
    page.click("nav >> text=Places")
    page.click("#places a:text-is('Harbour flat')")
    page.fill("#entity-post-form textarea[name=text]", "the same red door in our case NL-7")
    page.click("#entity-post-form button[type=submit]")
    expect(page.locator("#entity-thread")).to_contain_text("the same red door in our case")


def test_a_clue_noted_in_a_picture_leads_to_a_place(page, lab: Lab) -> None:  # type: ignore[no-untyped-def]
    import httpx

    auth = {"authorization": f"Bearer {lab.server.tokens['au.inv']}"}
    made = httpx.post(f"{lab.server.url}/api/places", headers=auth,
                      json={"label": "Bakery street", "country": "AU", "sharing": "metadata"})
    assert made.status_code == 201, made.text
    login(page, lab.server, "au.inv")
    page.goto(f"{lab.server.url}/series/{lab.server.series['full']}")
    page.locator("ul.grid a.small").first.click()
    page.click("text=Note a clue")
    page.select_option("#clue-form select[name=kind]", "logo")
    page.fill("#clue-form textarea[name=note]", "a bakery's logo on the mug")
    for field, value in (("x", "10"), ("y", "20"), ("w", "30"), ("h", "20")):
        page.fill(f"#clue-form input[name={field}]", value)
    page.select_option("#clue-form select[name=sharing]", "metadata")
    page.click("#clue-form button[type=submit]")
    expect(page.locator("#clue-note")).to_have_text("a bakery's logo on the mug")
    expect(page.locator("main")).to_contain_text("region at 10%, 20% (30% × 20%)")
    page.select_option("#clue-link-form select[name=place]", label="Bakery street (AU)")
    page.fill("#clue-link-form input[name=note]", "the bakery is on this street")
    page.click("#clue-link-form button[type=submit]")
    expect(page.locator("#clue-links")).to_contain_text("Bakery street")
    expect(page.locator("#connection-graph")).to_have_attribute("data-edges", "1")
    clue_url = page.url.split("#")[0]

    page.context.clear_cookies()
    login(page, lab.server, "nl.inv")
    page.goto(clue_url)
    expect(page.locator("#clue-note")).to_have_text("a bakery's logo on the mug")
    page.fill("#entity-post-form textarea[name=text]", "that bakery has a branch in Utrecht")
    page.click("#entity-post-form button[type=submit]")
    expect(page.locator("#entity-thread")).to_contain_text("a branch in Utrecht")


def test_a_camera_page_from_a_file_it_made(page, lab: Lab) -> None:  # type: ignore[no-untyped-def]

    from tessera.synthetic import jpeg, picture

    shot = jpeg(picture(777), camera=("Fujifilm", "X-T30", "7AB01234"))
    _upload(lab, "au.inv", [("dscf0001.jpg", shot)], case="AU-CAM", series="Cameras",
            store="true")
    login(page, lab.server, "au.inv")
    page.click("nav >> text=Series")
    page.click("a:text-is('Cameras')")
    page.locator("ul.grid a.small").first.click()
    page.click("#media-camera")
    expect(page.locator("#device-serial")).to_have_text("7AB01234")
    expect(page.locator("#device-series")).to_contain_text("Cameras")
