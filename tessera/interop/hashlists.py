"""Plain hash lists in and out: CSV/TXT of MD5, SHA-1, SHA-256 and PDQ (with quality), the
ICSE CSV export, and ThreatExchange-style PDQ signal files.

Every reader yields ``HashEntry`` records one line at a time, with the line number of any
line it refuses, so a list of millions is read in bounded memory and a bad line names itself.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tessera.core.errors import TesseraError
from tessera.interop import values

FORMATS = ("csv", "icse", "pdq")
ICSE_HEADER = ["MD5", "SHA1", "PhotoDNA", "Image ID", "Is distributed", "Victim identified",
               "Offender identified", "Series name", "Number of submissions", "File Available",
               "Media Type", "Baseline"]
EXPORT_HEADER = ["md5", "sha1", "sha256", "pdq", "pdq_quality", "category", "scheme", "source"]
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_COLUMNS = {  # header spellings seen in lab tools' exports → our field
    "md5": "md5", "md5hash": "md5", "hashmd5": "md5",
    "sha1": "sha1", "sha1hash": "sha1", "hashsha1": "sha1",
    "sha256": "sha256", "sha256hash": "sha256", "hashsha256": "sha256",
    "pdq": "pdq", "pdqhash": "pdq", "signal": "pdq", "hash": "hash",
    "quality": "quality", "pdqquality": "quality",
    "category": "category", "cat": "category",
    "source": "source", "series": "series", "seriesname": "series",
}


class HashListError(TesseraError):
    """A hash list that cannot be read; the message gives the line."""


@dataclass
class HashEntry:
    line: int
    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    pdq: str | None = None  # 64 hex digits
    quality: int | None = None
    category: str | None = None
    series: list[str] = field(default_factory=list)
    source: str | None = None
    photodna: str | None = None
    flags: dict[str, bool] = field(default_factory=dict)  # ICSE: distributed, identified …
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.md5 or self.sha1 or self.sha256 or self.pdq)


def _text(path: Path) -> IO[str]:
    fh = path.open("rb")
    head = fh.read(2)
    fh.seek(0)
    encoding = "utf-16" if head in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    return io.TextIOWrapper(fh, encoding=encoding, errors="strict", newline="")


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    number = 0
    with _text(path) as fh:
        try:
            for number, line in enumerate(fh, 1):
                yield number, line.rstrip("\r\n")
        except UnicodeDecodeError as exc:
            raise HashListError(f"{path.name}: not valid UTF-8 after line {number}: "
                                f"{exc.reason}") from None


def _delimiter(sample: str) -> str:
    counts = {d: sample.count(d) for d in (";", "\t", ",", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _digest_by_length(value: str, pdq: bool) -> tuple[str, str] | None:
    text = value.strip().lower()
    if not _HEX.match(text):
        return None
    if len(text) == 32:
        return "md5", text
    if len(text) == 40:
        return "sha1", text
    if len(text) == 64:
        return ("pdq" if pdq else "sha256"), text
    return None


def read_hash_list(path: Path, fmt: str) -> Iterator[HashEntry]:
    if fmt not in FORMATS:
        raise HashListError(f"hash list format must be one of {', '.join(FORMATS)}")
    if fmt == "icse":
        yield from _read_icse(path)
    else:
        yield from _read_table(path, pdq=fmt == "pdq")


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    lines = ((n, line) for n, line in _lines(path) if line.strip()
             and not line.lstrip().startswith("#"))
    first = next(lines, None)
    if first is None:
        return
    delimiter = _delimiter(first[1])
    yield first[0], next(csv.reader([first[1]], delimiter=delimiter))
    for number, line in lines:
        yield number, next(csv.reader([line], delimiter=delimiter))


def _read_table(path: Path, pdq: bool) -> Iterator[HashEntry]:
    header: list[str | None] | None = None
    for number, cells in _rows(path):
        cells = [c.strip() for c in cells]
        if header is None:
            keys = [_COLUMNS.get(re.sub(r"[^a-z0-9]", "", c.lower())) for c in cells]
            if any(keys) and not any(_digest_by_length(c, pdq) for c in cells):
                header = keys
                continue
            header = []  # no header: hashes by their length, then quality
        entry = HashEntry(number)
        if header:
            for key, cell in zip(header, cells, strict=False):
                if not cell or key is None:
                    continue
                _put(entry, key, cell, pdq, number, path)
        else:
            if len(cells) == 1:  # signal files separate by tabs or spaces as often as commas
                cells = [c for c in re.split(r"[\s,;|]+", cells[0]) if c]
            for position, cell in enumerate(cells):
                found = _digest_by_length(cell, pdq)
                if found:
                    setattr(entry, found[0], found[1])
                elif position > 0 and cell.isdigit() and entry.pdq and entry.quality is None:
                    entry.quality = int(cell)
                elif cell:
                    entry.extra[f"column{position + 1}"] = cell
        if entry.empty:
            raise HashListError(f"{path.name}: line {number}: no MD5, SHA-1, SHA-256 or PDQ "
                                f"hash in {', '.join(cells)[:80]!r}")
        yield entry


def _put(entry: HashEntry, key: str, cell: str, pdq: bool, number: int, path: Path) -> None:
    if key == "hash":
        found = _digest_by_length(cell, pdq)
        if not found:
            raise HashListError(f"{path.name}: line {number}: {cell[:80]!r} is not a hash")
        setattr(entry, found[0], found[1])
        return
    if key in ("md5", "sha1", "sha256", "pdq"):
        width = {"md5": 32, "sha1": 40, "sha256": 64, "pdq": 64}[key]
        value = values.hex_digest(cell, width)
        if value is None:
            raise HashListError(f"{path.name}: line {number}: {cell[:80]!r} is not a "
                                f"{key.upper()} ({width} hex digits)")
        setattr(entry, key, value)
    elif key == "quality":
        entry.quality = values.integer(cell)
    elif key == "category":
        entry.category = cell
    elif key == "series":
        entry.series = values.names(cell)
    elif key == "source":
        entry.source = cell


def _read_icse(path: Path) -> Iterator[HashEntry]:
    header: list[str] | None = None
    for number, cells in _rows(path):
        cells = [c.strip() for c in cells]
        if header is None:
            if cells and cells[0].strip().upper() == "MD5":
                header = cells
                continue
            header = ICSE_HEADER
        row = dict(zip(header, cells, strict=False))
        entry = HashEntry(number, md5=values.hex_digest(row.get("MD5", ""), 32),
                          sha1=values.hex_digest(row.get("SHA1", ""), 40),
                          photodna=row.get("PhotoDNA") or None,
                          series=values.names(row.get("Series name") or None))
        for column, flag in (("Is distributed", "IsDistributed"),
                             ("Victim identified", "VictimIdentified"),
                             ("Offender identified", "OffenderIdentified")):
            state = values.flag(row.get(column))
            if state is not None:
                entry.flags[flag] = state
        entry.extra = {k: v for k, v in row.items()
                       if k in ("Image ID", "Number of submissions", "File Available",
                                "Media Type", "Baseline") and v}
        if row.get("MD5") and entry.md5 is None:
            raise HashListError(f"{path.name}: line {number}: {row['MD5'][:80]!r} is not an MD5")
        if entry.md5 is None and entry.sha1 is None:
            raise HashListError(f"{path.name}: line {number}: no MD5 or SHA-1")
        yield entry


def write_hash_list(out: IO[str], rows: Iterable[dict[str, Any]]) -> int:
    """The partner export: one line per media, hashes only (never pixels)."""
    writer = csv.DictWriter(out, EXPORT_HEADER, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row[k]) for k in EXPORT_HEADER})
        count += 1
    return count
