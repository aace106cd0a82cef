import csv
import io
import json
import re

from tessera.reports.build import summarise
from tessera.reports.model import FileEntry, MatchEntry, SeriesRef
from tessera.reports.renderers import RENDERERS

SERIES = SeriesRef("Series Ocean", "AU", "AFP", "AU", "x@afp.example", "identified", "unknown")


def _report():  # type: ignore[no-untyped-def]
    files = [
        FileEntry("a/exact.jpg", "exact", sha256="a" * 64, thumbnail="data:image/jpeg;base64,AAA",
                  matches=[MatchEntry(4, "exact", 0, "original", "full", "full", [SERIES],
                                      ["AU"])]),
        FileEntry("=cmd|calc.jpg", "near", sha256="b" * 64,
                  matches=[MatchEntry(5, "pdq", 12, "rotate90", "full", "full", [SERIES],
                                      ["AU"])]),
        FileEntry("b/new.jpg", "new", sha256="c" * 64),
        FileEntry("b/bad.jpg", "error", error_code="corrupt", error="cannot decode"),
    ]
    return summarise(files, "DE", "/seizure", [("pdq", 31, "bits")])


def test_json_has_the_documented_schema() -> None:
    data = json.loads(RENDERERS.get("json").render(_report()))
    f = data["files"][1]
    assert {"path", "sha256", "status", "matches", "error"} <= set(f)
    m = f["matches"][0]
    assert {"media_id", "series", "agency", "distance", "kind", "transform", "country",
            "victim_status"} <= set(m)
    assert m["kind"] in ("exact", "pdq") and m["transform"] == "rotate90"
    assert data["summary"]["counts"] == {"exact": 1, "near": 1, "new": 1, "error": 1, "total": 4}
    assert data["summary"]["lines"][0].startswith("2 files belong to 'Series Ocean'")


def test_csv_keeps_every_file_and_defuses_formulas() -> None:
    rows = list(csv.DictReader(io.StringIO(RENDERERS.get("csv").render(_report()).decode())))
    assert [r["status"] for r in rows] == ["exact", "near", "new", "error"]
    assert rows[1]["path"] == "'=cmd|calc.jpg"
    assert rows[3]["error_code"] == "corrupt"


def test_html_is_self_contained_and_blurs_thumbnails() -> None:
    html = RENDERERS.get("html").render(_report()).decode()
    assert not re.search(r"""(src|href)=["']https?:""", html)
    assert 'class="preview"' in html and "<script" not in html and "filter:" not in html
    assert "&lt;" not in "Series Ocean" and "Series Ocean" in html
    evil = summarise([FileEntry("<script>alert(1)</script>.jpg", "new")], "DE", "/s",
                     [("pdq", 31, "bits")])
    assert "<script>alert(1)" not in RENDERERS.get("html").render(evil).decode()


def test_counts_read_as_words() -> None:
    from tessera.core.words import file_count

    one = summarise([FileEntry("a.jpg", "new")], "DE", "/s", [("pdq", 31, "bits")])
    assert one.lines[-1].endswith("(of 1 file)") and file_count(2) == "2 files"
    assert file_count(1_234) == "1,234 files"
