"""Hash sets in and out: VICS cases and hash lists imported as hash-only media (matched by
de-confliction like any other, reported as such), VICS exports of a series, and signed hash
lists of abuse material for partners.

An import is one transaction: a file that fails half way leaves nothing behind. Records are
handled a batch at a time (media by the ORM for their ids, the rest by the bulk loader), so a
file of a million entries is read in bounded memory.
"""

from __future__ import annotations

import hashlib
import mimetypes
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from tessera import __version__
from tessera.access.policy import Action, Principal, Target, require
from tessera.core.errors import NotFound, TesseraError
from tessera.interop.hashlists import HashEntry, read_hash_list, write_hash_list
from tessera.interop.vics import VicsCase, VicsMedia, VicsReader, write_vics
from tessera.service import categories
from tessera.signals.base import SIGNAL_TYPES
from tessera.store import audit, repos
from tessera.store.bulk import copy_rows, insert_returning_ids, refresh_statistics
from tessera.store.repos import triage
from tessera.store.repos.triage import Digest
from tessera.store.signing import sign_file
from tessera.store.tables import (
    Agency,
    Annotation,
    Media,
    MediaCategory,
    MediaSeries,
    Signal,
    Submission,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tessera.context import Context

BATCH = 2000
DIALECT_SCHEMES = {"default": "vics", "us": "vics", "uk": "vics-uk", "custom": "vics-custom"}
PERCEPTUAL = "pdq"  # the picture hash that hash lists carry (ThreatExchange, HMA)


@dataclass
class ImportSummary:
    file: str
    records: int = 0
    media_new: int = 0
    media_known: int = 0  # already held (with pixels or from an earlier list)
    duplicates: int = 0  # entries naming a file another entry of this import named
    conflicts: int = 0  # duplicate entries whose categories disagree (the first is kept)
    categorised: int = 0
    unknown_categories: dict[str, int] = field(default_factory=dict)
    series: dict[str, int] = field(default_factory=dict)
    cases: int = 0
    version: str | None = None
    dialect: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def scheme_for(dialect: str | None) -> str:
    key = (dialect or "default").lower()
    if key not in DIALECT_SCHEMES:
        raise TesseraError(f"VICS dialect must be one of {', '.join(DIALECT_SCHEMES)}")
    return DIALECT_SCHEMES[key]


def _kind(mime: str | None, path: str | None) -> str:
    guess = mime or (mimetypes.guess_type(path.replace("\\", "/"))[0] if path else None) or ""
    top = guess.split("/", 1)[0]
    return top if top in ("image", "video", "audio") else "image"


class _SeenKeys:
    """The files an import has named so far, in bounded memory: 8 bytes a key in a sorted
    NumPy array, with the newest keys in a small set merged into it now and then (a Python
    set of a million strings held ~120 MB; this holds 8 MB). A 64-bit digest's false match
    among 10M keys is about one chance in 400,000, and costs only a miscounted duplicate."""

    MERGE_AT = 100_000

    def __init__(self) -> None:
        self.sorted = np.empty(0, dtype=np.uint64)
        self.recent: set[int] = set()

    @staticmethod
    def _digest(key: str) -> int:
        return int.from_bytes(hashlib.blake2b(key.lower().encode(), digest_size=8).digest(),
                              "little")

    def __contains__(self, key: str) -> bool:
        d = self._digest(key)
        if d in self.recent:
            return True
        i = int(np.searchsorted(self.sorted, np.uint64(d)))
        return i < len(self.sorted) and int(self.sorted[i]) == d

    def add(self, key: str) -> None:
        self.recent.add(self._digest(key))
        if len(self.recent) >= self.MERGE_AT:
            fresh = np.fromiter(self.recent, dtype=np.uint64, count=len(self.recent))
            self.sorted = np.union1d(self.sorted, fresh)
            self.recent.clear()


class _Importer:
    """The rows of one import, written a batch at a time in one transaction."""

    def __init__(self, s: Session, p: Principal, summary: ImportSummary, *, series: str | None,
                 scheme: str, basis: str) -> None:
        self.s, self.p, self.summary, self.basis = s, p, summary, basis
        self.agency = repos.agency_by_id(s, p.agency_id)
        self.agency_id = self.agency.id
        self.fixed_series = series
        self.series_ids: dict[str, int] = {}
        self.identified: dict[int, set[str]] = {}
        self.codes = {c.code: c.id for c in triage.get_scheme(s, scheme).categories}
        self.case_id: int | None = None
        self.seen = _SeenKeys()
        self.added, self.analysed_at = 0, 10_000

    def series_id(self, name: str) -> int:
        if name not in self.series_ids:
            self.series_ids[name] = repos.get_or_create_series(self.s, name, self.agency).id
        return self.series_ids[name]

    def case(self, reference: str | None) -> int | None:
        if self.case_id is None and reference:
            self.case_id = repos.get_or_create_case(self.s, self.agency, reference).id
        return self.case_id

    def _keep_statistics(self, added: int) -> None:
        """Statistics refreshed each time the rows this import added double (from 10,000):
        lookups stay indexed, and the refreshes cost no more than the rows themselves."""
        self.added += added
        if self.added >= self.analysed_at:
            refresh_statistics(self.s, Media, Submission, MediaSeries, MediaCategory)
            self.analysed_at = self.added * 2

    def _category_code(self, media_id: int) -> str | None:
        rows = triage.categories_of(self.s, self.agency_id, [media_id]).get(media_id, [])
        by_id = {cid: code for code, cid in self.codes.items()}
        return by_id.get(rows[0].category_id) if rows else None

    def write(self, batch: list[VicsMedia], pdq: list[bytes | None] | None = None) -> None:
        """Store one batch: merge entries for the same file, then new media, submissions,
        series, categories and tags."""
        merged: dict[str, tuple[VicsMedia, bytes | None]] = {}
        for n, rec in enumerate(batch):
            value = pdq[n] if pdq else None
            key = rec.key or (value.hex() if value else None)
            if key is None:
                continue
            if key in merged or key in self.seen:
                self.summary.duplicates += 1
            if key in merged:
                if merged[key][0].merge(rec):
                    self.summary.conflicts += 1
                continue
            merged[key] = (rec, pdq[n] if pdq else None)
        items = list(merged.items())
        found = triage.media_by_digests(self.s, [Digest(r.md5, r.sha1, r.sha256)
                                                 for _, (r, _) in items])
        if pdq:
            by_value = triage.media_with_pdq(self.s, PERCEPTUAL, [v for _, (_, v) in items if v])
            found = [f or (by_value.get(v) if v else None)
                     for f, (_, (_, v)) in zip(found, items, strict=True)]
        fresh: list[tuple[dict[str, Any], VicsMedia, bytes | None]] = []
        old: list[tuple[Media, VicsMedia]] = []
        for media, (key, (rec, value)) in zip(found, items, strict=True):
            if media is None:
                fresh.append(({"sha256": rec.sha256, "md5": rec.md5, "sha1": rec.sha1,
                               "hash_only": True, "kind": _kind(rec.mime, rec.path),
                               "mime": rec.mime or "", "size": rec.size or 0,
                               "meta": {"vics": rec.to_meta()}}, rec, value))
            else:
                self.summary.media_known += key not in self.seen
                if key in self.seen:  # named batches ago in this import: its first word stands
                    first = self._category_code(media.id)
                    if first is not None and rec.category not in (None, first):
                        self.summary.conflicts += 1
                    rec.category = first if first is not None else rec.category
                if media.meta.get("vics") is not None:  # fold in what was known: no loss
                    before = VicsMedia.from_meta(media.meta["vics"])
                    before.merge(rec)
                    rec = before
                media.meta = {**(media.meta or {}), "vics": rec.to_meta()}
                for name, digest in (("md5", rec.md5), ("sha1", rec.sha1),
                                     ("sha256", rec.sha256)):
                    if media.hash_only and getattr(media, name) is None and digest:
                        setattr(media, name, digest)
                old.append((media, rec))
            self.seen.add(key)
        self.s.flush()
        # new rows in one multi-row INSERT … RETURNING (the ORM would insert them one by one)
        ids = insert_returning_ids(self.s, Media, [row for row, _, _ in fresh])
        self._keep_statistics(len(ids))
        new = [(media_id, rec, v) for media_id, (_, rec, v) in zip(ids, fresh, strict=True)]
        self.summary.media_new += len(new)
        signal_type = SIGNAL_TYPES.get(PERCEPTUAL) if pdq else None
        signals = [{"media_id": m, "type": signal_type.name, "version": signal_type.version,
                    "value": v, "quality": _quality(rec), "region": "full"}
                   for m, rec, v in new if v is not None and signal_type is not None]
        if signals:
            copy_rows(self.s, Signal, signals)
        self._links([(m, r, True) for m, r, _ in new] + [(m.id, r, False) for m, r in old])
        self.s.flush()
        self.s.expunge_all()  # bounded memory: nothing of this batch is needed again
        self.agency = repos.agency_by_id(self.s, self.agency_id)

    def _links(self, rows: list[tuple[int, VicsMedia, bool]]) -> None:
        submissions: list[dict[str, Any]] = []
        links: set[tuple[int, int]] = set()
        cats: list[dict[str, Any]] = []
        tags: list[dict[str, Any]] = []
        held = repos.media_owners(self.s, [m for m, _, fresh in rows if not fresh])
        for media_id, rec, fresh in rows:
            if fresh or self.agency_id not in {a.id for a in held.get(media_id, [])}:
                submissions.append({"media_id": media_id, "agency_id": self.agency_id,
                                    "case_id": self.case_id,
                                    "original_path": rec.path or self.basis})
            names = [self.fixed_series] if self.fixed_series else rec.series
            for name in names:
                sid = self.series_id(name)
                links.add((media_id, sid))
                self.summary.series[name] = self.summary.series.get(name, 0) + 1
                for flag in ("VictimIdentified", "OffenderIdentified"):
                    if rec.flags.get(flag):
                        self.identified.setdefault(sid, set()).add(flag)
            if rec.category is not None:
                cid = self.codes.get(rec.category)
                if cid is None:
                    self.summary.unknown_categories[rec.category] = \
                        self.summary.unknown_categories.get(rec.category, 0) + 1
                elif fresh:
                    cats.append({"media_id": media_id, "agency_id": self.agency_id,
                                 "category_id": cid, "segment": "", "source": "import",
                                 "basis": self.basis, "actor": self.p.actor})
                    self.summary.categorised += 1
                elif triage.set_category(self.s, media_id, self.agency_id, cid, source="import",
                                         actor=self.p.actor, basis=self.basis,
                                         keep_investigators=True):
                    self.summary.categorised += 1
            if rec.tags:
                if fresh:
                    tags.extend({"agency_id": self.agency_id, "target": "media",
                                 "target_id": media_id, "kind": "tag", "text": t,
                                 "actor": self.p.actor} for t in rec.tags)
                else:
                    for t in rec.tags:
                        triage.annotate(self.s, self.agency_id, "media", [media_id], "tag", t,
                                        self.p.actor)
        if submissions:
            copy_rows(self.s, Submission, submissions)
        existing = {(m, sid) for m, sid in links if self.s.get(MediaSeries, (m, sid))} \
            if any(not fresh for _, _, fresh in rows) else set()
        if links - existing:
            copy_rows(self.s, MediaSeries, [{"media_id": m, "series_id": sid}
                                            for m, sid in sorted(links - existing)])
        if cats:
            copy_rows(self.s, MediaCategory, cats)
        if tags:
            copy_rows(self.s, Annotation, tags)

    def finish(self) -> None:
        """Series whose media say the victim or offender is identified are marked so (never
        marked back: Tessera's own status may know more)."""
        for sid, flags in self.identified.items():
            x = repos.series_by_id(self.s, sid)
            if "VictimIdentified" in flags and x.victim_status == "unidentified":
                x.victim_status = "identified"
            if "OffenderIdentified" in flags and x.offender_status == "unknown":
                x.offender_status = "identified"


def _quality(rec: VicsMedia) -> int | None:
    value = rec.extra.get("pdq_quality")
    return int(value) if isinstance(value, int) else None


def _batches(items: Iterable[Any], size: int | None = None) -> Iterator[list[Any]]:
    size = size or BATCH
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- VICS ---------------------------------------------------------------------------------------


def import_vics(ctx: Context, p: Principal, path: Path, *, series: str | None = None,
                dialect: str | None = None, encoding: str | None = None,
                name: str | None = None) -> ImportSummary:
    """A VICS case or hash set as hash-only media, in one transaction; ``name``: what the
    audit trail calls the file (an upload's own name) where ``path`` is only where it waits."""
    require(p, Action.UPLOAD)
    if dialect is not None:
        scheme_for(dialect)  # refused before a byte is read
    reader = VicsReader(path, encoding=encoding)
    summary = ImportSummary(path.name)
    with ctx.db.session() as s:
        importer: _Importer | None = None
        records = iter(reader)
        for batch in _batches(records):
            if importer is None:  # the envelope (and so the dialect) is read by now
                summary.version, summary.dialect = reader.version, dialect or reader.dialect
                importer = _Importer(s, p, summary, series=series,
                                     scheme=scheme_for(summary.dialect),
                                     basis=f"VICS {summary.file}")
            cases = {n for n, _ in batch}
            first = reader.cases[min(cases)] if cases and min(cases) >= 0 else None
            importer.case((first.reference if first else None) or Path(summary.file).stem)
            importer.write([rec for _, rec in batch])
        summary.records, summary.cases = reader.records, len(reader.cases)
        if importer is not None:
            importer.finish()
        audit.append(s, p.actor, "import.vics", name or str(path.resolve()),
                     agency=p.agency_code,
                     details={k: v for k, v in summary.to_dict().items() if k != "file"})
    return summary


def _series_pages(s: Session, series_id: int) -> Iterator[list[Media]]:
    last = 0
    while rows := triage.series_media_page(s, series_id, after=last, limit=500):
        yield rows
        last = rows[-1].id


def _selection_pages(s: Session, media_ids: list[int]) -> Iterator[list[Media]]:
    ordered = sorted(set(media_ids))
    for start in range(0, len(ordered), 500):
        yield sorted(triage.media_rows(s, ordered[start:start + 500]), key=lambda m: m.id)


def _vics_records(s: Session, p: Principal, pages: Iterator[list[Media]],
                  scheme: str) -> Iterator[VicsMedia]:
    """Each media as its agency's VICS record: hashes, what an import kept, this agency's
    category (in ``scheme``), its own series and tags, and the series' identified flags."""
    translated: dict[int, str | None] = {}
    for rows in pages:
        ids = [m.id for m in rows]
        cats = triage.categories_of(s, p.agency_id, ids)
        tags = triage.annotations_of(s, p.agency_id, "media", ids)
        series_of = repos.series_for_media(s, ids)
        paths = triage.first_paths(s, ids, p.agency_id)
        for m in rows:
            meta = dict((m.meta or {}).get("vics", {}))
            code = None
            if cats.get(m.id):
                cid = cats[m.id][0].category_id
                if cid not in translated:
                    mapped = categories.translate(s, triage.category_by_id(s, cid), scheme)
                    translated[cid] = mapped.code if mapped else None
                code = translated[cid]
            own = [x for x in series_of.get(m.id, []) if x.owner_agency_id == p.agency_id]
            rec = VicsMedia.from_meta(meta, md5=m.md5, sha1=m.sha1, sha256=m.sha256,
                                      category=code, series=[x.name for x in own],
                                      tags=[a.text for a in tags.get(m.id, [])
                                            if a.kind == "tag"])
            if rec.size is None and not m.hash_only:
                rec.size = m.size
            if rec.mime is None and not m.hash_only and m.mime:
                rec.mime = m.mime
            if rec.path is None and not m.hash_only and paths.get(m.id):
                rec.path = paths[m.id]
            if rec.media_id is None:
                rec.media_id = m.id
            if any(x.victim_status in ("identified", "safeguarded") for x in own):
                rec.flags["VictimIdentified"] = True
            if any(x.offender_status in ("identified", "arrested", "convicted") for x in own):
                rec.flags["OffenderIdentified"] = True
            yield rec
        s.expunge_all()


def _case(owner: Agency, key: str, number: str) -> VicsCase:
    """A case whose CaseID is the same each time the same thing is exported again."""
    return VicsCase(case_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"tessera:{owner.code}:{key}")),
                    number=number,
                    fields={"ContactOrganization": owner.name, "ContactEmail": owner.contact,
                            "SourceApplicationName": "Tessera",
                            "SourceApplicationVersion": __version__})


