"""Connections through the API, per user and sharing level: NL stores copies of AU's pictures
in its own series, Tessera suggests a link to each AU series, and what each user sees of and
may do with those links follows the sharing of both sides."""

from __future__ import annotations

import pytest

from tests.api.conftest import SHARING, USERS, World
from tests.api.test_access_matrix import sees


@pytest.fixture(scope="module")
def tulip(world: World) -> int:
    """NL's series Tulip, holding one copy from each of AU's series."""
    files = [("files", (f"{level}.jpg", sorted(world.folders[level].iterdir())[0].read_bytes(),
                        "image/jpeg")) for level in SHARING]
    r = world.client.post("/api/jobs", headers=world.as_("nl.inv"), files=files,
                          data={"case": "NL-LINK-1", "series": "Tulip", "store": "true"})
    assert r.status_code in (200, 201, 202), r.text
    assert world.wait("nl.inv", r.json()["id"])["state"] == "done"
    listing = world.client.get("/api/series", headers=world.as_("nl.inv")).json()
    return next(x["id"] for x in listing if x["name"] == "Tulip")


def _links(world: World, user: str, series_id: int, **params: str) -> list[dict]:
    r = world.client.get(f"/api/entities/series/{series_id}/links", headers=world.as_(user),
                         params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _link_to(rows: list[dict], series_id: int) -> dict:
    return next(r for r in rows if series_id in (r["a"]["id"], r["b"]["id"]))


def test_an_upload_into_a_series_is_linked_to_what_it_copies(world: World, tulip: int) -> None:
    rows = _links(world, "nl.inv", tulip)
    assert len(rows) == 3 and {r["kind"] for r in rows} == {"same-series"}
    assert all(r["state"] == "suggested" and r["source"] == "sha256" for r in rows)
    words = {w for r in rows for w in (r["a"]["words"], r["b"]["words"])}
    assert words == {"Tulip", SHARING["full"], SHARING["metadata"], "held by AU"}
    assert SHARING["hash-only"] not in str(rows)
    hidden = next(r for r in rows if "held by AU" in (r["a"]["words"], r["b"]["words"]))
    assert world.series["hash-only"] not in (hidden["a"]["id"], hidden["b"]["id"])


@pytest.mark.parametrize("user", [u for u, _, _ in USERS])
def test_who_reads_the_links_of_a_series(world: World, tulip: int, user: str) -> None:
    for level in SHARING:
        r = world.client.get(f"/api/entities/series/{world.series[level]}/links",
                             headers=world.as_(user))
        readable = sees(user, level) != "hash-only"
        assert r.status_code == (200 if readable else 404), (user, level)
        if readable:  # Tulip is NL's, shared hash-only: AU and DE see "held by NL"
            (link,) = r.json()
            other = link["a"] if link["a"]["agency"] == "NL" else link["b"]
            assert (other["words"] == "Tulip") == user.startswith("nl."), (user, other)
            assert link["can_decide"] == (user in ("au.inv", "au.admin", "nl.inv", "nl.admin"))


def test_deciding_asserting_and_walking(world: World, tulip: int) -> None:
    c, as_ = world.client, world.as_
    full, meta, hidden = (world.series[k] for k in ("full", "metadata", "hash-only"))
    to_full = _link_to(_links(world, "nl.inv", tulip), full)["id"]
    to_meta = _link_to(_links(world, "nl.inv", tulip), meta)["id"]
    to_hidden = next(r["id"] for r in _links(world, "nl.inv", tulip)
                     if r["id"] not in (to_full, to_meta))
    decide = lambda user, link, state: c.post(  # noqa: E731
        f"/api/links/{link}/decision", headers=as_(user), json={"state": state})
    assert decide("nl.viewer", to_full, "confirmed").status_code == 403
    assert decide("root", to_full, "confirmed").status_code == 403  # DE owns neither side
    assert decide("root", to_hidden, "confirmed").status_code == 404  # reads neither
    assert decide("nl.inv", 999_999, "confirmed").status_code == 404
    assert decide("nl.inv", to_full, "suggested").status_code == 422
    confirmed = decide("nl.inv", to_full, "confirmed")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    assert confirmed.json()["decided_by"] == "user:nl.inv"
    assert decide("au.inv", to_meta, "rejected").json()["state"] == "rejected"
    told = [n["message"] for n in c.get("/api/notifications", headers=as_("au.viewer")).json()]
    assert any(f"your series '{SHARING['full']}'" in m and "held by NL" in m for m in told)

    again = c.post(f"/api/series/{tulip}/links/suggest", headers=as_("nl.inv"))
    assert again.status_code == 200 and again.json()["created"] == 0
    assert _link_to(_links(world, "nl.inv", tulip), meta)["state"] == "rejected"
    assert c.post(f"/api/series/{tulip}/links/suggest", headers=as_("au.inv")).status_code == 404
    assert c.post(f"/api/series/{full}/links/suggest", headers=as_("nl.inv")).status_code == 403

    body = {"a": {"type": "series", "id": tulip}, "kind": "same-victim", "note": "same child"}
    assert c.post("/api/links", headers=as_("nl.inv"),
                  json={**body, "b": {"type": "series", "id": hidden}}).status_code == 404
    assert c.post("/api/links", headers=as_("nl.viewer"),
                  json={**body, "b": {"type": "series", "id": meta}}).status_code == 403
    assert c.post("/api/links", headers=as_("nl.inv"), json={
        **body, "b": {"type": "series", "id": meta}, "kind": "friends"}).status_code == 400
    made = c.post("/api/links", headers=as_("nl.inv"),
                  json={**body, "b": {"type": "series", "id": meta}})
    assert made.status_code == 201 and made.json()["source"] == "asserted"

    g = c.get(f"/api/entities/series/{tulip}/graph", headers=as_("nl.inv"),
              params={"depth": 1}).json()
    assert len(g["nodes"]) == 4 and g["start"] == f"series:{tulip}"
    assert sum(n["key"].startswith("held:AU:") for n in g["nodes"]) == 1
    firm = c.get(f"/api/entities/series/{tulip}/graph", headers=as_("nl.inv"),
                 params={"depth": 2, "suggested": "false"}).json()
    assert {n["words"] for n in firm["nodes"]} == {"Tulip", SHARING["full"], SHARING["metadata"]}
    assert {e["kind"] for e in firm["edges"]} == {"same-series", "same-victim"}
    group = c.get(f"/api/entities/series/{full}/component", headers=as_("nl.inv")).json()
    assert {n["words"] for n in group["nodes"]} == {"Tulip", SHARING["full"],
                                                    SHARING["metadata"]}  # 2 links away too
    assert all(e["state"] == "confirmed" for e in group["edges"]) and group["depth"] == 2
    assert c.get(f"/api/entities/series/{hidden}/component",
                 headers=as_("nl.inv")).status_code == 404
    route = c.get("/api/links/path", headers=as_("nl.inv"),
                  params={"a": f"series:{full}", "b": f"series:{meta}"}).json()
    assert [r["kind"] for r in route] == ["same-series", "same-victim"]
    assert c.get("/api/links/path", headers=as_("nl.inv"),
                 params={"a": f"series:{full}", "b": "device:1"}).status_code == 422
    assert c.get(f"/api/entities/series/{hidden}/graph",
                 headers=as_("nl.inv")).status_code == 404
