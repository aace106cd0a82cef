"""The commands a user types, end to end, in a fresh data folder."""

import base64
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tessera.synthetic import jpeg, picture
from tests.conftest import write_pictures


def tessera(home: Path, *args: str, ok: bool = True,
            extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TESSERA_HOME": str(home), "TESSERA_WORKERS": "1",
           "COLUMNS": "200", "TESSERA_SPEECH": "0", "TESSERA_FACES": "0",
           **(extra_env or {})}
    env.pop("TESSERA_DATABASE_URL", None)
    proc = subprocess.run([sys.executable, "-m", "tessera", *args], env=env, text=True,
                          capture_output=True, timeout=300)
    if ok:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "tessera-data"
    out = tessera(home, "init").stdout
    assert "Evidence key" in out and (home / "keys" / "evidence.key").exists()
    tessera(home, "agency", "add", "AU", "Australian Federal Police", "--country", "AU",
            "--contact", "vid@afp.example")
    tessera(home, "agency", "add", "DE", "Bundeskriminalamt", "--country", "de")
    return home


def test_user_journey(home: Path, tmp_path: Path) -> None:
    case = tmp_path / "case-123"
    write_pictures(case, range(6))
    out = tessera(home, "ingest", str(case), "--agency", "AU", "--case", "OP-123",
                  "--series", "Series Ocean").stdout
    assert "6 new media" in out
    tessera(home, "series", "set-status", "Series Ocean", "--victim", "identified",
            "--note", "named by her school")
    listing = tessera(home, "series", "list").stdout
    assert "Series Ocean" in listing and "identified" in listing
    shown = tessera(home, "series", "show", "Series Ocean").stdout
    assert "victim: identified" in shown
    assert "victim unidentified → identified" in shown and "named by her school" in shown
    sheet = tessera(home, "stats", "--csv").stdout.splitlines()
    assert sheet[0].startswith("agency,victims_identified")
    assert sheet[-1].startswith("total,1,")  # one victim identified, the step just taken

    seizure = tmp_path / "new-seizure"
    seizure.mkdir()
    (seizure / "copy.jpg").write_bytes((case / "img_00002.jpg").read_bytes())
    (seizure / "resized.jpg").write_bytes(jpeg(picture(3).resize((320, 240))))
    (seizure / "fresh.jpg").write_bytes(jpeg(picture(77)))
    (seizure / "zero.jpg").write_bytes(b"")
    reports = tmp_path / "out"
    proc = tessera(home, "deconflict", str(seizure), "--agency", "DE",
                   "--report", str(reports / "report.html"), "--json", str(reports / "r.json"),
                   "--csv", str(reports / "r.csv"))
    assert "2 files belong to 'Series Ocean' (AU, victim identified)" in proc.stdout
    data = json.loads((reports / "r.json").read_text())
    statuses = {Path(f["path"]).name: f["status"] for f in data["files"]}
    assert statuses == {"copy.jpg": "exact", "resized.jpg": "near", "fresh.jpg": "new",
                        "zero.jpg": "error"}
    html = (reports / "report.html").read_text()
    assert "data:image" not in html  # a report meant to travel holds no pictures by default
    assert (reports / "r.csv").read_text().count("\n") == 5
    tessera(home, "deconflict", str(seizure), "--agency", "DE", "--thumbnails",
            "--report", str(reports / "previews.html"))
    previews = re.findall(r'src="data:image/jpeg;base64,([^"]+)"',
                          (reports / "previews.html").read_text())
    assert len(previews) == 3  # blurred greyscale pixels, whatever shows the file
    assert all(Image.open(io.BytesIO(base64.b64decode(p))).mode == "L" for p in previews)

    media_id = next(f["matches"][0]["media_id"] for f in data["files"]
                    if f["status"] == "exact")
    shown = json.loads(tessera(home, "media", "show", str(media_id)).stdout)
    assert shown["series"][0]["name"] == "Series Ocean"
    assert shown["submissions"][0]["case"] == "OP-123"
    assert "0 failed" in tessera(home, "verify").stdout
    assert "chain intact" in tessera(home, "audit", "verify").stdout
    actions = tessera(home, "audit", "list").stdout
    assert "deconflict" in actions and "media.view" in actions


