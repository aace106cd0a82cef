"""Every registered signal type, on real media it applies to: it extracts values, names them,
round-trips them through hex, measures distance as a distance, and honours its quality gate."""

from __future__ import annotations

from pathlib import Path

import pytest

from tessera.config import Limits, MediaOptions
from tessera.core.types import MediaKind, Signal
from tessera.media.sources import Item
from tessera.pipeline.analyze import AnalyzeOptions, analyze_item
from tessera.signals import SIGNAL_TYPES
from tessera.synthetic import Shot, tone_track, write_video
from tests.conftest import SHARED

OPTIONS = AnalyzeOptions(Limits(), media=MediaOptions(speech=False, faces=True))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[MediaKind, list[Signal]]:
    """Signals of a portrait (a face in it) and of a video with a soundtrack."""
    root = tmp_path_factory.mktemp("corpus")
    clip = write_video(root / "clip.mp4", [Shot(61, 3), Shot(62, 3)], audio=tone_track(6, 3))
    out: dict[MediaKind, list[Signal]] = {}
    for path in (SHARED / "faces" / "obama" / "obama.jpg",
                 SHARED / "faces" / "biden" / "biden.jpg", clip):
        r = analyze_item(Item(str(path), str(path), size=Path(path).stat().st_size), OPTIONS,
                         None)
        assert r.ok and r.info is not None, r.error
        out.setdefault(r.info.kind, []).extend(r.info.signals)
    return out


@pytest.mark.parametrize("name", SIGNAL_TYPES.names())
def test_a_signal_type_keeps_its_contract(name: str, corpus) -> None:  # type: ignore[no-untyped-def]
    kind = SIGNAL_TYPES.get(name)
    found = [s for k in kind.applies_to for s in corpus.get(k, []) if s.type == name]
    assert found, f"{name} extracted nothing from media it applies to"
    for s in found:
        assert s.version == kind.version and isinstance(s.value, bytes) and s.value
        assert bytes.fromhex(s.hex) == s.value  # stable hex round trip
        assert kind.distance(s.value, s.value) == pytest.approx(0, abs=1e-4)
    a, b = found[0], next((s for s in found if s.value != found[0].value), found[0])
    assert kind.distance(a.value, b.value) >= 0
    assert kind.distance(a.value, b.value) == pytest.approx(kind.distance(b.value, a.value))
    if kind.min_quality is not None:  # the gate: below it never matchable, at it always
        assert not kind.is_matchable(kind.min_quality - 1) and kind.is_matchable(
            kind.min_quality)
