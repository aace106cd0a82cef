"""Faces end to end on a real database (SQLite and PostgreSQL): ingest photos and a video, search
by face, link to a victim, get suggestions, de-conflict a seizure with face matches, and review
clusters whose decisions survive re-clustering."""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import replace
from pathlib import Path

from PIL import Image

from tessera.access.policy import Principal, Role
from tessera.context import Context
from tessera.core.types import Signal
from tessera.entities import face_clusters, persons
from tessera.matching.hits import Hit
from tessera.pipeline.deconflict import deconflict
from tessera.pipeline.face_search import search_faces
from tessera.pipeline.ingest import ingest
from tessera.reports.renderers import RENDERERS
from tessera.service import faces as faces_service
from tessera.store import audit, repos
from tessera.store.repos import faces as face_repo

KNOWN = {"obama": ["obama.jpg", "obama1.jpg", "obama2.jpg", "obama3.jpg"],
         "biden": ["biden.jpg"], "_groups": ["two_people.jpg"],
         "kit_harington": ["john1.jpeg", "johnsnow_test1.jpg"], "rose_leslie": ["img2.jpg"]}


def _faces_on(ctx: Context) -> Context:
    ctx.settings = replace(ctx.settings, media=replace(ctx.settings.media, faces=True))
    return ctx


def _copy(shared: Path, target: Path, picks: dict[str, list[str]]) -> Path:
    for folder, names in picks.items():
        for name in names:
            (target / folder).mkdir(parents=True, exist_ok=True)
            shutil.copy(shared / "faces" / folder / name, target / folder / name)
    return target


def _face_in(ctx: Context, name: str) -> list[int]:
    with ctx.db.session() as s:
        media = [m for m in repos.series_media(s, repos.get_series(s, "known").id)
                 if any(sub.original_path.endswith(name) for sub in m.submissions)]
        return [f.signal_id for f in face_repo.faces_of_media(s, media[0].id)]


