"""What a principal may read of series and media, and the audited ways to look at pixels.

Every function decides access through ``tessera.access.policy``; a resource the principal may
not see is answered as "not found", so its existence does not leak either.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from tessera.access.policy import (
    Action,
    Principal,
    Target,
    Visibility,
    can,
    holding_visibility,
    media_visibility,
    parse_sharing,
    require,
    series_visibility,
)
from tessera.context import Context
from tessera.core.errors import NotFound, TesseraError
from tessera.core.types import FileResult, OffenderStatus, Signal, VictimStatus
from tessera.media.image import decode_image, thumbnail_jpeg
from tessera.media.image import shielded_jpeg as shielded
from tessera.media.sources import Item
from tessera.pipeline.analyze import AnalyzeOptions
from tessera.pipeline.dispatch import analyze_one
from tessera.reports.build import build_report
from tessera.reports.model import Report
from tessera.service.notifications import notify_status_change
from tessera.store import audit, repos

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tessera.store.tables import Media, Series, Submission

THUMBNAIL_SIZE = 256
LARGE_SIZE = 1024  # a closer look, after an audited reveal
KEYFRAME_SIZE = 320

# --- targets: what the policy needs to know about a series or a media file -----------------


def series_target(p: Principal, series: Series) -> Target:
    return Target(series.owner_agency_id,
                  series_visibility(p, *series.shares))


def media_target(s: Session, p: Principal, media_id: int) -> Target:
    submitting = [a.id for a in repos.media_owners(s, [media_id]).get(media_id, [])]
    series = repos.series_for_media(s, [media_id]).get(media_id, [])
    return Target(None, media_visibility(p, submitting,
                                         [x.shares for x in series]))


def _series_row(p: Principal, x: Series, count: int | None) -> dict[str, Any]:
    owner = x.owner
    return {"id": x.id, "name": x.name, "owner": owner.code, "owner_name": owner.name,
            "country": owner.country, "contact": owner.contact,
            "victim_status": x.victim_status, "offender_status": x.offender_status,
            "description": x.description, "sharing": x.sharing, "media_count": count,
            "own": x.owner_agency_id == p.agency_id,
            "updated_at": x.updated_at.isoformat() if x.updated_at else None}


# --- series ----------------------------------------------------------------------------------


def list_series(s: Session, p: Principal) -> list[dict[str, Any]]:
    return [_series_row(p, x, n) for x, n in repos.list_series(s)
            if can(p, Action.VIEW_SERIES, series_target(p, x))]


def get_series(s: Session, p: Principal, series_id: int) -> Series:
    x = repos.series_by_id(s, series_id)
    require(p, Action.VIEW_SERIES, series_target(p, x), hide=True)
    return x


def series_detail(s: Session, p: Principal, series_id: int, *, limit: int = 200,
                  offset: int = 0) -> dict[str, Any]:
    x = get_series(s, p, series_id)
    target = series_target(p, x)
    media = repos.series_media(s, x.id, limit=limit, offset=offset)
    row = _series_row(p, x, repos.series_media_count(s, x.id))
    row["pixels"] = can(p, Action.VIEW_PIXELS, target)
    row["can_edit"] = can(p, Action.EDIT_SERIES, target)
    row["can_share"] = can(p, Action.SHARE_SERIES, target)
    row["media"] = [{"id": m.id, "sha256": m.sha256, "md5": m.md5, "hash_only": m.hash_only,
                     "kind": m.kind, "mime": m.mime,
                     "width": m.width, "height": m.height, "size": m.size} for m in media]
    row["history"] = series_history(s, p, x)
    audit.append_read(s, p.actor, "series.view", f"series:{x.id}", agency=p.agency_code)
    return row


def series_named(s: Session, p: Principal, name: str, agency: str | None = None) -> Series:
    """A series by name: within ``agency`` (a code) when given, else the one of that name."""
    x = repos.get_series(s, name, repos.get_agency(s, agency) if agency else None)
    require(p, Action.VIEW_SERIES, series_target(p, x), hide=True)
    return x


def edit_series(s: Session, p: Principal, series_id: int, *, victim: str | None = None,
                offender: str | None = None, description: str | None = None,
                note: str | None = None) -> Series:
    """The identification status of a series' victim and offender, and its description. Each
    status change joins the series' history (who, when, which agency, ``note``) and is told
    to the agencies that matched the series, as far as its sharing lets them read it."""
    x = get_series(s, p, series_id)
    require(p, Action.EDIT_SERIES, series_target(p, x))
    before = {"victim": x.victim_status, "offender": x.offender_status,
              "description": x.description}
    try:
        if victim:
            x.victim_status = VictimStatus(victim).value
        if offender:
            x.offender_status = OffenderStatus(offender).value
    except ValueError as exc:
        raise TesseraError(f"{exc}; victim: {', '.join(v.value for v in VictimStatus)}; "
                           f"offender: {', '.join(o.value for o in OffenderStatus)}") from None
    if description is not None:
        x.description = description
    note = (note or "").strip()[:2000] or None
    was = {"victim": before["victim"] or "", "offender": before["offender"] or ""}
    changes = [(subject, was[subject], now) for subject, now in
               (("victim", x.victim_status), ("offender", x.offender_status))
               if now != was[subject]]
    for subject, then, now in changes:
        repos.add_status_change(s, x.id, subject, then, now, note=note, actor=p.actor,
                                agency_id=p.agency_id or x.owner_agency_id)
    x.updated_at = datetime.now(UTC)
    audit.append(s, p.actor, "series.edit", f"series:{x.id}", agency=p.agency_code,
                 details={"before": before, "after": {"victim": x.victim_status,
                                                      "offender": x.offender_status,
                                                      "description": x.description},
                          "note": note})
    if changes:
        notify_status_change(s, p, x, changes, note)
    return x


def series_history(s: Session, p: Principal, x: Series) -> list[dict[str, Any]]:
    """The identification steps of a series, oldest first, for those who may read its details."""
    if not can(p, Action.VIEW_SERIES, series_target(p, x)):
        return []
    return [{"subject": c.subject, "before": c.before, "after": c.after, "note": c.note,
             "by": c.actor, "agency": c.agency.code, "at": c.at.isoformat()}
            for c in repos.status_history(s, x.id)]


def share_series(s: Session, p: Principal, series_id: int, sharing: str) -> Series:
    x = get_series(s, p, series_id)
    require(p, Action.SHARE_SERIES, series_target(p, x))
    level = parse_sharing(sharing)
    before, x.sharing = x.sharing, level
    audit.append(s, p.actor, "sharing.change", f"series:{x.id}", agency=p.agency_code,
                 details={"before": before, "after": level})
    return x


# --- media -----------------------------------------------------------------------------------


def _load_media(s: Session, p: Principal, media_id: int, action: Action) -> tuple[Media, Target]:
    media = repos.get_media(s, media_id)
    target = media_target(s, p, media_id)
    require(p, Action.VIEW_MEDIA, target, hide=True)
    require(p, action, target)
    return media, target


def media_detail(ctx: Context, s: Session, p: Principal, media_id: int) -> dict[str, Any]:
    from tessera.service.categories import own_categories  # categories reads views' targets

    media, target = _load_media(s, p, media_id, Action.VIEW_MEDIA)
    series = repos.series_for_media(s, [media_id])[media_id]
    submissions = repos.submissions_of(s, media_id)
    record = {
        "id": media.id, "sha256": media.sha256, "sha1": media.sha1, "md5": media.md5,
        "hash_only": media.hash_only,
        "kind": media.kind, "mime": media.mime, "size": media.size, "width": media.width,
        "height": media.height, "first_seen": media.first_seen.isoformat(),
        "metadata": media.meta, "pixels": can(p, Action.VIEW_PIXELS, target),
        "signals": [{"type": x.type, "version": x.version, "region": x.region,
                     "quality": x.quality, "value": x.value.hex(), "start": x.t_start,
                     "span": x.t_span} for x in media.signals],
        "keyframes": [d.t_start for d in repos.derivatives_of(s, media.id, "keyframe")],
        # what is said is content: shown only to those who may see the pictures
        "transcript": [{"start": t.t_start, "end": t.t_end, "text": t.text,
                        "language": t.language} for t in repos.transcript_of(s, media.id)]
        if can(p, Action.VIEW_PIXELS, target) else [],
        "series": [_series_row(p, x, None) for x in series
                   if can(p, Action.VIEW_SERIES, series_target(p, x))],
        "submissions": _submissions(p, submissions, series),
        "categories": own_categories(s, p, media.id),  # one's own agency's word only
        **_similar(ctx, p, media),
    }
    audit.append_read(s, p.actor, "media.view", f"media:{media.id}", agency=p.agency_code)
    return record


def _submissions(p: Principal, submissions: list[Submission],
                 series: list[Series]) -> list[dict[str, Any]]:
    """Each agency's submissions follow that agency's own sharing of this media, not the
    owner's who let the viewer in: an agency whose holding is hash-only to the viewer does
    not appear at all; metadata shows that it holds the file and since when; full adds its
    case and path."""
    held = [x.shares for x in series]
    level = {sub.agency_id: holding_visibility(p, sub.agency_id, held) for sub in submissions}
    return [{"agency": sub.agency.code, "at": sub.submitted_at.isoformat(),
             "case": sub.case.reference if full and sub.case else None,
             "path": sub.original_path if full else None}
            for sub in submissions if level[sub.agency_id] >= Visibility.METADATA
            for full in [level[sub.agency_id] >= Visibility.FULL]]


def compare(s: Session, p: Principal, left: int, right: int) -> list[dict[str, Any]]:
    """Two media side by side (a seized file and its match): the facts of each and whether
    their pixels may be revealed; audited as one comparison."""
    out = []
    for media_id in (left, right):
        media, target = _load_media(s, p, media_id, Action.VIEW_MEDIA)
        out.append({"id": media.id, "sha256": media.sha256, "md5": media.md5,
                    "kind": media.kind, "mime": media.mime, "size": media.size,
                    "width": media.width, "height": media.height,
                    "pixels": can(p, Action.VIEW_PIXELS, target)})
    audit.append_read(s, p.actor, "media.compare", f"media:{left},{right}", agency=p.agency_code)
    return out


def own_previews(s: Session, p: Principal, digests: list[str]) -> dict[str, int]:
    """sha256 → media id of the seized files themselves that were stored and whose pixels
    the principal may see: a report row then shows the file's own (blurred) preview."""
    found = repos.media_by_sha256(s, digests)
    return {sha: m.id for sha, m in found.items()
            if can(p, Action.VIEW_PIXELS, media_target(s, p, m.id))}