def test_hash_prints_json_lines(shared_data: Path, tmp_path: Path) -> None:
    bridge = shared_data / "pdq-reference" / "bridge-mods" / "aaa-orig.jpg"
    proc = tessera(tmp_path / "unused", "hash", str(bridge),
                   str(shared_data / "corrupt" / "truncated.jpg"), ok=False)
    assert proc.returncode == 1  # one file could not be read
    first, second = (json.loads(x) for x in proc.stdout.splitlines())
    import hashlib

    assert first["sha256"] == hashlib.sha256(bridge.read_bytes()).hexdigest()
    assert len(first["pdq"]) == 64 and first["pdq_quality"] == 100
    assert {"md5", "sha1", "sha256"} <= set(first)
    assert second["error_code"] == "corrupt"


def test_errors_are_one_line_not_tracebacks(tmp_path: Path) -> None:
    proc = tessera(tmp_path / "nothing-here", "series", "list", ok=False)
    assert proc.returncode == 2 and "tessera init" in proc.stderr
    assert "Traceback" not in proc.stderr
    home = tmp_path / "h"
    tessera(home, "init")
    proc = tessera(home, "ingest", str(tmp_path), "--agency", "XX", ok=False)
    assert proc.returncode == 3 and "no agency 'XX'" in proc.stderr


def test_verify_exits_nonzero_on_tampering(home: Path, tmp_path: Path) -> None:
    write_pictures(tmp_path / "c", [1])
    tessera(home, "ingest", str(tmp_path / "c"), "--agency", "AU")
    blob = next(p for p in (home / "evidence").rglob("*") if p.is_file()
                and p.parent.name != "tmp")
    raw = bytearray(blob.read_bytes())
    raw[20] ^= 1
    blob.write_bytes(bytes(raw))
    proc = tessera(home, "verify", ok=False)
    assert proc.returncode == 5 and "FAILED" in proc.stderr


def test_index_is_rebuilt_when_missing(home: Path, tmp_path: Path) -> None:
    write_pictures(tmp_path / "c", range(3))
    tessera(home, "ingest", str(tmp_path / "c"), "--agency", "AU")
    for f in (home / "index").iterdir():
        f.unlink()
    assert "pdq index: 3 entries" in tessera(home, "index", "status").stdout


def test_hash_lists_video_frames_in_time(tmp_path: Path) -> None:
    from tessera.synthetic import Shot, tone_track, write_video

    clip = write_video(tmp_path / "clip.mp4", [Shot(1, 4), Shot(2, 4)], audio=tone_track(8, 1))
    (record,) = [json.loads(x) for x in tessera(tmp_path / "h", "hash", str(clip))
                 .stdout.splitlines()]
    assert record["kind"] == "video" and record["mime"] == "video/mp4"
    frames = record["vpdq"]
    assert len(frames) >= 2 and frames[0]["start"] == 0.0 and len(frames[0]["value"]) == 64
    assert [f["start"] for f in frames] == sorted(f["start"] for f in frames)
    assert len(record["chromaprint_audio"]) == 1 and record["chromaprint_audio"][0]["span"] > 2


def test_faces_and_persons_from_the_command_line(home: Path, tmp_path: Path,
                                                 shared_data: Path) -> None:
    faces_on = {"TESSERA_FACES": "1"}
    photos = tmp_path / "photos"
    photos.mkdir()
    for folder, name in (("obama", "obama.jpg"), ("obama", "obama1.jpg"),
                         ("biden", "biden.jpg")):
        (photos / f"{folder}_{name}").write_bytes((shared_data / "faces" / folder / name)
                                                  .read_bytes())
    tessera(home, "ingest", str(photos), "--agency", "AU", "--series", "Portraits",
            extra_env=faces_on)
    assert "face index: 3 entries" in tessera(home, "index", "status").stdout

    found = json.loads(tessera(home, "faces", "search", str(shared_data / "faces" / "obama" /
                                                            "obama2.jpg"), "--json").stdout)
    matches = found["faces"][0]["matches"]
    assert len(matches) == 2 and all(m["score"] >= 0.92 for m in matches)
    obama_face = matches[0]["face"]
    assert "no face found" in tessera(
        home, "faces", "search", str(shared_data / "images" / "coffee.png")).stdout

    added = tessera(home, "person", "add", "V-17", "--agency", "AU", "--role", "victim").stdout
    person = added.split(":")[0].split()[-1]
    linked = tessera(home, "person", "link", person, str(obama_face)).stdout
    assert "1 face(s) confirmed for V-17; 1 face(s) suggested" in linked
    shown = tessera(home, "person", "show", person).stdout
    assert "confirmed" in shown and "suggested" in shown
    assert "identified" in tessera(home, "person", "status", person, "identified").stdout
    bad = tessera(home, "person", "status", person, "arrested", ok=False)
    assert bad.returncode != 0 and "victim's status" in bad.stderr

    assert "3 faces in 2 clusters" in tessera(home, "faces", "cluster", "--agency", "AU").stdout
    clusters = json.loads(tessera(home, "faces", "clusters", "--agency", "AU",
                                  "--json").stdout)["clusters"]
    assert [c["size"] for c in clusters] == [2] and clusters[0]["person"]["label"] == "V-17"
    proc = tessera(home, "faces", "not-this-person", str(clusters[0]["cluster"]),
                   str(clusters[0]["faces"][1]["face"]), "--agency", "AU")
    assert "moved to cluster" in proc.stdout
    assert "3 faces in 3 clusters" in tessera(home, "faces", "cluster", "--agency", "AU").stdout


