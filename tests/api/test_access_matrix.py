"""Need-to-know, walked as a matrix: every endpoint x role x agency x sharing level.

AU owns one series at each sharing level. Its own users see everything; NL's users and DE's
instance admin see what the level allows and nothing more: hash-only gives 404 on every series
and media endpoint and only "held by AU, contact …" in a match; metadata gives details but no
pixels; full gives everything. A new API route fails ``test_every_route_is_in_the_matrix``
until it is added here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.api.conftest import SHARING, USERS, World

LEVELS = list(SHARING)
OWNERS = {u for u, agency, _ in USERS if agency == "AU"}
OTHERS = {u for u, agency, _ in USERS if agency != "AU"}

# Every API route, by the test that walks it. Keep in step with the app (checked below).
COVERED = {
    ("GET", "/api/series"), ("GET", "/api/series/{series_id}"),
    ("PATCH", "/api/series/{series_id}"), ("PUT", "/api/series/{series_id}/sharing"),
    ("GET", "/api/media/{media_id}"), ("GET", "/api/media/{media_id}/thumbnail"),
    ("POST", "/api/media/{media_id}/reveal"), ("GET", "/api/media/{media_id}/download"),
    # keyframes of videos, per sharing level: tests/api/test_video_views.py
    ("GET", "/api/media/{media_id}/keyframes/{index}"),
    ("POST", "/api/media/{media_id}/keyframes/{index}/reveal"),
    ("POST", "/api/search"), ("POST", "/api/jobs"), ("GET", "/api/jobs"),
    ("GET", "/api/jobs/{job_id}"), ("POST", "/api/jobs/{job_id}/cancel"),
    ("GET", "/api/jobs/{job_id}/report"), ("GET", "/api/notifications"),
    ("POST", "/api/notifications/{notification_id}/read"),
    ("POST", "/api/notifications/read-all"), ("GET", "/api/agencies"),
    ("POST", "/api/agencies"), ("PATCH", "/api/agencies/{agency_id}"), ("GET", "/api/users"),
    ("POST", "/api/users"), ("GET", "/api/audit"),
    # every user-management action x every pair of roles: tests/api/test_user_management.py
    ("PATCH", "/api/users/{user_id}"),
    ("GET", "/api/audit/export"), ("GET", "/api/audit/verify"), ("GET", "/api/audit/checkpoint"),
    ("GET", "/api/status"),
    # authentication: tests/api/test_auth.py
    ("POST", "/api/auth/login"), ("POST", "/api/auth/totp"), ("GET", "/api/auth/totp/new"),
    ("POST", "/api/auth/totp/enrol"), ("POST", "/api/auth/logout"), ("GET", "/api/auth/me"),
    ("GET", "/api/auth/tokens"), ("POST", "/api/auth/tokens"),
    ("POST", "/api/auth/password"), ("POST", "/api/auth/recovery-codes"),
    ("DELETE", "/api/auth/tokens/{token_id}"),
    # persons and faces: tests/api/test_faces_api.py
    ("GET", "/api/persons"), ("POST", "/api/persons"), ("GET", "/api/persons/{person_id}"),
    ("PATCH", "/api/persons/{person_id}"), ("PUT", "/api/persons/{person_id}/sharing"),
    ("POST", "/api/persons/{person_id}/faces"),
    ("DELETE", "/api/persons/{person_id}/faces/{face_id}"),
    ("GET", "/api/media/{media_id}/faces"), ("GET", "/api/faces/{face_id}/crop"),
    ("POST", "/api/faces/{face_id}/reveal"), ("POST", "/api/faces/search"),
    ("POST", "/api/faces/clusters"), ("GET", "/api/faces/clusters"),
    ("POST", "/api/faces/clusters/{run_id}/merge"), ("POST", "/api/faces/clusters/{run_id}/split"),
    ("POST", "/api/faces/clusters/{run_id}/remove"), ("POST", "/api/faces/clusters/{run_id}/link"),
    # categories, grading, annotations, bulk actions, the browser: tests/api/test_triage_api.py
    ("GET", "/api/categories"), ("PUT", "/api/media/{media_id}/category"),
    ("GET", "/api/grading/{job_id}"), ("POST", "/api/grading/{job_id}/grade"),
    ("POST", "/api/media/bulk"), ("POST", "/api/annotations"), ("GET", "/api/annotations"),
    ("DELETE", "/api/annotations/{annotation_id}"), ("GET", "/api/media"),
    ("GET", "/api/series/{series_id}/vics"), ("POST", "/api/media/export"),
    ("POST", "/api/imports"),
    # counts per agency, readable by every user (no names): tests/api/test_identification.py
    ("GET", "/api/stats"),
    # a series' thread between agencies, per user and level: tests/api/test_identification.py
    ("GET", "/api/series/{series_id}/discussion"), ("POST", "/api/series/{series_id}/discussion"),
    ("GET", "/api/series/{series_id}/timeline"),
    # connections, per user and level: tests/api/test_links_api.py
    ("GET", "/api/entities/{entity_type}/{entity_id}/links"),
    ("GET", "/api/entities/{entity_type}/{entity_id}/graph"), ("GET", "/api/links/path"),
    ("GET", "/api/entities/{entity_type}/{entity_id}/component"),
    ("POST", "/api/links"), ("POST", "/api/links/{link_id}/decision"),
    ("POST", "/api/series/{series_id}/links/suggest"),
    # threads on persons and places (series' own routes above): tests/api/test_places_api.py
    ("GET", "/api/entities/{entity_type}/{entity_id}/discussion"),
    ("POST", "/api/entities/{entity_type}/{entity_id}/discussion"),
    # access requests and grants, per user and level: tests/api/test_identification.py
    ("POST", "/api/series/{series_id}/access-requests"),
    ("POST", "/api/media/{media_id}/access-requests"),
    ("POST", "/api/jobs/{job_id}/access-requests"), ("GET", "/api/access-requests"),
    ("POST", "/api/access-requests/{request_id}/decision"),
    ("GET", "/api/series/{series_id}/grants"),
    ("DELETE", "/api/series/{series_id}/grants/{agency_code}"),
    # places, per user and level: tests/api/test_places_api.py
    ("GET", "/api/places"), ("POST", "/api/places"), ("GET", "/api/places/{place_id}"),
    ("PATCH", "/api/places/{place_id}"), ("PUT", "/api/places/{place_id}/sharing"),
    # clues in media, per user and level: tests/api/test_places_api.py
    ("GET", "/api/media/{media_id}/clues"), ("POST", "/api/media/{media_id}/clues"),
    ("GET", "/api/clues/{clue_id}"),
    # devices, per agency: tests/service/test_links.py (the API answers the same function)
    ("GET", "/api/devices/{device_id}"),
}


def sees(user: str, level: str) -> str:
    """What ``user`` may see of AU's series shared at ``level``: full, metadata or hash-only."""
    return "full" if user in OWNERS else level


