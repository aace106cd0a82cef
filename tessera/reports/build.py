"""Turn analysis results and hits into a report, looking up series and owners in the store."""

from __future__ import annotations

import base64
from collections import Counter, defaultdict
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from tessera import __version__
from tessera.access.policy import (
    Principal,
    Visibility,
    holding_visibility,
    media_visibility,
    person_visibility,
    series_visibility,
)
from tessera.core.paths import raw_b64, shown
from tessera.core.types import FileResult
from tessera.core.words import file_count
from tessera.matching.hits import Hit
from tessera.matching.leads import EntityLead, Lead
from tessera.matching.leads.base import kind_words
from tessera.media.image import shielded_jpeg
from tessera.reports.connections import (
    connection_lines,
    place_lines,
    summarise_connections,
    upload_leads,
)
from tessera.reports.model import (
    ConnectionEntry,
    FaceMatchEntry,
    FileEntry,
    MatchEntry,
    PersonRef,
    PlaceRef,
    Report,
    SeriesRef,
    SeriesSummary,
)
from tessera.store import repos
from tessera.store.db import Database
from tessera.store.repos import faces as face_repo
from tessera.store.repos import places as place_repo
from tessera.store.repos import triage

_VICTIM_WORDS = {"identified": "victim identified", "safeguarded": "victim safeguarded",
                 "in-progress": "victim identification in progress",
                 "unidentified": "victim not identified"}


def _series_ref(series) -> SeriesRef:
    owner = series.owner
    return SeriesRef(series.name, owner.code, owner.name, owner.country, owner.contact,
                     series.victim_status, series.offender_status)


def _holder_ref(agency) -> SeriesRef:
    return SeriesRef(None, agency.code, agency.name, agency.country, agency.contact, None, None)


class _Known:
    """What the viewer may know of each matched media: its id (or None), series and owners.

    ``viewer`` None is the local operator of the CLI, who sees everything."""

    def __init__(self, db: Database, media_ids: set[int], viewer: Principal | None,
                 agency: str) -> None:
        self.media_id: dict[int, int | None] = {}
        self.series: dict[int, list[SeriesRef]] = {}
        self.owners: dict[int, list[str]] = {}
        self.hash_only: set[int] = set()
        self.category: dict[int, dict[str, Any]] = {}
        with db.session() as s:
            series_of = repos.series_for_media(s, media_ids)
            agencies_of = repos.media_owners(s, media_ids)
            categories = triage.categories_of(s, None, media_ids) if media_ids else {}
            if media_ids:
                self.hash_only = {m.id for m in triage.media_rows(s, media_ids) if m.hash_only}
            own = viewer.agency_id if viewer is not None else \
                next((a.id for a in repos.list_agencies(s) if a.code == agency), None) \
                if categories else None
            for m in media_ids:
                series, agencies = series_of.get(m, []), agencies_of.get(m, [])
                pairs = [x.shares for x in series]
                # another agency's category is its own word: read where its holding may be
                rows = sorted((r for r in categories.get(m, []) if viewer is None
                               or r.agency_id == own or holding_visibility(
                                   viewer, r.agency_id, pairs) >= Visibility.METADATA),
                              key=lambda r: r.agency_id != own)
                if viewer is None or media_visibility(
                        viewer, [a.id for a in agencies], pairs) >= Visibility.METADATA:
                    self._open(m, series, agencies, viewer)
                else:
                    self._hash_only(m, series, agencies)
                if rows:
                    c = rows[0].category
                    self.category[m] = {"code": c.code, "label": c.label,
                                        "scheme_id": c.scheme_id, "abuse": c.abuse}

    def note(self, entry: FileEntry, media_id: int, how: str) -> None:
        """The file's pre-category: that of its best match with a category (exact first)."""
        if entry.category is None and media_id in self.category:
            entry.category = dict(self.category[media_id], source=how,
                                  media_id=self.media_id[media_id])

    def _open(self, m: int, series, agencies, viewer: Principal | None) -> None:
        self.media_id[m] = m
        refs, holders = [], {}
        for x in series:
            if viewer is None or series_visibility(viewer, *x.shares) >= Visibility.METADATA:
                refs.append(_series_ref(x))
            else:
                holders[x.owner.code] = _holder_ref(x.owner)
        self.series[m] = refs + list(holders.values())
        self.owners[m] = sorted({a.code for a in agencies})

    def _hash_only(self, m: int, series, agencies) -> None:
        holders = {x.owner.code: x.owner for x in series}
        if not holders:
            holders = {a.code: a for a in agencies}
        self.media_id[m] = None
        self.series[m] = [_holder_ref(a) for _, a in sorted(holders.items())]
        self.owners[m] = sorted(holders)