def _write_atomically(out: Path, write: Callable[[IO[str]], int]) -> int:
    tmp = out.with_name(out.name + ".part")
    with tmp.open("w", encoding="utf-8") as fh:
        count = write(fh)
    tmp.replace(out)
    return count


def export_vics(ctx: Context, p: Principal, series_name: str | None, out: Path | IO[str], *,
                version: str = "2.0", dialect: str = "Default",
                series_id: int | None = None) -> int:
    """One of the agency's series (by name, or ``series_id``) as a VICS case, its categories
    in the dialect's scheme; ``out`` a path (written whole or not at all) or a text stream."""
    from tessera.service.views import get_series, series_named

    scheme = scheme_for(dialect)
    with ctx.db.session() as s:
        if series_id is not None:
            x = get_series(s, p, series_id)
        elif series_name:
            x = series_named(s, p, series_name, p.agency_code or None)
        else:
            raise TesseraError("name the series to export")
        # back into the agency's own forensic tools: its investigators' work, like editing
        require(p, Action.EDIT_SERIES, Target(x.owner_agency_id))
        case, sid = _case(x.owner, f"series:{x.id}", x.name), x.id

        def write(fh: IO[str]) -> int:
            return write_vics(fh, case, _vics_records(s, p, _series_pages(s, sid), scheme),
                              version=version, dialect=_dialect_name(dialect))

        count = _write_atomically(out, write) if isinstance(out, Path) else write(out)
        audit.append(s, p.actor, "export.vics", f"series:{sid}", agency=p.agency_code,
                     details={"media": count, "version": version, "dialect": dialect,
                              "file": out.name if isinstance(out, Path) else None})
    return count