def test_audit_checkpoints_from_the_command_line(home: Path, tmp_path: Path) -> None:
    import sqlite3

    assert "chain intact" in tessera(home, "audit", "checkpoint").stdout.replace(
        "checkpoint: event", "chain intact")
    export = tmp_path / "elsewhere" / "checkpoints.jsonl"
    export.parent.mkdir()
    tessera(home, "audit", "export", "--output", str(export))
    assert export.stat().st_mode & 0o077 == 0
    ok = tessera(home, "audit", "verify", "--checkpoints", str(export)).stdout
    assert "chain intact" in ok and "checkpoints (last: event" in ok
    with sqlite3.connect(home / "tessera.db") as db:  # cut the newest events
        db.execute("DELETE FROM audit_event WHERE id > (SELECT MAX(id) - 2 FROM audit_event)")
    (home / "audit" / "checkpoints.jsonl").write_text("")  # and the local evidence of it
    cut = tessera(home, "audit", "verify", "--checkpoints", str(export), ok=False)
    assert cut.returncode == 5 and "is gone" in cut.stderr and "BROKEN" in cut.stdout
    assert tessera(home, "audit", "verify", ok=False).returncode == 5


def test_operator_resets_a_second_factor_and_a_password(home: Path) -> None:
    tessera(home, "user", "add", "alice", "--agency", "AU", "--require-totp")
    reset = tessera(home, "user", "reset-totp", "alice").stdout
    assert "second factor reset" in reset
    changed = tessera(home, "user", "password", "alice").stdout
    password = changed.split("new password ", 1)[1].split()[0]
    assert len(password) >= 12
    listed = tessera(home, "audit", "list").stdout
    assert "user.edit" in listed and "user:alice" in listed
    assert "cli:" in listed  # the operator acts under their own name, not as a user
    wrong = tessera(home, "user", "add", "bob", "--agency", "AU", "--role", "root", ok=False)
    assert wrong.returncode != 0 and "role must be one of" in wrong.stderr
    missing = tessera(home, "user", "unlock", "nobody", ok=False)
    assert missing.returncode != 0 and "no user 'nobody'" in missing.stderr
    users = tessera(home, "user", "list").stdout
    assert "alice" in users and "bob" not in users


def test_hash_follows_the_media_settings_and_prints_every_face(shared_data: Path,
                                                               tmp_path: Path) -> None:
    group = shared_data / "faces" / "_groups" / "obama_and_biden.jpg"
    on = json.loads(tessera(tmp_path / "h", "hash", str(group),
                            extra_env={"TESSERA_FACES": "1"}).stdout)
    faces = next(v for k, v in on.items() if k.startswith("face"))
    assert len(faces) >= 2 and len({f["value"] for f in faces}) == len(faces)
    assert all(len(f["detail"]["box"]) == 4 and f["quality"] is not None for f in faces)
    off = json.loads(tessera(tmp_path / "h", "hash", str(group)).stdout)  # TESSERA_FACES=0
    assert not any(k.startswith("face") for k in off) and len(off["pdq"]) == 64


