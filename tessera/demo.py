"""`tessera demo`: a whole de-confliction on generated, benign media, from an empty data folder.

Two agencies hold known series; a third seizes a device with copies (exact and transformed),
new pictures and broken files, and asks what is already known.
"""

from __future__ import annotations

import secrets
import shutil
import threading
import zipfile
from pathlib import Path

from rich.console import Console

from tessera.access import identity
from tessera.access.policy import Principal, Role
from tessera.config import Settings
from tessera.context import Context
from tessera.core.words import file_count
from tessera.entities.persons import create_person, link_faces, suggest
from tessera.pipeline.deconflict import deconflict
from tessera.pipeline.ingest import ingest
from tessera.reports.renderers import RENDERERS
from tessera.service import links, places, tasks, views
from tessera.store import audit, repos
from tessera.store.bootstrap import initialise
from tessera.store.repos import faces as face_repo
from tessera.synthetic import (
    TRANSFORMS,
    Shot,
    jpeg,
    picture,
    png,
    timeline_frame,
    tone_track,
    write_video,
)

# a known video of Series Ocean and the soundtrack it carries
OCEAN_VIDEO = [Shot(20, 4), Shot(21, 4), Shot(22, 4)]
OCEAN_TRACK = tone_track(12, 20)

SERIES = [("Series Ocean", "AU", range(0, 12), "identified", "full"),
          ("Series Forest", "NL", range(100, 110), "unidentified", "metadata"),
          ("Series Harbour", "AU", range(200, 206), "safeguarded", "hash-only")]
# who can log in to `tessera serve` on the demo data: (user, agency, role)
USERS = [("admin", "DE", "admin"), ("au.investigator", "AU", "investigator"),
         ("nl.investigator", "NL", "investigator"), ("de.investigator", "DE", "investigator")]
AGENCIES = [("AU", "Australian Federal Police", "AU", "victim-id@afp.example"),
            ("NL", "Dutch National Police", "NL", "vic@politie.example"),
            ("DE", "Bundeskriminalamt", "DE", "ident@bka.example")]


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# one camera (by its serial number in EXIF) took a picture of AU's Ocean and one of NL's Forest
CAMERA = ("Fujifilm", "X-T30", "7AB01234")
CAMERA_SEEDS = {7, 105}
# the place AU worked out for Series Harbour
HARBOUR_FLAT = {"country": "AU", "region": "New South Wales", "lat": -33.8688,
                "lon": 151.2093, "radius_m": 500.0,
                "clues": "ferry horn in the soundtrack; power socket of type I; harbour view"}


def make_known(root: Path) -> dict[str, Path]:
    folders = {}
    for name, _, seeds, _, _ in SERIES:
        folder = root / name.lower().replace(" ", "-")
        for seed in seeds:
            camera = CAMERA if seed in CAMERA_SEEDS else None
            _write(folder / f"img_{seed:04d}.jpg", jpeg(picture(seed), camera=camera))
        folders[name] = folder
    write_video(folders["Series Ocean"] / "clip_ocean.mp4", OCEAN_VIDEO, audio=OCEAN_TRACK)
    return folders