class _Adder:
    """Adds matches to one file's entry, naming each hash-only holder once per file."""

    def __init__(self, entry: FileEntry, known: _Known) -> None:
        self.entry, self.known, self.hidden = entry, known, set[str]()

    def __call__(self, media_id: int, match: MatchEntry) -> None:
        if self.known.media_id[media_id] is None:
            holders = {r.agency for r in match.series}
            if holders <= self.hidden:
                return
            self.hidden.update(holders)
            match.media_id = None
            # where the viewer's own file matched stays; nothing about the hidden media does
            match.segments = [{"query_start": x["query_start"], "query_end": x["query_end"]}
                              for x in match.segments]
            match.match_times, match.match_coverage, match.offset = [], None, None
            match.frames = len(match.query_times)
        self.entry.matches.append(match)


def _persons(db: Database, signal_ids: set[int],
             viewer: Principal | None) -> dict[int, list[PersonRef]]:
    """Persons the matched faces are linked to (confirmed, then suggested), as the viewer
    may know them."""
    out: dict[int, list[PersonRef]] = {}
    with db.session() as s:
        for sid, links in face_repo.links_of_faces(s, signal_ids,
                                                   ("confirmed", "suggested")).items():
            refs, hidden = [], {}
            for link, person in sorted(links, key=lambda lp: lp[0].state != "confirmed"):
                owner = person.owner
                if viewer is None or person_visibility(
                        viewer, person.owner_agency_id, person.sharing) >= Visibility.METADATA:
                    refs.append(PersonRef(person.label, person.role, person.status,
                                          owner.code, owner.country, owner.contact,
                                          link.state, person.id))
                else:  # hash-only: that the owner tracks someone, once, nothing more
                    hidden[owner.code] = PersonRef(None, None, None, owner.code,
                                                   owner.country, owner.contact, None)
            out[sid] = refs + list(hidden.values())
    return out


def _places(db: Database, place_ids: set[int], viewer: Principal | None) -> dict[int, PlaceRef]:
    """The places leads reach, as the viewer may know them (a hash-only one by its owner)."""
    if not place_ids:
        return {}
    with db.session() as s:
        rows = place_repo.places_by_ids(s, place_ids)
        return {i: PlaceRef(x.label if viewer is None or person_visibility(
                    viewer, x.owner_agency_id, x.sharing) >= Visibility.METADATA else None,
                    x.owner.code, x.owner.name, x.owner.contact) for i, x in rows.items()}


def _place_entries(leads: list[EntityLead], places: dict[int, PlaceRef]) -> list[ConnectionEntry]:
    """A file's leads to places, best first, each place once."""
    out, told = [], set()
    for lead in sorted(leads, key=lambda x: -x.score):
        place = places.get(lead.entity[1]) if lead.entity[0] == "place" else None
        if place is None or lead.entity in told:
            continue
        told.add(lead.entity)
        out.append(ConnectionEntry(lead.kind, kind_words(lead.kind), lead.source, lead.score,
                                   lead.fact, None, [], place))
    return out


def _face_entries(entry: FileEntry, hits: list[Hit], known: _Known,
                  persons: dict[int, list[PersonRef]]) -> None:
    """Face matches, best first. Faces in media the viewer may not see give one entry per
    holding agency for the whole file ("material held by AU"): no count of pictures, no
    score per hidden face, no person or link state learnt through them."""
    told: set[str] = set()
    for hit in sorted(hits, key=lambda h: (-h.score, _number(h))):
        face = hit.neighbour.match_signal if hit.neighbour else None
        refs = persons.get(face, []) if face is not None else []
        query_times = list(hit.timing.query_times)
        if known.media_id[hit.media_id] is None:
            holders = ",".join(sorted({r.agency for r in known.series[hit.media_id]}))
            if holders in told:
                continue
            told.add(holders)
            entry.faces.append(FaceMatchEntry(
                _number(hit), hit.score, None, None, known.series[hit.media_id],
                known.owners[hit.media_id], [], query_times, []))
            continue
        entry.faces.append(FaceMatchEntry(
            _number(hit), hit.score, hit.media_id, face,
            known.series[hit.media_id], known.owners[hit.media_id], refs,
            query_times, list(hit.timing.match_times)))
    entry.faces.sort(key=lambda m: (m.query_face, -m.score))


