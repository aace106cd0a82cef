"""The lab's round trip: a VICS case another tool exported is imported as a series with its
categories; de-confliction marks the known files as pre-categorised; the rest are graded
(alone, or by two investigators who must agree); the series goes back out as VICS that
re-imports identically; hash lists come in (MD5, PDQ, ICSE) and go out signed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from tessera.access.policy import Forbidden, Principal, Role
from tessera.context import Context
from tessera.core.errors import IntegrityError
from tessera.interop.vics import VicsError, VicsReader
from tessera.pipeline.deconflict import IngestRequest
from tessera.service import categories, hashsets, seizures
from tessera.signals.pdq import hash_pixels
from tessera.store import repos
from tessera.store.bootstrap import initialise
from tessera.store.repos import triage
from tessera.store.signing import load_key, public_key_text, verify_file
from tests.conftest import make_settings, write_pictures

V13 = "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Cases"


def _principal(ctx: Context, agency: str, user: str = "inv",
               role: Role = Role.INVESTIGATOR) -> Principal:
    with ctx.db.session() as s:
        row = repos.get_agency(s, agency)
        return Principal(hash(user) % 1000 + 1, f"{agency.lower()}.{user}", row.id, row.code, role)


def _digests(path: Path) -> tuple[str, str]:
    data = path.read_bytes()
    return hashlib.md5(data).hexdigest(), hashlib.sha1(data).hexdigest()


def _other_tools_case(tmp_path: Path, pictures: list[Path]) -> Path:
    """What Griffeye or AXIOM would write: upper-case hashes, strings for booleans and
    sizes, a lying total, a duplicate entry, unknown keys."""
    media = []
    for n, (path, category) in enumerate(zip(pictures, ["1", "1", "2", None], strict=True)):
        md5, sha1 = _digests(path)
        media.append({"MediaID": n + 1, "Category": category, "MD5": md5.upper(),
                      "SHA1": sha1.upper(), "MediaSize": str(path.stat().st_size),
                      "RelativeFilePath": f"C:\\seized\\{path.name}",
                      "VictimIdentified": "true" if n == 0 else None,
                      "IsDistributed": "false", "Tags": "seen-before" if n < 2 else [],
                      "Series": "Series Ocean", "VendorScore": n / 10})
    media.append(dict(media[0], MediaID=99, Tags=["second-entry"]))  # same file, twice
    case = {"CaseID": "6f1c", "CaseNumber": "AU-2026-17", "TotalMediaFiles": 1000,
            "ContactOrganization": "AFP", "Media": media}
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"odata.metadata": V13, "value": [case]}))
    return path


def _media_rows(path: Path) -> list[dict]:
    reader = VicsReader(path)
    return sorted((r.to_json("2.0") for _, r in reader), key=lambda r: r["MD5"])


def test_vics_in_deconflict_grade_and_out_again(ctx: Context, tmp_path: Path) -> None:
    seized = tmp_path / "seized"
    pictures = write_pictures(seized, range(300, 306))
    case = _other_tools_case(tmp_path, pictures[:4])
    au = _principal(ctx, "AU")

    summary = hashsets.import_vics(ctx, au, case)
    assert (summary.records, summary.media_new, summary.duplicates) == (5, 4, 1)
    assert summary.categorised == 3 and summary.series == {"Series Ocean": 4}
    with ctx.db.session() as s:
        ocean = repos.get_series(s, "Series Ocean", repos.get_agency(s, "AU"))
        assert ocean.victim_status == "identified"  # one record said so
    ctx.refresh_indexes()

    report = seizures.deconflict(ctx, au, seized, keep=IngestRequest("AU-2026-17b",
                                                                    "Series Ocean"))
    files = {Path(f.path).name: f for f in report.files}
    known = [files[p.name] for p in pictures[:4]]
    assert [f.status for f in known] == ["exact"] * 4
    assert all(f.matches[0].hash_only for f in known)
    assert [f.category and f.category["code"] for f in known] == ["1", "1", "2", None]
    assert all(files[p.name].status == "new" for p in pictures[4:])

    with ctx.db.session() as s:
        job = repos.list_jobs(s)[0].id
        queue = categories.queue(s, au, job)
    assert queue["progress"]["total"] == 6
    assert queue["progress"]["pre_categorised"] == 3  # the import said so; the rest need eyes
    assert len(queue["next"]) == 3
    with ctx.db.session() as s:  # the hash-only records became the stored files
        assert not any(m.hash_only for m in triage.media_rows(s, [i["media_id"] for i in
                                                                  queue["items"]]))
        zero = categories.resolve(s, "vics", "0").id
        for media_id in queue["next"]:
            assert categories.grade(s, au, media_id, zero)["state"] == "graded"
    with ctx.db.session() as s:
        done = categories.queue(s, au, job)
    assert done["next"] == [] and done["progress"]["graded"] == 3

    exported = tmp_path / "out.json"
    assert hashsets.export_vics(ctx, au, "Series Ocean", exported, version="1.3") == 6
    rows = _media_rows(exported)
    original = {r["MD5"]: r for r in _media_rows(case)}
    for row in rows:
        if row["MD5"] in original:  # what the other tool said comes back, nothing lost
            was = original[row["MD5"]]
            for key in ("SHA1", "MediaSize", "RelativeFilePath", "VendorScore",
                        "IsDistributed"):
                assert row.get(key) == was.get(key), key
            assert row["Category"] == (0 if was["Category"] is None else was["Category"])
            if was["MD5"] == _digests(pictures[0])[0].upper():
                assert set(row["Tags"]) == {"seen-before", "second-entry"}
        else:
            assert row["Category"] == 0  # graded here
        assert row["VictimIdentified"] is True  # the series' victim is identified

    # another instance imports the export and exports it again: the same records
    settings = make_settings(tmp_path / "other")
    initialise(settings, "test")
    other = Context.open(settings)
    other.actor = "test"
    with other.db.session() as s:
        repos.add_agency(s, "AU", "Australian Federal Police", "AU", None)
    again = tmp_path / "again.json"
    hashsets.import_vics(other, _principal(other, "AU"), exported)
    hashsets.export_vics(other, _principal(other, "AU"), "Series Ocean", again, version="1.3")
    assert _media_rows(again) == rows
    other.close()


def test_two_investigators_must_agree_and_a_third_settles_a_dispute(ctx: Context,
                                                                     tmp_path: Path) -> None:
    write_pictures(tmp_path / "s", range(320, 322))
    au = _principal(ctx, "AU")
    seizures.ingest(ctx, au, tmp_path / "s", "AU-C", None)
    with ctx.db.session() as s:
        repos.get_agency(s, "AU").grading_votes = 2
        job = repos.list_jobs(s)[0].id
    a, b, c = (_principal(ctx, "AU", u) for u in ("ann", "bob", "cat"))
    with ctx.db.session() as s:
        one, two = categories.resolve(s, "vics", "1").id, categories.resolve(s, "vics", "4").id
        first, second = categories.queue(s, a, job)["next"]
        assert categories.grade(s, a, first, one)["state"] == "waiting"
        assert categories.grade(s, b, first, one)["state"] == "graded"
        assert categories.grade(s, a, second, one)["state"] == "waiting"
        assert categories.grade(s, b, second, two)["state"] == "disputed"
        assert categories.queue(s, a, job)["next"] == []  # both of them have voted
        q = categories.queue(s, c, job)
        assert q["next"] == [second] and q["progress"]["disputed"] == 1
        assert categories.grade(s, c, second, two)["state"] == "graded"
        row = triage.categories_of(s, a.agency_id, [second])[second][0]
        assert row.source == "consensus" and "bob" in (row.basis or "")


def test_hash_lists_in_and_a_signed_partner_export_out(ctx: Context, tmp_path: Path) -> None:
    pictures = write_pictures(tmp_path / "known", range(340, 343))
    nl, au = _principal(ctx, "NL"), _principal(ctx, "AU")
    md5_list = tmp_path / "md5.csv"
    md5_list.write_text("md5,category\n" + "".join(f"{_digests(p)[0]},1\n"
                                                   for p in pictures[:2]))
    pdq, quality = hash_pixels(Image.open(pictures[2]).convert("RGB"))
    pdq_list = tmp_path / "signals.txt"
    pdq_list.write_text(f"{pdq.hex()}\t{quality}\n")
    icse = tmp_path / "icse.csv"
    icse.write_text("MD5;SHA1;PhotoDNA;Image ID;Is distributed;Victim identified;"
                    f"Offender identified;Series name\n{'e' * 32};;;1;true;true;false;Series I\n")
    assert hashsets.import_hashes(ctx, nl, md5_list, "csv").categorised == 2
    assert hashsets.import_hashes(ctx, nl, pdq_list, "pdq").media_new == 1
    assert hashsets.import_hashes(ctx, nl, icse, "icse").series == {"Series I": 1}
    assert hashsets.import_hashes(ctx, nl, md5_list, "csv").media_new == 0  # no second copy
    ctx.refresh_indexes()

    smaller = tmp_path / "query"
    smaller.mkdir()
    Image.open(pictures[2]).resize((320, 240)).save(smaller / "resized.jpg", quality=80)
    for p in pictures[:2]:
        (smaller / p.name).write_bytes(p.read_bytes())
    report = seizures.deconflict(ctx, au, smaller)
    status = {Path(f.path).name: f for f in report.files}
    assert status["resized.jpg"].status == "near" and status["resized.jpg"].matches[0].hash_only
    assert all(status[p.name].status == "exact" for p in pictures[:2])
    # the console's operator reads everything; a web user reads NL's word only where NL
    # shares the media (tests/api/test_triage_api.py)
    assert all(status[p.name].category["code"] == "1" for p in pictures[:2])

    out = tmp_path / "partners.csv"
    with pytest.raises(Forbidden):
        hashsets.export_hashes(ctx, nl, out)  # an investigator: not their decision
    admin = _principal(ctx, "NL", "admin", Role.AGENCY_ADMIN)
    result = hashsets.export_hashes(ctx, admin, out)
    lines = out.read_text().splitlines()
    assert result["media"] == 2 and len(lines) == 3 and "NL" in lines[1]
    assert {line.split(",")[0] for line in lines[1:]} == {_digests(p)[0] for p in pictures[:2]}
    key = public_key_text(load_key(ctx.settings.home).public_key())
    assert verify_file(out, out.with_name("partners.csv.sig"), key)["origin_checked"]

    au_admin = _principal(ctx, "AU", "admin", Role.AGENCY_ADMIN)
    assert hashsets.export_hashes(ctx, au_admin, tmp_path / "au.csv")["media"] == 0
    with ctx.db.session() as s:
        repos.get_agency(s, "NL").partner_consent = True
    assert hashsets.export_hashes(ctx, au_admin, tmp_path / "au.csv")["media"] == 2

    out.write_text(out.read_text().replace(",1,", ",0,", 1))  # altered on the way
    with pytest.raises(IntegrityError, match="altered"):
        verify_file(out, out.with_name("partners.csv.sig"), key)
    stranger = public_key_text(Ed25519PrivateKey.generate().public_key())
    with pytest.raises(IntegrityError, match="another key"):
        verify_file(tmp_path / "au.csv", tmp_path / "au.csv.sig", stranger)
    forged = json.loads((tmp_path / "au.csv.sig").read_text())
    forged["signed_at"] = "2020-01-01T00:00:00+00:00"
    (tmp_path / "au.csv.sig").write_text(json.dumps(forged))
    with pytest.raises(IntegrityError, match="does not verify"):
        verify_file(tmp_path / "au.csv", tmp_path / "au.csv.sig", key)


def test_a_bad_file_imports_nothing(ctx: Context, tmp_path: Path) -> None:
    nl = _principal(ctx, "NL")
    good = {"MD5": "a" * 32, "Category": 1}
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"odata.metadata": V13, "value": [
        {"Media": [good] * 3 + [{"MD5": "b" * 32}]}]})[:-12])
    with pytest.raises(VicsError, match="line 1, column"):
        hashsets.import_vics(ctx, nl, broken)
    with ctx.db.session() as s:
        assert triage.media_by_digests(s, [triage.Digest("a" * 32, None, None)]) == [None]
    with pytest.raises(Exception, match="dialect"):
        hashsets.import_vics(ctx, nl, broken, dialect="klingon")


def test_entries_for_one_file_far_apart_are_folded_together(ctx: Context, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """Batches of two and a seen-keys merge every three keys: the second entry for a file
    arrives batches after the first and is still recognised, counted and folded in."""
    monkeypatch.setattr(hashsets, "BATCH", 2)
    monkeypatch.setattr(hashsets._SeenKeys, "MERGE_AT", 3)
    md5s = [hashlib.md5(bytes([n])).hexdigest() for n in range(7)]
    media = [{"MD5": m, "Category": "2", "Tags": [f"t{n}"]} for n, m in enumerate(md5s)]
    media.append({"MD5": md5s[0].upper(), "Category": "1", "Tags": ["late"],
                  "RelativeFilePath": "D:\\again.jpg"})
    case = tmp_path / "far.json"
    case.write_text(json.dumps({"odata.metadata": V13, "value": [{"Media": media}]}))
    au = _principal(ctx, "AU")
    summary = hashsets.import_vics(ctx, au, case)
    assert (summary.records, summary.media_new, summary.duplicates) == (8, 7, 1)
    assert summary.conflicts == 1  # 2 then 1: the first category is kept and the clash told
    with ctx.db.session() as s:
        (first,) = triage.media_by_digests(s, [triage.Digest(md5s[0], None, None)])
        assert first is not None
        assert first.meta["vics"]["path"] == "D:\\again.jpg"
        tags = triage.annotations_of(s, au.agency_id, "media", [first.id])[first.id]
        assert {a.text for a in tags} == {"t0", "late"}
        (row,) = triage.categories_of(s, au.agency_id, [first.id])[first.id]
        assert row.category.code == "2"
    again = hashsets.import_vics(ctx, au, case)  # the same file twice: nothing new, no loss
    assert again.media_new == 0 and again.media_known == 7
    seen = hashsets._SeenKeys()
    for m in md5s:
        seen.add(m)
    assert all(m.upper() in seen for m in md5s) and "0" * 32 not in seen
