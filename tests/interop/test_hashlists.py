"""Hash lists as lab tools write them: headers or none, any delimiter, ICSE's export, PDQ
signal files; a bad line names itself."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tessera.interop.hashlists import HashListError, read_hash_list, write_hash_list

MD5, SHA1, SHA256 = "a" * 32, "b" * 40, "c" * 64


def _write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "list.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_a_csv_with_a_header_in_any_order(tmp_path: Path) -> None:
    path = _write(tmp_path, "\ufeffSHA256;Category;MD5 Hash;Source\n"
                            f"{SHA256.upper()};1;{MD5};lab\n;2;{MD5[:-1]}b;\n")
    rows = list(read_hash_list(path, "csv"))
    assert (rows[0].sha256, rows[0].md5, rows[0].category, rows[0].source) == \
        (SHA256, MD5, "1", "lab")
    assert rows[1].md5 == MD5[:-1] + "b" and rows[1].sha256 is None and rows[1].line == 3


def test_bare_hashes_are_told_apart_by_length(tmp_path: Path) -> None:
    path = _write(tmp_path, f"# a comment\n{MD5}\n{SHA1}\n{SHA256}\n", "utf-16")
    rows = list(read_hash_list(path, "csv"))
    assert (rows[0].md5, rows[1].sha1, rows[2].sha256) == (MD5, SHA1, SHA256)


def test_a_pdq_signal_file(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{SHA256},87\n{'d' * 64}\t100\n")
    rows = list(read_hash_list(path, "pdq"))
    assert rows[0].pdq == SHA256 and rows[0].quality == 87 and rows[0].sha256 is None
    assert rows[1].pdq == "d" * 64


def test_the_icse_export(tmp_path: Path) -> None:
    header = ("MD5;SHA1;PhotoDNA;Image ID;Is distributed;Victim identified;Offender identified;"
              "Series name;Number of submissions;File Available;Media Type;Baseline")
    path = _write(tmp_path, f"{header}\n{MD5};{SHA1};PDNA;991;true;True;0;Series Ocean;3;1;"
                            "Image;\n")
    row = next(read_hash_list(path, "icse"))
    assert (row.md5, row.sha1, row.photodna, row.series) == (MD5, SHA1, "PDNA", ["Series Ocean"])
    assert row.flags == {"IsDistributed": True, "VictimIdentified": True,
                         "OffenderIdentified": False}
    assert row.extra["Image ID"] == "991"


@pytest.mark.parametrize(("text", "fmt", "line"), [
    (f"md5\n{MD5}\nnot-a-hash\n", "csv", 3),
    (f"{MD5}\nxyz\n", "csv", 2),
    ("MD5;SHA1\nzz;\n", "icse", 2),
])
def test_a_bad_line_names_itself(tmp_path: Path, text: str, fmt: str, line: int) -> None:
    with pytest.raises(HashListError, match=f"line {line}"):
        list(read_hash_list(_write(tmp_path, text), fmt))


def test_the_export_has_hashes_only() -> None:
    buffer = io.StringIO()
    write_hash_list(buffer, [{"md5": MD5, "sha256": SHA256, "pdq": None, "category": "1",
                              "thumbnail": b"never"}])
    assert buffer.getvalue().splitlines() == [
        "md5,sha1,sha256,pdq,pdq_quality,category,scheme,source", f"{MD5},,{SHA256},,,1,,"]
