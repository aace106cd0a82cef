"""Uploads become jobs: progress, per-file errors for hostile input, redacted reports,
notifications to the owner, cancellation, and finished work surviving a restart."""

from __future__ import annotations

import io
import json
import zipfile

from tessera.synthetic import jpeg, picture
from tests.api.conftest import SHARING, World


def _hostile_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("../../escape.jpg", jpeg(picture(901)))
        zf.writestr("bomb.bin", b"\0" * (40 * 1024 * 1024))  # ratio ~1000: refused, not read
    return buf.getvalue()


def test_upload_reports_redacted_and_owner_notified(world: World) -> None:
    c = world.client
    files = [("files", (f"{level}/{p.name}", p.read_bytes(), "image/jpeg"))
             for level in SHARING for p in sorted(world.folders[level].iterdir())[:2]]
    files += [("files", ("new.jpg", jpeg(picture(777)), "image/jpeg")),
              ("files", ("broken.jpg", jpeg(picture(778))[:900], "image/jpeg")),
              ("files", ("empty.jpg", b"", "image/jpeg")),
              ("files", ("../../../etc/passwd", b"not a picture", "text/plain")),
              ("files", ("seized.zip", _hostile_zip(), "application/zip"))]
    r = c.post("/api/jobs", headers=world.as_("nl.inv"), files=files,
               data={"case": "NL-2026-7", "store": "false"})
    assert r.status_code == 202, r.text
    job = world.wait("nl.inv", r.json()["id"])
    assert job["state"] == "done" and job["done"] == job["total"] == 12
    assert job["counts"] == {"exact": 6, "near": 0, "new": 2, "error": 4, "total": 12}

    # the owner may not read the uploader's job; the uploader reads a redacted report
    assert c.get(f"/api/jobs/{job['id']}", headers=world.as_("au.inv")).status_code == 404
    report = c.get(f"/api/jobs/{job['id']}/report", headers=world.as_("nl.viewer")).json()
    text = json.dumps(report)
    assert SHARING["hash-only"] not in text and "OP-AU-1" not in text
    assert SHARING["metadata"] in text and SHARING["full"] in text
    by_path = {f["path"]: f for f in report["files"]}
    hidden = by_path[f"hash-only/{sorted(world.folders['hash-only'].iterdir())[0].name}"]
    assert hidden["matches"][0]["media_id"] is None
    assert hidden["matches"][0]["all_series"][0]["contact"] == "vid@afp.example"
    errors = {f["path"]: f["error_code"] for f in report["files"] if f["status"] == "error"}
    assert errors["broken.jpg"] == "corrupt" and errors["empty.jpg"] == "empty"
    assert errors["etc/passwd"] == "not_media"  # the name was neutralised, the file kept
    assert any(code == "decompression_bomb" for code in errors.values())
    assert any("escape.jpg" in p for p in by_path)
    assert "/tmp" not in text and str(world.settings.home) not in text
    for fmt in ("csv", "html"):
        rendered = c.get(f"/api/jobs/{job['id']}/report", params={"format": fmt},
                         headers=world.as_("nl.viewer"))
        assert rendered.status_code == 200 and SHARING["hash-only"] not in rendered.text

    # the owner learns who uploaded what, per series, including the hash-only one
    notes = c.get("/api/notifications", headers=world.as_("au.viewer")).json()
    mine = [n for n in notes if n["case"] == "NL-2026-7"]
    assert len(mine) == 3 and all(n["from_agency"] == "NL" for n in mine)
    assert any(SHARING["hash-only"] in n["message"] for n in mine)
    assert c.get("/api/notifications", headers=world.as_("nl.inv")).json() == [] or all(
        n["case"] != "NL-2026-7" for n in c.get("/api/notifications",
                                                 headers=world.as_("nl.inv")).json())
    assert c.post(f"/api/notifications/{mine[0]['id']}/read",
                  headers=world.as_("nl.inv")).status_code == 404
    assert c.post(f"/api/notifications/{mine[0]['id']}/read",
                  headers=world.as_("au.inv")).status_code == 200
    nl_unread = len(c.get("/api/notifications", params={"unread": True},
                          headers=world.as_("nl.inv")).json())
    assert c.post("/api/notifications/read-all", headers=world.as_("au.viewer")).json()[
        "read"] == 2
    assert c.get("/api/notifications", params={"unread": True},
                 headers=world.as_("au.inv")).json() == []
    assert len(c.get("/api/notifications", params={"unread": True},
                     headers=world.as_("nl.inv")).json()) == nl_unread  # only one's own
    # nothing was stored: the new picture is still unknown
    again = c.post("/api/search", headers=world.as_("nl.inv"),
                   files={"file": ("new.jpg", jpeg(picture(777)), "image/jpeg")}).json()
    assert again["file"]["status"] == "new"