def export_vics_selection(ctx: Context, p: Principal, media_ids: list[int], out: IO[str], *,
                          version: str = "2.0", dialect: str = "Default") -> int:
    """A selection of the agency's own media (from the browser) as one VICS case."""
    require(p, Action.EDIT_SERIES, Target(p.agency_id))
    scheme = scheme_for(dialect)
    ids = sorted(set(media_ids))
    with ctx.db.session() as s:
        held = repos.media_owners(s, ids)
        if any(p.agency_id not in {a.id for a in held.get(m, [])} for m in ids):
            raise NotFound("not found")  # only what the agency itself holds goes out
        owner = repos.agency_by_id(s, p.agency_id)
        digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]
        case = _case(owner, f"selection:{digest}", f"{owner.code} selection of {len(ids)}")
        count = write_vics(out, case, _vics_records(s, p, _selection_pages(s, ids), scheme),
                           version=version, dialect=_dialect_name(dialect))
        audit.append(s, p.actor, "export.vics", None, agency=p.agency_code,
                     details={"media": ids[:1000], "count": count, "version": version,
                              "dialect": dialect})
    return count


def _dialect_name(dialect: str) -> str:
    return {"default": "Default", "us": "US", "uk": "UK", "custom": "CUSTOM"}.get(
        dialect.lower(), dialect)


