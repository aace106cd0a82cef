"""HTML pages. Each page reads through the same service functions as the API, so the access
policy and the audit trail are the same for both; forms carry the session's CSRF token."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as UrlPart
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from tessera.access import identity
from tessera.access.policy import Action, Principal, Role, Target, Visibility, can
from tessera.core.errors import NotFound, TesseraError
from tessera.core.types import OffenderStatus, VictimStatus
from tessera.entities.clues import ClueKind
from tessera.entities.links import ASSERTED_KINDS
from tessera.entities.persons import ROLES
from tessera.entities.places import country_number
from tessera.http.deps import (
    MAX_ID,
    SESSION_COOKIE,
    Caller,
    FormWho,
    RowId,
    Services,
    Svc,
    caller,
    client_ip,
    pending_caller,
    pending_form_caller,
    set_session_cookie,
)
from tessera.reports.select import Selection, grouped
from tessera.service import (
    access,
    accounts,
    auth,
    categories,
    clues,
    devices,
    discussion,
    faces,
    links,
    notifications,
    places,
    stats,
    tasks,
    timeline,
    views,
)
from tessera.store import repos
from tessera.store.repos.triage import MediaFilter

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
PRELOGIN = "tessera_prelogin"
router = APIRouter(include_in_schema=False)
Page = Annotated[Caller, Depends(caller)]
Pending = Annotated[Caller, Depends(pending_caller)]
PendingForm = Annotated[Caller, Depends(pending_form_caller)]


def render(request: Request, name: str, c: Caller | None, status: int = 200,
           **data: Any) -> HTMLResponse:
    unread = 0
    if c is not None:
        svc: Services = request.app.state.services
        with svc.ctx.db.session() as s:
            unread = notifications.unread_count(s, c.principal)
    p = c.principal if c else None
    nav = {"admin": bool(p and can(p, Action.MANAGE_USERS, _own(p))),
           "audit": bool(p and can(p, Action.VIEW_AUDIT, _own(p))),
           "upload": bool(p and can(p, Action.UPLOAD))}
    return TEMPLATES.TemplateResponse(request, name, {
        "me": p, "csrf": c.csrf if c else "", "unread": unread, "nav": nav, **data},
        status_code=status)


def _own(p: Principal) -> Target:
    return Target(p.agency_id)


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, "error.html", {
        "me": None, "csrf": "", "unread": 0, "nav": {}, "status": status,
        "message": message}, status_code=status)


def back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _float(value: str) -> float | None:
    """A number typed in a form ("" for none); a clear error otherwise."""
    value = value.strip().replace(",", ".")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise TesseraError(f"{value!r} is not a number") from None


FormText = Annotated[str, Form(max_length=200)]
FormNumber = Annotated[str, Form(max_length=32)]  # a number typed in a form


# --- login ----------------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, error: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", None, prelogin=token, error=error)
    response.set_cookie(PRELOGIN, token, httponly=True, samesite="strict", path="/login")
    return response


@router.post("/login")
def login_submit(request: Request, svc: Svc, username: Annotated[str, Form()],
                 password: Annotated[str, Form()], prelogin: Annotated[str, Form()]) -> Response:
    cookie = request.cookies.get(PRELOGIN, "")
    if not cookie or not secrets.compare_digest(cookie, prelogin):
        return back("/login?error=expired")
    try:
        result = auth.login(svc, client_ip(request), username, password)
    except TesseraError as exc:
        return render(request, "login.html", None, status=401, prelogin=prelogin,
                      error=str(exc))
    target = "/login/enrol" if result.enrol_required else \
        "/login/totp" if result.mfa_required else "/"
    response = back(target)
    set_session_cookie(svc, response, result.token)
    return response


@router.get("/login/totp")
def totp_page(request: Request, c: Pending) -> Response:
    return render(request, "totp.html", None, pending=True, csrf_field=c.csrf)


@router.post("/login/totp")
def totp_submit(request: Request, svc: Svc, c: PendingForm,
                code: Annotated[str, Form()]) -> Response:
    try:
        auth.second_factor(svc, client_ip(request), c, code)
    except TesseraError as exc:
        return render(request, "totp.html", None, status=401, error=str(exc), pending=True,
                      csrf_field=c.csrf)
    return back("/")


@router.get("/login/enrol")
def enrol_page(request: Request, svc: Svc, c: Pending) -> Response:
    auth.may_enrol(svc, c)
    secret = identity.new_totp_secret()
    return render(request, "enrol.html", None, secret=secret, pending=True, csrf_field=c.csrf,
                  uri=identity.totp_uri(secret, c.principal.username))


@router.post("/login/enrol")
def enrol_submit(request: Request, svc: Svc, c: PendingForm, secret: Annotated[str, Form()],
                 code: Annotated[str, Form()]) -> Response:
    auth.may_enrol(svc, c)
    try:
        codes = auth.enrol(svc, c, secret, code)
    except TesseraError as exc:
        return render(request, "enrol.html", None, status=400, error=str(exc), secret=secret,
                      uri=identity.totp_uri(secret, c.principal.username), pending=True,
                      csrf_field=c.csrf)
    return render(request, "recovery.html", None, codes=codes, pending=True)


@router.post("/logout")
def logout_submit(request: Request, svc: Svc, c: FormWho) -> Response:
    auth.logout(svc, c.principal, request.cookies.get(SESSION_COOKIE))
    response = back("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- dashboard, upload, jobs, reports ---------------------------------------------------------


@router.get("/")
def dashboard(request: Request, svc: Svc, c: Page) -> Response:
    p = c.principal
    with svc.ctx.db.session() as s:
        notes = notifications.notification_rows(s, p, limit=10)
        series = [x for x in views.list_series(s, p) if x["own"]]
    jobs = [tasks.task_row(t) for t in tasks.list_tasks(svc.ctx, p, limit=10)]
    matched = sum(j["counts"].get("exact", 0) + j["counts"].get("near", 0) for j in jobs)
    return render(request, "dashboard.html", c, notes=notes, jobs=jobs, stats={
        "series": len(series), "media": sum(x["media_count"] or 0 for x in series),
        "jobs": len(jobs), "matched": matched})


@router.get("/upload")
def upload_page(request: Request, c: Page) -> Response:
    return render(request, "upload.html", c)


@router.get("/jobs")
def jobs_page(request: Request, svc: Svc, c: Page) -> Response:
    return render(request, "jobs.html", c,
                  jobs=[tasks.task_row(t) for t in tasks.list_tasks(svc.ctx, c.principal, 200)])


@router.get("/jobs/{job_id}")
def job_page(job_id: RowId, request: Request, svc: Svc, c: Page) -> Response:
    return render(request, "job.html", c, job=tasks.task_row(tasks.get_task(svc.ctx, c.principal,
                                                                      job_id)))


@router.get("/grade/{job_id}")
def grade_page(job_id: RowId, request: Request, svc: Svc, c: Page) -> Response:
    """A stored seizure's files, one at a time or as a grid, graded with the keyboard."""
    p = c.principal
    with svc.ctx.db.session() as s:
        queue = categories.queue(s, p, job_id)
    return render(request, "grade.html", c, q=queue,
                  can_grade=can(p, Action.CATEGORISE, Target(p.agency_id, Visibility.FULL)))


