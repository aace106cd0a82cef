"""Places through the API, per user and sharing level: AU works out two places (one shared
metadata, one hash-only), corrects one and links both to its series; what each user reads of
them, here and in the connections, follows the places' own sharing."""

from __future__ import annotations

import pytest

from tests.api.conftest import SHARING, USERS, World

HARBOUR = {"label": "Harbour flat", "country": "Australia", "region": "New South Wales",
           "lat": -33.86, "lon": 151.21, "radius_m": 50, "sharing": "metadata",
           "clues": "ferry horn in the soundtrack; a 240 V socket of type I"}


@pytest.fixture(scope="module")
def made(world: World) -> dict[str, int]:
    c, as_ = world.client, world.as_
    r = c.post("/api/places", headers=as_("au.inv"), json=HARBOUR)
    assert r.status_code == 201, r.text
    assert (r.json()["country"], r.json()["country_name"]) == ("AU", "Australia")
    hidden = c.post("/api/places", headers=as_("au.inv"),
                    json={"label": "Safe house", "country": "AU", "sharing": "hash-only"})
    assert hidden.status_code == 201, hidden.text
    return {"harbour": r.json()["id"], "hidden": hidden.json()["id"]}


def test_what_makes_a_place_and_who_may_make_one(world: World, made: dict[str, int]) -> None:
    c, as_ = world.client, world.as_
    post = lambda user, body: c.post("/api/places", headers=as_(user), json=body)  # noqa: E731
    assert post("au.viewer", {"label": "Kitchen"}).status_code == 403
    assert post("au.inv", {"label": "Kitchen", "lat": 91, "lon": 0}).status_code == 422
    no_point = post("au.inv", {"label": "Kitchen", "radius_m": 10})
    assert no_point.status_code == 400 and "a radius needs a point" in no_point.text
    half = post("au.inv", {"label": "Kitchen", "lat": 10})
    assert half.status_code == 400 and "both latitude and longitude" in half.text
    nowhere = post("au.inv", {"label": "Kitchen", "country": "Atlantis"})
    assert nowhere.status_code == 400 and "no country 'Atlantis'" in nowhere.text
    assert post("au.inv", {"label": "Harbour flat"}).status_code == 409
    assert post("nl.inv", {"label": "Harbour flat", "country": "nl"}).status_code == 201


@pytest.mark.parametrize("user", [u for u, _, _ in USERS])
def test_who_reads_a_place(world: World, made: dict[str, int], user: str) -> None:
    c, as_ = world.client, world.as_
    listed = {(x["owner"], x["label"]): x
              for x in c.get("/api/places", headers=as_(user)).json()}
    owner = user.startswith("au.")
    assert ("AU", "Harbour flat") in listed
    assert (("AU", "Safe house") in listed) == owner
    assert (listed[("AU", "Harbour flat")]["sharing"] is not None) == owner
    hidden = c.get(f"/api/places/{made['hidden']}", headers=as_(user))
    assert hidden.status_code == (200 if owner else 404)
    if not owner:
        assert "Safe house" not in hidden.text


def test_correcting_sharing_and_linking_places(world: World, made: dict[str, int]) -> None:
    c, as_ = world.client, world.as_
    harbour, hidden, full = made["harbour"], made["hidden"], world.series["full"]
    assert c.patch(f"/api/places/{harbour}", headers=as_("nl.inv"),
                   json={"clues": "x"}).status_code == 403
    fixed = c.patch(f"/api/places/{harbour}", headers=as_("au.inv"),
                    json={"radius_m": 25, "clues": "ferry horn; type I socket; red door"})
    assert fixed.status_code == 200 and fixed.json()["radius_m"] == 25
    assert fixed.json()["lat"] == HARBOUR["lat"]  # what was not sent stays
    assert c.patch(f"/api/places/{harbour}", headers=as_("au.inv"),
                   json={"lat": None}).status_code == 400  # a point is both or neither
    trail = c.get("/api/audit", headers=as_("au.admin"), params={"action": "place.edit"}).json()
    assert trail[0]["details"]["before"]["radius_m"] == 50
    assert c.put(f"/api/places/{harbour}/sharing", headers=as_("au.inv"),
                 json={"sharing": "full"}).status_code == 403  # the agency admin's call
    assert c.put(f"/api/places/{harbour}/sharing", headers=as_("nl.admin"),
                 json={"sharing": "full"}).status_code == 403

    for place in (harbour, hidden):
        r = c.post("/api/links", headers=as_("au.inv"),
                   json={"a": {"type": "place", "id": place}, "b": {"type": "series", "id": full},
                         "kind": "same-place", "note": "the same red door"})
        assert r.status_code == 201, r.text
    seen = c.get(f"/api/entities/series/{full}/links", headers=as_("nl.viewer")).json()
    words = sorted(side["words"] for link in seen for side in (link["a"], link["b"])
                   if side["type"] == "place")
    assert words == ["Harbour flat", "held by AU"]
    assert "Safe house" not in str(seen)
    graph = c.get(f"/api/entities/place/{harbour}/graph", headers=as_("nl.viewer")).json()
    assert {n["words"] for n in graph["nodes"]} == {"Harbour flat", SHARING["full"],
                                                    "held by AU"}
    assert c.get(f"/api/entities/place/{hidden}/links",
                 headers=as_("nl.viewer")).status_code == 404


