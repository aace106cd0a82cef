"""File names that are not valid UTF-8 (as seized file systems hold them) never block a
seizure: stored, reported in every format, resumable, with their original bytes kept."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from sqlalchemy import select

from tessera.context import Context
from tessera.core.paths import restore, shown
from tessera.pipeline.deconflict import Matched, deconflict
from tessera.pipeline.ingest import ingest
from tessera.reports.renderers import RENDERERS
from tessera.service.tasks import decode_result, encode_result
from tessera.store import repos
from tessera.store.tables import JobItem, Submission
from tessera.synthetic import jpeg, picture

ODD = b"caf\xe9 \xff.jpg"  # Latin-1 and a byte no encoding maps


def _seizure(root: Path) -> Path:
    root.mkdir()
    with open(os.path.join(os.fsencode(root), ODD), "wb") as fh:
        fh.write(jpeg(picture(41)))
    (root / "good.jpg").write_bytes(jpeg(picture(42)))
    return root


def test_odd_names_are_stored_with_their_bytes_and_resume(ctx: Context, tmp_path: Path) -> None:
    seizure = _seizure(tmp_path / "seizure")
    summary = ingest(ctx, seizure, "AU", case_ref="OP-1")
    assert summary.new_media == 2 and not summary.errors
    with ctx.db.session() as s:
        subs = {x.original_path: x.original_path_raw for x in s.scalars(select(Submission))}
        odd = next(p for p in subs if "caf" in p)
        assert odd.endswith("caf\\xe9 \\xff.jpg") and subs[odd].endswith(ODD)
        assert os.fsencode(restore(odd, subs[odd])) == os.fsencode(seizure) + b"/" + ODD
        job = s.scalar(select(JobItem.job_id).limit(1))
        assert os.fsdecode(os.fsencode(seizure) + b"/" + ODD) in repos.finished_paths(s, job)


def test_deconflict_reports_odd_names_in_every_format(ctx: Context, tmp_path: Path) -> None:
    seizure = _seizure(tmp_path / "seizure")
    report = deconflict(ctx, seizure, "DE", thumbnails=False)
    assert report.counts["new"] == 2
    for name in ("json", "csv", "html"):
        rendered = RENDERERS.get(name).render(report).decode("utf-8")
        assert "caf\\xe9 \\xff.jpg" in rendered.replace("\\\\", "\\"), name
    entry = next(f for f in json.loads(RENDERERS.get("json").render(report))["files"]
                 if "caf" in f["path"])
    assert base64.b64decode(entry["path_raw"]).endswith(ODD)
    plain = next(f for f in report.files if f.path.endswith("good.jpg"))
    assert plain.path_raw is None


def test_a_stored_job_result_keeps_odd_names(ctx: Context, tmp_path: Path) -> None:
    seizure = _seizure(tmp_path / "seizure")
    from tessera.pipeline.deconflict import match_source

    matched: Matched = match_source(ctx, seizure, thumbnails=False)
    rows = json.loads(json.dumps(encode_result(matched, str(seizure))))  # as the DB keeps it
    back = decode_result(rows)
    assert sorted(os.fsencode(r.path) for r in back.results) == sorted([ODD, b"good.jpg"])
    assert all(shown(r.path) == row["path"] for r, row in zip(back.results, rows, strict=True))
