"""Project VIC VICS JSON, read as a stream and written back (1.1-1.3 and 2.0 envelopes).

The specification is not public; ``shared/NOTES-vics.md`` holds what public readers and
writers show. Real exports bend it, so the reader tolerates: a UTF-8 BOM (and UTF-16 with one),
booleans as strings, absent flags (kept absent, never false), sizes as strings, timestamps in
ISO, .NET ``/Date(ms)/`` or local forms, Series/Tags as a string, a list or objects, header
totals that lie (never read), unknown keys (kept verbatim and written back), and files of many
gigabytes: one media record at a time is in memory. Alternative hashes (PhotoDNA, SHA-256 …)
are opaque values, kept as given. A record's ``category`` is the dialect's code, as text; what
it means is for a category scheme to say (``service.categories``).
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import ijson

from tessera.core.errors import TesseraError
from tessera.interop import values

FLAGS = ("VictimIdentified", "OffenderIdentified", "IsDistributed", "IsPrecategorized",
         "IsSuspected", "SelfGenerated")
VERSIONS = ("1.1", "1.2", "1.3", "2.0")
DIALECTS = ("Default", "US", "UK", "CUSTOM")
_KNOWN = {"MediaID", "Category", "MD5", "SHA1", "PhotoDNA", "AlternativeHashes", "MediaSize",
          "RelativeFilePath", "MimeType", "PrecategorizationSource", "Series", "Tags",
          "Comments", "DateUpdated", "Exifs", "MediaMetadata", "MediaFiles", "odata.id",
          "@odata.id", *FLAGS}
_CASE_KNOWN = {"CaseID", "CaseNumber", "Media", "TotalMediaFiles", "TotalPrecategorized",
               "CaseMetadata"}
_FILE_TIMES = ("Created", "Written", "Accessed")
_EXACT_LIMIT = 256 * 1024 * 1024  # a malformed file this small is re-read to place the error


class VicsError(TesseraError):
    """A VICS file that cannot be read; the message says where."""


@dataclass
class VicsMedia:
    """One distinct content of a case, keyed by MD5 (SHA-1 or SHA-256 when it has none)."""

    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    photodna: str | None = None
    category: str | None = None
    size: int | None = None
    mime: str | None = None
    path: str | None = None
    media_id: int | None = None
    flags: dict[str, bool] = field(default_factory=dict)  # only the flags the record states
    precategorization_source: str | None = None
    series: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    comments: str | None = None
    updated: str | None = None
    alternative: list[dict[str, Any]] = field(default_factory=list)  # other hashes, opaque
    exifs: list[dict[str, Any]] = field(default_factory=list)
    metadata: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # keys this reader does not know

    @property
    def key(self) -> str | None:
        return self.md5 or self.sha1 or self.sha256

    def merge(self, other: VicsMedia) -> bool:
        """Fold another entry for the same file into this one; ``True`` if their categories
        disagree (this one's is kept, the caller reports the conflict)."""
        conflict = other.category is not None and self.category is not None \
            and other.category != self.category
        for name in ("sha1", "sha256", "photodna", "category", "size", "mime", "path",
                     "media_id", "precategorization_source", "comments", "updated"):
            if getattr(self, name) is None:
                setattr(self, name, getattr(other, name))
        for name, value in other.flags.items():
            self.flags[name] = self.flags.get(name, False) or value
        for name in ("series", "tags"):
            mine = getattr(self, name)
            mine.extend(v for v in getattr(other, name) if v not in mine)
        for name in ("alternative", "exifs", "metadata", "files"):
            mine = getattr(self, name)
            mine.extend(v for v in getattr(other, name) if v not in mine)
        for name, value in other.extra.items():
            self.extra.setdefault(name, value)
        return conflict

    # --- stored form (media metadata) and JSON --------------------------------------------

    def to_meta(self) -> dict[str, Any]:
        """What Tessera keeps of the record beside its own columns, to write it back whole."""
        out = {"flags": self.flags, "precategorization_source": self.precategorization_source,
               "comments": self.comments, "updated": self.updated, "photodna": self.photodna,
               "alternative": self.alternative, "exifs": self.exifs, "metadata": self.metadata,
               "files": self.files, "extra": self.extra, "media_id": self.media_id,
               "path": self.path, "mime": self.mime, "size": self.size}
        return {k: v for k, v in out.items() if v not in (None, [], {})}

    @classmethod
    def from_meta(cls, meta: dict[str, Any], **columns: Any) -> VicsMedia:
        return cls(flags=dict(meta.get("flags", {})),
                   precategorization_source=meta.get("precategorization_source"),
                   comments=meta.get("comments"), updated=meta.get("updated"),
                   photodna=meta.get("photodna"), alternative=list(meta.get("alternative", [])),
                   exifs=list(meta.get("exifs", [])), metadata=list(meta.get("metadata", [])),
                   files=list(meta.get("files", [])), extra=dict(meta.get("extra", {})),
                   media_id=meta.get("media_id"), path=meta.get("path"),
                   mime=meta.get("mime"), size=meta.get("size"), **columns)

    def to_json(self, version: str) -> dict[str, Any]:
        out: dict[str, Any] = {"MediaID": self.media_id, "Category": _category_out(self.category)}
        if self.md5:
            out["MD5"] = self.md5.upper()
        if self.sha1:
            out["SHA1"] = self.sha1.upper()
        alternative = [dict(a) for a in self.alternative]
        if self.sha256 and not any(_hash_name(a) == "SHA256" for a in alternative):
            alternative.append({"HashName": "SHA256", "HashValue": self.sha256})
        if self.photodna:
            if version == "2.0":
                out["PhotoDNA"] = self.photodna
            elif not any(_hash_name(a) == "PHOTODNA" for a in alternative):
                alternative.append({"HashName": "PhotoDNA", "HashValue": self.photodna})
        for key, value in (("MediaSize", self.size), ("RelativeFilePath", self.path),
                           ("MimeType", self.mime),
                           ("PrecategorizationSource", self.precategorization_source),
                           ("Comments", self.comments), ("DateUpdated", self.updated)):
            if value is not None:
                out[key] = value
        for name in FLAGS:
            if name in self.flags:
                out[name] = self.flags[name]
        if self.series:
            out["Series"] = self.series[0] if len(self.series) == 1 else self.series
        if self.tags:
            out["Tags"] = self.tags[0] if len(self.tags) == 1 else self.tags
        for key, rows in (("AlternativeHashes", alternative), ("Exifs", self.exifs),
                          ("MediaMetadata", self.metadata), ("MediaFiles", self.files)):
            if rows:
                out[key] = rows
        for key, value in self.extra.items():
            out.setdefault(key, value)
        return out


@dataclass
class VicsCase:
    case_id: str | None = None
    number: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # contact, seizure date, source …

    @property
    def reference(self) -> str | None:
        return self.number or self.case_id


def _hash_name(alt: dict[str, Any]) -> str:
    return str(alt.get("HashName", "")).upper().replace("-", "").replace(" ", "")


def _category_out(code: str | None) -> int | str | None:
    if code is None:
        return None
    return int(code) if code.isdigit() else code


def _category_in(value: Any) -> str | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def media_from_json(raw: dict[str, Any]) -> VicsMedia:
    """One Media record as read, normalised; unknown keys kept verbatim."""
    alternative = [a for a in raw.get("AlternativeHashes") or [] if isinstance(a, dict)]
    by_name = {_hash_name(a): a.get("HashValue") for a in alternative}
    sha256 = values.hex_digest(by_name.get("SHA256"), 64)
    photodna = raw.get("PhotoDNA")  # one carried as an alternative hash (1.x) stays there
    size = values.integer(raw.get("MediaSize"))
    files = []
    for f in raw.get("MediaFiles") or []:
        if isinstance(f, dict):
            f = dict(f)
            for name in _FILE_TIMES:
                if name in f:
                    f[name] = values.timestamp(f[name])
            files.append(f)
    flags = {}
    for name in FLAGS:
        state = values.flag(raw.get(name))
        if state is not None:
            flags[name] = state
    return VicsMedia(
        md5=values.hex_digest(raw.get("MD5"), 32), sha1=values.hex_digest(raw.get("SHA1"), 40),
        sha256=sha256, photodna=str(photodna) if photodna else None,
        category=_category_in(raw.get("Category")), size=size,
        mime=raw.get("MimeType") or None, path=raw.get("RelativeFilePath") or None,
        media_id=values.integer(raw.get("MediaID")), flags=flags,
        precategorization_source=raw.get("PrecategorizationSource") or None,
        series=values.names(raw.get("Series")), tags=values.names(raw.get("Tags")),
        comments=raw.get("Comments") or None, updated=values.timestamp(raw.get("DateUpdated")),
        alternative=alternative,
        exifs=[e for e in raw.get("Exifs") or [] if isinstance(e, dict)],
        metadata=[e for e in raw.get("MediaMetadata") or [] if isinstance(e, dict)],
        files=files, extra={k: v for k, v in raw.items() if k not in _KNOWN})


# --- reading -----------------------------------------------------------------------------------


class _Utf8:
    """A byte stream of UTF-8 read from a file in another encoding (UTF-16 with a BOM, or
    one the user names), so the parser always sees UTF-8."""

    def __init__(self, raw: IO[bytes], encoding: str) -> None:
        self._raw, self._encoding = raw, encoding
        self._reader = io.TextIOWrapper(raw, encoding=encoding, errors="strict")

    def read(self, size: int | None = -1) -> bytes:
        if size == 0:  # the parser's probe of bytes or text
            return b""
        try:
            return self._reader.read(size if size and size > 0 else -1).encode("utf-8")
        except UnicodeDecodeError as exc:
            raise VicsError(f"not valid {self._encoding} at byte {exc.start}") from None

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> _Utf8:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open(path: Path, encoding: str | None) -> IO[bytes] | _Utf8:
    fh = path.open("rb")
    head = fh.read(4)
    fh.seek(0)
    if encoding and codecs.lookup(encoding).name != "utf-8":
        return _Utf8(fh, encoding)
    if head.startswith(codecs.BOM_UTF8):
        fh.seek(3)
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _Utf8(fh, "utf-16")
    elif len(head) >= 2 and head[0] != 0 and head[1] == 0:
        return _Utf8(fh, "utf-16-le")
    return fh


def _place_error(path: Path, encoding: str | None, exc: Exception) -> VicsError:
    """The parse error with a line and column: small files are re-read by ``json`` to place
    it exactly; a huge one gets the parser's own words."""
    if path.stat().st_size <= _EXACT_LIMIT:
        try:
            data = path.read_bytes()
            text = data.decode(encoding or "utf-8-sig") if encoding or not data.startswith(
                (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else data.decode("utf-16")
        except (UnicodeDecodeError, LookupError) as bad:
            return VicsError(f"{path.name}: not valid {encoding or 'UTF-8'} at byte "
                             f"{getattr(bad, 'start', '?')}; give the encoding the exporting "
                             f"tool used (--encoding latin-1, …)")
        try:
            json.loads(text)
        except json.JSONDecodeError as where:
            return VicsError(f"{path.name}: malformed JSON at line {where.lineno}, column "
                             f"{where.colno}: {where.msg}")
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return VicsError(f"{path.name}: malformed JSON: {first}")


class VicsReader:
    """Media records of a VICS file, one at a time, in file order; ``cases`` fills in as the
    file is read (a case's header may come before or after its media)."""

    def __init__(self, path: Path, *, encoding: str | None = None) -> None:
        self.path, self.encoding = path, encoding
        self.envelope: str | None = None
        self.cases: list[VicsCase] = []
        self.records = 0

    @property
    def version(self) -> str | None:
        for v in VERSIONS:
            if self.envelope and f"/{v}.xml" in self.envelope:
                return v
        return None

    @property
    def dialect(self) -> str | None:
        """The 2.0 envelope's dialect (``Default``, ``US``, ``UK``, ``CUSTOM``)."""
        if not self.envelope or "2.0.xml/" not in self.envelope:
            return None
        return self.envelope.split("2.0.xml/", 1)[1].split("/", 1)[0] or None

    def __iter__(self) -> Iterator[tuple[int, VicsMedia]]:
        """(index of the record's case in ``cases``, record); -1 for a Media hash set."""
        with _open(self.path, self.encoding) as fh:
            try:
                yield from self._events(ijson.parse(fh, use_float=True))
            except VicsError:
                raise
            except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError) as exc:
                raise _place_error(self.path, self.encoding, exc) from None
        if self.envelope is None and not self.records:
            raise VicsError(f"{self.path.name}: not a VICS file (no odata.metadata or "
                            f"@odata.context, no value[])")

    def _events(self, events: Iterable[tuple[str, str, Any]]) -> Iterator[tuple[int, VicsMedia]]:
        item: ijson.ObjectBuilder | None = None  # a value[] entry, less its Media[]
        record: ijson.ObjectBuilder | None = None  # a Media record being read
        case: VicsCase | None = None
        first = True
        for prefix, event, value in events:
            if first:
                first = False
                if event != "start_map":
                    raise VicsError(f"{self.path.name}: not a VICS file (the top level is "
                                    f"not a JSON object)")
            if prefix in ("odata.metadata", "@odata.context") and event == "string":
                self.envelope = value
            elif prefix.startswith("value.item.Media.item"):
                if prefix == "value.item.Media.item" and event == "start_map":
                    record = ijson.ObjectBuilder()
                if record is not None:
                    record.event(event, value)
                    if prefix == "value.item.Media.item" and event == "end_map":
                        if case is None:
                            case = VicsCase()
                            self.cases.append(case)
                        self.records += 1
                        yield len(self.cases) - 1, media_from_json(record.value)
                        record = None
            elif prefix == "value.item.Media":
                if event == "start_array" and case is None:
                    case = VicsCase()
                    self.cases.append(case)
            elif prefix == "value.item" and event == "start_map":
                item, case = ijson.ObjectBuilder(), None
                item.event(event, value)
            elif prefix.startswith("value.item") and item is not None:
                if prefix == "value.item" and event == "map_key" and value == "Media":
                    continue
                item.event(event, value)
                if prefix == "value.item" and event == "end_map":
                    raw = item.value
                    item = None
                    if case is None and ("MD5" in raw or "SHA1" in raw):  # a Media hash set
                        self.records += 1
                        yield -1, media_from_json(raw)
                        continue
                    if case is None:
                        case = VicsCase()
                        self.cases.append(case)
                    case.case_id = str(raw["CaseID"]) if raw.get("CaseID") else None
                    case.number = str(raw["CaseNumber"]) if raw.get("CaseNumber") else None
                    case.fields = {k: v for k, v in raw.items() if k not in _CASE_KNOWN}
                    if raw.get("CaseMetadata"):
                        case.fields["CaseMetadata"] = raw["CaseMetadata"]
                    case = None


# --- writing -----------------------------------------------------------------------------------


def envelope(version: str, dialect: str, of: str = "Cases") -> dict[str, str]:
    if version not in VERSIONS:
        raise VicsError(f"VICS version must be one of {', '.join(VERSIONS)}")
    if version == "2.0":
        return {"@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/"
                                  f"{dialect}/$metadata#{of}"}
    return {"odata.metadata": f"http://github.com/ICMEC/ProjectVic/DataModels/{version}.xml#{of}"}


def write_vics(out: IO[str], case: VicsCase, media: Iterable[VicsMedia], *,
               version: str = "2.0", dialect: str = "Default") -> int:
    """One case and its media, written as they come (bounded memory); the count written."""
    head = envelope(version, dialect)
    fields = {"CaseID": case.case_id, "CaseNumber": case.number, **case.fields}
    out.write("{" + json.dumps(next(iter(head)), ensure_ascii=False) + ": "
              + json.dumps(next(iter(head.values()))) + ', "value": [{')
    for key, value in fields.items():
        out.write(json.dumps(key) + ": " + json.dumps(value, ensure_ascii=False) + ", ")
    out.write('"Media": [')
    count = 0
    for record in media:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(record.to_json(version), ensure_ascii=False))
        count += 1
    out.write(f'\n], "TotalMediaFiles": {count}}}]}}\n')
    return count