@pytest.mark.parametrize("user", [u for u, _, _ in USERS])
def test_a_thread_on_a_place_is_read_and_written_as_its_details_are(
        world: World, made: dict[str, int], user: str) -> None:
    c, as_ = world.client, world.as_
    for name in ("harbour", "hidden"):
        url = f"/api/entities/place/{made[name]}/discussion"
        readable = name == "harbour" or user.startswith("au.")
        text = f"{user}: the same socket in our case @NL"
        r = c.post(url, headers=as_(user), json={"text": text})
        assert r.status_code == (404 if not readable else 403 if user.endswith("viewer")
                                 else 201), (user, name, r.text)
        thread = c.get(url, headers=as_(user))
        assert thread.status_code == (200 if readable else 404)
        if r.status_code == 201:
            assert text in [m["text"] for m in thread.json()]


def test_a_note_on_a_place_tells_its_owner_and_those_named(world: World,
                                                           made: dict[str, int]) -> None:
    c, as_ = world.client, world.as_
    before = {who: set(_notes(world, who)) for who in ("au.viewer", "nl.viewer", "root")}
    assert c.post(f"/api/entities/place/{made['harbour']}/discussion", headers=as_("nl.inv"),
                  json={"text": "we saw this red door in NL-7 @DE"}).status_code == 201
    assert c.post(f"/api/entities/place/{made['hidden']}/discussion", headers=as_("au.inv"),
                  json={"text": "a safe house, @NL @DE"}).status_code == 201
    told = {who: set(_notes(world, who)) - before[who] for who in before}
    assert any("wrote on place 'Harbour flat'" in m for m in told["au.viewer"])
    assert any("red door" in m for m in told["root"])  # DE named, and may read it
    assert not any("Safe house" in m or "safe house" in m
                   for who in ("nl.viewer", "root") for m in told[who])
    assert c.get("/api/entities/person/999999/discussion",
                 headers=as_("au.inv")).status_code == 404
    assert c.get("/api/entities/device/1/discussion",
                 headers=as_("au.inv")).status_code == 422


def _notes(world: World, user: str) -> list[str]:
    return [n["message"] for n in world.client.get("/api/notifications",
                                                   headers=world.as_(user)).json()]


@pytest.fixture(scope="module")
def clues(world: World, made: dict[str, int]) -> dict[str, int]:
    c, as_ = world.client, world.as_
    full, hidden = world.media["full"][0], world.media["hash-only"][0]
    logo = c.post(f"/api/media/{full}/clues", headers=as_("au.inv"),
                  json={"kind": "logo", "note": "a bakery's logo on the mug",
                        "region": [0.1, 0.2, 0.3, 0.2], "sharing": "metadata"})
    assert logo.status_code == 201, logo.text
    secret = c.post(f"/api/media/{hidden}/clues", headers=as_("au.inv"),
                    json={"kind": "text", "note": "a street sign", "sharing": "full"})
    assert secret.status_code == 201, secret.text
    theirs = c.post(f"/api/media/{full}/clues", headers=as_("nl.inv"),
                    json={"kind": "sound", "note": "a tram bell", "start_s": 1, "end_s": 2.5})
    assert theirs.status_code == 201, theirs.text
    return {"logo": logo.json()["id"], "secret": secret.json()["id"],
            "theirs": theirs.json()["id"]}