def _number(hit: Hit) -> int:
    return hit.neighbour.query_number if hit.neighbour else 0


def _entry(hit: Hit, series: list[SeriesRef], owners: list[str]) -> MatchEntry:
    t = hit.timing
    return MatchEntry(hit.media_id, hit.kind, hit.distance, hit.transform.value,
                      hit.query_region, hit.match_region, series, owners,
                      segments=[asdict(x) for x in t.segments],
                      query_coverage=t.query_coverage, match_coverage=t.match_coverage,
                      query_times=list(t.query_times), match_times=list(t.match_times),
                      frames=t.frames, offset=t.offset, unit=hit.unit,
                      signal_type=hit.signal_type)


Thresholds = list[tuple[str, float, str]]  # (index space, threshold, unit), from the matcher


def build_report(db: Database, agency: str, source: str, thresholds: Thresholds,
                 results: list[FileResult], exact: dict[str, int],
                 near: list[list[Hit]], viewer: Principal | None = None) -> Report:
    """``viewer`` set: redacted to what that principal may see (hash-only matches name only the
    holding agency and its contact, once per file)."""
    leads, to_places = upload_leads(db, results, exact, near)
    places = _places(db, {lead.entity[1] for found in to_places.values() for lead in found
                          if lead.entity[0] == "place"}, viewer)
    known = _Known(db, set(exact.values()) | {h.media_id for hits in near for h in hits}
                   | {x.other_media_id for found in leads.values() for x in found}, viewer,
                   agency)
    series_of, owners = known.series, known.owners
    persons = _persons(db, {h.neighbour.match_signal for hits in near for h in hits
                            if h.evidence == "person" and h.neighbour is not None}, viewer)
    files: list[FileEntry] = []
    for n, (result, hits) in enumerate(zip(results, near, strict=True)):
        d = result.digests
        entry = FileEntry(path=shown(result.path), path_raw=raw_b64(result.path),
                          status="new", warnings=[shown(w) for w in result.warnings],
                          sha256=d.sha256 if d else None, md5=d.md5 if d else None,
                          sha1=d.sha1 if d else None, size=d.size if d else None)
        if result.info:
            entry.mime, entry.kind = result.info.mime, result.info.kind.value
        if result.thumbnail:  # a report leaves the server: it carries only shielded pixels
            entry.thumbnail = "data:image/jpeg;base64," + base64.b64encode(
                shielded_jpeg(result.thumbnail)).decode()
        if not result.ok:
            entry.status, entry.error_code = "error", result.error_code
            entry.error = shown(result.error) if result.error else None
            entry.thumbnail = None
        exact_id = exact.get(d.sha256) if d else None
        add = _Adder(entry, known)
        if exact_id is not None:
            entry.status = "exact"
            known.note(entry, exact_id, "exact")
            add(exact_id, MatchEntry(exact_id, "exact", 0, "original", "full", "full",
                                     series_of.get(exact_id, []), owners.get(exact_id, []),
                                     hash_only=exact_id in known.hash_only))
        _face_entries(entry, [h for h in hits if h.evidence == "person"], known, persons)
        for hit in hits:
            if hit.media_id == exact_id or hit.evidence == "person":
                continue
            known.note(entry, hit.media_id, "near")
            match = _entry(hit, series_of.get(hit.media_id, []), owners.get(hit.media_id, []))
            match.hash_only = hit.media_id in known.hash_only
            add(hit.media_id, match)
        if entry.status == "new" and entry.matches and result.ok:
            entry.status = "near"
        entry.connections = _connections(leads.get(n, []), known) + \
            _place_entries(to_places.get(n, []), places)
        files.append(entry)
    report = summarise(files, agency, shown(source), thresholds)
    report.connections = summarise_connections(files, leads, series_of)
    report.lines[-1:-1] = connection_lines(report.connections) + place_lines(files)
    return report