def test_every_route_is_in_the_matrix(world: World) -> None:
    paths = world.client.get("/api/openapi.json").json()["paths"]
    routes = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    assert routes == COVERED


@pytest.mark.parametrize("user", [u for u, _, _ in USERS])
def test_series_list_and_pages(world: World, user: str) -> None:
    listing = world.client.get("/api/series", headers=world.as_(user))
    assert listing.status_code == 200
    names = {x["name"] for x in listing.json()}
    for level, name in SHARING.items():
        allowed = sees(user, level) != "hash-only"
        assert (name in names) == allowed, (user, level)
        if not allowed:
            assert name not in listing.text
        detail = world.client.get(f"/api/series/{world.series[level]}", headers=world.as_(user))
        assert detail.status_code == (200 if allowed else 404), (user, level)
        if allowed:
            body = detail.json()
            assert body["media_count"] == len(world.media[level])
            assert body["pixels"] == (sees(user, level) == "full")
        else:
            assert name not in detail.text


@pytest.mark.parametrize("user", [u for u, _, _ in USERS])
def test_media_endpoints(world: World, user: str) -> None:
    for level in LEVELS:
        view = sees(user, level)
        media_id = world.media[level][0]
        expected = {
            ("GET", f"/api/media/{media_id}"): 200 if view != "hash-only" else 404,
            ("GET", f"/api/media/{media_id}/thumbnail"): {"full": 200, "metadata": 403,
                                                          "hash-only": 404}[view],
            ("POST", f"/api/media/{media_id}/reveal"): {"full": 200, "metadata": 403,
                                                        "hash-only": 404}[view],
            ("GET", f"/api/media/{media_id}/download"): {"full": 200, "metadata": 403,
                                                         "hash-only": 404}[view],
        }
        for (method, path), status in expected.items():
            r = world.client.request(method, path, headers=world.as_(user))
            assert r.status_code == status, (user, level, method, path, r.text[:200])
            if status != 200:
                assert r.headers["content-type"].startswith("application/json")
                assert "sha256" not in r.text and SHARING[level] not in r.text
        if view == "metadata":  # details, but no other agency's paths or cases
            record = world.client.get(f"/api/media/{media_id}", headers=world.as_(user)).json()
            assert all(s["path"] is None and s["case"] is None for s in record["submissions"])
            assert "OP-AU-1" not in json.dumps(record)


def _search(world: World, user: str, path: Path) -> dict:
    with path.open("rb") as fh:
        r = world.client.post("/api/search", headers=world.as_(user),
                              files={"file": (path.name, fh, "image/jpeg")})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("user", ["au.viewer", "nl.viewer", "nl.inv", "root"])
def test_search_is_redacted_to_the_sharing_level(world: World, user: str) -> None:
    for level, name in SHARING.items():
        picture = sorted(world.folders[level].iterdir())[0]
        result = _search(world, user, picture)
        text = json.dumps(result)
        assert result["file"]["status"] == "exact"
        matches = result["file"]["matches"]
        if sees(user, level) == "hash-only":
            assert len(matches) == 1  # one line per holder, however many media match
            assert matches[0]["media_id"] is None and matches[0]["series"] is None
            assert matches[0]["victim_status"] is None
            assert matches[0]["all_series"][0]["contact"] == "vid@afp.example"
            assert name not in text and "OP-AU-1" not in text
        else:
            assert matches[0]["media_id"] in world.media[level]
            assert matches[0]["series"] == name