def make_seizure(root: Path) -> None:
    """Copies of known media (exact and transformed), new media and bad files."""
    transforms = list(TRANSFORMS.items())
    for i, seed in enumerate([0, 1, 2, 100, 101, 200]):
        _write(root / "dcim" / f"copy_{seed}.jpg", jpeg(picture(seed)))  # byte-identical
        tname, fn = transforms[i % len(transforms)]
        _write(root / "dcim" / f"edit_{seed}_{tname}.jpg", jpeg(fn(picture(seed)), 85))
    for i, (tname, fn) in enumerate(transforms):
        _write(root / "downloads" / f"forest_{tname}.jpg", jpeg(fn(picture(102 + i)), 80))
    for seed in range(900, 912):
        _write(root / "camera" / f"new_{seed}.jpg", jpeg(picture(seed)))
    _write(root / "camera" / "screenshot.png", png(picture(950)))
    # video: a smaller re-encode of a trimmed stretch, a still taken from it, the same sound
    # under other pictures, and a new video
    (root / "videos").mkdir(parents=True, exist_ok=True)
    write_video(root / "videos" / "trimmed_reencode.mp4", OCEAN_VIDEO, start=3, end=10,
                size=(320, 180), bitrate=250_000)
    _write(root / "videos" / "still_from_video.jpg",
           jpeg(timeline_frame(OCEAN_VIDEO, 6.0, (640, 360))))
    write_video(root / "videos" / "same_sound.mp4", [Shot(940, 6), Shot(941, 6)],
                audio=OCEAN_TRACK)
    write_video(root / "videos" / "new_video.mp4", [Shot(945, 5)])
    _write(root / "misc" / "holiday.jpg", png(picture(3)))  # a PNG named .jpg
    _write(root / "misc" / "truncated.jpg", jpeg(picture(4))[:1500])
    _write(root / "misc" / "empty.jpg", b"")
    _write(root / "misc" / "notes.jpg", b"this is a text file, not a picture\n")
    with zipfile.ZipFile(root / "archive.zip", "w") as zf:
        zf.writestr("chat/sent_5.jpg", jpeg(picture(5), 70))
        zf.writestr("../../escape_attempt.jpg", jpeg(picture(103)))
        zf.writestr("chat/new_960.jpg", jpeg(picture(960)))


# Licensed photos of adult public figures (see ../shared/data/README.md): the demo's faces.
SHARED_FACES = Path(__file__).resolve().parents[2] / "shared" / "data" / "faces"
KNOWN_FACES = [("obama", "obama.jpg"), ("obama", "obama1.jpg"), ("obama", "obama2.jpg"),
               ("biden", "biden.jpg"), ("_groups", "two_people.jpg")]


def _faces(ctx: Context, output: Path, seizure: Path, console: Console) -> None:
    """AU tracks a person seen in its photos; the seizure holds another photo of them."""
    if not SHARED_FACES.is_dir():
        console.print(f"  faces skipped: tracking a victim by face needs the licensed test "
                      f"photos in {SHARED_FACES} (see the README)")
        return
    folder = output / "known" / "faces"
    for name, file in KNOWN_FACES:
        _write(folder / f"{name}_{file}", (SHARED_FACES / name / file).read_bytes())
    ingest(ctx, folder, "AU", case_ref="OP-AU-2", series_name="Series Portraits")
    with ctx.db.session() as s:
        person = create_person(s, repos.get_agency(s, "AU"), "victim", "V-17", ctx.actor,
                               sharing="metadata")
        media = next(m for m in repos.series_media(s, repos.get_series(s, "Series Portraits").id)
                     if m.submissions[0].original_path.endswith("obama_obama.jpg"))
        first = face_repo.faces_of_media(s, media.id)[0].signal_id
        link_faces(s, person, [first], "confirmed", ctx.actor)
        person_id = person.id
    suggested = suggest(ctx, [person_id])
    console.print(f"  AU ingested {len(KNOWN_FACES)} portraits, confirmed one face as victim "
                  f"'V-17' (shared as metadata); Tessera suggests {suggested} more")
    _write(seizure / "phone" / "portrait.jpg",
           (SHARED_FACES / "obama" / "obama-240p.jpg").read_bytes())