def _similar(ctx: Context, p: Principal, media: Media) -> dict[str, list[dict[str, Any]]]:
    """Other media near this one (``matches``) and faces like its faces (``face_matches``,
    with the persons they are linked to), as this principal may see them."""
    signals = [Signal(x.type, x.version, x.value, x.quality, x.region, frame=x.frame_no,
                      start=x.t_start, span=x.t_span) for x in media.signals]
    if not signals:
        return {"matches": [], "face_matches": []}
    matcher = ctx.matcher()
    hits = [h for h in matcher.near([signals])[0] if h.media_id != media.id]
    report = build_report(ctx.db, p.agency_code, "", ctx.thresholds(),
                          [_placeholder(media)], {}, [hits], viewer=p)
    entry = report.files[0]
    return {"matches": [m.to_dict() for m in entry.matches],
            "face_matches": [{**m.to_dict(), "persons": [
                {**asdict(x), "words": x.words()} for x in m.persons]} for m in entry.faces]}


def _placeholder(media: Media) -> FileResult:
    return FileResult(path=f"media:{media.id}")


class ThumbnailCache:
    """Recent thumbnails in memory only (never written unencrypted), bounded in count."""

    def __init__(self, size: int = 2048) -> None:
        self.items: OrderedDict[tuple[int, int], bytes] = OrderedDict()
        self.size = size
        self.lock = threading.Lock()

    def get(self, ctx: Context, media: Media, side: int = THUMBNAIL_SIZE) -> bytes:
        key = (media.id, side)
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        data = thumbnail_jpeg(_picture_of(ctx, media), side, 80)
        with self.lock:
            self.items[key] = data
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return data


