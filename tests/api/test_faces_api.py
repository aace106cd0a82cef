"""Persons and faces through the API, walked per agency and sharing level.

AU ingests face photos in a series shared in full and tracks two persons: one shared
hash-only, one shared with metadata. NL's users may see what those levels allow and nothing
more; face crops need the media's pixels; every reveal is audited."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tessera.config import Settings
from tessera.context import Context
from tessera.entities import persons
from tessera.pipeline.ingest import ingest
from tessera.server import create_app
from tessera.store import repos
from tessera.store.repos import faces as face_repo
from tests.api.conftest import World, build_world
from tests.conftest import SHARED


@pytest.fixture(scope="module")
def shared_data_path() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"the licensed test media are missing: expected {SHARED}")
    return SHARED


def seed_faces(root: Path) -> tuple[Settings, dict[str, int], dict[str, str], dict]:
    """The API world plus AU's face photos (one series shared in full, one private) and two
    victims: V-hash (hash-only) with a private face, V-meta (metadata) with a shared one."""
    settings, folders, series, tokens = build_world(root / "home", None)
    settings = replace(settings, media=replace(settings.media, faces=True))
    photos = root / "photos"
    photos.mkdir()
    for folder, name in (("obama", "obama.jpg"), ("obama", "obama1.jpg"),
                         ("biden", "biden.jpg"), ("rose_leslie", "img2.jpg")):
        shutil.copy(SHARED / "faces" / folder / name, photos / name)
    private = root / "private"
    private.mkdir()
    shutil.copy(SHARED / "faces" / "biden" / "biden2.jpg", private / "biden2.jpg")
    with Image.open(private / "biden2.jpg") as im:  # a second private picture of him
        im.resize((im.width * 9 // 10, im.height * 9 // 10)).save(private / "biden2-small.jpg")
    ctx = Context.open(settings)
    ctx.actor = "test"
    ingest(ctx, photos, "AU", series_name="Faces Full")
    ingest(ctx, private, "AU", series_name="Faces Private")
    ids: dict[str, int] = {}
    with ctx.db.session() as s:
        repos.get_series(s, "Faces Full").sharing = "full"
        au = repos.get_agency(s, "AU")
        for label, sharing in (("V-hash", "hash-only"), ("V-meta", "metadata")):
            ids[label] = persons.create_person(s, au, "victim", label, "test",
                                               sharing=sharing).id
        full = repos.series_media(s, repos.get_series(s, "Faces Full").id)
        hidden = repos.series_media(s, repos.get_series(s, "Faces Private").id)
        ids["shared_face"] = face_repo.faces_of_media(s, full[0].id)[0].signal_id
        ids["shared_media"] = full[0].id
        ids["private_face"] = face_repo.faces_of_media(s, hidden[0].id)[0].signal_id
        persons.link_faces(s, face_repo.get_person(s, ids["V-meta"]), [ids["shared_face"]],
                           "confirmed", "test")
        persons.link_faces(s, face_repo.get_person(s, ids["V-hash"]), [ids["private_face"]],
                           "confirmed", "test")
    ctx.close()
    return settings, {**ids, **{f"series:{k}": v for k, v in series.items()}}, tokens, folders


@pytest.fixture(scope="module")
def faces_world(tmp_path_factory: pytest.TempPathFactory,
                ) -> Iterator[tuple[World, dict[str, int]]]:
    if not SHARED.is_dir():
        pytest.fail(f"the licensed test media are missing: expected {SHARED}")
    settings, ids, tokens, folders = seed_faces(tmp_path_factory.mktemp("faces-world"))
    with TestClient(create_app(settings)) as client:
        yield World(settings, client, client.app, folders, tokens, {}), ids


def test_persons_follow_sharing(faces_world: tuple[World, dict[str, int]]) -> None:
    w, ids = faces_world
    for user in ("au.viewer", "nl.viewer", "nl.admin", "root"):
        labels = {p["label"] for p in w.client.get("/api/persons", headers=w.as_(user)).json()}
        own = user.startswith("au.")
        assert ("V-hash" in labels) == own, user
        assert "V-meta" in labels, user
        hidden = w.client.get(f"/api/persons/{ids['V-hash']}", headers=w.as_(user))
        assert hidden.status_code == (200 if own else 404)
    nl = w.client.get(f"/api/persons/{ids['V-meta']}", headers=w.as_("nl.inv")).json()
    assert nl["can_edit"] is False and [f["face"] for f in nl["faces"]] == [ids["shared_face"]]
    assert w.client.patch(f"/api/persons/{ids['V-meta']}", json={"status": "identified"},
                          headers=w.as_("nl.inv")).status_code == 403
    assert w.client.patch(f"/api/persons/{ids['V-meta']}", json={"status": "identified"},
                          headers=w.as_("au.viewer")).status_code == 403
    ok = w.client.patch(f"/api/persons/{ids['V-meta']}", json={"status": "safeguarded"},
                        headers=w.as_("au.inv"))
    assert ok.status_code == 200 and ok.json()["status"] == "safeguarded"
    bad = w.client.patch(f"/api/persons/{ids['V-meta']}", json={"status": "arrested"},
                         headers=w.as_("au.inv"))
    assert bad.status_code == 400  # an offender's status, not a victim's
    assert w.client.put(f"/api/persons/{ids['V-meta']}/sharing", json={"sharing": "full"},
                        headers=w.as_("au.inv")).status_code == 403
    assert w.client.put(f"/api/persons/{ids['V-meta']}/sharing", json={"sharing": "metadata"},
                        headers=w.as_("au.admin")).status_code == 200


def test_creating_and_linking(faces_world: tuple[World, dict[str, int]]) -> None:
    w, ids = faces_world
    assert w.client.post("/api/persons", json={"role": "offender", "label": "O-1"},
                         headers=w.as_("nl.viewer")).status_code == 403
    made = w.client.post("/api/persons", json={"role": "offender", "label": "O-1",
                                               "sharing": "metadata"},
                         headers=w.as_("nl.inv"))
    assert made.status_code == 201 and made.json()["status"] == "unknown"
    o1 = made.json()["id"]
    # NL may link a face it can see (shared in full), not one it cannot
    seen = w.client.post(f"/api/persons/{o1}/faces", json={"faces": [ids["shared_face"]]},
                         headers=w.as_("nl.inv"))
    assert seen.status_code == 200
    unseen = w.client.post(f"/api/persons/{o1}/faces", json={"faces": [ids["private_face"]]},
                           headers=w.as_("nl.inv"))
    assert unseen.status_code == 404
    assert w.client.delete(f"/api/persons/{o1}/faces/{ids['shared_face']}",
                           headers=w.as_("nl.inv")).json() == {"removed": True}
    assert w.client.post(f"/api/persons/{o1}/faces", json={"faces": [ids["shared_face"]]},
                         headers=w.as_("au.inv")).status_code == 403  # not AU's person


def test_faces_and_crops(faces_world: tuple[World, dict[str, int]]) -> None:
    w, ids = faces_world
    listed = w.client.get(f"/api/media/{ids['shared_media']}/faces", headers=w.as_("nl.viewer"))
    assert listed.status_code == 200 and listed.json()[0]["box"]
    assert w.client.get(f"/api/faces/{ids['private_face']}/crop",
                        headers=w.as_("nl.viewer")).status_code == 404
    shielded = w.client.get(f"/api/faces/{ids['shared_face']}/crop", headers=w.as_("nl.viewer"))
    real = w.client.post(f"/api/faces/{ids['shared_face']}/reveal", headers=w.as_("nl.viewer"))
    assert shielded.status_code == real.status_code == 200
    assert shielded.content != real.content
    audit = w.client.get("/api/audit", headers=w.as_("root")).json()
    assert any(e["action"] == "face.reveal" and e["object"] == f"face:{ids['shared_face']}"
               for e in audit)


def test_search_by_face_is_redacted(faces_world: tuple[World, dict[str, int]],
                                    shared_data_path: Path) -> None:
    w, ids = faces_world
    photo = shared_data_path / "faces" / "biden" / "biden.jpg"
    with photo.open("rb") as fh:
        au = w.client.post("/api/faces/search", files={"file": ("q.jpg", fh)},
                           headers=w.as_("au.viewer")).json()
    with photo.open("rb") as fh:
        nl = w.client.post("/api/faces/search", files={"file": ("q.jpg", fh)},
                           data={"face": "1"}, headers=w.as_("nl.viewer")).json()
    au_hits = au["faces"][0]["matches"]
    nl_hits = nl["faces"][0]["matches"]
    assert ids["private_face"] in {m["face"] for m in au_hits}
    assert [p["label"] for m in au_hits for p in m["persons"]].count("V-hash") == 1
    assert ids["private_face"] not in {m["face"] for m in nl_hits}
    assert len([m for m in au_hits if m["series"][0]["name"] == "Faces Private"]) == 2
    # two hidden pictures, one linked to a hash-only victim: "held by AU, contact", once
    held = [m for m in nl_hits if m["media_id"] is None]
    assert len(held) == 1 and held[0]["agency"] == "AU" and held[0]["face"] is None
    assert held[0]["series"][0]["contact"] == "vid@afp.example"
    assert held[0]["persons"] == [] and "confirmed" not in str(held)
    person = w.client.get(f"/api/persons/{ids['V-meta']}", headers=w.as_("nl.viewer")).json()
    assert "hidden_faces" not in person
    with photo.open("rb") as fh:
        too_many = w.client.post("/api/faces/search", files={"file": ("q.jpg", fh)},
                                 data={"face": "7"}, headers=w.as_("nl.viewer"))
    assert too_many.status_code == 400


def test_cluster_review_is_an_agencys_own(faces_world: tuple[World, dict[str, int]]) -> None:
    w, _ = faces_world
    assert w.client.post("/api/faces/clusters", json={},
                         headers=w.as_("au.viewer")).status_code == 403
    run = w.client.post("/api/faces/clusters", json={}, headers=w.as_("au.inv")).json()
    assert run["faces"] == 6
    listing = w.client.get("/api/faces/clusters?min_size=1", headers=w.as_("au.viewer")).json()
    assert listing["run"] == run["run"] and listing["can_edit"] is False
    obama = next(c for c in listing["clusters"] if c["size"] == 2)
    assert w.client.get("/api/faces/clusters", headers=w.as_("nl.inv")).status_code == 404
    assert w.client.post(f"/api/faces/clusters/{run['run']}/remove",
                         json={"cluster": obama["cluster"], "face": obama["faces"][0]["face"]},
                         headers=w.as_("nl.inv")).status_code == 404
    done = w.client.post(f"/api/faces/clusters/{run['run']}/remove",
                         json={"cluster": obama["cluster"], "face": obama["faces"][0]["face"]},
                         headers=w.as_("au.inv"))
    assert done.status_code == 200
    others = [c for c in w.client.get("/api/faces/clusters?min_size=1",
                                      headers=w.as_("au.inv")).json()["clusters"]]
    assert not [c for c in others if c["size"] == 2 and c["cluster"] == obama["cluster"]]