# --- hash lists -----------------------------------------------------------------------------------


def _as_vics(entry: HashEntry) -> VicsMedia:
    extra: dict[str, Any] = dict(entry.extra)
    if entry.quality is not None:
        extra["pdq_quality"] = entry.quality
    if entry.source:
        extra["source"] = entry.source
    alternative = [{"HashName": "PDQ", "HashValue": entry.pdq}] if entry.pdq else []
    return VicsMedia(md5=entry.md5, sha1=entry.sha1, sha256=entry.sha256,
                     photodna=entry.photodna, category=entry.category, series=entry.series,
                     flags=dict(entry.flags), alternative=alternative, extra=extra)


def import_hashes(ctx: Context, p: Principal, path: Path, fmt: str, *,
                  series: str | None = None, scheme: str = categories.DEFAULT_SCHEME,
                  name: str | None = None) -> ImportSummary:
    """A hash list as hash-only media: MD5/SHA-1/SHA-256 match exactly, PDQ through the
    picture index, like any stored media."""
    require(p, Action.UPLOAD)
    summary = ImportSummary(path.name)
    with ctx.db.session() as s:
        importer = _Importer(s, p, summary, series=series, scheme=scheme,
                             basis=f"hash list {summary.file}")
        importer.case(Path(summary.file).stem)
        for batch in _batches(read_hash_list(path, fmt)):
            summary.records += len(batch)
            importer.write([_as_vics(e) for e in batch],
                           [bytes.fromhex(e.pdq) if e.pdq else None for e in batch])
        importer.finish()
        audit.append(s, p.actor, "import.hashes", name or str(path.resolve()),
                     agency=p.agency_code,
                     details={k: v for k, v in summary.to_dict().items() if k != "file"}
                     | {"format": fmt})
    ctx.save_indexes()
    return summary


