"""Video and soundtrack matching end to end: ingest a video and a still, then de-conflict
re-encodes, trims, a compilation, a pillarboxed copy, a still, a re-dubbed video and an
unrelated one, and read what the report says (through the index, on SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tessera.context import Context
from tessera.pipeline.deconflict import deconflict
from tessera.pipeline.ingest import ingest
from tessera.pipeline.verify import verify_evidence
from tessera.reports.renderers import RENDERERS
from tessera.synthetic import Shot, jpeg, timeline_frame, tone_track, write_video

ORIGINAL = [Shot(11, 4), Shot(12, 4), Shot(13, 4), Shot(14, 4), Shot(15, 4), Shot(16, 4)]
TRACK = tone_track(24, 7)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("video")
    known, query = root / "known", root / "query"
    known.mkdir()
    query.mkdir()
    write_video(known / "original.mp4", ORIGINAL, audio=TRACK)
    (known / "frame_at_6s.jpg").write_bytes(jpeg(timeline_frame(ORIGINAL, 6.0, (640, 360))))
    write_video(query / "reencoded.mp4", ORIGINAL, size=(320, 180), bitrate=150_000, fps=10)
    write_video(query / "clip.mp4", ORIGINAL, start=8, end=16)
    compilation = [Shot(90, 4), Shot(12, 4), Shot(13, 4), Shot(91, 4)]
    write_video(query / "compilation.mkv", compilation)
    write_video(query / "pillarboxed.mp4", ORIGINAL, size=(480, 360), pillarbox=40)
    write_video(query / "mirrored.mp4", ORIGINAL, start=4, end=20, mirror=True)
    (query / "still_at_10s.jpg").write_bytes(jpeg(timeline_frame(ORIGINAL, 10.0, (640, 360))))
    write_video(query / "redubbed.mp4", [Shot(50, 6), Shot(51, 6)],
                audio=TRACK[4 * 16_000:])
    write_video(query / "unrelated.mp4", [Shot(60, 5), Shot(61, 5)])
    return {"known": known, "query": query}


def _hits(report: dict, name: str, kind: str) -> list[dict]:
    entry = next(f for f in report["files"] if f["path"].endswith(name))
    return [m for m in entry["matches"] if m["kind"] == kind]


def test_video_matches_in_the_report(ctx: Context, media: dict[str, Path]) -> None:
    ingest(ctx, media["known"], "AU", "OP-V", "Series Video")
    with ctx.db.session() as s:
        from tessera.store import repos

        original = next(m for m in repos.series_media(s, repos.get_series(s, "Series Video").id)
                        if m.kind == "video")
        still_id = next(m.id for m in repos.series_media(
            s, repos.get_series(s, "Series Video").id) if m.kind == "image")
        assert original.meta["duration"] == pytest.approx(24, abs=0.2)
        assert len(repos.derivatives_of(s, original.id, "keyframe")) >= 6  # one per shot
        assert len(repos.derivatives_of(s, original.id, "contact_sheet")) == 1
        sheet = repos.derivatives_of(s, original.id, "contact_sheet")[0].sha256
    checked = verify_evidence(ctx)
    assert checked.ok and checked.checked >= 2 + 7  # 2 originals, 6+ keyframes, 1 sheet
    stored = ctx.blobs().path_for(sheet)
    stored.chmod(0o600)
    stored.write_bytes(b"tampered")
    assert [p.split(":")[0] for _, _, p in verify_evidence(ctx).problems] == ["contact_sheet"]
    rendered = deconflict(ctx, media["query"], "NL")
    report = rendered.to_dict()

    (reencoded,) = _hits(report, "reencoded.mp4", "video")
    assert reencoded["media_id"] == original.id and reencoded["series"] == "Series Video"
    assert reencoded["query_coverage"] >= 0.9 and reencoded["match_coverage"] >= 0.9
    (frame,) = _hits(report, "reencoded.mp4", "frame-of-still")
    assert frame["media_id"] == still_id
    assert any(abs(t - 6) <= 1.5 for t in frame["query_times"])

    (clip,) = _hits(report, "clip.mp4", "video")
    (segment,) = clip["segments"]
    assert segment["query_start"] == pytest.approx(0, abs=1.5)
    assert segment["query_end"] == pytest.approx(8, abs=1.5)
    assert segment["match_start"] == pytest.approx(8, abs=1.5)
    assert segment["match_end"] == pytest.approx(16, abs=1.5)
    assert clip["query_coverage"] >= 0.8 and 0.2 <= clip["match_coverage"] <= 0.45
    assert "0:08" in clip["where"] or "0:07" in clip["where"] or "0:09" in clip["where"]

    (comp,) = _hits(report, "compilation.mkv", "video")
    assert len(comp["segments"]) == 1
    seg = comp["segments"][0]
    assert seg["query_start"] == pytest.approx(4, abs=1.5)
    assert seg["match_start"] - seg["query_start"] == pytest.approx(0, abs=1.5)
    assert 0.2 <= comp["query_coverage"] <= 0.7

    (boxed,) = _hits(report, "pillarboxed.mp4", "video")
    assert boxed["query_region"] == "trimmed" and boxed["query_coverage"] >= 0.8

    (flipped,) = _hits(report, "mirrored.mp4", "video")
    assert flipped["transform"] == "flip_horizontal" and flipped["query_coverage"] >= 0.8

    (still,) = _hits(report, "still_at_10s.jpg", "still-in-video")
    assert still["media_id"] == original.id
    assert any(abs(t - 10) <= 1.5 for t in still["match_times"])

    (dub,) = _hits(report, "redubbed.mp4", "audio")
    assert dub["media_id"] == original.id
    assert dub["offset"] == pytest.approx(4, abs=0.3)
    assert not _hits(report, "redubbed.mp4", "video")  # different pictures

    unrelated = next(f for f in report["files"] if f["path"].endswith("unrelated.mp4"))
    assert unrelated["status"] == "new" and unrelated["kind"] == "video"

    html = RENDERERS.get("html").render(rendered).decode()
    assert "here = " in html and "of the known one" in html and "same soundtrack" in html
    csv_text = RENDERERS.get("csv").render(rendered).decode()
    assert "appears in the video at" in csv_text and "this video shows it at" in csv_text
