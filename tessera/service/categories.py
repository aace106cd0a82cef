"""Categories as data, and grading: an investigator's category per media (never a
classifier's), optional two-person consensus, the queue of a job's files, pre-categories
proposed from matches, tags/bookmarks/notes and bulk actions.

A category belongs to a scheme (the VICS US/Default scheme ships with Tessera; others are added
from a JSON file) and may be mapped to another scheme's. An agency's category of a media is its
own: other agencies read it only where they may read the media.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tessera.access.policy import (
    Action,
    Principal,
    Target,
    Visibility,
    holding_visibility,
    require,
)
from tessera.core.errors import NotFound, TesseraError
from tessera.service.views import media_target
from tessera.store import audit, repos
from tessera.store.repos import triage
from tessera.store.tables import Case, Category, CategoryScheme

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tessera.pipeline.deconflict import Matched

DEFAULT_SCHEME = "vics"
SETTLED = ("investigator", "consensus")  # a person's word; imports and matches never replace it
ANNOTATION_KINDS = ("tag", "bookmark", "note")
ANNOTATION_TARGETS = ("media", "series", "job")

# --- schemes -----------------------------------------------------------------------------------


def scheme_rows(s: Session) -> list[dict[str, Any]]:
    return [{"name": x.name, "label": x.label,
             "categories": [category_row(c) for c in x.categories]}
            for x in triage.list_schemes(s)]


def category_row(c: Category) -> dict[str, Any]:
    return {"id": c.id, "code": c.code, "label": c.label, "abuse": c.abuse, "key": c.key}


def resolve(s: Session, scheme: str, code: str) -> Category:
    found = next((c for c in triage.get_scheme(s, scheme).categories if c.code == str(code)),
                 None)
    if found is None:
        raise NotFound(f"no category {code!r} in scheme {scheme!r}")
    return found


def add_scheme(s: Session, p: Principal, spec_path: Path) -> CategoryScheme:
    """A scheme from JSON: ``{"name", "label", "categories": [{"code", "label", "abuse",
    "key"}], "maps_to": {"vics": {"A": "1", …}}}``; an existing scheme is updated."""
    require(p, Action.MANAGE_AGENCIES)
    try:
        spec = json.loads(spec_path.read_text(encoding="utf-8-sig"))
        name, label, rows = str(spec["name"]), str(spec.get("label") or spec["name"]), \
            list(spec["categories"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TesseraError(f"{spec_path.name}: not a category scheme ({exc})") from None
    try:
        scheme = triage.get_scheme(s, name)
    except NotFound:
        scheme = CategoryScheme(name=name, label=label)
        s.add(scheme)
        s.flush()
    scheme.label = label
    have = {c.code: c for c in scheme.categories}
    for n, row in enumerate(rows):
        code = str(row["code"])
        c = have.get(code) or Category(scheme_id=scheme.id, code=code)
        c.label, c.abuse, c.position = str(row.get("label", code)), bool(row.get("abuse")), n
        c.key = str(row["key"])[:1] if row.get("key") else None
        if code not in have:
            s.add(c)
    s.flush()
    s.expire(scheme)
    for target, table in (spec.get("maps_to") or {}).items():
        other = triage.get_scheme(s, target)
        for code, to_code in table.items():
            triage.add_mapping(s, resolve(s, name, code).id, other.id,
                               resolve(s, target, to_code).id)
    audit.append(s, p.actor, "categories.scheme", f"scheme:{name}", agency=p.agency_code or None,
                 details={"categories": len(rows)})
    return triage.get_scheme(s, name)


def translate(s: Session, category: Category, scheme: str) -> Category | None:
    """The category in ``scheme`` (through the mapping); None where none is mapped."""
    target = triage.get_scheme(s, scheme)
    if category.scheme_id == target.id:
        return category
    mapped = triage.mapping(s, category.scheme_id, target.id).get(category.id)
    if mapped is None:
        back = {b: a for a, b in triage.mapping(s, target.id, category.scheme_id).items()}
        mapped = back.get(category.id)
    return triage.category_by_id(s, mapped) if mapped else None


# --- setting categories -------------------------------------------------------------------------


def _require_media(s: Session, p: Principal, media_id: int, action: Action) -> Target:
    target = media_target(s, p, media_id)
    require(p, Action.VIEW_MEDIA, target, hide=True)
    require(p, action, target)
    return target


def categorise(s: Session, p: Principal, media_ids: list[int], category_id: int, *,
               segment: tuple[float, float] | None = None) -> int:
    """An investigator's category for each media (or one segment of a video)."""
    category = triage.category_by_id(s, category_id)
    for media_id in media_ids:
        _require_media(s, p, media_id, Action.CATEGORISE)
    if segment is not None:
        _check_segment(s, media_ids, segment)
    for media_id in media_ids:
        triage.set_category(s, media_id, p.agency_id, category.id, source="investigator",
                            actor=p.actor, segment=segment)
        triage.clear_votes(s, media_id, p.agency_id)
    audit.append(s, p.actor, "media.categorise", f"category:{category.id}",
                 agency=p.agency_code, details={"media": media_ids[:1000], "count": len(media_ids),
                                                "code": category.code,
                                                "segment": list(segment) if segment else None})
    return len(media_ids)