def export_hashes(ctx: Context, p: Principal, out: Path, *, codes: list[str] | None = None,
                  scheme: str = categories.DEFAULT_SCHEME, sign: bool = True) -> dict[str, Any]:
    """Hashes (never pixels) of media categorised as abuse material (or as ``codes``) by the
    exporting agency or by agencies that consent to partner exports; signed."""
    require(p, Action.EXPORT_HASHES, Target(p.agency_id))
    with ctx.db.session() as s:
        wanted = triage.get_scheme(s, scheme).categories
        chosen = [c for c in wanted if (c.code in codes if codes else c.abuse)]
        if not chosen:
            raise TesseraError(f"no such categories in {scheme}: {', '.join(codes or [])}")
        ids = {c.id: c for c in chosen}
        for other in triage.list_schemes(s):  # categories of other schemes mapped onto these
            if other.name != scheme:
                for from_id, to_id in triage.mapping(s, other.id,
                                                     triage.get_scheme(s, scheme).id).items():
                    if to_id in ids:
                        ids[from_id] = ids[to_id]
        agencies = {a.id: a.code for a in repos.list_agencies(s)
                    if a.id == p.agency_id or a.partner_consent}
        signal_type = SIGNAL_TYPES.get(PERCEPTUAL)

        def rows() -> Iterator[dict[str, Any]]:
            for media, cat in triage.abuse_media(s, list(ids), list(agencies)):
                pdq = next((x for x in media.signals if x.type == signal_type.name
                            and x.region == "full" and x.frame_no is None), None)
                yield {"md5": media.md5, "sha1": media.sha1, "sha256": media.sha256,
                       "pdq": bytes(pdq.value).hex() if pdq else None,
                       "pdq_quality": pdq.quality if pdq else None,
                       "category": ids[cat.category_id].code, "scheme": scheme,
                       "source": agencies[cat.agency_id]}

        tmp = out.with_name(out.name + ".part")
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            count = write_hash_list(fh, rows())
        tmp.replace(out)
        signature = sign_file(ctx.settings.home, out) if sign else None
        audit.append(s, p.actor, "export.hashes", out.name, agency=p.agency_code or None,
                     details={"media": count, "codes": sorted({c.code for c in chosen}),
                              "agencies": sorted(agencies.values()), "signed": sign})
    return {"file": str(out), "media": count,
            "signature": str(signature) if signature else None}