def run_demo(output: Path, console: Console) -> None:
    output = output.resolve()
    home = output / "tessera-data"
    if output.exists():
        shutil.rmtree(output)
    settings = Settings.from_env(env={}, home=home)
    console.print(f"[bold]Tessera demo[/] in {output}")
    initialise(settings, "demo")
    ctx = Context.open(settings)
    ctx.actor = "demo"
    operator = Principal.local_operator(ctx.actor)
    with ctx.db.session() as s:
        for code, name, country, contact in AGENCIES:
            repos.add_agency(s, code, name, country, contact)
            audit.append(s, ctx.actor, "agency.add", f"agency:{code}", agency=code)
    folders = make_known(output / "known")
    for name, agency, _, victim, sharing in SERIES:
        summary = ingest(ctx, folders[name], agency, case_ref=f"OP-{agency}-1", series_name=name)
        with ctx.db.session() as s:
            series = views.series_named(s, operator, name)
            views.edit_series(s, operator, series.id, victim=victim)
            views.share_series(s, operator, series.id, sharing)
        console.print(f"  {agency} ingested {file_count(summary.files)} into '{name}' "
                      f"(victim {victim}, shared as {sharing})")
    _connections(ctx, operator, console)
    seizure = output / "seizure"
    make_seizure(seizure)
    _faces(ctx, output, seizure, console)
    console.print(f"\nDE de-conflicts a seizure of generated files: {seizure}\n")
    report = deconflict(ctx, seizure, "DE")
    for line in report.lines:
        console.print(f"  {line}")
    paths = {}
    for fmt in ("html", "json", "csv"):
        paths[fmt] = output / f"report.{fmt}"
        paths[fmt].write_bytes(RENDERERS.get(fmt).render(report))
    console.print(f"\nReport: {paths['html']}  (also {paths['json'].name}, {paths['csv'].name})")
    passwords = _accounts(ctx, output)
    _upload_as(ctx, "de.investigator", seizure)
    ctx.close()
    console.print(f"Explore: TESSERA_HOME={home} tessera series list")
    console.print(f"\nWeb UI: TESSERA_HOME={home} .venv/bin/tessera serve"
                  "  → http://127.0.0.1:8000")
    for user, agency, role in USERS:
        console.print(f"  log in as [bold]{user}[/] / [bold]{passwords[user]}[/]"
                      f"  ({role}, {agency})")
    console.print(f"  (also written to {output / 'credentials.txt'}, readable by you only)")


def _connections(ctx: Context, operator: Principal, console: Console) -> None:
    """What the series connect to: Tessera's suggestions (here the same camera serial in AU's
    and NL's material), and a place AU worked out for one of its series."""
    with ctx.db.session() as s:
        ids = [x["id"] for x in views.list_series(s, operator)]
    made = sum(links.suggest_for_series(ctx, operator, i).created for i in ids)
    with ctx.db.session() as s:
        found = [r for i in ids for r in links.links_of(s, operator, ("series", i))]
        for r in {r["id"]: r for r in found}.values():
            console.print(f"  Tessera suggests: {r['a']['words']} ({r['a']['agency']}) and "
                          f"{r['b']['words']} ({r['b']['agency']}) show {r['words']}: "
                          f"{r['evidence'][0]['fact'] if r['evidence'] else ''}")
        au = next(a for a in repos.list_agencies(s) if a.code == "AU")
        as_au = Principal.local_operator(ctx.actor, au.id, au.code)
        place = places.create_place(s, as_au, "Harbour flat", sharing="metadata",
                                    **HARBOUR_FLAT)
        harbour = views.series_named(s, operator, "Series Harbour")
        links.assert_link(s, as_au, ("place", place["id"]), ("series", harbour.id),
                          "same-place", "worked out from the clues")
    console.print(f"  {made} connection(s) suggested; AU placed 'Series Harbour' at "
                  f"'Harbour flat' (New South Wales, ± 500 m)")


def _accounts(ctx: Context, output: Path) -> dict[str, str]:
    """Demo users with fresh random passwords, printed once and kept in a 0600 file."""
    passwords = {}
    with ctx.db.session() as s:
        for user, agency, role in USERS:
            passwords[user] = secrets.token_urlsafe(12)
            identity.create_user(s, user, passwords[user], repos.get_agency(s, agency),
                                 Role(role))
    path = output / "credentials.txt"
    path.touch(mode=0o600)
    path.write_text("".join(f"{u} {passwords[u]}\n" for u, _, _ in USERS))
    return passwords


def _upload_as(ctx: Context, username: str, folder: Path) -> None:
    """The seizure once more, as the service would receive it: the owners get notified."""
    with ctx.db.session() as s:
        user = identity.user_named(s, username)
        assert user is not None
        who = identity.principal_of(user)
    staging = tasks.staging_root(ctx) / "demo-upload"
    shutil.copytree(folder, staging)
    task_id = tasks.create_task(ctx, who, staging, sum(1 for p in staging.rglob("*")
                                                        if p.is_file()),
                                case="DE-2026-0042", series=None, store=False)
    tasks.run_task(ctx, task_id, threading.Event())