@pytest.mark.parametrize("user", [u for u, _, _ in USERS])
def test_editing_and_sharing_need_ownership(world: World, user: str) -> None:
    role = {u: r.value for u, _, r in USERS}[user]
    for level in LEVELS:
        sid = world.series[level]
        hidden = sees(user, level) == "hash-only"
        r = world.client.patch(f"/api/series/{sid}", headers=world.as_(user),
                               json={"victim_status": "identified"})
        can_edit = user in OWNERS and role in ("investigator", "agency-admin")
        assert r.status_code == (200 if can_edit else 404 if hidden else 403), (user, level)
        r = world.client.put(f"/api/series/{sid}/sharing", headers=world.as_(user),
                             json={"sharing": level})  # same level: the world stays as it is
        can_share = user in OWNERS and role == "agency-admin"
        assert r.status_code == (200 if can_share else 404 if hidden else 403), (user, level)


def test_administration_is_scoped(world: World) -> None:
    c, as_ = world.client, world.as_
    everyone = c.get("/api/users", headers=as_("root"))
    assert everyone.status_code == 200 and len(everyone.json()) == len(USERS)
    own = c.get("/api/users", headers=as_("au.admin")).json()
    assert {u["agency"] for u in own} == {"AU"}
    for user in ("au.inv", "au.viewer", "nl.inv", "nl.viewer"):
        assert c.get("/api/users", headers=as_(user)).status_code == 403
    new = {"username": "x.user", "password": "long enough password", "agency": "AU",
           "role": "viewer"}
    assert c.post("/api/users", headers=as_("nl.admin"), json=new).status_code == 403
    assert c.post("/api/users", headers=as_("au.admin"),
                  json={**new, "role": "admin"}).status_code == 403  # no self-made admins
    created = c.post("/api/users", headers=as_("au.admin"), json=new)
    assert created.status_code == 201
    uid = created.json()["id"]
    assert c.patch(f"/api/users/{uid}", headers=as_("nl.admin"),
                   json={"disabled": True}).status_code == 404
    assert c.patch(f"/api/users/{uid}", headers=as_("au.admin"),
                   json={"role": "investigator"}).json()["role"] == "investigator"

    agencies = c.get("/api/agencies", headers=as_("nl.viewer")).json()
    au = next(a for a in agencies if a["code"] == "AU")
    assert c.patch(f"/api/agencies/{au['id']}", headers=as_("nl.admin"),
                   json={"contact": "x"}).status_code == 403
    assert c.patch(f"/api/agencies/{au['id']}", headers=as_("au.admin"),
                   json={"contact": "vid@afp.example"}).status_code == 200
    body = {"code": "FR", "name": "OCRVP", "country": "FR"}
    assert c.post("/api/agencies", headers=as_("au.admin"), json=body).status_code == 403
    if not any(a["code"] == "FR" for a in agencies):
        assert c.post("/api/agencies", headers=as_("root"), json=body).status_code == 201

    trail = c.get("/api/audit", headers=as_("au.admin"), params={"limit": 1000})
    assert trail.status_code == 200 and {e["agency"] for e in trail.json()} <= {"AU"}
    for user in ("au.inv", "nl.viewer"):
        assert c.get("/api/audit", headers=as_(user)).status_code == 403
        assert c.get("/api/audit/export", headers=as_(user)).status_code == 403
    assert c.get("/api/audit/verify", headers=as_("au.admin")).status_code == 403
    csv_export = c.get("/api/audit/export", headers=as_("au.admin"), params={"format": "csv"})
    rows = csv_export.text.strip().splitlines()
    assert rows[0].startswith("id,at,actor,agency,action") and len(rows) > 2
    lines = c.get("/api/audit/export", headers=as_("au.admin"),
                  params={"format": "jsonl"}).text.strip().splitlines()
    assert {json.loads(x)["agency"] for x in lines} == {"AU"}
    verified = c.get("/api/audit/verify", headers=as_("root")).json()
    assert verified["ok"] and verified["events"] > 10
    assert verified["last_checkpoint"]["event"] >= verified["events"] - 1
    for user in ("au.inv", "nl.viewer"):
        assert c.get("/api/audit/checkpoint", headers=as_(user)).status_code == 403
    for user in ("root", "au.admin"):
        anchor = c.get("/api/audit/checkpoint", headers=as_(user)).json()
        assert anchor["event"] > 10 and len(anchor["head"]) == 64 and anchor["public_key"]
    status = c.get("/api/status", headers=as_("nl.viewer")).json()
    assert status["agency"] == "NL" and status["series"] == 0


def test_viewers_cannot_upload(world: World) -> None:
    r = world.client.post("/api/jobs", headers=world.as_("nl.viewer"),
                          files={"files": ("a.jpg", b"x", "image/jpeg")})
    assert r.status_code == 403
