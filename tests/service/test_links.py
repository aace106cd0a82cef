"""Connections between series: each suggester on real media (a near-duplicate, the camera serial
of a picture in ../shared/data, the GPS position of images/street_garden.jpg), decided only by
an investigator of an owning agency, a rejection that holds, sharing on what others see, and
the walks (neighbourhood, path)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from tessera.access.policy import Forbidden, Principal, Role
from tessera.context import Context
from tessera.core.errors import NotFound, TesseraError
from tessera.service import links, seizures, views
from tessera.store import audit, repos
from tessera.store.repos import notifications as notification_repo
from tessera.synthetic import jpeg, picture
from tests.conftest import write_pictures


def _principal(ctx: Context, agency: str, user: str = "inv",
               role: Role = Role.INVESTIGATOR) -> Principal:
    with ctx.db.session() as s:
        row = repos.get_agency(s, agency)
        return Principal(abs(hash((agency, user))) % 1000 + 1, f"{agency.lower()}.{user}",
                         row.id, row.code, role)


def _series(ctx: Context, name: str, agency: str) -> int:
    with ctx.db.session() as s:
        return repos.get_series(s, name, repos.get_agency(s, agency)).id


def _with_exif(path: Path, seed: int, exif: Image.Exif) -> Path:
    """A different picture carrying the given EXIF (another photo from the same camera, or
    taken at the same place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    picture(seed, (480, 360)).save(path, "JPEG", quality=90, exif=exif)
    return path


def _gps(lat: tuple[float, float, float], lon: tuple[float, float, float]) -> Image.Exif:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: lat, 3: "W", 4: lon}
    return exif


@pytest.fixture
def seized(ctx: Context, tmp_path: Path, shared_data: Path) -> dict[str, int]:
    """AU's series Harbour: three pictures, a photo with a camera serial and the street photo
    with GPS. DE's Rhein: a re-encoded copy of one picture, another photo from that camera and
    one taken 11 m from the street photo. NL's Polder: unrelated pictures."""
    au, de, nl = (tmp_path / x for x in ("au", "de", "nl"))
    pictures = write_pictures(au, [11, 12, 13])
    shutil.copy(shared_data / "faces/obama/obama.jpg", au / "camera.jpg")
    shutil.copy(shared_data / "images/street_garden.jpg", au / "street.jpg")
    de.mkdir()
    (de / "copy.jpg").write_bytes(jpeg(Image.open(pictures[0]).resize((560, 420)), 70))
    _with_exif(de / "same_camera.jpg", 501,
               Image.open(shared_data / "faces/obama/obama.jpg").getexif())
    _with_exif(de / "same_street.jpg", 502, _gps((26.0, 7.0, 18.0), (80.0, 9.0, 53.0)))
    write_pictures(nl, [900, 901])
    seizures.ingest(ctx, _principal(ctx, "AU"), au, "AU-1", "Harbour")
    seizures.ingest(ctx, _principal(ctx, "DE"), de, "DE-1", "Rhein")
    seizures.ingest(ctx, _principal(ctx, "NL"), nl, "NL-1", "Polder")
    return {"harbour": _series(ctx, "Harbour", "AU"), "rhein": _series(ctx, "Rhein", "DE"),
            "polder": _series(ctx, "Polder", "NL")}


def _by_kind(rows: list[dict]) -> dict[str, dict]:
    return {r["kind"]: r for r in rows}


def test_each_suggester_links_the_two_series_and_says_why(ctx: Context,
                                                          seized: dict[str, int]) -> None:
    au = _principal(ctx, "AU")
    with ctx.db.session() as s:
        found = _by_kind(links.links_of(s, au, ("series", seized["harbour"])))
    assert set(found) == {"same-series", "same-device", "same-place"}
    for row in found.values():
        assert row["state"] == "suggested" and row["suggested"] and row["can_decide"]
        assert {row["a"]["words"], row["b"]["words"]} == {"Harbour", "held by DE"}
        own = "a_media" if row["a"]["words"] == "Harbour" else "b_media"
        other = "b_media" if own == "a_media" else "a_media"
        assert row["evidence"] and all(e[own] and e[other] is None for e in row["evidence"])
    assert found["same-series"]["source"] == "pdq" and found["same-series"]["score"] > 0.8
    assert "serial 042033006980" in found["same-device"]["evidence"][0]["fact"]
    assert found["same-device"]["source"] == "camera-serial"
    assert found["same-place"]["source"] == "gps"
    assert "11 m apart" in found["same-place"]["evidence"][0]["fact"]
    with ctx.db.session() as s:  # nothing links the unrelated series of NL
        assert links.links_of(s, _principal(ctx, "NL"), ("series", seized["polder"])) == []