def test_faces_from_ingest_to_report_and_review(ctx: Context, shared_data: Path,
                                                tmp_path: Path) -> None:
    ctx = _faces_on(ctx)
    known = _copy(shared_data, tmp_path / "known", KNOWN)
    shutil.copy(shared_data / "videos" / "short_hamilton_clip.mp4", known / "hamilton.mp4")
    ingest(ctx, known, "AU", case_ref="OP-1", series_name="known")
    assert len(ctx.index("face").index) >= 11

    # search by face: Obama's photo finds Obama's faces, best first, not Biden's
    query = shared_data / "faces" / "obama" / "obama-240p.jpg"
    found = search_faces(ctx, query, "q.jpg")
    assert len(found.faces) == 1
    matches = found.faces[0].matches
    assert len(matches) == 5  # four portraits and the group photo
    assert matches == sorted(matches, key=lambda m: -m.score)
    group_media = _media_of(ctx, "two_people.jpg")[0]
    obama_group_face = next(m.face for m in matches if m.media_id == group_media)
    biden_faces = _face_in(ctx, "biden.jpg")
    assert not {m.face for m in matches} & set(biden_faces)

    # the video's keyframes hold Lin-Manuel Miranda's face, with a time
    lin = search_faces(ctx, shared_data / "faces" / "lin_manuel_miranda" /
                       "lin-manuel-miranda.png", "lin.png")
    hits = [m for f in lin.faces for m in f.matches]
    assert hits and all(m.match_times for m in hits)
    # its crop comes from the stored keyframe at that time, blurred unless revealed
    with ctx.db.session() as s:
        au = repos.get_agency(s, "AU")
        viewer = Principal(1, "au.inv", au.id, "AU", Role.INVESTIGATOR)
        shielded = Image.open(io.BytesIO(faces_service.crop(ctx, s, viewer, hits[0].face,
                                                            reveal=False)))
        revealed = Image.open(io.BytesIO(faces_service.crop(ctx, s, viewer, hits[0].face,
                                                            reveal=True)))
    assert shielded.mode == "L" and revealed.mode == "RGB" and revealed.width >= 48

    # a stored task result keeps face hits as they were found (reports are rebuilt from it)
    with ctx.db.session() as s:
        stored = face_repo.get_face(s, hits[0].face)
    probe = Signal("face", 1, stored.value, stored.quality, region="face", start=2.0)
    hit = ctx.matcher().near([[probe]])[0][0]
    assert hit.kind == "face" and hit.evidence == "person"
    assert Hit.from_row(json.loads(json.dumps(hit.to_row()))) == hit

    # a victim: one confirmed face, Tessera suggests the rest, never confirms them
    with ctx.db.session() as s:
        v17 = persons.create_person(s, repos.get_agency(s, "AU"), "victim", "V-17", "test")
        persons.link_faces(s, v17, [obama_group_face], "confirmed", "test")
        v17_id = v17.id
    assert persons.suggest(ctx, [v17_id]) == 4
    with ctx.db.session() as s:
        states = {link.signal_id: link.state for link in face_repo.links_of_person(s, v17_id)}
    assert list(states.values()).count("confirmed") == 1
    assert list(states.values()).count("suggested") == 4
    rejected = next(sid for sid, st in states.items() if st == "suggested")
    with ctx.db.session() as s:
        persons.link_faces(s, face_repo.get_person(s, v17_id), [rejected], "rejected", "test")
    persons.suggest(ctx, [v17_id])
    with ctx.db.session() as s:
        assert {x.state for x in face_repo.links_of_person(s, v17_id)
                if x.signal_id == rejected} == {"rejected"}  # not suggested again

    # de-confliction: face matches listed apart from hash matches, in words
    seizure = tmp_path / "seizure"
    seizure.mkdir()
    shutil.copy(query, seizure / "holiday.jpg")
    report = deconflict(ctx, seizure, "NL")
    entry = report.files[0]
    assert entry.status == "new" and not entry.matches  # no copy of a known file
    assert entry.faces and entry.faces[0].score >= 0.92
    assert any(line.startswith("a face in") and "victim 'V-17' (AU, unidentified)" in line
               and "score 0.9" in line for line in report.lines), report.lines
    data = json.loads(RENDERERS.get("json").render(report))
    assert data["files"][0]["faces"][0]["persons"]
    assert b"V-17" in RENDERERS.get("csv").render(report)
    assert b"V-17" in RENDERERS.get("html").render(report)

    # clusters: the group photo's two faces stay apart; review decisions survive re-runs
    first = face_clusters.run_clustering(ctx, "AU", "test")
    with ctx.db.session() as s:
        run = face_repo.get_run(s, first.run_id)
        groups = face_clusters.clusters(s, run)
        group_faces = _face_in(ctx, "two_people.jpg")
        where = {f["face"]: c["cluster"] for c in groups for f in c["faces"]}
        assert len(group_faces) == 2 and where[group_faces[0]] != where[group_faces[1]]
        obama_cluster = where[obama_group_face]
        assert next(c for c in groups if c["cluster"] == obama_cluster)["person"]["label"] \
            == "V-17"
        kit = _face_in(ctx, "john1.jpeg") + _face_in(ctx, "johnsnow_test1.jpg")
        rose = _face_in(ctx, "img2.jpg")
        assert where[kit[0]] == where[kit[1]] != where[rose[0]]
        face_clusters.merge(s, run, where[kit[0]], where[rose[0]], "test")  # a wrong merge
        member = next(f for f in face_repo.run_members(s, run.id, where[kit[0]])
                      if f.signal_id == kit[1])
        face_clusters.remove_face(s, run, member.cluster, kit[1], "test")  # not this person
    second = face_clusters.run_clustering(ctx, "AU", "test")
    with ctx.db.session() as s:
        where = {f["face"]: c["cluster"] for c in face_clusters.clusters(
            s, face_repo.get_run(s, second.run_id)) for f in c["faces"]}
    assert where[kit[0]] == where[rose[0]]  # the merge holds
    assert where[kit[1]] != where[kit[0]]  # and so does "not this person"
    assert where[group_faces[0]] != where[group_faces[1]]
    with ctx.db.session() as s:
        assert audit.verify(s).ok


def _media_of(ctx: Context, name: str) -> list[int]:
    with ctx.db.session() as s:
        return [m.id for m in repos.series_media(s, repos.get_series(s, "known").id)
                if any(sub.original_path.endswith(name) for sub in m.submissions)]