def _check_segment(s: Session, media_ids: list[int], segment: tuple[float, float]) -> None:
    """A segment is a stretch of a video or recording, inside it (half a second of slack
    for containers that round their duration)."""
    start, end = segment
    if not 0 <= start < end:
        raise TesseraError(f"a segment runs from a start to a later end, not {start:g}-{end:g} s")
    for m in triage.media_rows(s, media_ids):
        if m.kind not in ("video", "audio"):
            raise TesseraError(f"media {m.id} is a {m.kind}: only videos and recordings have "
                               "segments")
        duration = (m.meta or {}).get("duration")
        if duration and end > float(duration) + 0.5:
            raise TesseraError(f"segment {start:g}-{end:g} s lies past the end of media {m.id} "
                               f"({float(duration):g} s)")


def own_categories(s: Session, p: Principal, media_id: int) -> list[dict[str, Any]]:
    """This agency's categories of one media: the whole file and each segment."""
    rows = triage.categories_of(s, p.agency_id, [media_id], segments=True).get(media_id, [])
    return [category_row(r.category) | {
        "segment": [r.t_start, r.t_end] if r.segment else None, "source": r.source,
        "basis": r.basis, "by": r.actor, "at": r.at.isoformat()}
        for r in sorted(rows, key=lambda r: (r.segment != "", r.t_start or 0))]


def grade(s: Session, p: Principal, media_id: int, category_id: int) -> dict[str, Any]:
    """One grading decision. With an agency rule of two (or more) votes, the category is set
    when that many investigators agree; a disagreement stays open for a further grader."""
    _require_media(s, p, media_id, Action.CATEGORISE)
    category = triage.category_by_id(s, category_id)
    agency = repos.agency_by_id(s, p.agency_id)
    needed = max(1, agency.grading_votes)
    if needed == 1:
        triage.set_category(s, media_id, p.agency_id, category.id, source="investigator",
                            actor=p.actor, basis="graded")
        state = "graded"
    else:
        votes = triage.cast_vote(s, media_id, p.agency_id, category.id, p.actor)
        tally = Counter(v.category_id for v in votes)
        winner, count = tally.most_common(1)[0]
        if count >= needed:
            who = sorted(v.actor for v in votes if v.category_id == winner)
            triage.set_category(s, media_id, p.agency_id, winner, source="consensus",
                                actor=p.actor, basis="agreed by " + ", ".join(who))
            state = "graded"
        else:
            state = "disputed" if len(tally) > 1 else "waiting"
    audit.append(s, p.actor, "media.grade", f"media:{media_id}", agency=p.agency_code,
                 details={"code": category.code, "scheme_id": category.scheme_id,
                          "state": state})
    return {"media_id": media_id, "state": state}


def grade_in_job(s: Session, p: Principal, job_id: int, media_id: int,
                 category_id: int) -> dict[str, Any]:
    """A grade from a job's queue: the media must be one of that job's files, the job one
    ``p`` may see (else "not found")."""
    _job_for(s, p, job_id)
    if media_id not in set(triage.job_media(s, job_id)):
        raise NotFound("not found")
    return grade(s, p, media_id, category_id)


# --- the grading queue ----------------------------------------------------------------------------


def _job_for(s: Session, p: Principal, job_id: int) -> Any:
    job = repos.get_ingest_job(s, job_id)
    require(p, Action.VIEW_JOB, Target(job.agency_id), hide=True)
    return job