def test_who_may_note_a_clue_and_what_makes_one(world: World, clues: dict[str, int]) -> None:
    c, as_ = world.client, world.as_
    post = lambda user, media, body: c.post(f"/api/media/{media}/clues",  # noqa: E731
                                            headers=as_(user), json=body)
    full, meta, hidden = (world.media[k][0] for k in ("full", "metadata", "hash-only"))
    ok = {"kind": "object", "note": "a red kettle"}
    assert post("nl.inv", meta, ok).status_code == 403  # details, but not the pixels
    assert post("nl.inv", hidden, ok).status_code == 404
    assert post("au.viewer", full, ok).status_code == 403
    outside = post("au.inv", full, {**ok, "region": [0.8, 0.8, 0.5, 0.1]})
    assert outside.status_code == 400 and "inside it" in outside.text
    half = post("au.inv", full, {**ok, "start_s": 3})
    assert half.status_code == 400 and "a start and an end" in half.text
    assert post("au.inv", full, {**ok, "kind": "smell"}).status_code == 422


@pytest.mark.parametrize("user", [u for u, _, _ in USERS])
def test_who_reads_a_clue(world: World, clues: dict[str, int], user: str) -> None:
    c, as_ = world.client, world.as_
    agency = {u: a for u, a, _ in USERS}[user]
    listed = {x["note"] for x in c.get(f"/api/media/{world.media['full'][0]}/clues",
                                       headers=as_(user)).json()}
    expected = {"a bakery's logo on the mug"} | ({"a tram bell"} if agency == "NL" else set())
    assert listed == expected, (user, listed)
    secret = c.get(f"/api/clues/{clues['secret']}", headers=as_(user))
    assert secret.status_code == (200 if agency == "AU" else 404)  # never past its media
    if agency != "AU":
        assert "street sign" not in secret.text


def test_a_clue_leads_to_a_place(world: World, made: dict[str, int],
                                 clues: dict[str, int]) -> None:
    c, as_ = world.client, world.as_
    r = c.post("/api/links", headers=as_("au.inv"),
               json={"a": {"type": "clue", "id": clues["logo"]},
                     "b": {"type": "place", "id": made["harbour"]}, "kind": "related",
                     "note": "the bakery is on this street"})
    assert r.status_code == 201, r.text
    seen = c.get(f"/api/entities/place/{made['harbour']}/links", headers=as_("nl.viewer"))
    words = {side["words"] for link in seen.json() for side in (link["a"], link["b"])}
    assert "logo: a bakery's logo on the mug" in words
    assert c.post(f"/api/entities/clue/{clues['logo']}/discussion", headers=as_("nl.inv"),
                  json={"text": "that bakery has a branch in Utrecht"}).status_code == 201


def test_a_device_nobody_may_read_a_file_of_is_not_found(world: World) -> None:
    for user in ("au.inv", "nl.viewer"):
        r = world.client.get("/api/devices/999999", headers=world.as_(user))
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_a_file_itself_is_linked_and_read_as_its_details_are(world: World,
                                                             made: dict[str, int]) -> None:
    """AU links one of its files of each sharing level to its place: NL reads the link to a
    file it may read the details of by its number, and a hash-only one as held by AU."""
    c, as_ = world.client, world.as_
    for level in SHARING:
        r = c.post("/api/links", headers=as_("au.inv"),
                   json={"a": {"type": "media", "id": world.media[level][1]},
                         "b": {"type": "place", "id": made["harbour"]}, "kind": "related"})
        assert r.status_code == 201, r.text
    seen = c.get(f"/api/entities/place/{made['harbour']}/links", headers=as_("nl.viewer"))
    files = sorted(side["words"] for link in seen.json() for side in (link["a"], link["b"])
                   if side["type"] == "media")
    assert files == sorted([f"media #{world.media['full'][1]}",
                            f"media #{world.media['metadata'][1]}", "held by AU"])
    assert c.get(f"/api/entities/media/{world.media['hash-only'][1]}/links",
                 headers=as_("nl.viewer")).status_code == 404
    assert c.post("/api/links", headers=as_("nl.inv"),
                  json={"a": {"type": "media", "id": world.media["full"][1]},
                        "b": {"type": "place", "id": made["harbour"]},
                        "kind": "same-place"}).status_code == 403  # neither side is NL's
