"""Categories, grading, annotations, bulk actions and the media browser through the API, walked
per user and sharing level: a category needs the pixels, a note needs the details, everything
written stays within the writer's agency, and another agency's category of a file is read only
where that agency's holding of it may be read."""

from __future__ import annotations

import hashlib
import json

import pytest

from tessera.access.policy import Role
from tessera.interop.vics import VicsReader
from tessera.synthetic import jpeg, picture
from tests.api.conftest import SHARING, USERS, World
from tests.api.test_access_matrix import sees

ROLE = {u: r for u, _, r in USERS}


def _category(world: World, code: str) -> int:
    schemes = world.client.get("/api/categories", headers=world.as_("nl.viewer")).json()
    vics = next(x for x in schemes if x["name"] == "vics")
    return next(c["id"] for c in vics["categories"] if c["code"] == code)


def _own_media(world: World, user: str, **filters: object) -> dict[str, int]:
    r = world.client.get("/api/media", headers=world.as_(user), params=filters)
    assert r.status_code == 200, r.text
    return {m["sha256"]: m["id"] for m in r.json()["media"]}


def _vics(tmp_path, body: bytes) -> list:  # type: ignore[no-untyped-def]
    path = tmp_path / "case.json"
    path.write_bytes(body)
    return [rec for _, rec in VicsReader(path)]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_the_vics_scheme_is_listed(world: World) -> None:
    for user, _, _ in USERS:
        schemes = world.client.get("/api/categories", headers=world.as_(user)).json()
        vics = next(x for x in schemes if x["name"] == "vics")
        assert [c["code"] for c in vics["categories"]] == ["0", "1", "2", "3", "4"]
        assert [c["abuse"] for c in vics["categories"]] == [False, True, False, False, False]


@pytest.mark.parametrize("user", [u for u, _, _ in USERS])
def test_categorise_and_annotate_follow_need_to_know(world: World, user: str) -> None:
    c, as_ = world.client, world.as_
    comparison = _category(world, "4")
    for level in SHARING:
        view, media_id = sees(user, level), world.media[level][1]
        works = ROLE[user] != Role.VIEWER
        r = c.put(f"/api/media/{media_id}/category", headers=as_(user),
                  json={"category_id": comparison})
        want = 404 if view == "hash-only" else 200 if view == "full" and works else 403
        assert r.status_code == want, (user, level, r.text)
        r = c.post("/api/annotations", headers=as_(user),
                   json={"target": "media", "target_ids": [media_id], "kind": "tag",
                         "text": f"seen by {user}"})
        want = 404 if view == "hash-only" else 200 if works else 403
        assert r.status_code == want, (user, level, r.text)
        if want != 200:
            assert "sha256" not in r.text and SHARING[level] not in r.text
            continue
        mine = c.get("/api/annotations", headers=as_(user),
                     params={"target": "media", "target_id": media_id}).json()
        assert f"seen by {user}" in {a["text"] for a in mine}
        if user not in {u for u, agency, _ in USERS if agency == "AU"}:  # AU never reads it
            theirs = c.get("/api/annotations", headers=as_("au.inv"),
                           params={"target": "media", "target_id": media_id}).json()
            assert f"seen by {user}" not in {a["text"] for a in theirs}


def test_a_picture_has_no_segments(world: World) -> None:
    r = world.client.put(f"/api/media/{world.media['full'][0]}/category",
                         headers=world.as_("au.inv"),
                         json={"category_id": _category(world, "4"), "segment": [0, 2]})
    assert r.status_code == 400 and "only videos and recordings" in r.text


def test_series_and_jobs_carry_notes_too(world: World) -> None:
    c, as_ = world.client, world.as_
    full, hidden = world.series["full"], world.series["hash-only"]
    note = {"target": "series", "kind": "note", "text": "same wallpaper as OP-AU-1"}
    assert c.post("/api/annotations", headers=as_("au.inv"),
                  json={**note, "target_ids": [full]}).status_code == 200
    assert c.post("/api/annotations", headers=as_("nl.inv"),  # NL's own note on a shared one
                  json={**note, "target_ids": [full], "text": "NL saw it"}).status_code == 200
    assert c.post("/api/annotations", headers=as_("nl.inv"),
                  json={**note, "target_ids": [hidden]}).status_code == 404
    mine = c.get("/api/annotations", headers=as_("au.viewer"),
                 params={"target": "series", "target_id": full}).json()
    assert [a["text"] for a in mine] == ["same wallpaper as OP-AU-1"]
    r = c.post("/api/jobs", headers=as_("au.inv"), data={"case": "OP-AU-3", "store": "true"},
               files=[("files", ("j.jpg", jpeg(picture(891)), "image/jpeg"))])
    job = world.wait("au.inv", r.json()["id"])
    bookmark = {"target": "job", "target_ids": [job["ingest_job"]], "kind": "bookmark"}
    assert c.post("/api/annotations", headers=as_("au.inv"), json=bookmark).status_code == 200
    assert c.post("/api/annotations", headers=as_("nl.inv"), json=bookmark).status_code == 404
    marks = c.get("/api/annotations", headers=as_("au.inv"),
                  params={"target": "job", "target_id": job["ingest_job"]}).json()
    assert [a["kind"] for a in marks] == ["bookmark"]