REPORT_PAGE = 50


@router.get("/jobs/{job_id}/report")
def report_page(job_id: RowId, request: Request, svc: Svc, c: Page,
                status: Annotated[str, Query(max_length=10)] = "",
                series: Annotated[str, Query(max_length=220)] = "",
                agency: Annotated[str, Query(max_length=32)] = "",
                kind: Annotated[str, Query(max_length=20)] = "",
                sort: Annotated[str, Query(pattern="^(path|status|matches)$")] = "path",
                group: Annotated[bool, Query()] = False,
                page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> Response:
    full = tasks.task_report(svc.ctx, c.principal, job_id)
    chosen = Selection(status or None, series or None, agency or None, kind or None, sort,
                       page, REPORT_PAGE)
    report, total = chosen.apply(full)
    ids = {m.media_id for f in report.files for m in f.matches if m.media_id is not None} | \
        {m.media_id for f in report.files for m in f.faces if m.media_id is not None}
    with svc.ctx.db.session() as s:
        pixels = {i for i in ids
                  if can(c.principal, Action.VIEW_PIXELS, views.media_target(s, c.principal, i))}
        own = views.own_previews(s, c.principal, [f.sha256 for f in report.files if f.sha256])
    query = {"status": status, "series": series, "agency": agency, "kind": kind, "sort": sort,
             "group": "1" if group else ""}
    return render(request, "report.html", c, job_id=job_id, report=report.to_dict(),
                  files=report.files, pixels=pixels, own=own, total=total, page=page,
                  pages=max(1, -(-total // REPORT_PAGE)), query=query,
                  choices=chosen.choices(full), groups=grouped(report.files) if group else None,
                  may_ask=can(c.principal, Action.UPLOAD),
                  qs=urlencode({k: v for k, v in query.items() if v}))


# --- catalogue ------------------------------------------------------------------------------


@router.get("/series")
def series_list(request: Request, svc: Svc, c: Page) -> Response:
    with svc.ctx.db.session() as s:
        rows = views.list_series(s, c.principal)
    return render(request, "series_list.html", c, series=rows)


@router.get("/series/{series_id}")
def series_page(series_id: RowId, request: Request, svc: Svc, c: Page,
                page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> Response:
    size = 120
    with svc.ctx.db.session() as s:
        x = views.series_detail(s, c.principal, series_id, limit=size,
                                offset=(max(page, 1) - 1) * size)
        posts = discussion.thread(s, c.principal, series_id)
        may_post = can(c.principal, Action.DISCUSS, views.series_target(
            c.principal, repos.series_by_id(s, series_id)))
        connections = links.links_of(s, c.principal, ("series", series_id))
        others = [y for y in views.list_series(s, c.principal) if y["id"] != series_id] \
            if x["can_edit"] else []
        requests = access.requests_for_series(s, c.principal, series_id)
        grants = access.grants_of(s, c.principal, series_id)
        may_ask = can(c.principal, Action.REQUEST_ACCESS, views.series_target(
            c.principal, repos.series_by_id(s, series_id)))
        events = timeline.series_timeline(s, c.principal, series_id)
    return render(request, "series.html", c, series=x, page=max(page, 1), posts=posts,
                  may_post=may_post, links=connections, others=others,
                  access_requests=requests, grants=grants, may_ask=may_ask,
                  timeline=events,
                  link_kinds=ASSERTED_KINDS,
                  victim_statuses=[v.value for v in VictimStatus],
                  offender_statuses=[o.value for o in OffenderStatus],
                  pages=max(1, -(-(x["media_count"] or 0) // size)))


@router.post("/series/{series_id}/edit")
def series_edit(series_id: RowId, svc: Svc, c: FormWho,
                victim_status: Annotated[str, Form()] = "",
                offender_status: Annotated[str, Form()] = "",
                description: Annotated[str | None, Form()] = None,
                note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    with svc.ctx.db.session() as s:
        views.edit_series(s, c.principal, series_id, victim=victim_status or None,
                          offender=offender_status or None, description=description,
                          note=note or None)
    return back(f"/series/{series_id}")


@router.post("/series/{series_id}/discussion")
def series_post(series_id: RowId, svc: Svc, c: FormWho,
                text: Annotated[str, Form(max_length=10_000)]) -> Response:
    with svc.ctx.db.session() as s:
        discussion.post(s, c.principal, series_id, text)
    return back(f"/series/{series_id}#discussion")


@router.post("/series/{series_id}/links/{link_id}")
def series_link_decide(series_id: RowId, link_id: RowId, svc: Svc, c: FormWho,
                       state: Annotated[str, Form(pattern="^(confirmed|rejected)$")],
                       note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    with svc.ctx.db.session() as s:
        links.decide_link(s, c.principal, link_id, state, note or None)
    return back(f"/series/{series_id}#connections")


@router.post("/series/{series_id}/links")
def series_link_add(series_id: RowId, svc: Svc, c: FormWho,
                    other: Annotated[int, Form(ge=1, le=MAX_ID)],
                    kind: Annotated[str, Form(max_length=24)],
                    note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    with svc.ctx.db.session() as s:
        links.assert_link(s, c.principal, ("series", series_id), ("series", other), kind,
                          note or None)
    return back(f"/series/{series_id}#connections")


@router.post("/series/{series_id}/links-suggest")
def series_link_suggest(series_id: RowId, svc: Svc, c: FormWho) -> Response:
    links.suggest_for_series(svc.ctx, c.principal, series_id)
    return back(f"/series/{series_id}#connections")


@router.post("/series/{series_id}/access-requests")
def series_ask(series_id: RowId, svc: Svc, c: FormWho,
               level: Annotated[str, Form(pattern="^(metadata|full)$")],
               reason: Annotated[str, Form(max_length=access.MAX_REASON)] = "") -> Response:
    with svc.ctx.db.session() as s:
        access.request_access(s, c.principal, series_id, level, reason or None)
    return back(f"/series/{series_id}#access")


@router.post("/series/{series_id}/grants/{agency_code}/withdraw")
def series_withdraw_grant(series_id: RowId, agency_code: Annotated[str, UrlPart(max_length=32)],
                          svc: Svc, c: FormWho) -> Response:
    with svc.ctx.db.session() as s:
        access.withdraw_grant(s, c.principal, series_id, agency_code)
    return back(f"/series/{series_id}#access")


@router.post("/jobs/{job_id}/access-requests")
def job_ask(job_id: RowId, svc: Svc, c: FormWho, owner: Annotated[str, Form(max_length=32)],
            level: Annotated[str, Form(pattern="^(metadata|full)$")],
            reason: Annotated[str, Form(max_length=access.MAX_REASON)] = "") -> Response:
    with svc.ctx.db.session() as s:
        access.request_access_for_job(s, c.principal, job_id, owner, level, reason or None)
    return back("/access-requests")


@router.get("/access-requests")
def access_requests_page(request: Request, svc: Svc, c: Page) -> Response:
    with svc.ctx.db.session() as s:
        both = access.requests_of(s, c.principal)
    return render(request, "access_requests.html", c, incoming=both["incoming"],
                  outgoing=both["outgoing"])


@router.post("/access-requests/{request_id}")
def access_request_decide(request_id: RowId, svc: Svc, c: FormWho,
                          decision: Annotated[str, Form(pattern="^(grant|refuse)$")],
                          note: Annotated[str, Form(max_length=2000)] = "",
                          series: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None
                          ) -> Response:
    with svc.ctx.db.session() as s:
        access.decide_request(s, c.principal, request_id, decision == "grant", note or None)
    return back(f"/series/{series}#access" if series else "/access-requests")


@router.post("/series/{series_id}/sharing")
def series_sharing(series_id: RowId, svc: Svc, c: FormWho,
                   sharing: Annotated[str, Form()]) -> Response:
    with svc.ctx.db.session() as s:
        views.share_series(s, c.principal, series_id, sharing)
    return back(f"/series/{series_id}")


@router.get("/media/{media_id}")
def media_page(media_id: RowId, request: Request, svc: Svc, c: Page) -> Response:
    with svc.ctx.db.session() as s:
        record = views.media_detail(svc.ctx, s, c.principal, media_id)
        found = faces.faces_of_media(s, c.principal, media_id)
        mine = [p for p in faces.list_persons(s, c.principal) if p["can_edit"]] \
            if record["pixels"] else []
        noted = clues.clues_of_media(s, c.principal, media_id)
        cameras = devices.devices_of_media(s, media_id)
    return render(request, "media.html", c, m=record, faces=found, persons=mine,
                  min_quality=faces.quality_floor(svc.ctx), clues=noted,
                  may_note=record["pixels"] and can(c.principal, Action.EDIT_CLUE,
                                                    _own(c.principal)),
                  clue_kinds=[k.value for k in ClueKind], cameras=cameras)


@router.get("/devices/{device_id}")
def device_page(device_id: RowId, request: Request, svc: Svc, c: Page) -> Response:
    with svc.ctx.db.session() as s:
        row = devices.device_detail(s, c.principal, device_id)
    return render(request, "device.html", c, device=row)


def _fraction(value: str) -> float | None:
    """A percentage typed in a form, as a fraction."""
    number = _float(value)
    return None if number is None else number / 100.0


@router.post("/media/{media_id}/clues")
def media_clue_add(media_id: RowId, svc: Svc, c: FormWho,
                   kind: Annotated[str, Form(max_length=12)],
                   note: Annotated[str, Form(max_length=5_000)],
                   x: FormNumber = "", y: FormNumber = "", w: FormNumber = "",
                   h: FormNumber = "", start_s: FormNumber = "", end_s: FormNumber = "",
                   sharing: Annotated[str, Form(max_length=12)] = "") -> Response:
    box = [_fraction(v) for v in (x, y, w, h)]
    if any(v is not None for v in box) and None in box:
        raise TesseraError("a region needs its left, top, width and height")
    region = tuple(v for v in box if v is not None) if box[0] is not None else None
    with svc.ctx.db.session() as s:
        row = clues.add_clue(s, c.principal, media_id, kind, note,
                             region=region,  # type: ignore[arg-type]
                             start_s=_float(start_s), end_s=_float(end_s),
                             sharing=sharing or None)
    return back(f"/clues/{row['id']}")


@router.get("/clues/{clue_id}")
def clue_page(clue_id: RowId, request: Request, svc: Svc, c: Page) -> Response:
    with svc.ctx.db.session() as s:
        row = clues.clue_detail(s, c.principal, clue_id)
        connections = links.links_of(s, c.principal, ("clue", clue_id))
        mine = [x for x in places.list_places(s, c.principal) if x["can_edit"]] \
            if row["can_edit"] else []
        posts = discussion.thread_of(s, c.principal, ("clue", clue_id))
        may_post = discussion.may_post(s, c.principal, ("clue", clue_id))
    return render(request, "clue.html", c, clue=row, links=connections, my_places=mine,
                  posts=posts, may_post=may_post, post_to=f"/entities/clue/{clue_id}/discussion")


@router.post("/clues/{clue_id}/links")
def clue_link(clue_id: RowId, svc: Svc, c: FormWho,
              place: Annotated[int, Form(ge=1, le=MAX_ID)],
              note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    with svc.ctx.db.session() as s:
        links.assert_link(s, c.principal, ("clue", clue_id), ("place", place), "related",
                          note or None)
    return back(f"/clues/{clue_id}#connections")


ENTITY_PAGES = {"series": "series", "person": "persons", "place": "places", "clue": "clues",
                "media": "media"}


@router.post("/entities/{entity_type}/{entity_id}/discussion")
def entity_post(entity_type: Annotated[str, UrlPart(pattern=f"^({'|'.join(ENTITY_PAGES)})$")],
                entity_id: RowId, svc: Svc, c: FormWho,
                text: Annotated[str, Form(max_length=10_000)]) -> Response:
    """A message in the thread on a person, place or clue (a series has its own form)."""
    with svc.ctx.db.session() as s:
        discussion.post_on(s, c.principal, (entity_type, entity_id), text)
    return back(f"/{ENTITY_PAGES[entity_type]}/{entity_id}#discussion")


@router.get("/compare/{left}/{right}")
def compare_page(left: RowId, right: RowId, request: Request, svc: Svc, c: Page) -> Response:
    with svc.ctx.db.session() as s:
        pair = views.compare(s, c.principal, left, right)
    return render(request, "compare.html", c, pair=pair)


# --- persons and faces ----------------------------------------------------------------------


DAY = r"^(|\d{4}-\d{2}-\d{2})$"
ROW = r"^\d{0,12}$"  # a row id, or empty: a filter form sends every field


def _row(value: str) -> int | None:
    return int(value) if value and 0 < int(value) <= MAX_ID else None


def _day(value: str, *, after: bool = False) -> datetime | None:
    """A date from the filter form, as the start of that day in UTC (``after``: of the next)."""
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise TesseraError(f"{value} is not a date") from None
    return day + timedelta(days=1) if after else day


@router.get("/media")
def media_list(request: Request, svc: Svc, c: Page,
               page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
               kind: Annotated[str, Query(pattern="^(|image|video|audio)$")] = "",
               category: Annotated[str, Query(pattern=ROW)] = "",
               status: Annotated[str, Query(pattern="^(|uncategorised|proposed|graded)$")] = "",
               tag: Annotated[str, Query(max_length=200)] = "",
               bookmarked: bool = False,
               series: Annotated[str, Query(pattern=ROW)] = "",
               job: Annotated[str, Query(pattern=ROW)] = "",
               pixels: Annotated[str, Query(pattern="^(|yes|no)$")] = "",
               since: Annotated[str, Query(pattern=DAY)] = "",
               until: Annotated[str, Query(pattern=DAY)] = "") -> Response:
    """The media browser: one's own agency's media, filtered, with bulk actions."""
    p = c.principal
    f = MediaFilter(p.agency_id, _row(category), status or None, tag.strip() or None,
                    bookmarked, _row(series), _row(job), kind or None,
                    {"yes": False, "no": True}.get(pixels), _day(since), _day(until, after=True))
    with svc.ctx.db.session() as s:
        listing = categories.browse(s, p, f, page=page)
        schemes = categories.scheme_rows(s)
        own_series = [x for x in views.list_series(s, p) if x["own"]]
    query = {"kind": kind, "category": _row(category) or "", "status": status, "tag": tag,
             "bookmarked": "true" if bookmarked else "", "series": _row(series) or "",
             "job": _row(job) or "",
             "pixels": pixels, "since": since, "until": until}
    return render(request, "media_list.html", c, **listing, query=query, schemes=schemes,
                  own_series=own_series, qs=urlencode({k: v for k, v in query.items() if v}),
                  can_edit=can(p, Action.ANNOTATE, Target(p.agency_id, Visibility.FULL)))


@router.get("/stats")
def stats_page(request: Request, svc: Svc, c: Page,
               since: Annotated[str, Query(pattern=DAY)] = "",
               until: Annotated[str, Query(pattern=DAY)] = "",
               by: Annotated[str, Query(pattern="^(agency|country)$")] = "agency") -> Response:
    """The counts of the statistics for a period, with the same as CSV from the API."""
    start, end = _day(since), _day(until, after=True)
    with svc.ctx.db.session() as s:
        table = stats.statistics(s, c.principal, since=start, until=end, by=by)
    query = {"since": since, "until": until, "by": by}
    api_query = {"since": start.isoformat() if start else "",
                 "until": end.isoformat() if end else "", "by": by}
    return render(request, "stats.html", c, table=table, columns=stats.COLUMNS, query=query,
                  step_columns=[k for k in stats.COLUMNS if k.startswith(("victims_",
                                                                          "offenders_"))],
                  file_columns=[k for k in stats.COLUMNS if k.startswith("files_")],
                  qs=urlencode({k: v for k, v in api_query.items() if v}))


def _place_form(label: str, country: str, region: str, lat: str, lon: str, radius_m: str,
                clues: str) -> dict[str, Any]:
    return {"label": label, "country": country or None, "region": region or None,
            "lat": _float(lat), "lon": _float(lon), "radius_m": _float(radius_m),
            "clues": clues or None}




def _map_points(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": r["id"], "label": r["label"], "owner": r["owner"], "lat": r["lat"],
             "lon": r["lon"], "radius_m": r["radius_m"]} for r in rows if r["lat"] is not None]


@router.get("/places")
def places_page(request: Request, svc: Svc, c: Page) -> Response:
    with svc.ctx.db.session() as s:
        rows = places.list_places(s, c.principal)
    return render(request, "places.html", c, places=rows, points=_map_points(rows),
                  focus=sorted({n for r in rows if (n := country_number(r["country"]))}),
                  can_create=can(c.principal, Action.EDIT_PLACE, _own(c.principal)))


@router.post("/places")
def places_create(svc: Svc, c: FormWho, label: FormText, country: FormText = "",
                  region: FormText = "", lat: FormNumber = "", lon: FormNumber = "",
                  radius_m: FormNumber = "",
                  clues: Annotated[str, Form(max_length=10_000)] = "",
                  sharing: Annotated[str, Form(max_length=12)] = "") -> Response:
    with svc.ctx.db.session() as s:
        fields = _place_form(label, country, region, lat, lon, radius_m, clues)
        row = places.create_place(s, c.principal, fields.pop("label"),
                                  sharing=sharing or None, **fields)
    links.suggest_for_place(svc.ctx, c.principal, row["id"])
    return back(f"/places/{row['id']}")


@router.get("/places/{place_id}")
def place_page(place_id: RowId, request: Request, svc: Svc, c: Page) -> Response:
    with svc.ctx.db.session() as s:
        row = places.place_detail(s, c.principal, place_id)
        connections = links.links_of(s, c.principal, ("place", place_id))
        others = views.list_series(s, c.principal) if row["can_edit"] else []
        posts = discussion.thread_of(s, c.principal, ("place", place_id))
        may_post = discussion.may_post(s, c.principal, ("place", place_id))
    focus = [n for n in [country_number(row["country"])] if n]
    return render(request, "place.html", c, place=row, links=connections, others=others,
                  points=_map_points([row]), focus=focus, posts=posts, may_post=may_post,
                  post_to=f"/entities/place/{place_id}/discussion")


@router.post("/places/{place_id}/edit")
def place_edit(place_id: RowId, svc: Svc, c: FormWho, label: FormText,
               country: FormText = "", region: FormText = "", lat: FormNumber = "",
               lon: FormNumber = "", radius_m: FormNumber = "",
               clues: Annotated[str, Form(max_length=10_000)] = "") -> Response:
    with svc.ctx.db.session() as s:
        places.edit_place(s, c.principal, place_id,
                          **_place_form(label, country, region, lat, lon, radius_m, clues))
    links.suggest_for_place(svc.ctx, c.principal, place_id)
    return back(f"/places/{place_id}")


@router.post("/places/{place_id}/links")
def place_link(place_id: RowId, svc: Svc, c: FormWho,
               series: Annotated[int, Form(ge=1, le=MAX_ID)],
               note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    with svc.ctx.db.session() as s:
        links.assert_link(s, c.principal, ("place", place_id), ("series", series),
                          "same-place", note or None)
    return back(f"/places/{place_id}#connections")


@router.get("/persons")
def persons_page(request: Request, svc: Svc, c: Page) -> Response:
    with svc.ctx.db.session() as s:
        rows = faces.list_persons(s, c.principal)
    return render(request, "persons.html", c, persons=rows,
                  can_create=can(c.principal, Action.EDIT_PERSON, _own(c.principal)))


@router.post("/persons")
def persons_create(svc: Svc, c: FormWho, label: Annotated[str, Form(max_length=200)],
                   role: Annotated[str, Form(max_length=10)],
                   sharing: Annotated[str, Form(max_length=12)] = "") -> Response:
    with svc.ctx.db.session() as s:
        person = faces.create_person(s, c.principal, role=role, label=label,
                                     sharing=sharing or None)
        person_id = person.id
    return back(f"/persons/{person_id}")


@router.get("/persons/{person_id}")
def person_page(person_id: RowId, request: Request, svc: Svc, c: Page) -> Response:
    with svc.ctx.db.session() as s:
        row = faces.person_detail(s, c.principal, person_id)
        posts = discussion.thread_of(s, c.principal, ("person", person_id))
        may_post = discussion.may_post(s, c.principal, ("person", person_id))
    statuses = [x.value for x in ROLES[row["role"]]]
    return render(request, "person.html", c, p=row, statuses=statuses, posts=posts,
                  may_post=may_post, post_to=f"/entities/person/{person_id}/discussion")


@router.post("/persons/{person_id}/edit")
def person_edit(person_id: RowId, svc: Svc, c: FormWho,
                status: Annotated[str, Form(max_length=20)]) -> Response:
    with svc.ctx.db.session() as s:
        faces.edit_person(s, c.principal, person_id, status=status)
    return back(f"/persons/{person_id}")


@router.post("/persons/link")
def person_link(svc: Svc, c: FormWho, person: Annotated[int, Form(ge=1, le=MAX_ID)],
                face: Annotated[int, Form(ge=1, le=MAX_ID)],
                state: Annotated[str, Form(max_length=10)],
                back_to: Annotated[str, Form(alias="back", max_length=200)] = "/persons",
                ) -> Response:
    faces.link_faces(svc.ctx, c.principal, person, [face], state)
    return back(back_to if back_to.startswith("/") and not back_to.startswith("//")
                else "/persons")


@router.get("/faces/clusters")
def clusters_page(request: Request, svc: Svc, c: Page) -> Response:
    p = c.principal
    with svc.ctx.db.session() as s:
        try:
            run = faces.clusters(s, p, None, 2)
        except NotFound:
            run = None
        mine = [x for x in faces.list_persons(s, p) if x["can_edit"]]
    return render(request, "clusters.html", c, run=run, persons=mine,
                  can_run=can(p, Action.EDIT_PERSON, _own(p)))


@router.post("/faces/clusters")
def clusters_run(svc: Svc, c: FormWho) -> Response:
    faces.run_clusters(svc.ctx, c.principal, None)
    return back("/faces/clusters")


@router.post("/faces/clusters/{run_id}/{action}")
async def clusters_review(run_id: RowId, action: str, request: Request, svc: Svc,
                          c: FormWho) -> Response:
    args = _review_args(action, await request.form())
    await run_in_threadpool(faces.review, svc.ctx, c.principal, run_id, action, **args)
    return back(f"/faces/clusters#c{args.get('keep') or args.get('cluster')}")


def _review_args(action: str, form: Any) -> dict[str, Any]:
    def number(name: str) -> int:
        try:
            value = int(str(form.get(name, "")).strip())
        except ValueError:
            raise TesseraError(f"{name} must be a number") from None
        if not 1 <= value <= MAX_ID:
            raise TesseraError(f"{name} is out of range")
        return value

    if action == "merge":
        return {"keep": number("keep"), "other": number("other")}
    if action == "split":
        raw = str(form.get("faces", ""))
        try:
            ids = [int(x) for x in raw.replace(",", " ").split()]
        except ValueError:
            raise TesseraError("faces: give face ids separated by commas") from None
        return {"cluster": number("cluster"), "faces": ids}
    if action == "remove":
        return {"cluster": number("cluster"), "face": number("face")}
    if action == "link":
        return {"cluster": number("cluster"), "person": number("person")}
    raise NotFound(f"no review action {action!r}")


@router.get("/search")
def search_page(request: Request, c: Page) -> Response:
    return render(request, "search.html", c)


@router.get("/notifications")
def notifications_page(request: Request, svc: Svc, c: Page) -> Response:
    with svc.ctx.db.session() as s:
        notes = notifications.notification_rows(s, c.principal)
    return render(request, "notifications.html", c, notes=notes)


@router.post("/notifications/read-all")
def notifications_read_all(svc: Svc, c: FormWho) -> Response:
    with svc.ctx.db.session() as s:
        notifications.mark_all_read(s, c.principal)
    return back("/notifications")


@router.post("/notifications/{notification_id}/read")
def notification_read(notification_id: RowId, svc: Svc, c: FormWho) -> Response:
    with svc.ctx.db.session() as s:
        notifications.mark_read(s, c.principal, notification_id)
    return back("/notifications")


# --- account and administration ---------------------------------------------------------------


@router.get("/account")
def account_page(request: Request, svc: Svc, c: Page, new_token: str | None = None) -> Response:
    tokens = auth.list_tokens(svc, c.principal)
    return render(request, "account.html", c, tokens=tokens, new_token=new_token)


@router.post("/account/password")
def account_password(request: Request, svc: Svc, c: FormWho,
                     current_password: Annotated[str, Form()],
                     new_password: Annotated[str, Form()]) -> Response:
    try:
        revoked = auth.change_password(svc, client_ip(request), c, current_password,
                                       new_password)
    except TesseraError as exc:
        return render(request, "account.html", c, status=400,
                      tokens=auth.list_tokens(svc, c.principal), password_error=str(exc))
    return render(request, "account.html", c, tokens=auth.list_tokens(svc, c.principal),
                  password_changed=revoked)


@router.post("/account/recovery-codes")
def account_recovery_codes(request: Request, svc: Svc, c: FormWho,
                           code: Annotated[str, Form()]) -> Response:
    try:
        codes = auth.new_recovery_codes(svc, c, code)
    except TesseraError as exc:
        return render(request, "account.html", c, status=400,
                      tokens=auth.list_tokens(svc, c.principal), codes_error=str(exc))
    return render(request, "recovery.html", c, codes=codes)


@router.post("/account/tokens")
def account_token(request: Request, svc: Svc, c: FormWho,
                  name: Annotated[str, Form()]) -> Response:
    created = auth.create_token(svc, c.principal, name[:100] or "token")
    return render(request, "account.html", c, tokens=auth.list_tokens(svc, c.principal),
                  new_token=created["token"])


@router.get("/admin/agencies")
def agencies_page(request: Request, svc: Svc, c: Page) -> Response:
    with svc.ctx.db.session() as s:
        rows = [accounts.agency_row(a) for a in repos.list_agencies(s)]
    return render(request, "agencies.html", c, agencies=rows,
                  can_create=can(c.principal, Action.MANAGE_AGENCIES))


@router.post("/admin/agencies")
def agencies_create(svc: Svc, c: FormWho, code: Annotated[str, Form()],
                    name: Annotated[str, Form()], country: Annotated[str, Form()],
                    contact: Annotated[str, Form()] = "",
                    default_sharing: Annotated[str, Form()] = "hash-only") -> Response:
    with svc.ctx.db.session() as s:
        accounts.create_agency(s, c.principal, code.strip(), name.strip(), country.strip(),
                               contact.strip() or None, default_sharing)
    return back("/admin/agencies")


@router.post("/admin/agencies/{agency_id}")
def agencies_edit(agency_id: RowId, svc: Svc, c: FormWho,
                  contact: Annotated[str, Form()] = "",
                  default_sharing: Annotated[str, Form()] = "",
                  grading_votes: Annotated[int | None, Form(ge=1, le=3)] = None,
                  partner_consent: Annotated[str, Form(pattern="^(|yes|no)$")] = "") -> Response:
    with svc.ctx.db.session() as s:
        accounts.update_agency(s, c.principal, agency_id, contact=contact.strip() or None,
                               default_sharing=default_sharing or None,
                               grading_votes=grading_votes,
                               partner_consent={"yes": True, "no": False}.get(partner_consent))
    return back("/admin/agencies")


@router.get("/admin/users")
def users_page(request: Request, svc: Svc, c: Page) -> Response:
    with svc.ctx.db.session() as s:
        users = [{**accounts.user_row(u), "may": accounts.may_edit(c.principal, u)}
                 for u in accounts.list_users(s, c.principal)]
        agencies = [a.code for a in repos.list_agencies(s)
                    if c.principal.role is Role.ADMIN or a.id == c.principal.agency_id]
    return render(request, "users.html", c, users=users, agencies=agencies,
                  roles=[r.value for r in Role])


@router.post("/admin/users")
def users_create(svc: Svc, c: FormWho, username: Annotated[str, Form()],
                 password: Annotated[str, Form()], agency: Annotated[str, Form()],
                 role: Annotated[str, Form()], display_name: Annotated[str, Form()] = "",
                 totp_required: Annotated[bool, Form()] = False) -> Response:
    with svc.ctx.db.session() as s:
        accounts.create_user(s, c.principal, username.strip(), password, agency, role,
                             display_name.strip() or None, totp_required)
    return back("/admin/users")


@router.post("/admin/users/{user_id}")
def users_edit(user_id: RowId, svc: Svc, c: FormWho, action: Annotated[str, Form()],
               role: Annotated[str, Form()] = "",
               password: Annotated[str, Form(max_length=1000)] = "") -> Response:
    actions: dict[str, dict[str, Any]] = {
        "unlock": {"unlock": True}, "disable": {"disabled": True},
        "enable": {"disabled": False}, "require_totp": {"totp_required": True},
        "optional_totp": {"totp_required": False}, "reset_totp": {"reset_totp": True},
        "role": {"role": role}, "password": {"password": password},
    }
    changes = actions.get(action, {})
    if not changes:
        raise TesseraError(f"unknown action {action!r}")
    if action == "password" and not password:
        raise TesseraError("give the new password")
    with svc.ctx.db.session() as s:
        user = accounts.update_user(s, c.principal, user_id, **changes)
        name = user.username
    if action == "unlock":
        svc.throttle.forget(name)
    return back("/admin/users")


@router.get("/admin/audit")
def audit_page(request: Request, svc: Svc, c: Page, actor: str = "", action: str = "",
               agency: str = "", outcome: str = "",
               before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    filters = {"actor": actor or None, "action": action or None, "agency": agency or None,
               "outcome": outcome or None}
    with svc.ctx.db.session() as s:
        rows = accounts.browse_audit(s, c.principal, limit=100, before_id=before_id, **filters)
        checkpoint = accounts.last_checkpoint(s, c.principal)
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    return render(request, "audit.html", c, events=rows, filters=filters, query=query,
                  checkpoint=checkpoint)