def test_vics_and_hash_lists_from_the_command_line(home: Path, tmp_path: Path) -> None:
    import hashlib

    pictures = write_pictures(tmp_path / "seized", range(700, 703))
    md5s = [hashlib.md5(p.read_bytes()).hexdigest() for p in pictures]
    case = tmp_path / "case.json"
    case.write_text(json.dumps({
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/"
                          "$metadata#Cases",
        "value": [{"CaseNumber": "AU-1", "Media": [{"MD5": md5s[0].upper(), "Category": 1},
                                                    {"MD5": md5s[1], "Category": "9"}]}]}))
    said = tessera(home, "import", "vics", str(case), "--agency", "AU",
                   "--series", "Series Ocean").stdout + ""
    assert "2 records: 2 new hash-only media" in said and "1 categorised" in said
    warned = tessera(home, "import", "vics", str(case), "--agency", "AU").stderr
    assert "unknown category '9'" in warned
    report = tmp_path / "r.json"
    tessera(home, "deconflict", str(tmp_path / "seized"), "--agency", "AU", "--json",
            str(report), "--ingest", "--case", "AU-2")
    files = {Path(f["path"]).name: f for f in json.loads(report.read_text())["files"]}
    first = files[pictures[0].name]
    assert first["status"] == "exact" and first["matches"][0]["hash_only"]
    assert first["category"]["code"] == "1" and first["category"]["source"] == "exact"
    queue = json.loads(tessera(home, "grade", "--job", "1", "--agency", "AU", "--json").stdout)
    assert queue["progress"]["pre_categorised"] == 1 and len(queue["next"]) == 2
    for media_id in queue["next"]:
        assert "graded" in tessera(home, "grade", "--job", "1", "--agency", "AU", "--media",
                                   str(media_id), "--category", "0").stdout
    out = tmp_path / "out.json"
    assert "2 media written" in tessera(home, "export", "vics", "--series", "Series Ocean",
                                        "--output", str(out), "--agency", "AU").stdout
    partners = tmp_path / "partners.csv"
    assert "1 media written" in tessera(home, "export", "hashes", "--output", str(partners),
                                        "--agency", "AU").stdout
    key = tessera(home, "export", "public-key").stdout.strip()
    assert "signature valid" in tessera(home, "export", "verify", str(partners),
                                        "--public-key", key).stdout
    partners.write_text(partners.read_text() + "0" * 32 + "\n")
    tampered = tessera(home, "export", "verify", str(partners), ok=False)
    assert tampered.returncode != 0 and "altered" in tampered.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text(f"md5\n{md5s[2]}\nnot-a-hash\n")
    refused = tessera(home, "import", "hashes", str(bad), "--agency", "AU", ok=False)
    assert "line 3" in refused.stderr and "Traceback" not in refused.stderr

    said = tessera(home, "agency", "set", "AU", "--grading-votes", "2",
                   "--partner-consent").stdout
    assert "graded when 2 agree" in said and "partner exports allowed" in said
    assert "2 agree" in tessera(home, "agency", "list").stdout
    wrong = tessera(home, "agency", "set", "AU", "--grading-votes", "7", ok=False)
    assert "grading votes must be 1 to 3" in wrong.stderr and "Traceback" not in wrong.stderr