def _picture_of(ctx: Context, media: Media) -> Image.Image:
    """The image itself, or a video's contact sheet (a derivative stored at ingest)."""
    if media.hash_only or media.sha256 is None:
        raise NotFound(f"media {media.id} is known by its hashes only: no pixels are held")
    if media.kind == "image":
        return decode_image(ctx.blobs().get(media.sha256), ctx.settings.limits).rgb
    with ctx.db.session() as s:
        sheets = repos.derivatives_of(s, media.id, "contact_sheet")
    if media.kind != "video" or not sheets:
        raise NotFound(f"media {media.id} has no picture to show")
    return Image.open(io.BytesIO(ctx.blobs().get(sheets[0].sha256))).convert("RGB")


def thumbnail(ctx: Context, s: Session, p: Principal, cache: ThumbnailCache, media_id: int, *,
              reveal: bool, large: bool = False) -> bytes:
    """The shielded thumbnail, or with ``reveal`` the real one (``large``: for a closer look,
    1024 px); every reveal is audited."""
    media, _ = _load_media(s, p, media_id, Action.VIEW_PIXELS)
    data = cache.get(ctx, media, LARGE_SIZE if large else THUMBNAIL_SIZE)
    if not reveal:
        return shielded(data)
    audit.append_read(s, p.actor, "media.reveal", f"media:{media_id}", agency=p.agency_code,
                      details={"size": "large"} if large else {})
    return data