def queue(s: Session, p: Principal, job_id: int) -> dict[str, Any]:
    """A job's stored files in order, each with this agency's category (and where it came
    from), its consensus state, and what is left for ``p`` to grade."""
    job = _job_for(s, p, job_id)
    media_ids = triage.job_media(s, job_id)
    current = triage.categories_of(s, p.agency_id, media_ids)
    votes = triage.votes_on(s, media_ids, p.agency_id)
    needed = max(1, repos.agency_by_id(s, p.agency_id).grading_votes)
    items, counts = [], Counter[str]()
    media_rows = {m.id: m for m in triage.media_rows(s, media_ids)}
    for position, media_id in enumerate(media_ids, 1):
        rows = current.get(media_id, [])
        mine = rows[0] if rows else None
        cast = votes.get(media_id, [])
        tally = Counter(v.category_id for v in cast)
        if mine is not None and mine.source in SETTLED:
            state = "graded"
        elif mine is not None and (mine.source == "import" or (
                mine.source == "match" and (mine.basis or "").startswith("exact"))):
            state = "pre-categorised"  # known material: an import said so, or a copy of it
        elif len(tally) > 1:
            state = "disputed"
        elif cast and needed > 1:
            state = "waiting"
        else:
            state = "todo"
        counts[state] += 1
        m = media_rows[media_id]
        items.append({
            "position": position, "media_id": media_id, "kind": m.kind, "state": state,
            "hash_only": m.hash_only,
            "category": category_row(mine.category) | {"source": mine.source,
                                                       "basis": mine.basis,
                                                       "by": mine.actor} if mine else None,
            "votes": len(cast), "voted": any(v.actor == p.actor for v in cast),
        })
    todo = [i for i in items if i["state"] in ("todo", "disputed", "waiting")
            and not i["voted"] and not i["hash_only"]]
    todo.sort(key=lambda i: (i["state"] != "disputed", i["position"]))
    scheme = triage.get_scheme(s, DEFAULT_SCHEME)
    case = s.get(Case, job.case_id) if job.case_id else None
    return {"job": {"id": job.id, "case": case.reference if case else None,  # never a path
                    "agency": job.agency.code, "created_at": job.created_at.isoformat()},
            "votes_needed": needed, "scheme": scheme.name,
            "categories": [category_row(c) for c in scheme.categories],
            "progress": {"total": len(items), "graded": counts["graded"],
                         "pre_categorised": counts["pre-categorised"],
                         "disputed": counts["disputed"], "waiting": counts["waiting"],
                         "todo": counts["todo"], "left_for_you": len(todo)},
            "items": items, "next": [i["media_id"] for i in todo]}


# --- pre-categories from matches ------------------------------------------------------------------


def known_category(s: Session, p: Principal, media_id: int) -> Category | None:
    """The category a matched media is known by, as ``p`` may read it: ``p``'s own agency's
    first, else the oldest of another agency whose holding ``p`` may read (that agency's own
    series of the media shared with at least metadata). Holding the same file oneself does not
    open another agency's judgement of it."""
    rows = triage.categories_of(s, None, [media_id]).get(media_id, [])
    own = [r for r in rows if r.agency_id == p.agency_id]
    if own:
        return own[0].category
    series = [x.shares
              for x in repos.series_for_media(s, [media_id]).get(media_id, [])]
    for r in rows:
        if holding_visibility(p, r.agency_id, series) >= Visibility.METADATA:
            return r.category
    return None


def precategorise_matched(s: Session, p: Principal, matched: Matched) -> int:
    """Pre-categories for the files a de-confliction just stored, from what they matched."""
    pairs = matched.pairs()
    stored = repos.media_by_sha256(s, [sha for sha, _, _ in pairs])
    return precategorise(s, p, [(stored[sha].id, media_id, how) for sha, media_id, how in pairs
                                if sha in stored])


def precategorise(s: Session, p: Principal, pairs: list[tuple[int, int, str]]) -> int:
    """(stored media, matched media, "exact"|"near"): give each stored media without a
    category of ``p``'s agency the matched one's, marked as proposed by the match."""
    done = 0
    for media_id, matched, how in pairs:
        if triage.categories_of(s, p.agency_id, [media_id]).get(media_id):
            continue
        category = known_category(s, p, matched)
        if category is None:
            continue
        triage.set_category(s, media_id, p.agency_id, category.id, source="match",
                            actor=p.actor, basis=f"{how} match of media {matched}",
                            keep_investigators=True)
        done += 1
    if done:
        audit.append(s, p.actor, "media.precategorise", None, agency=p.agency_code,
                     details={"count": done})
    return done


# --- tags, bookmarks, notes, and bulk actions -------------------------------------------


