"""The two suggestion sources that come from signals rather than metadata, on real media: a face
(two different photos of one adult public figure, ../shared/data/faces) suggests the same
person; a soundtrack (one recording under two different videos) suggests the same recording.
Neither suggester names a signal type: the kind comes from each type's ``suggests``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tessera.access.policy import Principal, Role
from tessera.context import Context
from tessera.service import links, seizures
from tessera.store import repos
from tessera.store.bootstrap import initialise
from tessera.synthetic import Shot, tone_track, write_video
from tests.conftest import make_settings


@pytest.fixture
def faces_ctx(tmp_path: Path) -> Iterator[Context]:
    settings = make_settings(tmp_path / "home", faces=True)
    initialise(settings, "test")
    context = Context.open(settings)
    context.actor = "test"
    with context.db.session() as s:
        repos.add_agency(s, "AU", "Australian Federal Police", "AU", None)
        repos.add_agency(s, "DE", "Bundeskriminalamt", "DE", None)
    yield context
    context.close()


def _as(ctx: Context, code: str) -> Principal:
    with ctx.db.session() as s:
        agency = repos.get_agency(s, code)
        return Principal(agency.id + 100, f"{code.lower()}.inv", agency.id, code,
                         Role.INVESTIGATOR)


def test_a_face_and_a_soundtrack_each_suggest_their_link(faces_ctx: Context, tmp_path: Path,
                                                          shared_data: Path) -> None:
    au, de = tmp_path / "au", tmp_path / "de"
    au.mkdir()
    de.mkdir()
    shutil.copy(shared_data / "faces/obama/obama.jpg", au / "portrait.jpg")
    shutil.copy(shared_data / "faces/obama/obama2.jpg", de / "another_portrait.jpg")
    track = tone_track(12, 31)
    write_video(au / "clip.mp4", [Shot(610, 6), Shot(611, 6)], audio=track)
    write_video(de / "other_pictures.mp4", [Shot(620, 6), Shot(621, 6)], audio=track)
    seizures.ingest(faces_ctx, _as(faces_ctx, "AU"), au, "AU-1", "Portraits")
    seizures.ingest(faces_ctx, _as(faces_ctx, "DE"), de, "DE-1", "Rhein")
    with faces_ctx.db.session() as s:
        harbour = repos.get_series(s, "Portraits", repos.get_agency(s, "AU")).id
        rows = links.links_of(s, _as(faces_ctx, "AU"), ("series", harbour))
    kinds = {r["kind"]: r for r in rows}
    assert {"same-person", "same-recording"} <= set(kinds), [r["kind"] for r in rows]
    assert "same-series" not in kinds  # different pictures: no copy suggested
    person, recording = kinds["same-person"], kinds["same-recording"]
    assert person["state"] == recording["state"] == "suggested"
    assert (person["source"], recording["source"]) == ("face", "chromaprint")  # its signal type
    assert all(e["fact"] for e in person["evidence"] + recording["evidence"])