def _connections(leads: list[Lead], known: _Known) -> list[ConnectionEntry]:
    """A file's leads that are not matches (those are listed as such), best first; a hidden
    media's lead is told once per holder and kind, with no media id."""
    out, told = [], set()
    for lead in sorted(leads, key=lambda x: (-x.score, x.other_media_id)):
        if lead.from_match:
            continue
        media_id = known.media_id.get(lead.other_media_id)
        series = known.series.get(lead.other_media_id, [])
        key = (lead.kind, media_id if media_id is not None
               else ",".join(sorted(r.agency for r in series)))
        if key in told:
            continue
        told.add(key)
        out.append(ConnectionEntry(lead.kind, kind_words(lead.kind), lead.source, lead.score,
                                   lead.fact, media_id, series))
    return out


def summarise(files: list[FileEntry], agency: str, source: str,
              thresholds: Thresholds) -> Report:
    counts = Counter(f.status for f in files)
    by_series: dict[str, SeriesSummary] = {}
    agency_files: dict[str, set[str]] = defaultdict(set)
    agency_country: dict[str, str] = {}
    for f in files:
        seen: set[str] = set()
        for m in f.matches:
            for ref in m.series:
                if ref.key in seen:
                    continue
                seen.add(ref.key)
                summary = by_series.setdefault(ref.key, SeriesSummary(ref))
                if f.status == "exact":
                    summary.exact += 1
                else:
                    summary.near += 1
                agency_files[ref.agency].add(f.path)
                agency_country[ref.agency] = ref.country
            for code in m.submitted_by:
                agency_files[code].add(f.path)
    ordered = sorted(by_series.values(), key=lambda x: (-x.files, x.series.key))
    by_agency = [{"agency": code, "country": agency_country.get(code), "files": len(paths)}
                 for code, paths in sorted(agency_files.items(), key=lambda kv: -len(kv[1]))]
    lines = []
    for item in ordered:
        ref = item.series
        detail = f"{item.exact} exact, {item.near} near-duplicate"
        owner = ref.agency if ref.agency == ref.country else f"{ref.agency}, {ref.country}"
        if ref.name is None:
            contact = f", contact: {ref.contact}" if ref.contact else ""
            lines.append(f"{file_count(item.files)} match material held by {ref.agency_name} "
                         f"({owner}{contact}); shared as hash-only: ask them: {detail}")
            continue
        victim = _VICTIM_WORDS.get(ref.victim_status or "", ref.victim_status)
        lines.append(f"{file_count(item.files)} belong to '{ref.name}' ({owner}, {victim}): "
                     f"{detail}")
    unlinked = sum(1 for f in files if f.status in ("exact", "near")
                   and not any(m.series for m in f.matches))
    if unlinked:
        lines.append(f"{file_count(unlinked)} match known media outside any series")
    lines.extend(_face_lines(files))
    lines.append(f"{counts.get('exact', 0):,} exact, {counts.get('near', 0):,} near-duplicates, "
                 f"{counts.get('new', 0):,} new, {counts.get('error', 0):,} could not be read "
                 f"(of {file_count(len(files))})")
    totals = {k: counts.get(k, 0) for k in ("exact", "near", "new", "error")}
    totals["total"] = len(files)
    # schema 1's max_distance: the widest Hamming radius any picture space matched at
    max_distance = max((int(v) for _, v, unit in thresholds if unit == "bits"), default=0)
    return Report(datetime.now(UTC).isoformat(timespec="seconds"), __version__, agency, source,
                  max_distance, files, totals, ordered, by_agency, lines,
                  [{"space": s, "threshold": v, "unit": u} for s, v, u in thresholds])


def _face_lines(files: list[FileEntry]) -> list[str]:
    """Face matches in words, apart from the hash matches: one line per file and person, and
    a count of files whose faces were seen before but belong to no known person yet."""
    lines = []
    anonymous = 0
    for f in files:
        told: set[str] = set()
        for m in f.faces:
            for ref in m.persons:
                words = ref.words()
                if words in told:
                    continue
                told.add(words)
                lines.append(f"a face in {f.path} matches {words}, score {m.score:.2f}")
        if f.faces and not told:
            anonymous += 1
    if anonymous:
        lines.append(f"{file_count(anonymous)} show faces seen before in known media, not linked "
                     f"to a person")
    return lines
