"""The identification workflow: a status change of a series' victim or offender is kept in its
history (who, when, which agency, why), and is told to the owner's colleagues and to every agency
whose material matched the series, as far as the series' sharing lets that agency read it."""

from __future__ import annotations

import pytest

from tessera.access.policy import Role
from tests.api.conftest import SHARING, USERS, World
from tests.api.test_access_matrix import sees

ROLE = {u: r for u, _, r in USERS}


def _notes(world: World, user: str) -> list[str]:
    return [n["message"] for n in world.client.get("/api/notifications",
                                                   headers=world.as_(user)).json()]


def test_status_changes_are_kept_and_told_to_those_who_matched(world: World) -> None:
    c, as_ = world.client, world.as_
    files = [("files", (f"{level}.jpg", sorted(world.folders[level].iterdir())[0].read_bytes(),
                        "image/jpeg")) for level in SHARING]
    r = c.post("/api/jobs", headers=as_("nl.inv"), files=files, data={"case": "NL-ID-1"})
    assert world.wait("nl.inv", r.json()["id"])["state"] == "done"
    before = set(_notes(world, "nl.viewer"))

    full, hidden, meta = (world.series[k] for k in ("full", "hash-only", "metadata"))
    r = c.patch(f"/api/series/{full}", headers=as_("au.inv"),
                json={"offender_status": "arrested", "note": "arrested in Sydney, 1 Dec"})
    assert r.status_code == 200, r.text
    (step,) = r.json()["history"]
    assert (step["subject"], step["before"], step["after"]) == ("offender", "unknown", "arrested")
    assert step["by"] == "user:au.inv" and step["agency"] == "AU"
    assert step["note"] == "arrested in Sydney, 1 Dec"
    assert c.patch(f"/api/series/{hidden}", headers=as_("au.inv"),
                   json={"victim_status": "safeguarded", "note": "child safe"}).status_code == 200
    assert c.patch(f"/api/series/{meta}", headers=as_("au.inv"),
                   json={"victim_status": "in-progress"}).status_code == 200
    assert c.patch(f"/api/series/{meta}", headers=as_("au.inv"),  # no change: no new step
                   json={"victim_status": "in-progress"}).status_code == 200
    wrong = c.patch(f"/api/series/{meta}", headers=as_("au.inv"),
                    json={"victim_status": "freed"})
    assert wrong.status_code == 400 and "in-progress" in wrong.text
    assert c.patch(f"/api/series/{full}", headers=as_("nl.inv"),  # not NL's to change
                   json={"offender_status": "convicted"}).status_code == 403

    told = set(_notes(world, "nl.viewer")) - before
    assert any(SHARING["full"] in m and "offender unknown → arrested" in m
               and "arrested in Sydney" in m for m in told), told
    assert any(SHARING["metadata"] in m and "victim unidentified → in-progress" in m
               for m in told), told
    assert len(told) == 2  # the hash-only series tells NL nothing, not even that it changed
    assert not any(SHARING["hash-only"] in m or "child safe" in m for m in told)
    assert not any("arrested" in m for m in _notes(world, "root"))  # DE matched nothing
    own = _notes(world, "au.viewer")
    assert any(SHARING["hash-only"] in m and "safeguarded" in m for m in own)

    seen = c.get(f"/api/series/{meta}", headers=as_("nl.viewer")).json()
    assert [(h["subject"], h["after"]) for h in seen["history"]] == [("victim", "in-progress")]
    assert c.get(f"/api/series/{hidden}", headers=as_("nl.viewer")).status_code == 404
    trail = c.get("/api/audit", headers=as_("au.admin"), params={"action": "series.edit"})
    assert any(e["details"].get("note") == "child safe" for e in trail.json())
    made = c.get("/api/audit", headers=as_("root"),
                 params={"action": "notification.create", "limit": 1000}).json()
    assert any(e["details"].get("status") == "offender unknown → arrested"
               and e["details"].get("series") == full for e in made)
    assert any(e["details"].get("task") and e["details"].get("files") for e in made)