def test_only_a_person_decides_and_a_rejection_holds(ctx: Context,
                                                     seized: dict[str, int]) -> None:
    au, de, nl = (_principal(ctx, x) for x in ("AU", "DE", "NL"))
    with ctx.db.session() as s:
        found = _by_kind(links.links_of(s, au, ("series", seized["harbour"])))
    place, device = found["same-place"]["id"], found["same-device"]["id"]
    viewer = _principal(ctx, "AU", "ro", Role.VIEWER)
    with ctx.db.session() as s, pytest.raises(Forbidden):
        links.decide_link(s, viewer, place, "confirmed")
    with ctx.db.session() as s, pytest.raises(NotFound):  # NL reads neither side: hidden
        links.decide_link(s, nl, place, "rejected")
    with ctx.db.session() as s, pytest.raises(TesseraError):
        links.decide_link(s, au, place, "suggested")
    with ctx.db.session() as s:
        links.decide_link(s, au, place, "rejected", note="a busy street: many people")
        links.decide_link(s, de, device, "confirmed", note="same camera body")
    again = links.suggest_for_series(ctx, au, seized["harbour"])
    assert again.leads >= 3 and again.created == 0  # the rejected link does not come back
    with ctx.db.session() as s:
        now = _by_kind(links.links_of(s, au, ("series", seized["harbour"])))
        events = [e.action for e in audit.events(s, limit=500)]
    assert now["same-place"]["state"] == "rejected"
    assert now["same-place"]["note"] == "a busy street: many people"
    assert now["same-device"]["state"] == "confirmed"
    assert now["same-device"]["decided_by"] == "user:de.inv"
    assert "link.reject" in events and "link.confirm" in events
    with ctx.db.session() as s:  # AU, the other owner, hears of DE's confirmation
        told = [n.message for n in notification_repo.of_agency(s, au.agency_id, False, 50)]
    assert any("confirmed that your series 'Harbour'" in m and "the same camera" in m
               for m in told)
    with pytest.raises(NotFound):  # NL may not even know of Harbour
        links.suggest_for_series(ctx, nl, seized["harbour"])
    with pytest.raises(Forbidden):  # the viewer reads it, but suggesting is an investigator's
        links.suggest_for_series(ctx, viewer, seized["harbour"])


def test_a_hash_only_series_is_linked_as_held_by_its_owner(ctx: Context,
                                                            seized: dict[str, int]) -> None:
    de = _principal(ctx, "DE")
    with ctx.db.session() as s:  # Harbour is hash-only (the default): DE sees its own side
        rows = links.links_of(s, de, ("series", seized["rhein"]))
    assert rows
    for row in rows:
        hidden = row["a"] if row["a"]["agency"] == "AU" else row["b"]
        assert hidden == {**hidden, "id": None, "label": None, "words": "held by AU"}
        side = "a_media" if row["a"] is hidden else "b_media"
        assert all(e[side] is None for e in row["evidence"])
    with ctx.db.session() as s, pytest.raises(NotFound):  # NL reads neither side
        links.links_of(s, _principal(ctx, "NL"), ("series", seized["harbour"]))
    with ctx.db.session() as s:
        views.share_series(s, _principal(ctx, "AU", "boss", Role.AGENCY_ADMIN),
                           seized["harbour"], "metadata")
        shown = links.links_of(s, de, ("series", seized["rhein"]))
    assert all("Harbour" in (r["a"]["words"], r["b"]["words"]) for r in shown)


def test_asserted_links_and_the_walks(ctx: Context, seized: dict[str, int]) -> None:
    au, de, nl = (_principal(ctx, x) for x in ("AU", "DE", "NL"))
    harbour, rhein, polder = seized["harbour"], seized["rhein"], seized["polder"]
    with ctx.db.session() as s:
        views.share_series(s, _principal(ctx, "NL", "boss", Role.AGENCY_ADMIN), polder,
                           "metadata")
    with ctx.db.session() as s, pytest.raises(NotFound):  # Harbour is hash-only to DE
        links.assert_link(s, de, ("series", rhein), ("series", harbour), "same-victim")
    with ctx.db.session() as s:
        made = links.assert_link(s, de, ("series", rhein), ("series", polder), "same-victim",
                                 note="the same school uniform")
        assert made["state"] == "confirmed" and made["source"] == "asserted"
        device = _by_kind(links.links_of(s, au, ("series", harbour)))["same-device"]["id"]
        links.decide_link(s, au, device, "confirmed")
    with ctx.db.session() as s:
        route = links.path(s, au, ("series", harbour), ("series", polder))
        assert [r["kind"] for r in route] == ["same-device", "same-victim"]
        assert "held by DE" in (route[1]["a"]["words"], route[1]["b"]["words"])
        with pytest.raises(NotFound):  # Rhein itself is hash-only to AU: not a place to ask
            links.path(s, au, ("series", harbour), ("series", rhein))
        assert links.path(s, nl, ("series", polder), ("series", polder)) == []
        far = links.graph(s, nl, ("series", polder), depth=2, include_suggested=False)
    # Rhein is hash-only to NL: held by DE, and its links on to AU's series stay unseen
    assert [n["words"] for n in far["nodes"]] == ["Polder", "held by DE"]
    assert far["nodes"][1]["id"] is None and far["nodes"][1]["key"].startswith("held:DE:")
    assert [e["kind"] for e in far["edges"]] == ["same-victim"]
    with ctx.db.session() as s:
        views.share_series(s, _principal(ctx, "DE", "boss", Role.AGENCY_ADMIN), rhein,
                           "metadata")
        far = links.graph(s, nl, ("series", polder), depth=2, include_suggested=False)
        near = links.graph(s, nl, ("series", polder), depth=1)
    assert [(n["words"], n["depth"]) for n in far["nodes"]] == [
        ("Polder", 0), ("Rhein", 1), ("held by AU", 2)]
    assert {e["kind"] for e in far["edges"]} == {"same-victim", "same-device"}
    assert len(near["nodes"]) == 2
    with ctx.db.session() as s, pytest.raises(TesseraError):
        links.graph(s, nl, ("series", polder), depth=9)


