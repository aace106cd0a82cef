"""The VICS reader against what real exports do, and the writer read back by the reader."""

from __future__ import annotations

import codecs
import io
import json
from pathlib import Path

import pytest

from tessera.interop.vics import VicsCase, VicsError, VicsMedia, VicsReader, write_vics

MD5 = "0123456789abcdef0123456789abcdef"
SHA1 = "0123456789abcdef0123456789abcdef01234567"
V13 = "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Cases"
V20 = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media"


def _read(path: Path) -> tuple[VicsReader, list[tuple[int, VicsMedia]]]:
    reader = VicsReader(path)
    return reader, list(reader)


def test_a_1_3_case_with_the_quirks_of_real_exports(tmp_path: Path) -> None:
    case = {"Media": [
        {"MediaID": "7", "Category": "1", "MD5": MD5.upper(), "SHA1": SHA1.upper(),
         "VictimIdentified": "true", "OffenderIdentified": "False", "MediaSize": "1234",
         "Series": "Series Ocean", "Tags": "blue; green", "DateUpdated": "/Date(1600000000000)/",
         "AlternativeHashes": [{"HashName": "PhotoDNA", "HashValue": "AAAA"},
                               {"HashName": "SHA-256", "HashValue": "A" * 64}],
         "MediaFiles": [{"FileName": "a.jpg", "Created": "2019-01-02T03:04:05+01:00"}],
         "VendorThing": {"x": [1, 2]}},
        {"MediaID": 8, "Category": None, "MD5": "f" * 32, "IsPrecategorized": True,
         "Series": [{"Name": "Series Ocean"}, "Other"], "Tags": ["t"]},
    ], "CaseID": "c-1", "CaseNumber": "OP-7", "TotalMediaFiles": 99, "ContactName": "Jo"}
    path = tmp_path / "case.json"
    path.write_bytes(codecs.BOM_UTF8 + json.dumps({"odata.metadata": V13,
                                                   "value": [case]}).encode())
    reader, records = _read(path)
    assert reader.version == "1.3" and reader.dialect is None
    assert [n for n, _ in records] == [0, 0]  # header totals that lie are never read
    first, second = records[0][1], records[1][1]
    assert first.md5 == MD5 and first.sha1 == SHA1 and first.sha256 == "a" * 64
    assert first.category == "1" and first.size == 1234 and first.media_id == 7
    assert first.flags == {"VictimIdentified": True, "OffenderIdentified": False}
    assert "IsDistributed" not in first.flags  # absent is not false
    assert first.tags == ["blue", "green"] and first.series == ["Series Ocean"]
    assert first.updated == "2020-09-13T12:26:40Z"
    assert first.files[0]["Created"] == "2019-01-02T02:04:05Z"
    assert first.extra == {"VendorThing": {"x": [1, 2]}}  # unknown keys kept verbatim
    assert second.category is None and second.flags == {"IsPrecategorized": True}
    assert second.series == ["Series Ocean", "Other"]
    case_read = reader.cases[0]
    assert case_read.reference == "OP-7" and case_read.fields == {"ContactName": "Jo"}


def test_a_2_0_media_hash_set_in_utf16(tmp_path: Path) -> None:
    path = tmp_path / "set.json"
    body = {"value": [{"MD5": MD5, "Category": 2, "PhotoDNA": "B64=="}], "@odata.context": V20}
    path.write_bytes(json.dumps(body).encode("utf-16"))  # with its BOM; envelope key last
    reader, records = _read(path)
    assert reader.version == "2.0" and reader.dialect == "US"
    assert records[0][0] == -1 and records[0][1].category == "2"
    assert records[0][1].photodna == "B64=="


def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"odata.metadata": "x#Cases", "value": [{"Media": [\n{"MD5": tru}]}]}')
    with pytest.raises(VicsError, match=r"line 2, column 9"):
        _read(path)


def test_text_in_another_encoding_is_refused_with_the_way_out(tmp_path: Path) -> None:
    path = tmp_path / "latin.json"
    path.write_bytes(json.dumps({"odata.metadata": V13, "value": [{"Media": [
        {"MD5": MD5, "Comments": "Café"}]}]}, ensure_ascii=False).encode("latin-1"))
    with pytest.raises(VicsError, match="--encoding"):
        _read(path)
    reader = VicsReader(path, encoding="latin-1")
    assert next(iter(reader))[1].comments == "Café"


@pytest.mark.parametrize("text", ["[]", '"x"', '{"foo": 1}'])
def test_json_that_is_not_vics_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "other.json"
    path.write_text(text)
    with pytest.raises(VicsError, match="not a VICS file"):
        _read(path)


@pytest.mark.parametrize("version", ["1.3", "2.0"])
def test_what_is_written_reads_back_the_same(tmp_path: Path, version: str) -> None:
    record = VicsMedia(md5=MD5, sha1=SHA1, sha256="b" * 64, photodna="PDNA", category="3",
                       size=10, mime="image/jpeg", path="a\\b.jpg", media_id=4,
                       flags={"VictimIdentified": True, "IsDistributed": False},
                       series=["S1", "S2"], tags=["x"], comments="c",
                       updated="2020-01-01T00:00:00Z",
                       exifs=[{"PropertyName": "Make", "PropertyValue": "Cam"}],
                       files=[{"FileName": "b.jpg", "Created": "2020-01-01T00:00:00Z"}],
                       extra={"Vendor": 1})
    buffer = io.StringIO()
    write_vics(buffer, VicsCase("id-1", "OP-1", {"ContactName": "Jo"}), [record],
               version=version)
    path = tmp_path / "out.json"
    path.write_text(buffer.getvalue())
    reader, records = _read(path)
    back = records[0][1]
    if version != "2.0":  # 1.x carries PhotoDNA among the alternative hashes
        assert back.photodna is None and {"HashName": "PhotoDNA", "HashValue": "PDNA"} \
            in back.alternative
        back.photodna = "PDNA"
    back.alternative = [a for a in back.alternative if a["HashName"] not in ("PhotoDNA",
                                                                             "SHA256")]
    assert back == record
    assert reader.cases[0].reference == "OP-1" and reader.cases[0].case_id == "id-1"


def test_entries_for_the_same_file_merge_and_report_conflicts() -> None:
    a = VicsMedia(md5=MD5, category="1", tags=["x"], files=[{"FileName": "a"}])
    b = VicsMedia(md5=MD5, category="2", tags=["y"], files=[{"FileName": "b"}], size=5)
    assert a.merge(b) is True
    assert a.category == "1" and a.tags == ["x", "y"] and len(a.files) == 2 and a.size == 5
    assert a.merge(VicsMedia(md5=MD5, category=None)) is False