def test_only_the_writers_agency_removes_an_annotation(world: World) -> None:
    c, as_ = world.client, world.as_
    media_id = world.media["full"][2]
    assert c.post("/api/annotations", headers=as_("au.inv"),
                  json={"target": "media", "target_ids": [media_id], "kind": "note",
                        "text": "compare with OP-AU-1 exhibit 4"}).status_code == 200
    note = next(a for a in c.get("/api/annotations", headers=as_("au.inv"),
                                 params={"target": "media", "target_id": media_id}).json()
                if a["kind"] == "note")
    assert c.delete(f"/api/annotations/{note['id']}", headers=as_("nl.admin")).status_code == 404
    assert c.delete(f"/api/annotations/{note['id']}", headers=as_("au.viewer")).status_code == 403
    assert c.delete(f"/api/annotations/{note['id']}", headers=as_("au.inv")).status_code == 200
    assert c.delete(f"/api/annotations/{note['id']}", headers=as_("au.inv")).status_code == 404


def test_the_browser_shows_ones_own_media_filtered(world: World) -> None:
    c, as_ = world.client, world.as_
    everything = set(_own_media(world, "au.viewer").values())
    au_media = {m for ids in world.media.values() for m in ids}
    assert au_media <= everything  # (earlier tests here may have stored more of AU's)
    assert au_media.isdisjoint(_own_media(world, "nl.inv").values())  # none of them NL's
    hidden = c.get("/api/media", headers=as_("nl.inv"),
                   params={"series": world.series["hash-only"]})
    assert hidden.status_code == 404 and SHARING["hash-only"] not in hidden.text

    picked = world.media["metadata"][2:4]
    cgi = _category(world, "3")
    r = c.post("/api/media/bulk", headers=as_("au.inv"),
               json={"media_ids": picked, "action": "categorise", "value": str(cgi)})
    assert r.status_code == 200 and r.json()["done"] == 2
    r = c.post("/api/media/bulk", headers=as_("au.inv"),
               json={"media_ids": picked[:1], "action": "tag", "value": "ocean view"})
    assert r.status_code == 200
    assert c.post("/api/media/bulk", headers=as_("au.viewer"),
                  json={"media_ids": picked, "action": "tag", "value": "x"}).status_code == 403
    assert sorted(_own_media(world, "au.viewer", category=cgi).values()) == sorted(picked)
    assert list(_own_media(world, "au.viewer", tag="ocean view").values()) == picked[:1]
    assert set(picked).isdisjoint(_own_media(world, "au.viewer", status="uncategorised").values())
    assert _own_media(world, "au.viewer", kind="video") == {}
    in_series = _own_media(world, "au.viewer", series=world.series["full"])
    assert sorted(in_series.values()) == sorted(world.media["full"])

    r = c.post("/api/media/bulk", headers=as_("au.inv"),
               json={"media_ids": picked, "action": "series", "value": "Series Ocean"})
    assert r.status_code == 200
    ocean = r.json()["series_id"]
    assert sorted(_own_media(world, "au.viewer", series=ocean).values()) == sorted(picked)
    assert c.post("/api/media/bulk", headers=as_("nl.inv"),  # not NL's to file away
                  json={"media_ids": picked, "action": "series",
                        "value": "Taken"}).status_code == 403