def test_store_upload_then_known_and_audited(world: World) -> None:
    c = world.client
    files = [("files", (f"s/{i}.jpg", jpeg(picture(500 + i)), "image/jpeg")) for i in range(3)]
    r = c.post("/api/jobs", headers=world.as_("nl.inv"), files=files,
               data={"case": "NL-2026-8", "series": "Nordic Night", "store": "true"})
    job = world.wait("nl.inv", r.json()["id"])
    assert job["state"] == "done" and job["counts"]["new"] == 3
    series = {x["name"]: x for x in c.get("/api/series", headers=world.as_("nl.inv")).json()}
    assert series["Nordic Night"]["media_count"] == 3 and series["Nordic Night"]["own"]
    assert series["Nordic Night"]["sharing"] == "hash-only"  # NL's default
    found = c.post("/api/search", headers=world.as_("au.inv"),
                   files={"file": ("q.jpg", jpeg(picture(501)), "image/jpeg")}).json()
    assert found["file"]["status"] == "exact" and found["file"]["matches"][0]["media_id"] is None
    events = c.get("/api/audit", headers=world.as_("root"),
                   params={"actor": "user:nl.inv", "limit": 1000}).json()
    actions = {e["action"] for e in events}
    assert {"upload", "deconflict", "ingest.start", "ingest.finish", "job.done"} <= actions


def test_cancel_a_queued_job_and_errors_are_json(world: World) -> None:
    c = world.client
    files = [("files", (f"{i}.jpg", jpeg(picture(600 + i)), "image/jpeg")) for i in range(40)]
    job = c.post("/api/jobs", headers=world.as_("nl.inv"), files=files).json()
    assert c.post(f"/api/jobs/{job['id']}/cancel",
                  headers=world.as_("nl.viewer")).status_code == 403
    cancelled = c.post(f"/api/jobs/{job['id']}/cancel", headers=world.as_("nl.inv")).json()
    assert cancelled["cancel_requested"]
    final = world.wait("nl.inv", job["id"])
    assert final["state"] in ("cancelled", "done")  # it may have finished first on a fast box
    missing = c.get("/api/jobs/999999", headers=world.as_("nl.inv"))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    empty = c.post("/api/jobs", headers=world.as_("nl.inv"), data={"case": "x"})
    assert empty.status_code == 400 and "no files" in empty.json()["error"]["message"]


