"""What was said is content: a text search answers only from media whose pictures the asker
may see, and it is audited, for the CLI's operator and a web user alike."""

from __future__ import annotations

import hashlib

from tessera.access.policy import Principal, Role
from tessera.context import Context
from tessera.core.types import Digests, FileResult, MediaInfo, MediaKind, Utterance
from tessera.service import views
from tessera.store import audit, repos
from tessera.store.repos import ledger


def _store_speech(ctx: Context, agency_code: str, said: str) -> None:
    data = said.encode()
    d = Digests(hashlib.md5(data).hexdigest(), hashlib.sha1(data).hexdigest(),
                hashlib.sha256(data).hexdigest(), len(data))
    result = FileResult("call.flac", MediaInfo(d.sha256, d.md5, d.sha1, d.size, "audio/flac",
                                               MediaKind.AUDIO), d,
                        transcript=[Utterance(1.0, 2.5, said, "en", "test")])
    with ctx.db.session() as s:
        agency = repos.get_agency(s, agency_code)
        job = ledger.add_job(s, "/seized", agency.id, "test", None, None)
        ledger.write_batch(s, ledger.JobTarget(agency.id, None, None, job.id), [result])


def test_speech_is_found_only_where_its_pictures_may_be_seen(sqlite_ctx: Context) -> None:
    with sqlite_ctx.db.session() as s:  # the fixture's agencies
        ids = repos.get_agency(s, "AU").id, repos.get_agency(s, "DE").id
    _store_speech(sqlite_ctx, "AU", "meet me at the harbour")
    owner = Principal(1, "au.inv", ids[0], "AU", Role.INVESTIGATOR)
    other = Principal(2, "de.admin", ids[1], "DE", Role.ADMIN)
    with sqlite_ctx.db.session() as s:
        mine = views.search_speech(s, owner, "harbour meet")
        theirs = views.search_speech(s, other, "harbour")
        console = views.search_speech(s, Principal.local_operator("cli:op"), "harbour")
        nothing = views.search_speech(s, owner, "zebra")
    assert [r["text"] for r in mine] == ["meet me at the harbour"]
    assert mine[0]["agencies"] == ["AU"] and mine[0]["start"] == 1.0
    assert theirs == [] and nothing == []  # hash-only to DE: not even that it was said
    assert console == mine
    with sqlite_ctx.db.session() as s:
        searches = audit.events(s, action="search.text")
    assert [(e.actor, e.details["results"]) for e in searches] == [
        ("user:au.inv", 1), ("user:de.admin", 0), ("cli:op", 1), ("user:au.inv", 0)]