@pytest.mark.parametrize("user", [u for u, _, _ in USERS])
def test_a_series_timeline_tells_what_its_reader_may_know(world: World, user: str) -> None:
    """Run after the workflow test: NL's upload matched the series, AU changed statuses."""
    for level in SHARING:
        r = world.client.get(f"/api/series/{world.series[level]}/timeline",
                             headers=world.as_(user))
        if sees(user, level) == "hash-only":
            assert r.status_code == 404
            continue
        events = r.json()
        assert [e["at"] for e in events] == sorted(e["at"] for e in events)
        assert events[0]["kind"] == "created"
        submitted = [e for e in events if e["kind"] == "submitted"]
        assert any("AU submitted 4 files" in e["text"] for e in submitted), events
        owner = user.startswith("au.")
        assert ("in case OP-AU-1" in str(submitted)) == owner  # another agency's case stays
        matched = [e for e in events if e["kind"] == "matched"]
        assert bool(matched) == owner and all("NL-ID-1" in e["text"] for e in matched)
        if level == "full":
            assert any(e["kind"] == "status" and "offender: unknown → arrested" in e["text"]
                       for e in events)


def test_statistics_count_the_steps_and_the_spared_triage(world: World) -> None:
    """Run after the workflow test above (same world): one offender arrested (AU), one victim
    safeguarded (AU), NL's upload of three known files spared it their triage."""
    c, as_ = world.client, world.as_
    for user in ("nl.viewer", "au.viewer", "root"):  # counts only: every user may read them
        table = c.get("/api/stats", headers=as_(user)).json()
        rows = {r["agency"]: r for r in table["rows"]}
        assert rows["AU"]["offenders_arrested"] == 1 and rows["AU"]["victims_safeguarded"] == 1
        assert rows["AU"]["series"] == len(SHARING) and rows["DE"]["series"] == 0
        assert rows["NL"]["files_spared"] >= 3 and rows["NL"]["files_deconflicted"] >= 3
        assert table["total"]["offenders_arrested"] == 1
        assert [d["victims"] for d in table["identified_per_day"]] == [1]
        assert SHARING["full"] not in str(table)  # no series names
    later = c.get("/api/stats", headers=as_("nl.viewer"),
                  params={"since": "2100-01-01T00:00:00Z"}).json()
    assert later["total"]["offenders_arrested"] == 0 and later["identified_per_day"] == []
    assert later["total"]["series"] == len(SHARING)  # series count as they stand
    by_country = c.get("/api/stats", headers=as_("nl.viewer"), params={"by": "country"}).json()
    assert {r["country"] for r in by_country["rows"]} == {"AU", "NL", "DE"}
    sheet = c.get("/api/stats", headers=as_("nl.viewer"), params={"format": "csv"})
    assert sheet.headers["content-type"].startswith("text/csv")
    lines = sheet.text.splitlines()
    assert lines[0].startswith("agency,victims_identified") and lines[-1].startswith("total,")


@pytest.mark.parametrize("user", [u for u, _, _ in USERS])
def test_a_series_thread_is_read_and_written_as_its_details_are(world: World, user: str) -> None:
    c, as_ = world.client, world.as_
    for level in SHARING:
        sid, view = world.series[level], sees(user, level)
        text = f"{user} on {level}: same wallpaper as our case @NL @DE"
        r = c.post(f"/api/series/{sid}/discussion", headers=as_(user), json={"text": text})
        writer = ROLE[user] != Role.VIEWER
        want = 404 if view == "hash-only" else 201 if writer else 403
        assert r.status_code == want, (user, level, r.text)
        thread = c.get(f"/api/series/{sid}/discussion", headers=as_(user))
        assert thread.status_code == (404 if view == "hash-only" else 200)
        if want == 201:
            assert text in [m["text"] for m in thread.json()]
            assert r.json()["agency"] == {u: a for u, a, _ in USERS}[user]