def test_a_seizures_queue_is_precategorised_from_what_may_be_read(world: World) -> None:
    c, as_ = world.client, world.as_
    abuse, non_pertinent = _category(world, "1"), _category(world, "0")
    known = {level: sorted(world.folders[level].iterdir())[0] for level in SHARING}
    au = _own_media(world, "au.inv")
    known_ids = {level: au[_sha256(p.read_bytes())] for level, p in known.items()}
    assert c.post("/api/media/bulk", headers=as_("au.inv"),
                  json={"media_ids": list(known_ids.values()), "action": "categorise",
                        "value": str(abuse)}).status_code == 200

    new = [jpeg(picture(880)), jpeg(picture(881))]
    files = [("files", (f"{level}.jpg", p.read_bytes(), "image/jpeg"))
             for level, p in known.items()]
    files += [("files", (f"new-{n}.jpg", data, "image/jpeg")) for n, data in enumerate(new)]
    r = c.post("/api/jobs", headers=as_("nl.inv"), files=files,
               data={"case": "NL-2026-9", "store": "true"})
    assert r.status_code == 202, r.text
    job = world.wait("nl.inv", r.json()["id"])
    assert job["state"] == "done" and job["ingest_job"], job
    queue_url = f"/api/grading/{job['ingest_job']}"

    assert c.get(queue_url, headers=as_("au.inv")).status_code == 404  # not AU's seizure
    queue = c.get(queue_url, headers=as_("nl.inv")).json()
    assert queue["job"]["case"] == "NL-2026-9" and str(world.settings.home) not in str(queue)
    items = {i["media_id"]: i for i in queue["items"]}
    assert queue["progress"]["total"] == 5
    for level in ("full", "metadata"):  # AU's word, shared with NL, proposed from the match
        item = items[known_ids[level]]
        assert item["state"] == "pre-categorised", item
        assert item["category"]["code"] == "1" and item["category"]["source"] == "match"
    # holding the same file does not open AU's private judgement of it
    assert items[known_ids["hash-only"]]["category"] is None
    fresh = [m for m in items if m not in known_ids.values()]
    assert len(fresh) == 2 and queue["progress"]["left_for_you"] == 3
    assert queue["next"][:3] == sorted(queue["next"][:3], key=lambda m: items[m]["position"])

    report = c.get(f"/api/jobs/{job['id']}/report", headers=as_("nl.viewer")).json()
    by_path = {f["path"]: f for f in report["files"]}
    assert by_path["full.jpg"]["category"]["code"] == "1"
    assert by_path["metadata.jpg"]["category"]["code"] == "1"
    assert by_path["hash-only.jpg"]["category"] is None

    grade = f"{queue_url}/grade"
    assert c.post(grade, headers=as_("nl.viewer"),
                  json={"media_id": fresh[0], "category_id": non_pertinent}).status_code == 403
    assert c.post(grade, headers=as_("nl.inv"),  # a media outside this job
                  json={"media_id": world.media["full"][3],
                        "category_id": non_pertinent}).status_code == 404
    r = c.post(grade, headers=as_("nl.inv"),
               json={"media_id": fresh[0], "category_id": non_pertinent})
    assert r.status_code == 200 and r.json()["state"] == "graded"
    after = c.get(queue_url, headers=as_("nl.inv")).json()
    assert after["progress"]["graded"] == 1 and fresh[0] not in after["next"]
    assert after["progress"]["left_for_you"] == 2
    # NL's grade is NL's: AU's browser shows AU's own category of its files only
    assert non_pertinent not in {m["category"]["id"] for m in c.get(
        "/api/media", headers=as_("au.inv")).json()["media"] if m["category"]}


def test_two_investigators_must_agree_when_the_agency_says_so(world: World) -> None:
    c, as_ = world.client, world.as_
    au = next(a for a in c.get("/api/agencies", headers=as_("au.viewer")).json()
              if a["code"] == "AU")
    assert au["grading_votes"] == 1 and au["partner_consent"] is False
    rule = {"grading_votes": 2}
    assert c.patch(f"/api/agencies/{au['id']}", headers=as_("au.inv"),
                   json=rule).status_code == 403
    assert c.patch(f"/api/agencies/{au['id']}", headers=as_("nl.admin"),
                   json=rule).status_code == 403
    assert c.patch(f"/api/agencies/{au['id']}", headers=as_("au.admin"),
                   json={"grading_votes": 9}).status_code == 422
    r = c.patch(f"/api/agencies/{au['id']}", headers=as_("au.admin"), json=rule)
    assert r.status_code == 200 and r.json()["grading_votes"] == 2
    try:
        r = c.post("/api/jobs", headers=as_("au.inv"),
                   files=[("files", ("two.jpg", jpeg(picture(890)), "image/jpeg"))],
                   data={"case": "OP-AU-2", "store": "true"})
        job = world.wait("au.inv", r.json()["id"])
        url = f"/api/grading/{job['ingest_job']}"
        media_id = c.get(url, headers=as_("au.inv")).json()["next"][0]
        comparison, cgi = _category(world, "4"), _category(world, "3")
        first = c.post(f"{url}/grade", headers=as_("au.inv"),
                       json={"media_id": media_id, "category_id": comparison}).json()
        assert first["state"] == "waiting"
        assert c.get(url, headers=as_("au.inv")).json()["next"] == []  # already voted
        assert c.get(url, headers=as_("au.admin")).json()["next"] == [media_id]
        second = c.post(f"{url}/grade", headers=as_("au.admin"),
                        json={"media_id": media_id, "category_id": cgi}).json()
        assert second["state"] == "disputed"
        assert c.get(url, headers=as_("au.viewer")).json()["progress"]["disputed"] == 1
        assert c.get(url, headers=as_("root")).status_code == 404  # another agency's queue
    finally:
        c.patch(f"/api/agencies/{au['id']}", headers=as_("au.admin"), json={"grading_votes": 1})


