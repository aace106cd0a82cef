import zipfile
from dataclasses import replace
from pathlib import Path

from sqlalchemy import func, select

from tessera.context import Context
from tessera.pipeline.ingest import ingest
from tessera.pipeline.verify import verify_evidence
from tessera.store.tables import JobItem, Media, MediaSeries, Signal, Submission
from tests.conftest import write_pictures


def _count(ctx: Context, model: type) -> int:
    with ctx.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _seizure(root: Path, shared: Path) -> Path:
    write_pictures(root / "photos", range(5))
    (root / "bad").mkdir()
    (root / "bad" / "empty.jpg").write_bytes(b"")
    (root / "bad" / "readme.jpg").write_text("not a picture")
    (root / "bad" / "truncated.jpg").write_bytes((shared / "corrupt" / "truncated.jpg")
                                                 .read_bytes())
    video = next((shared / "videos").glob("*.mp4"))
    (root / "clip.mp4").write_bytes(video.read_bytes())
    with zipfile.ZipFile(root / "chat.zip", "w") as zf:
        zf.write(root / "photos" / "img_00001.jpg", "dup_of_1.jpg")
        zf.writestr("../../outside.jpg", (root / "photos" / "img_00002.jpg").read_bytes())
    return root


def test_ingest_stores_every_good_file_once_and_reports_bad_ones(ctx: Context, tmp_path: Path,
                                                                 shared_data: Path) -> None:
    source = _seizure(tmp_path / "case", shared_data)
    summary = ingest(ctx, source, "AU", "OP-1", "Series Ocean")
    assert summary.files == 11
    assert {code for _, code, _ in summary.errors} == {"empty", "not_media", "corrupt"}
    # 5 photos + the video; the two zip members are copies of photos 1 and 2
    assert summary.new_media == 6 and summary.known_media == 2
    assert _count(ctx, Media) == 6
    assert _count(ctx, Submission) == 8
    assert _count(ctx, MediaSeries) == 6
    with ctx.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Signal)
                        .where(Signal.type == "pdq")) == 5
        video = s.scalar(select(Media).where(Media.kind == "video"))
        assert video is not None and video.mime == "video/mp4"
        errors = s.scalars(select(JobItem).where(JobItem.state == "error")).all()
        assert {e.error_code for e in errors} == {"empty", "not_media", "corrupt"}
    # the originals are kept bit for bit, encrypted
    original = (source / "photos" / "img_00003.jpg").read_bytes()
    from tessera.signals.cryptographic import digest_bytes

    assert ctx.blobs().get(digest_bytes(original).sha256) == original
    assert verify_evidence(ctx).ok
    with ctx.db.session() as s:
        frames = s.scalar(select(func.count()).select_from(Signal)
                          .where(Signal.type == "vpdq", Signal.media_id == video.id))
    assert frames > 0  # the video's frame hashes share the PDQ index with the stills
    assert len(ctx.index("pdq").index) == 5 + frames


def test_reingest_adds_submissions_never_duplicate_media(ctx: Context, tmp_path: Path) -> None:
    source = tmp_path / "case"
    write_pictures(source, range(4))
    first = ingest(ctx, source, "AU", "OP-1")
    second = ingest(ctx, source, "AU", "OP-1")
    assert first.job_id != second.job_id and not second.resumed
    assert second.new_media == 0 and second.known_media == 4
    assert _count(ctx, Media) == 4 and _count(ctx, Submission) == 8
    ingest(ctx, source, "NL", "NL-7")  # another agency holds the same files
    assert _count(ctx, Media) == 4 and _count(ctx, Submission) == 12


def test_parallel_ingest_equals_serial(ctx: Context, tmp_path: Path) -> None:
    source = tmp_path / "case"
    write_pictures(source, range(12), size=(320, 240))
    ctx.settings = replace(ctx.settings, workers=2)
    summary = ingest(ctx, source, "AU")
    assert summary.new_media == 12 and not summary.errors
    with ctx.db.session() as s:
        hashes = {m.sha256 for m in s.scalars(select(Media))}
    from tessera.signals.cryptographic import digest_bytes

    assert hashes == {digest_bytes(p.read_bytes()).sha256 for p in source.iterdir()}


def test_tampered_evidence_is_found_by_verify(ctx: Context, tmp_path: Path) -> None:
    source = tmp_path / "case"
    (path,) = write_pictures(source, [1])
    ingest(ctx, source, "AU")
    from tessera.signals.cryptographic import digest_bytes

    blob = ctx.blobs().path_for(digest_bytes(path.read_bytes()).sha256)
    raw = bytearray(blob.read_bytes())
    raw[-5] ^= 0xFF
    blob.write_bytes(bytes(raw))
    report = verify_evidence(ctx)
    assert report.checked == 1 and len(report.problems) == 1