def test_naming_an_agency_tells_it_only_what_it_may_read(world: World) -> None:
    c, as_ = world.client, world.as_
    before = set(_notes(world, "nl.viewer"))
    for level in SHARING:
        r = c.post(f"/api/series/{world.series[level]}/discussion", headers=as_("au.inv"),
                   json={"text": f"@nl does this {level} room match yours?"})
        assert r.status_code == 201
    told = set(_notes(world, "nl.viewer")) - before
    assert {SHARING["full"] in m or SHARING["metadata"] in m for m in told} == {True}
    assert len(told) == 2 and not any(SHARING["hash-only"] in m for m in told)
    assert any("does this full room match yours?" in m for m in told)
    owner_before = set(_notes(world, "au.viewer"))
    assert c.post(f"/api/series/{world.series['full']}/discussion", headers=as_("nl.inv"),
                  json={"text": "yes: our case NL-ID-1"}).status_code == 201
    assert any("yes: our case NL-ID-1" in m for m in set(_notes(world, "au.viewer")) -
               owner_before)  # the owner hears of another agency's message
    blank = c.post(f"/api/series/{world.series['full']}/discussion", headers=as_("nl.inv"),
                   json={"text": "   "})
    assert blank.status_code == 400


def test_asking_for_access_is_granted_or_refused_in_one_click(world: World) -> None:
    """Run after the workflow test (same world): NL's upload matched all three AU series. NL
    asks for more of two of them (one known only as "held by AU"); AU's agency admin grants
    one, refuses the other, and the grant is for NL alone until AU withdraws it."""
    c, as_ = world.client, world.as_
    meta, hidden, full = (world.series[k] for k in ("metadata", "hash-only", "full"))
    thumb = f"/api/media/{world.media['metadata'][0]}/thumbnail"

    def ask(user: str, series_id: int, level: str, **more: str):
        return c.post(f"/api/series/{series_id}/access-requests", headers=as_(user),
                      json={"level": level, **more})

    assert ask("nl.viewer", meta, "full").status_code == 403
    assert ask("au.inv", meta, "full").status_code == 403  # one's own series
    assert ask("nl.inv", meta, "metadata").status_code == 400  # already seen
    assert ask("nl.inv", full, "full").status_code == 403  # nothing more to ask for
    assert ask("root", hidden, "metadata").status_code == 404  # DE matched nothing of it
    assert ask("nl.inv", meta, "everything").status_code == 422
    owner_before = set(_notes(world, "au.viewer"))
    r = ask("nl.inv", meta, "full", reason="same room as our case NL-ID-1")
    assert r.status_code == 201, r.text
    assert (r.json()["state"], r.json()["series"]) == ("pending", SHARING["metadata"])
    assert ask("nl.inv", meta, "full").json()["id"] == r.json()["id"]  # asked once
    (told,) = set(_notes(world, "au.viewer")) - owner_before
    assert "asks for full access" in told and SHARING["metadata"] in told
    assert "same room as our case NL-ID-1" in told and "vic@politie.example" in told

    job = next(j["id"] for j in c.get("/api/jobs", headers=as_("nl.inv")).json()
               if j["case"] == "NL-ID-1")
    assert c.post(f"/api/jobs/{job}/access-requests", headers=as_("au.admin"),
                  json={"owner": "AU", "level": "metadata"}).status_code == 404  # NL's job
    held = c.post(f"/api/jobs/{job}/access-requests", headers=as_("nl.inv"),
                  json={"owner": "AU", "level": "metadata"})
    assert held.status_code == 201, held.text
    (hidden_ask,) = held.json()  # the two series NL reads already are not asked about
    assert hidden_ask["series"] is None and hidden_ask["series_id"] is None
    assert SHARING["hash-only"] not in held.text

    incoming = c.get("/api/access-requests", headers=as_("au.admin")).json()["incoming"]
    pending = {x["series"]: x for x in incoming if x["state"] == "pending"}
    assert set(pending) == {SHARING["metadata"], SHARING["hash-only"]}
    assert all(x["can_decide"] and x["agency"] == "NL" for x in pending.values())
    assert not any(x["can_decide"] for x in
                   c.get("/api/access-requests", headers=as_("au.inv")).json()["incoming"])
    outgoing = c.get("/api/access-requests", headers=as_("nl.viewer")).json()["outgoing"]
    assert len(outgoing) == 2 and SHARING["hash-only"] not in str(outgoing)
    assert c.get("/api/access-requests", headers=as_("root")).json() == {"incoming": [],
                                                                        "outgoing": []}

    def decide(user: str, request_id: int, grant: bool, note: str | None = None):
        return c.post(f"/api/access-requests/{request_id}/decision", headers=as_(user),
                      json={"grant": grant, "note": note})

    to_meta, to_hidden = (pending[SHARING[k]]["id"] for k in ("metadata", "hash-only"))
    assert decide("au.inv", to_meta, True).status_code == 403  # sharing is the admin's
    assert decide("nl.admin", to_meta, True).status_code == 404
    assert c.get(thumb, headers=as_("nl.viewer")).status_code == 403
    nl_before = set(_notes(world, "nl.viewer"))
    granted = decide("au.admin", to_meta, True, "go ahead")
    assert granted.status_code == 200 and granted.json()["state"] == "granted"
    assert decide("au.admin", to_meta, False).status_code == 400  # decided once
    assert c.get(thumb, headers=as_("nl.viewer")).status_code == 200
    assert c.get(thumb, headers=as_("root")).status_code == 403  # for NL alone
    refused = decide("au.admin", to_hidden, False, "ask our case officer first")
    assert refused.json()["state"] == "refused"
    assert c.get(f"/api/series/{hidden}", headers=as_("nl.viewer")).status_code == 404
    answers = set(_notes(world, "nl.viewer")) - nl_before
    assert any("granted" in m and SHARING["metadata"] in m and "go ahead" in m
               for m in answers), answers
    assert any("refused" in m and "material held by AU" in m for m in answers), answers
    assert SHARING["hash-only"] not in str(answers)
    assert [g["agency"] for g in c.get(f"/api/series/{meta}/grants",
                                       headers=as_("au.viewer")).json()] == ["NL"]
    assert c.get(f"/api/series/{meta}/grants", headers=as_("nl.inv")).json() == []
    trail = {who: {e["action"] for e in c.get("/api/audit", headers=as_(who),
                                              params={"limit": 1000}).json()}
             for who in ("au.admin", "nl.admin")}  # each agency's own acts
    assert {"access.grant", "access.refuse"} <= trail["au.admin"] - trail["nl.admin"]
    assert "access.request" in trail["nl.admin"] - trail["au.admin"]

    assert c.delete(f"/api/series/{meta}/grants/NL", headers=as_("au.inv")).status_code == 403
    assert c.delete(f"/api/series/{meta}/grants/NL", headers=as_("au.admin")).status_code == 200
    assert c.get(thumb, headers=as_("nl.viewer")).status_code == 403
    assert c.delete(f"/api/series/{meta}/grants/NL", headers=as_("au.admin")).status_code == 404

    by_file = lambda level: c.post(  # noqa: E731
        f"/api/media/{world.media[level][0]}/access-requests", headers=as_("nl.inv"),
        json={"level": "full", "reason": "this file again"})
    asked = by_file("metadata")  # the grant withdrawn: NL may ask again, through the file
    assert asked.status_code == 201 and [x["state"] for x in asked.json()] == ["pending"]
    assert asked.json()[0]["series"] == SHARING["metadata"]
    assert by_file("hash-only").status_code == 404  # a file NL may not read the details of
    assert by_file("full").status_code == 400  # nothing more to ask for