def keyframe(ctx: Context, s: Session, p: Principal, media_id: int, index: int, *,
             reveal: bool) -> bytes:
    """One of a video's keyframes (stored encrypted at ingest), shielded unless revealed;
    every reveal is audited."""
    _load_media(s, p, media_id, Action.VIEW_PIXELS)
    frames = repos.derivatives_of(s, media_id, "keyframe")
    if not 0 <= index < len(frames):
        raise NotFound(f"media {media_id} has no keyframe {index}")
    picture = Image.open(io.BytesIO(ctx.blobs().get(frames[index].sha256))).convert("RGB")
    data = thumbnail_jpeg(picture, KEYFRAME_SIZE, 80)
    if not reveal:
        return shielded(data)
    audit.append_read(s, p.actor, "media.reveal", f"media:{media_id}", agency=p.agency_code,
                      details={"keyframe": index, "time": frames[index].t_start})
    return data


def download(ctx: Context, s: Session, p: Principal, media_id: int) -> tuple[Media,
                                                                              Iterator[bytes]]:
    media, _ = _load_media(s, p, media_id, Action.VIEW_PIXELS)
    if media.hash_only or media.sha256 is None:
        raise NotFound(f"media {media_id} is known by its hashes only: no file is held")
    audit.append_read(s, p.actor, "media.download", f"media:{media_id}", agency=p.agency_code,
                      details={"sha256": media.sha256})
    s.expunge(media)
    return media, ctx.blobs().iter_plaintext(media.sha256)


# --- search by what is said -----------------------------------------------------------------


def search_speech(s: Session, p: Principal, text: str, limit: int = 50) -> list[dict[str, Any]]:
    """Transcript segments that contain all the words, in media whose pictures ``p`` may see
    (what is said is content, as on the media page), with their series and holders."""
    found = repos.search_transcripts(s, text, limit)
    ids = list({x.media_id for x in found})
    series = repos.series_for_media(s, ids)
    owners = repos.media_owners(s, ids)

    def visible(media_id: int) -> bool:
        target = Target(None, media_visibility(
            p, [a.id for a in owners.get(media_id, [])],
            [x.shares for x in series.get(media_id, [])]))
        return can(p, Action.VIEW_PIXELS, target)

    shown = {m for m in ids if visible(m)}
    rows = [{"media_id": x.media_id, "start": x.t_start, "end": x.t_end, "text": x.text,
             "language": x.language, "engine": x.engine,
             "series": [z.name for z in series.get(x.media_id, [])
                        if can(p, Action.VIEW_SERIES, series_target(p, z))],
             "agencies": sorted({a.code for a in owners.get(x.media_id, [])})}
            for x in found if x.media_id in shown]
    audit.append_read(s, p.actor, "search.text", None, agency=p.agency_code,
                      details={"text": text, "results": len(rows)})
    return rows


# --- search by image ------------------------------------------------------------------------


def search_image(ctx: Context, p: Principal, path: Path, name: str, *,
                 sealed: bool = False) -> Report:
    """Match one uploaded file as a de-confliction would, redacted for ``p``; nothing stored.
    ``sealed``: the file was staged encrypted with the evidence key."""
    require(p, Action.SEARCH)
    ctx.refresh_indexes()
    result = analyze_one(ctx, Item(name, str(path), size=path.stat().st_size, sealed=sealed),
                         AnalyzeOptions(ctx.settings.limits, query_variants=True,
                                        media=ctx.settings.media))
    matcher = ctx.matcher()
    exact = matcher.exact([result.digests]) if result.digests else {}
    near = matcher.near([result.query_signals if result.ok else []])
    report = build_report(ctx.db, p.agency_code, name, ctx.thresholds(), [result],
                          exact, near, viewer=p)
    with ctx.db.session() as s:
        audit.append_read(s, p.actor, "search", result.digests.sha256 if result.digests else name,
                          agency=p.agency_code, details={"file": name, **report.counts})
    return report
