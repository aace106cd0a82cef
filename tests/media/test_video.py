"""Reading video and audio: metadata, limits and damaged files give a clear per-file outcome."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tessera.config import Limits
from tessera.core.types import MediaKind
from tessera.media.sources import Item
from tessera.media.video import parse_iso6709
from tessera.pipeline.analyze import AnalyzeOptions, analyze_item
from tessera.synthetic import Shot, tone_track, write_video


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_video(tmp_path_factory.mktemp("v") / "clip.mp4", [Shot(1, 3), Shot(2, 3)],
                       audio=tone_track(6, 1))


def _analyze(path: Path, limits: Limits | None = None, name: str | None = None):  # type: ignore[no-untyped-def]
    return analyze_item(Item(name or str(path), str(path), size=path.stat().st_size),
                        AnalyzeOptions(limits or Limits(), thumbnails=True), None)


def test_metadata_signals_and_contact_sheet(clip: Path) -> None:
    r = _analyze(clip)
    assert r.ok and r.info.kind is MediaKind.VIDEO and r.info.mime == "video/mp4"
    meta = r.info.metadata
    assert meta["duration"] == pytest.approx(6, abs=0.2) and meta["video_codec"] == "h264"
    assert meta["audio_codec"] == "aac" and meta["frame_rate"] == pytest.approx(15)
    frames = [s for s in r.info.signals if s.type == "vpdq"]
    assert 2 <= len(frames) <= 6 and all(s.start is not None and s.span for s in frames)
    assert sum(s.span for s in frames) == pytest.approx(6, abs=0.3)  # pruned frames' time kept
    assert [s.type for s in r.info.signals].count("chromaprint") == 1
    assert r.thumbnail and r.thumbnail[:2] == b"\xff\xd8"  # the contact sheet, as JPEG


def test_truncated_video_keeps_what_decodes(clip: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.mp4"
    data = clip.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    r = _analyze(cut)
    assert r.digests is not None and r.digests.size == len(data) * 2 // 3
    if r.ok:  # moov at the end is lost with the tail: then it is a clear error instead
        assert r.info.signals
    else:
        assert r.error_code == "corrupt" and "video" in r.error


def test_garbage_behind_a_video_header_is_a_clear_error(tmp_path: Path) -> None:
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"\x00\x00\x00\x18ftypisom" + bytes(range(256)) * 40)
    r = _analyze(fake)
    assert not r.ok and r.error_code == "corrupt" and r.digests is not None


def test_limits_cut_long_and_refuse_huge_videos(clip: Path) -> None:
    short = dataclasses.replace(Limits(), max_video_seconds=2)
    r = _analyze(clip, short)
    assert r.ok and any("only the first 2 s" in w for w in r.warnings)
    frames = [s for s in r.info.signals if s.type == "vpdq"]
    assert max(s.start + s.span for s in frames) <= 2.1  # kept time ends where analysis did
    tiny = dataclasses.replace(Limits(), max_video_pixels=100 * 100)
    r = _analyze(clip, tiny)
    assert not r.ok and r.error_code == "too_large"


def test_limits_bound_sound_only_files(shared_data: Path) -> None:
    short = dataclasses.replace(Limits(), max_video_seconds=3)
    r = _analyze(shared_data / "audio" / "music_vibe_ace.ogg", short)
    assert r.ok and any("only the first 3 s" in w for w in r.warnings)
    assert r.info.signals == []  # 3 s of sound gives too short a fingerprint to match by


def test_mislabelled_video_is_read_by_content(clip: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "holiday.jpg"
    renamed.write_bytes(clip.read_bytes())
    r = _analyze(renamed)
    assert r.ok and r.info.kind is MediaKind.VIDEO
    assert any(w.startswith("mislabelled") for w in r.warnings)


def test_audio_only_file(shared_data: Path) -> None:
    r = _analyze(shared_data / "audio" / "music_vibe_ace.ogg")
    assert r.ok and r.info.kind is MediaKind.AUDIO and r.info.width is None
    assert [s.type for s in r.info.signals] == ["chromaprint"]


def test_every_shared_video_decodes(shared_data: Path) -> None:
    for path in sorted((shared_data / "videos").glob("*")):
        r = _analyze(path)
        assert r.ok, (path.name, r.error)
        assert r.info.kind is MediaKind.VIDEO and any(s.type == "vpdq" for s in r.info.signals)


@pytest.mark.parametrize(("suffix", "codec", "size", "mime"), [
    ("mov", "h264", (320, 240), "video/quicktime"), ("avi", "mpeg4", (320, 240),
                                                     "video/x-msvideo"),
    ("wmv", "wmv2", (320, 240), "video/x-ms-wmv"), ("3gp", "h263", (352, 288), "video/mp4"),
    ("webm", "libvpx", (320, 240), "video/webm"), ("mkv", "h264", (320, 240),
                                                   "video/x-matroska")])
def test_common_containers(tmp_path: Path, suffix: str, codec: str, size: tuple[int, int],
                           mime: str) -> None:
    tags = {"creation_time": "2024-05-01T10:00:00Z", "location": "+52.3702+004.8952/",
            "make": "Acme", "model": "Phone 7"} if suffix == "mov" else None
    path = write_video(tmp_path / f"v.{suffix}", [Shot(5, 2), Shot(6, 2)], size=size,
                       codec=codec, tags=tags)
    r = _analyze(path)
    assert r.ok and r.info.kind is MediaKind.VIDEO and r.info.mime == mime, r.error
    assert (r.info.width, r.info.height) == size
    assert len([s for s in r.info.signals if s.type == "vpdq"]) >= 2
    if tags:
        meta = r.info.metadata
        assert meta["gps"] == {"lat": 52.3702, "lon": 4.8952}
        assert meta["device_make"] == "Acme" and meta["device_model"] == "Phone 7"
        assert meta["created"].startswith("2024-05-01T10:00:00")


def test_iso6709_locations() -> None:
    assert parse_iso6709("+52.3702+004.8952/") == (52.3702, 4.8952)
    assert parse_iso6709("-33.8688+151.2093+005.000/") == (-33.8688, 151.2093)
    assert parse_iso6709("nowhere") is None and parse_iso6709("+95.0+010.0/") is None


def test_a_truncated_video_covers_only_what_decoded(tmp_path: Path) -> None:
    """10.9 s decoded of a 30 s file once gave a last frame spanning 20 s, and no warning."""
    full = write_video(tmp_path / "full.mkv", [Shot(1, 6), Shot(2, 6)], size=(320, 180))
    cut = tmp_path / "cut.mkv"  # Matroska declares its duration up front
    cut.write_bytes(full.read_bytes()[: full.stat().st_size * 4 // 10])
    whole, part = _analyze(full), _analyze(cut)
    assert whole.ok and part.ok and part.info.metadata["duration"] == 12.0

    def end(r) -> float:  # type: ignore[no-untyped-def]
        return max(s.start + s.span for s in r.info.signals if s.type == "vpdq")

    assert end(whole) == pytest.approx(12.0, abs=0.1) and not whole.warnings
    assert end(part) < 7.0
    assert any(w.startswith("truncated: pictures decode only to") for w in part.warnings)