def test_links_from_the_command_line(home: Path, tmp_path: Path) -> None:
    ocean, rhein = tmp_path / "ocean", tmp_path / "rhein"
    pictures = write_pictures(ocean, range(3))
    rhein.mkdir()
    (rhein / "copy.jpg").write_bytes(pictures[1].read_bytes())
    (ocean / "dscf0001.jpg").write_bytes(jpeg(picture(50), camera=("Fujifilm", "X-T30",
                                                                    "7AB01234")))
    tessera(home, "ingest", str(ocean), "--agency", "AU", "--series", "Ocean")
    tessera(home, "ingest", str(rhein), "--agency", "DE", "--series", "Rhein")
    (link,) = json.loads(tessera(home, "link", "list", "Ocean", "--json").stdout)
    assert link["state"] == "suggested" and link["kind"] == "same-series"
    assert {link["a"]["words"], link["b"]["words"]} == {"Ocean", "Rhein"}
    shown = tessera(home, "link", "confirm", str(link["id"]), "--agency", "DE",
                    "--note", "same file").stdout
    assert "confirmed" in shown and "Rhein" in shown
    assert "0 new suggestions" in tessera(home, "link", "suggest").stdout
    graph = tessera(home, "link", "graph", "AU/Ocean").stdout
    assert "Rhein (DE)" in graph and "the same material" in graph
    assert "Rhein (DE)" in tessera(home, "link", "graph", "Ocean", "--all").stdout
    camera = tessera(home, "device", "show", "--serial", "7AB01234").stdout
    assert "Fujifilm X-T30" in camera and "Ocean (AU): 1 file" in camera
    route = tessera(home, "link", "path", "Ocean", "DE/Rhein").stdout
    assert "confirmed" in route and "same file" in route
    rejected = tessera(home, "link", "reject", str(link["id"]), "--agency", "AU").stdout
    assert "rejected" in rejected
    assert "not connected" in tessera(home, "link", "path", "Ocean", "Rhein").stdout
    wrong = tessera(home, "link", "add", "Ocean", "Rhein", "--kind", "friends", ok=False)
    assert wrong.returncode != 0 and "kind must be one of" in wrong.stderr
    added = tessera(home, "link", "add", "Ocean", "Rhein", "--kind", "same-victim",
                    "--agency", "AU", "--note", "same school uniform").stdout
    assert "same victim" in added and "asserted" in added
    assert "link.confirm" in tessera(home, "audit", "list").stdout

    # DE holds a file of AU's Ocean (shared hash-only): it may ask for more, AU answers
    asked = tessera(home, "access", "request", "AU/Ocean", "--agency", "DE", "--level",
                    "metadata", "--reason", "same file in Rhein").stdout
    assert "pending" in asked and "same file in Rhein" in asked
    assert "held by AU" in asked and "Ocean" not in asked  # DE may not read its name yet
    (request,) = json.loads(tessera(home, "access", "list", "--agency", "AU",
                                    "--json").stdout)["incoming"]
    assert (request["agency"], request["series"]) == ("DE", "Ocean")
    assert "granted" in tessera(home, "access", "grant", str(request["id"]), "--agency", "AU",
                                "--note", "call us").stdout
    again = tessera(home, "access", "refuse", str(request["id"]), "--agency", "AU", ok=False)
    assert again.returncode != 0 and "already granted" in again.stderr
    (mine,) = json.loads(tessera(home, "access", "list", "--agency", "DE",
                                 "--json").stdout)["outgoing"]
    assert mine["state"] == "granted" and mine["series"] == "Ocean"  # readable now
    assert "no longer" in tessera(home, "access", "withdraw", "Ocean", "DE",
                                  "--agency", "AU").stdout


    # a place AU worked out, corrected, and the series made there
    added = tessera(home, "place", "add", "Harbour flat", "--agency", "AU", "--country",
                    "australia", "--lat", "-33.8688", "--lon", "151.2093", "--radius", "500",
                    "--clues", "ferry horn").stdout
    assert "Australia" in added and "± 500 m" in added
    wrong = tessera(home, "place", "add", "Kitchen", "--agency", "AU", "--radius", "5",
                    ok=False)
    assert wrong.returncode != 0 and "a radius needs a point" in wrong.stderr
    assert "± 50 m" in tessera(home, "place", "edit", "Harbour flat", "--agency", "AU",
                                "--radius", "50").stdout
    linked = tessera(home, "place", "link", "Harbour flat", "Ocean", "--agency", "AU",
                     "--note", "the same red door").stdout
    assert "Harbour flat — the same place — Ocean" in linked
    (place,) = json.loads(tessera(home, "place", "list", "--json").stdout)
    assert (place["country"], place["radius_m"]) == ("AU", 50)

    # a clue noticed in one of Ocean's pictures, leading to that place
    media = json.loads(tessera(home, "media", "show", "1").stdout)  # Ocean's, ingested first
    assert media["series"][0]["name"] == "Ocean"
    noted = tessera(home, "clue", "add", str(media["id"]), "--agency", "AU", "--kind", "logo",
                    "--note", "a bakery's logo", "--region", "0.1,0.2,0.3,0.2").stdout
    clue_id = noted.split()[1].rstrip(":")
    outside = tessera(home, "clue", "add", str(media["id"]), "--agency", "AU", "--kind",
                      "logo", "--note", "x", "--region", "0.9,0.9,0.5,0.5", ok=False)
    assert outside.returncode != 0 and "inside it" in outside.stderr
    assert "region 0.10,0.20,0.30,0.20" in tessera(home, "clue", "list", str(media["id"])).stdout
    led = tessera(home, "clue", "link", clue_id, str(place["id"]), "--agency", "AU").stdout
    assert "logo: a bakery's logo — related — Harbour flat" in led