def annotate(s: Session, p: Principal, target: str, target_ids: list[int], kind: str,
             text: str) -> int:
    if target not in ANNOTATION_TARGETS or kind not in ANNOTATION_KINDS:
        raise TesseraError(f"annotate one of {', '.join(ANNOTATION_TARGETS)} with one of "
                           f"{', '.join(ANNOTATION_KINDS)}")
    text = text.strip()
    if kind != "bookmark" and not text:
        raise TesseraError(f"a {kind} needs text")
    for target_id in target_ids:
        if target == "media":
            _require_media(s, p, target_id, Action.ANNOTATE)
        elif target == "series":
            from tessera.service.views import get_series, series_target

            x = get_series(s, p, target_id)
            require(p, Action.ANNOTATE, series_target(p, x))
        else:
            _job_for(s, p, target_id)
            require(p, Action.ANNOTATE, Target(p.agency_id, Visibility.FULL))
    added = triage.annotate(s, p.agency_id, target, target_ids, kind, text, p.actor)
    audit.append(s, p.actor, f"{target}.{kind}", f"{target}:{target_ids[0]}"
                 if len(target_ids) == 1 else None, agency=p.agency_code,
                 details={"count": len(target_ids), "text": text[:200]})
    return added


def annotations_on(s: Session, p: Principal, target: str, target_id: int) -> list[dict[str, Any]]:
    rows = triage.annotations_of(s, p.agency_id, target, [target_id]).get(target_id, [])
    return [{"id": a.id, "kind": a.kind, "text": a.text, "by": a.actor,
             "at": a.at.isoformat()} for a in rows]


def remove_annotation(s: Session, p: Principal, annotation_id: int) -> None:
    require(p, Action.ANNOTATE, Target(p.agency_id, Visibility.FULL))
    row = triage.remove_annotation(s, p.agency_id, annotation_id)
    audit.append(s, p.actor, f"{row.target}.{row.kind}.remove", f"{row.target}:{row.target_id}",
                 agency=p.agency_code, details={"text": row.text[:200]})


def bulk(s: Session, p: Principal, media_ids: list[int], action: str,
         value: str) -> dict[str, Any]:
    """One action on a selection: ``tag``, ``bookmark``, ``note``, ``categorise`` (a category
    id) or ``series`` (add to one of one's own series, by name)."""
    if not media_ids:
        raise TesseraError("select some media first")
    if action in ANNOTATION_KINDS:
        return {"done": annotate(s, p, "media", media_ids, action, value)}
    if action == "categorise":
        try:
            category_id = int(value)
        except ValueError:
            raise TesseraError("categorise needs a category id") from None
        return {"done": categorise(s, p, media_ids, category_id)}
    if action == "series":
        require(p, Action.EDIT_SERIES, Target(p.agency_id))
        for media_id in media_ids:
            _require_media(s, p, media_id, Action.CATEGORISE)
        series = repos.get_or_create_series(s, value.strip(), repos.agency_by_id(s, p.agency_id))
        for media_id in media_ids:
            repos.link_media_series(s, media_id, series.id)
        audit.append(s, p.actor, "series.add-media", f"series:{series.id}",
                     agency=p.agency_code, details={"media": media_ids[:1000]})
        return {"done": len(media_ids), "series_id": series.id}
    raise TesseraError("bulk action must be tag, bookmark, note, categorise or series")


# --- the media browser ------------------------------------------------------------------------


def browse(s: Session, p: Principal, f: triage.MediaFilter, page: int = 1,
           per_page: int = 60) -> dict[str, Any]:
    """One's own agency's media, filtered (category, tag, series, job, kind, hash-only,
    date), with this agency's category and tags; a page at a time."""
    if f.agency_id != p.agency_id:
        raise TesseraError("the media browser shows one's own agency's media")
    if f.series_id is not None:
        from tessera.service.views import get_series

        get_series(s, p, f.series_id)  # hidden series: "not found"
    rows, total = triage.browse_media(s, f, page=page, per_page=per_page)
    ids = [m.id for m in rows]
    cats = triage.categories_of(s, p.agency_id, ids)
    tags = triage.annotations_of(s, p.agency_id, "media", ids)
    out = []
    for m in rows:
        c = cats.get(m.id, [None])[0]
        out.append({"id": m.id, "sha256": m.sha256, "md5": m.md5, "kind": m.kind,
                    "mime": m.mime, "size": m.size, "width": m.width, "height": m.height,
                    "hash_only": m.hash_only,
                    "first_seen": m.first_seen.isoformat(),
                    "category": category_row(c.category) | {"source": c.source,
                                                            "basis": c.basis, "by": c.actor}
                    if c else None,
                    "tags": [a.text for a in tags.get(m.id, []) if a.kind == "tag"],
                    "bookmarked": any(a.kind == "bookmark" for a in tags.get(m.id, []))})
    return {"media": out, "total": total, "page": page,
            "pages": max(1, -(-total // per_page))}
