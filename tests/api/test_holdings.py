"""Who holds a file, as a third agency sees it: each agency's submission follows that agency's
own sharing, not the sharing of the owner whose series let the viewer in.

The attack: DE may see AU's picture (shared in full); NL holds the same file in a hash-only
series. DE's media page listed NL's submission and its date."""

from __future__ import annotations

import hashlib

from tests.api.conftest import World


def _nl_holds(world: World, sharing: str) -> int:
    """NL stores one of AU's fully shared pictures in its own series; returns the media id."""
    picture = sorted(world.folders["full"].iterdir())[-1]
    files = [("files", (f"seized/{picture.name}", picture.read_bytes(), "image/jpeg"))]
    r = world.client.post("/api/jobs", headers=world.as_("nl.inv"), files=files,
                          data={"case": "NL-SECRET-CASE", "series": "NL Quiet",
                                "store": "true"})
    assert world.wait("nl.inv", r.json()["id"])["state"] == "done"
    mine = next(x for x in world.client.get("/api/series", headers=world.as_("nl.inv")).json()
                if x["name"] == "NL Quiet")
    assert world.client.put(f"/api/series/{mine['id']}/sharing", headers=world.as_("nl.admin"),
                            json={"sharing": sharing}).status_code == 200
    digest = hashlib.sha256(picture.read_bytes()).hexdigest()
    for media_id in world.media["full"]:
        record = world.client.get(f"/api/media/{media_id}", headers=world.as_("au.inv")).json()
        if record["sha256"] == digest:
            return media_id
    raise AssertionError("the picture is not in AU's series")


def test_a_third_agency_sees_each_holding_at_its_holders_sharing(world: World) -> None:
    media_id = _nl_holds(world, "hash-only")
    page = world.client.get(f"/api/media/{media_id}", headers=world.as_("root")).json()
    assert {s["agency"] for s in page["submissions"]} == {"AU"}  # NL is not even named
    assert "NL-SECRET-CASE" not in str(page) and "NL Quiet" not in str(page)
    au = next(s for s in page["submissions"] if s["agency"] == "AU")
    assert au["case"] == "OP-AU-1" and au["path"]  # AU shares this in full
    own = world.client.get(f"/api/media/{media_id}", headers=world.as_("nl.viewer")).json()
    nl = [s for s in own["submissions"] if s["agency"] == "NL"]
    assert nl and nl[0]["case"] == "NL-SECRET-CASE"  # NL sees its own in full

    mine = next(x for x in world.client.get("/api/series", headers=world.as_("nl.inv")).json()
                if x["name"] == "NL Quiet")
    for level, shows_date, shows_case in (("metadata", True, False), ("full", True, True)):
        world.client.put(f"/api/series/{mine['id']}/sharing", headers=world.as_("nl.admin"),
                         json={"sharing": level})
        page = world.client.get(f"/api/media/{media_id}", headers=world.as_("root")).json()
        nl = [s for s in page["submissions"] if s["agency"] == "NL"]
        assert bool(nl) == shows_date and nl[0]["at"], level  # metadata: who and since when
        assert (nl[0]["case"] == "NL-SECRET-CASE") == shows_case, level
        assert (nl[0]["path"] == f"seized/{sorted(world.folders['full'].iterdir())[-1].name}"
                ) == shows_case, level  # the path inside the upload, not the server's