@pytest.mark.parametrize("user", [u for u, _, _ in USERS])
def test_vics_exports_are_the_owners_to_make(world: World, user: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    c, as_ = world.client, world.as_
    may = user in ("au.inv", "au.admin")
    for level in SHARING:
        r = c.get(f"/api/series/{world.series[level]}/vics", headers=as_(user),
                  params={"version": "1.3"})
        hidden = sees(user, level) == "hash-only"
        assert r.status_code == (200 if may else 404 if hidden else 403), (user, level)
        if may:
            assert "attachment" in r.headers["content-disposition"]
            records = _vics(tmp_path, r.content)
            assert len(records) == len(world.media[level])
            assert all(rec.md5 and rec.sha1 for rec in records)
        else:
            assert SHARING[level] not in r.text
    picked = world.media["full"][:2]
    r = c.post("/api/media/export", headers=as_(user), json={"media_ids": picked})
    assert r.status_code == (200 if may else 404 if user in ("nl.inv", "nl.admin", "root")
                             else 403), (user, r.text)
    if may:
        assert {rec.media_id for rec in _vics(tmp_path, r.content)} == set(picked)
    assert not list(world.settings.temp_dir.glob("vics-*"))  # nothing left behind


def test_hash_sets_are_imported_by_investigators_whole_or_not_at_all(world: World) -> None:
    c, as_ = world.client, world.as_
    md5s = [hashlib.md5(bytes([n, 7])).hexdigest() for n in range(3)]
    listing = ("md5,category,source\n" + "".join(f"{m},1,partner\n" for m in md5s)).encode()
    form = {"format": "csv", "series": "Partner list"}
    for user in ("au.viewer", "nl.viewer"):
        r = c.post("/api/imports", headers=as_(user), data=form,
                   files={"file": ("list.csv", listing, "text/csv")})
        assert r.status_code == 403, user
    r = c.post("/api/imports", headers=as_("nl.inv"), data=form,
               files={"file": ("list.csv", listing, "text/csv")})
    assert r.status_code == 200, r.text
    summary = r.json()
    assert (summary["file"], summary["records"], summary["media_new"]) == ("list.csv", 3, 3)
    assert summary["series"] == {"Partner list": 3}
    held = c.get("/api/media", headers=as_("nl.inv"), params={"hash_only": True}).json()
    assert {m["md5"] for m in held["media"]} >= set(md5s)
    assert all(m["category"]["code"] == "1" for m in held["media"] if m["md5"] in md5s)
    partner = next(x for x in c.get("/api/series", headers=as_("nl.inv")).json()
                   if x["name"] == "Partner list")
    listed = c.get(f"/api/series/{partner['id']}", headers=as_("nl.inv"))
    assert listed.status_code == 200, listed.text  # a series of records without SHA-256
    one = listed.json()["media"][0]
    assert one["hash_only"] and one["sha256"] is None and one["md5"] in md5s
    record = c.get(f"/api/media/{one['id']}", headers=as_("nl.inv"))
    assert record.status_code == 200 and record.json()["hash_only"], record.text
    assert c.get(f"/api/media/{one['id']}/thumbnail", headers=as_("nl.inv")).status_code == 404

    big = json.dumps({"odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/"
                                        "1.3.xml#Cases", "value": [{"Media": [
        {"MD5": hashlib.md5(bytes([n, 9])).hexdigest(), "Comments": "x" * 8000}
        for n in range(200)]}]}).encode()  # 1.6 MB: past the 1 MiB most requests may carry
    r = c.post("/api/imports", headers=as_("nl.inv"), data={"format": "vics"},
               files={"file": ("big.json", big, "application/json")})
    assert len(big) > 1024**2 and r.status_code == 200 and r.json()["media_new"] == 200, r.text

    broken = b'{"odata.metadata": "x#Cases", "value": [{"Media": [{"MD5": "ab",,}]}]}'
    r = c.post("/api/imports", headers=as_("nl.inv"), data={"format": "vics"},
               files={"file": ("case.json", broken, "application/json")})
    assert r.status_code == 400 and "case.json" in r.text and "line 1, column" in r.text
    r = c.post("/api/imports", headers=as_("nl.inv"), data={"format": "xml"},
               files={"file": ("case.xml", b"<x/>", "text/xml")})
    assert r.status_code == 400 and "format must be one of" in r.text
    assert not any(world.settings.temp_dir.iterdir())  # nothing left waiting
    trail = c.get("/api/audit", headers=as_("nl.admin"), params={"action": "import."}).json()
    assert sorted(e["object"] for e in trail) == ["big.json", "list.csv"]  # never temp paths