def test_a_place_worked_out_suggests_the_series_made_inside_it(
        ctx: Context, seized: dict[str, int], shared_data: Path) -> None:
    """DE works out the street of images/street_garden.jpg (± 60 m): both series with a file
    made there are suggested as made at that place, by GPS, with nothing naming the place in
    the evidence; a place as wide as a region suggests nothing."""
    from tessera.media.metadata import position_of, read_exif
    from tessera.service import places

    lat, lon, _ = position_of(read_exif(Image.open(shared_data / "images/street_garden.jpg")))
    de = _principal(ctx, "DE")
    with ctx.db.session() as s:
        street = places.create_place(s, de, "Garden street", lat=lat, lon=lon, radius_m=60,
                                     sharing="hash-only")["id"]
        region = places.create_place(s, de, "The county", lat=lat, lon=lon,
                                     radius_m=50_000)["id"]
        nowhere = places.create_place(s, de, "Somewhere in DE", country="DE")["id"]
    found = links.suggest_for_place(ctx, de, street)
    assert found is not None and found.created == 2
    wide = links.suggest_for_place(ctx, de, region)
    assert wide is None or wide.created == 0
    assert links.suggest_for_place(ctx, de, nowhere) is None
    with ctx.db.session() as s:
        rows = links.links_of(s, de, ("place", street))
    assert {(r["kind"], r["state"], r["source"]) for r in rows} == {
        ("same-place", "suggested", "gps")}
    ends = {side["words"] for r in rows for side in (r["a"], r["b"])}
    assert ends == {"Garden street", "Rhein", "held by AU"}
    for r in rows:
        (piece,) = r["evidence"]
        assert "Garden street" not in piece["fact"] and "± 60 m" in piece["fact"]
    au = _principal(ctx, "AU")
    with ctx.db.session() as s:  # AU sees the suggestion on its series, the place held by DE
        (mine,) = [r for r in links.links_of(s, au, ("series", seized["harbour"]))
                   if r["kind"] == "same-place" and "place" in (r["a"]["type"], r["b"]["type"])]
    assert "held by DE" in (mine["a"]["words"], mine["b"]["words"]) and mine["can_decide"]
    assert "Garden street" not in str(mine)
    assert links.suggest_for_place(ctx, de, street).created == 0  # found once


def test_a_camera_shows_the_series_it_shot_as_each_is_shared(ctx: Context,
                                                             seized: dict[str, int]) -> None:
    """The camera of ../shared/data's obama.jpg shot a file of AU's Harbour and one of DE's
    Rhein (both shared hash-only): each agency reads its own series by name and the other as
    held by its owner; NL, which may read no file of it, does not learn of the camera."""
    from tessera.service import devices
    from tessera.store.repos import facts

    with ctx.db.session() as s:
        (device_id,) = {d.id for d in facts.devices_of(
            s, [m.id for m in repos.series_media(s, seized["harbour"])]).values()}
        for agency, own, other in (("AU", "Harbour", "held by DE"),
                                   ("DE", "Rhein", "held by AU")):
            row = devices.device_detail(s, _principal(ctx, agency), device_id)
            assert row["serial"] == "042033006980" and row["files"] == 1
            assert {x["words"] for x in row["series"]} == {own, other}
            hidden = next(x for x in row["series"] if x["words"] == other)
            assert hidden["id"] is None and hidden["name"] is None
            assert hidden["files"] is None  # who holds it, never how much
            assert len(row["readable_media"]) == 1  # its own file only
        with pytest.raises(NotFound):
            devices.device_detail(s, _principal(ctx, "NL"), device_id)
        with pytest.raises(NotFound):
            devices.device_detail(s, _principal(ctx, "AU"), 999_999)
