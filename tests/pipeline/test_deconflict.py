import io
import shutil
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from tessera.access.policy import Principal
from tessera.context import Context
from tessera.pipeline.deconflict import IngestRequest, deconflict
from tessera.pipeline.ingest import ingest
from tessera.service import views
from tessera.store.tables import Media
from tessera.synthetic import TRANSFORMS, jpeg, picture
from tests.conftest import write_pictures


@pytest.fixture
def known(ctx: Context, tmp_path: Path) -> Context:
    write_pictures(tmp_path / "ocean", range(0, 8))
    write_pictures(tmp_path / "forest", range(100, 108))
    ingest(ctx, tmp_path / "ocean", "AU", "OP-AU", "Series Ocean")
    ingest(ctx, tmp_path / "forest", "NL", "OP-NL", "Series Forest")
    operator = Principal.local_operator("test")
    with ctx.db.session() as s:
        series = views.series_named(s, operator, "Series Ocean")
        views.edit_series(s, operator, series.id, victim="identified")
    return ctx


def _by_name(report) -> dict:  # type: ignore[no-untyped-def]
    return {Path(f.path.split("!/")[-1]).name: f for f in report.files}


def test_statuses_matches_and_summary(known: Context, tmp_path: Path) -> None:
    seizure = tmp_path / "seizure"
    seizure.mkdir()
    shutil.copy(tmp_path / "ocean" / "img_00001.jpg", seizure / "exact.jpg")
    for i, (name, fn) in enumerate(TRANSFORMS.items()):
        (seizure / f"near_{name}.jpg").write_bytes(jpeg(fn(picture(100 + i)), 85))
    write_pictures(seizure / "new", range(500, 503))
    (seizure / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    report = deconflict(known, seizure, "DE")
    files = _by_name(report)
    assert report.counts == {"exact": 1, "near": len(TRANSFORMS), "new": 3, "error": 1,
                             "total": 5 + len(TRANSFORMS)}
    exact = files["exact.jpg"]
    assert exact.status == "exact" and exact.sha256
    (m,) = exact.matches
    first = m.to_dict()
    assert (first["kind"], first["series"], first["agency"], first["country"],
            first["victim_status"]) == ("exact", "Series Ocean", "AU", "AU", "identified")
    rotated = files["near_rotated90.jpg"].matches[0]
    assert rotated.kind == "pdq" and rotated.transform != "original" and rotated.distance <= 31
    assert files["near_mirrored.jpg"].matches[0].transform == "flip_horizontal"
    assert files["near_letterboxed.jpg"].matches[0].query_region == "trimmed"
    assert all(f.matches[0].series[0].name == "Series Forest"
               for n, f in files.items() if n.startswith("near_"))
    assert files["broken.jpg"].status == "error" and files["broken.jpg"].error_code == "corrupt"
    assert any("'Series Forest' (NL, victim not identified)" in line for line in report.lines)
    assert any("'Series Ocean' (AU, victim identified)" in line for line in report.lines)
    with known.db.session() as s:  # read-only unless asked
        assert s.scalar(select(func.count()).select_from(Media)) == 16


def test_letterboxed_shared_photo_matches_its_original(ctx: Context, tmp_path: Path,
                                                       shared_data: Path) -> None:
    (tmp_path / "known").mkdir()
    shutil.copy(shared_data / "pdq-reference" / "bridge-mods" / "aaa-orig.jpg",
                tmp_path / "known")
    ingest(ctx, tmp_path / "known", "AU", series_name="Bridge")
    report = deconflict(ctx, shared_data / "images" / "bridge_letterboxed.jpg", "DE")
    (f,) = report.files
    assert f.status == "near" and f.matches[0].distance <= 10
    assert f.matches[0].query_region == "trimmed"


def test_stored_letterboxed_copy_is_found_from_the_original(ctx: Context, tmp_path: Path,
                                                            shared_data: Path) -> None:
    (tmp_path / "known").mkdir()
    shutil.copy(shared_data / "images" / "bridge_letterboxed.jpg", tmp_path / "known")
    ingest(ctx, tmp_path / "known", "AU")
    report = deconflict(ctx, shared_data / "pdq-reference" / "bridge-mods" / "aaa-orig.jpg",
                        "DE")
    assert report.files[0].status == "near"
    assert report.files[0].matches[0].match_region == "trimmed"


def test_low_quality_hashes_are_kept_but_never_matched(sqlite_ctx: Context,
                                                       tmp_path: Path) -> None:
    flat = Image.new("RGB", (300, 300), (128, 128, 128))
    out = io.BytesIO()
    flat.save(out, format="PNG")
    (tmp_path / "known").mkdir()
    (tmp_path / "known" / "flat.png").write_bytes(out.getvalue())
    ingest(sqlite_ctx, tmp_path / "known", "AU")
    with sqlite_ctx.db.session() as s:
        media = s.scalar(select(Media))
        assert media is not None and media.signals[0].quality is not None
        assert media.signals[0].quality < 50  # stored all the same
    flat2 = Image.new("RGB", (300, 300), (130, 128, 128))
    out2 = io.BytesIO()
    flat2.save(out2, format="PNG")
    (tmp_path / "q.png").write_bytes(out2.getvalue())
    report = deconflict(sqlite_ctx, tmp_path / "q.png", "DE")
    assert report.files[0].status == "new"


def test_deconflict_with_ingest_stores_after_matching(ctx: Context, tmp_path: Path) -> None:
    seizure = tmp_path / "seizure"
    write_pictures(seizure, range(10, 13))
    report = deconflict(ctx, seizure, "DE", ingest=IngestRequest("DE-9", "Series DE"))
    assert report.counts["new"] == 3  # did not match itself
    again = deconflict(ctx, seizure, "NL")
    assert again.counts["exact"] == 3
    assert again.files[0].matches[0].series[0].name == "Series DE"
