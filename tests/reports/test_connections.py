""""What does this upload connect?": a de-confliction names the series its files reach by the
same camera (EXIF serial of a picture in ../shared/data) and the same place (GPS of
images/street_garden.jpg), beside its copies, in JSON, CSV and HTML, redacted as matches are."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from PIL import Image

from tessera.context import Context
from tessera.pipeline.deconflict import match_source
from tessera.reports.build import build_report
from tessera.reports.renderers import RENDERERS
from tessera.service import seizures
from tests.conftest import write_pictures
from tests.service.test_links import _gps, _principal, _with_exif


def test_an_upload_is_told_what_it_connects_to(sqlite_ctx: Context, tmp_path: Path,
                                               shared_data: Path) -> None:
    ctx = sqlite_ctx
    known = tmp_path / "known"
    pictures = write_pictures(known, [21, 22])
    shutil.copy(shared_data / "faces/obama/obama.jpg", known / "camera.jpg")
    shutil.copy(shared_data / "images/street_garden.jpg", known / "street.jpg")
    seizures.ingest(ctx, _principal(ctx, "AU"), known, "AU-9", "Harbour")
    seized = tmp_path / "seized"
    seized.mkdir()
    shutil.copy(pictures[0], seized / "copy.jpg")
    _with_exif(seized / "camera_too.jpg", 601,
               Image.open(shared_data / "faces/obama/obama.jpg").getexif())
    _with_exif(seized / "corner.jpg", 602, _gps((26.0, 7.0, 18.0), (80.0, 9.0, 53.0)))
    write_pictures(seized, [603])

    matched = match_source(ctx, seized, thumbnails=False)
    de = _principal(ctx, "DE")
    for viewer, name in ((None, "Harbour"), (de, None)):
        report = build_report(ctx.db, "DE", str(seized), ctx.thresholds(), matched.results,
                              matched.exact, matched.near, viewer=viewer)
        data = json.loads(RENDERERS.get("json").render(report))
        files = {Path(f["path"]).name: f for f in data["files"]}
        (device,) = files["camera_too.jpg"]["connections"]
        assert device["kind"] == "same-device" and "serial 042033006980" in device["fact"]
        (place,) = files["corner.jpg"]["connections"]
        assert place["kind"] == "same-place" and "m apart" in place["fact"]
        assert files["copy.jpg"]["connections"] == []  # a copy is told as a match
        assert files["img_00603.jpg"]["connections"] == []
        assert files["camera_too.jpg"]["status"] == "new"  # a lead never makes a file known
        (summary,) = data["summary"]["connections"]
        assert summary["name"] == name and summary["agency"] == "AU"
        assert summary["kinds"] == {"same-device": 1, "same-place": 1, "same-series": 1}
        if viewer is not None:  # hash-only to DE: who holds it, never which media
            assert device["media_id"] is None and place["media_id"] is None
            assert "Harbour" not in json.dumps(data)
        else:
            assert device["media_id"] is not None
        lines = " | ".join(data["summary"]["lines"])
        assert "1 file connects to" in lines and "by the same camera" in lines
    rows = list(csv.DictReader(io.StringIO(RENDERERS.get("csv").render(report).decode())))
    kinds = {(Path(r["path"]).name, r["match_kind"]) for r in rows}
    assert {("camera_too.jpg", "same-device"), ("corner.jpg", "same-place")} <= kinds
    html = RENDERERS.get("html").render(report).decode()
    assert "What this upload connects" in html and "the same camera: 1 file" in html


def test_an_upload_is_told_the_place_its_files_were_made_in(sqlite_ctx: Context,
                                                            tmp_path: Path) -> None:
    """AU worked out a street (± 60 m, shared hash-only); a seized photo made at its
    point is told as made inside it: by name to AU's view, as "a place held by AU" to DE."""
    from tessera.service import places

    ctx = sqlite_ctx
    with ctx.db.session() as s:
        places.create_place(s, _principal(ctx, "AU"), "Garden street", lat=26.121667,
                            lon=-80.164722, radius_m=60, sharing="hash-only")
    seized = tmp_path / "seized"
    _with_exif(seized / "corner.jpg", 602, _gps((26.0, 7.0, 18.0), (80.0, 9.0, 53.0)))
    write_pictures(seized, [604])
    matched = match_source(ctx, seized, thumbnails=False)
    for viewer, named in ((None, "place 'Garden street' (AU)"),
                          (_principal(ctx, "DE"), "a place held by AU")):
        report = build_report(ctx.db, "DE", str(seized), ctx.thresholds(), matched.results,
                              matched.exact, matched.near, viewer=viewer)
        data = json.loads(RENDERERS.get("json").render(report))
        files = {Path(f["path"]).name: f for f in data["files"]}
        (lead,) = files["corner.jpg"]["connections"]
        assert lead["kind"] == "same-place" and lead["source"] == "gps"
        assert lead["place"]["agency"] == "AU" and "± 60 m" in lead["fact"]
        assert lead["media_id"] is None and files["img_00604.jpg"]["connections"] == []
        assert f"1 file was made inside {named}" in data["summary"]["lines"]
        html = RENDERERS.get("html").render(report).decode()
        assert named.replace("'", "&#39;") in html or named in html
        if viewer is not None:
            assert lead["place"]["name"] is None and "Garden street" not in json.dumps(data)
            assert "Garden street" not in html
            rows = RENDERERS.get("csv").render(report).decode()
            assert "a place held by AU" in rows and "Garden street" not in rows