def test_search_sees_what_a_cli_ingest_beside_the_server_stored(
        world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tessera.context import Context
    from tessera.pipeline.ingest import ingest
    from tests.conftest import write_pictures

    def search() -> str:
        return world.client.post("/api/search", headers=world.as_("nl.inv"), files={
            "file": ("q.jpg", jpeg(picture(4242), 70), "image/jpeg")}).json()["file"]["status"]

    assert search() == "new"  # the server's index is loaded now
    folder = tmp_path / "beside"
    write_pictures(folder, [4242])
    ctx = Context.open(world.settings)  # another process's view of the same data
    ctx.actor = "cli:test"
    ingest(ctx, folder, "NL", case_ref="NL-CLI")
    ctx.close()
    assert search() == "near"


def test_search_with_bad_input_gives_a_per_file_error(world: World) -> None:
    def search(name: str, data: bytes) -> dict:
        r = world.client.post("/api/search", headers=world.as_("nl.inv"),
                              files={"file": (name, data, "image/jpeg")})
        assert r.status_code == 200, r.text
        return r.json()["file"]

    assert search("cut.jpg", jpeg(picture(31))[:700])["error_code"] == "corrupt"
    assert search("empty.jpg", b"")["error_code"] == "empty"
    notes = search("notes.jpg", b"just some text\n" * 10)
    assert notes["status"] == "error" and notes["error_code"] == "not_media"
    missing = world.client.post("/api/search", headers=world.as_("nl.inv"), data={"x": "1"})
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "invalid"


def test_another_agencys_series_cannot_be_joined_by_name(world: World) -> None:
    """The attack: upload with series=<AU's hash-only series> and store=true."""
    c = world.client
    target = SHARING["hash-only"]
    before = c.get(f"/api/series/{world.series['hash-only']}",
                   headers=world.as_("au.inv")).json()["media_count"]
    files = [("files", (f"x/{i}.jpg", jpeg(picture(950 + i)), "image/jpeg")) for i in range(2)]
    r = c.post("/api/jobs", headers=world.as_("nl.inv"), files=files,
               data={"case": "NL-2026-9", "series": target, "store": "true"})
    job = world.wait("nl.inv", r.json()["id"])
    assert job["state"] == "done", job
    owned = c.get(f"/api/series/{world.series['hash-only']}", headers=world.as_("au.inv")).json()
    assert owned["media_count"] == before  # AU's series did not grow
    mine = [x for x in c.get("/api/series", headers=world.as_("nl.inv")).json()
            if x["name"] == target]
    assert len(mine) == 1 and mine[0]["owner"] == "NL" and mine[0]["media_count"] == 2
    report = c.get(f"/api/jobs/{job['id']}/report", headers=world.as_("nl.inv")).json()
    assert "AU" not in {m["agency"] for f in report["files"] for m in f["matches"]}
    assert job["counts"]["new"] == 2


def test_sealed_uploads_are_read_in_place_videos_and_zips_too(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tessera.synthetic import Shot, tone_track, write_video

    clip = write_video(tmp_path / "clip.mp4", [Shot(31, 3)], audio=tone_track(3, 4))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("inner/pic.jpg", jpeg(picture(981)))
    r = world.client.post("/api/jobs", headers=world.as_("nl.inv"), files=[
        ("files", ("v/clip.mp4", clip.read_bytes(), "video/mp4")),
        ("files", ("z/pics.zip", archive.getvalue(), "application/zip"))])
    job = world.wait("nl.inv", r.json()["id"])
    assert job["state"] == "done" and job["counts"]["error"] == 0, job
    report = world.client.get(f"/api/jobs/{job['id']}/report",
                              headers=world.as_("nl.inv")).json()
    kinds = {f["path"]: (f["kind"], f["status"]) for f in report["files"]}
    assert kinds == {"v/clip.mp4": ("video", "new"),
                     "z/pics.zip!/inner/pic.jpg": ("image", "new")}, kinds


def test_progress_moves_while_a_job_runs(world: World) -> None:
    """A real seizure said "0 of N files" for the whole run, then jumped to N of N."""
    import time

    files = [("files", (f"p/{i}.jpg", jpeg(picture(2000 + i)), "image/jpeg"))
             for i in range(80)]
    job = world.client.post("/api/jobs", headers=world.as_("nl.inv"), files=files).json()
    seen = []
    end = time.monotonic() + 120
    while time.monotonic() < end:
        row = world.client.get(f"/api/jobs/{job['id']}", headers=world.as_("nl.inv")).json()
        seen.append(row)
        if row["state"] not in ("queued", "running"):
            break
        time.sleep(0.1)
    middle = [r for r in seen if r["state"] == "running" and 0 < r["done"] < 80]
    assert middle, [(r["state"], r["done"]) for r in seen]
    assert {r["stage"] for r in middle} == {"analysing"}
    assert all(r["rate"] > 0 and r["eta_seconds"] is not None for r in middle)
    assert seen[-1]["state"] == "done" and seen[-1]["done"] == 80
