"""Videos through the service: the contact sheet is the (shielded) preview, what is said is
shown only to those who may see pictures, and video matches reach search results."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

from tessera.access import identity
from tessera.access.policy import Role
from tessera.context import Context
from tessera.pipeline.ingest import ingest
from tessera.server import create_app
from tessera.store import repos
from tessera.store.bootstrap import initialise
from tessera.store.tables import TranscriptSegment
from tessera.synthetic import Shot, write_video
from tests.conftest import make_settings

SHOTS = [Shot(31, 3), Shot(32, 3)]
HIDDEN = [Shot(51, 3), Shot(52, 3)]


def test_video_preview_transcript_and_search(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    initialise(settings, "test")
    ctx = Context.open(settings)
    tokens = {}
    with ctx.db.session() as s:
        for code in ("AU", "NL"):
            repos.add_agency(s, code, code, code, None)
            user = identity.create_user(s, f"{code.lower()}.inv", "correct horse battery",
                                        repos.get_agency(s, code), Role.INVESTIGATOR)
            tokens[code], _ = identity.create_token(s, user, "tests")
    ids = {}
    for level in ("full", "metadata", "hash-only"):
        folder = tmp_path / level
        folder.mkdir()
        write_video(folder / "v.mp4", {"full": SHOTS, "metadata": [Shot(40, 4)],
                                       "hash-only": HIDDEN}[level])
        ingest(ctx, folder, "AU", series_name=f"Series {level}")
        with ctx.db.session() as s:
            series = repos.get_series(s, f"Series {level}")
            series.sharing = level
            (media,) = repos.series_media(s, series.id)
            ids[level] = media.id
            s.add(TranscriptSegment(media_id=media.id, t_start=0.5, t_end=2.0,
                                    text="meet me at the harbour", language="en",
                                    engine="test"))
    ctx.close()
    nl = {"authorization": f"Bearer {tokens['NL']}"}
    with TestClient(create_app(settings, run_tasks=False)) as client:
        full = client.get(f"/api/media/{ids['full']}", headers=nl).json()
        assert full["kind"] == "video" and full["keyframes"]
        assert full["transcript"][0]["text"] == "meet me at the harbour"
        assert any(x["start"] is not None for x in full["signals"])
        meta = client.get(f"/api/media/{ids['metadata']}", headers=nl).json()
        assert meta["transcript"] == [] and meta["pixels"] is False

        shielded = client.get(f"/api/media/{ids['full']}/thumbnail", headers=nl)
        assert shielded.status_code == 200
        grey = np.asarray(Image.open(io.BytesIO(shielded.content)).convert("RGB"), np.int16)
        assert np.abs(grey[..., 0] - grey[..., 1]).max() <= 8  # greyscale until revealed
        real = client.post(f"/api/media/{ids['full']}/reveal", headers=nl)
        colour = np.asarray(Image.open(io.BytesIO(real.content)).convert("RGB"), np.int16)
        assert np.abs(colour[..., 0] - colour[..., 1]).max() > 30
        assert client.get(f"/api/media/{ids['metadata']}/thumbnail",
                          headers=nl).status_code == 403
        large = client.post(f"/api/media/{ids['full']}/reveal", params={"large": True},
                            headers=nl)
        assert max(Image.open(io.BytesIO(large.content)).size) > max(
            Image.open(io.BytesIO(real.content)).size)  # a closer look, after a reveal

        # keyframes one by one: blurred and grey, each reveal recorded; need the pixels
        frames = len(full["keyframes"])
        first = client.get(f"/api/media/{ids['full']}/keyframes/0", headers=nl)
        assert first.status_code == 200 and Image.open(io.BytesIO(first.content)).mode == "L"
        shown = client.post(f"/api/media/{ids['full']}/keyframes/0/reveal", headers=nl)
        assert Image.open(io.BytesIO(shown.content)).mode == "RGB"
        assert client.get(f"/api/media/{ids['full']}/keyframes/{frames}",
                          headers=nl).status_code == 404
        for level, status in (("metadata", 403), ("hash-only", 404)):
            for method, tail in (("GET", ""), ("POST", "/reveal")):
                r = client.request(method, f"/api/media/{ids[level]}/keyframes/0{tail}",
                                   headers=nl)
                assert r.status_code == status, (level, method)

        clip = write_video(tmp_path / "clip.mp4", SHOTS, start=1, end=5, size=(320, 180))
        with clip.open("rb") as fh:
            found = client.post("/api/search", headers=nl,
                                files={"file": ("clip.mp4", fh, "video/mp4")}).json()
        (match,) = [m for m in found["file"]["matches"] if m["kind"] == "video"]
        assert match["media_id"] == ids["full"] and match["segments"]
        assert match["segments"][0]["match_start"] is not None

        hidden = write_video(tmp_path / "hidden.mp4", HIDDEN, start=1, end=5, size=(320, 180))
        with hidden.open("rb") as fh:
            found = client.post("/api/search", headers=nl,
                                files={"file": ("hidden.mp4", fh, "video/mp4")}).json()
        (match,) = found["file"]["matches"]
        # hash-only: who holds it and where in *my* file, nothing about the held video
        assert match["media_id"] is None and match["agency"] == "AU"
        assert match["segments"] and all(set(x) == {"query_start", "query_end"}
                                         for x in match["segments"])
        assert match["match_coverage"] is None and match["match_times"] == []
        assert "there" not in match["where"]

        # a video and each of its segments carry their own category, one's own agency's
        vics = next(x for x in client.get("/api/categories", headers=nl).json()
                    if x["name"] == "vics")
        code = {c["code"]: c["id"] for c in vics["categories"]}
        url = f"/api/media/{ids['full']}/category"
        assert client.put(url, headers=nl, json={"category_id": code["0"]}).status_code == 200
        assert client.put(url, headers=nl, json={"category_id": code["2"],
                                                 "segment": [3, 6]}).status_code == 200
        for wrong in ([4, 2], [0, 60]):  # backwards; past the end of a six-second video
            refused = client.put(url, headers=nl, json={"category_id": code["2"],
                                                        "segment": wrong})
            assert refused.status_code == 400 and "segment" in refused.text
        assert client.put(f"/api/media/{ids['metadata']}/category", headers=nl,
                          json={"category_id": code["2"]}).status_code == 403  # no pixels
        own = client.get(f"/api/media/{ids['full']}", headers=nl).json()["categories"]
        assert [(c["code"], c["segment"]) for c in own] == [("0", None), ("2", [3.0, 6.0])]
        au = {"authorization": f"Bearer {tokens['AU']}"}
        assert client.get(f"/api/media/{ids['full']}", headers=au).json()["categories"] == []
    ctx = Context.open(settings)
    with ctx.db.session() as s:
        from sqlalchemy import select

        from tessera.store.tables import AuditEvent

        reveals = [e.details for e in s.scalars(select(AuditEvent).where(
            AuditEvent.action == "media.reveal", AuditEvent.actor == "user:nl.inv"))]
    ctx.close()
    assert {"keyframe": 0, "time": full["keyframes"][0]} in reveals
    assert {"size": "large"} in reveals
