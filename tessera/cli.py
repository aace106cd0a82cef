"""The ``tessera`` command: each command parses, calls one service function, renders."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from tessera.config import Settings
from tessera.context import Context, default_actor
from tessera.core.errors import TesseraError
from tessera.core.words import file_count

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(help="Tessera: de-conflict seized media against a shared database.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
agency_app = typer.Typer(help="Agencies that own series and submit media.", no_args_is_help=True)
series_app = typer.Typer(help="Series and their identification status.", no_args_is_help=True)
media_app = typer.Typer(help="Stored media.", no_args_is_help=True)
jobs_app = typer.Typer(help="Ingest jobs and their per-file outcome.", no_args_is_help=True)
index_app = typer.Typer(help="Similarity indexes.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Accounts of the web service.", no_args_is_help=True)
search_app = typer.Typer(help="Search what the database knows.", no_args_is_help=True)
for sub, name in ((agency_app, "agency"), (series_app, "series"), (media_app, "media"),
                  (jobs_app, "jobs"), (index_app, "index"), (audit_app, "audit"), (db_app, "db"),
                  (user_app, "user"), (search_app, "search")):
    app.add_typer(sub, name=name)

out = Console(soft_wrap=True)
err = Console(stderr=True)


def command(group: typer.Typer, name: str | None = None, **kw: Any) -> Callable[[F], F]:
    """Register a command whose user-facing errors print one line, not a traceback."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except TesseraError as exc:
                err.print(f"[bold red]error:[/] {exc}")
                raise typer.Exit(exc.exit_code) from None

        group.command(name, **kw)(wrapper)
        return fn

    return decorate


def _context() -> Context:
    return Context.open(Settings.from_env())


def _progress():
    from tessera.cli_progress import RichProgress

    return RichProgress(err)


# --- set-up ---------------------------------------------------------------------------------


@command(app)
def init() -> None:
    """Create the data folder (TESSERA_HOME), its encryption key and the database schema."""
    from tessera.store.bootstrap import initialise

    result = initialise(Settings.from_env(), default_actor())
    out.print(f"Tessera data folder: {result['home']}")
    out.print(f"Evidence key: {result['key']}"
              + (" (created)" if result["key_created"] else " (kept)"))
    out.print(f"Database: {result['database']}")


@command(db_app, "upgrade")
def db_upgrade() -> None:
    """Apply pending schema migrations."""
    from tessera.store.bootstrap import upgrade_home

    result = upgrade_home(Settings.from_env(), default_actor())
    if result["audit_rekeyed"]:
        out.print(f"audit trail re-keyed: {result['audit_rekeyed']:,} events now chained "
                  "with the audit key")
    out.print("database schema is current")


# --- agencies -------------------------------------------------------------------------------


@command(agency_app, "add")
def agency_add(code: str, name: str,
               country: Annotated[str, typer.Option(help="ISO 3166 alpha-2 code")],
               contact: Annotated[str | None, typer.Option(help="who to call")] = None) -> None:
    """Add an agency (national unit) that can own series and submit media."""
    from tessera.store import audit, repos

    if len(country) != 2 or not country.isalpha():
        raise TesseraError("--country must be a two-letter ISO 3166 code, e.g. AU")
    ctx = _context()
    with ctx.db.session() as s:
        agency = repos.add_agency(s, code, name, country, contact)
        audit.append(s, ctx.actor, "agency.add", f"agency:{code}", agency=code,
                     details={"name": name, "country": agency.country})
    out.print(f"added agency {code} ({name}, {country.upper()})")


@command(agency_app, "list")
def agency_list() -> None:
    """List agencies."""
    from tessera.store import repos

    ctx = _context()
    table = Table("code", "name", "country", "contact")
    with ctx.db.session() as s:
        for a in repos.list_agencies(s):
            table.add_row(a.code, a.name, a.country, a.contact or "")
    out.print(table)


# --- ingest and de-conflict -----------------------------------------------------------------


@command(app)
def ingest(source: Annotated[Path, typer.Argument(help="file, folder or zip archive")],
           agency: Annotated[str, typer.Option(help="submitting agency code")],
           case: Annotated[str | None, typer.Option(help="case reference")] = None,
           series: Annotated[str | None, typer.Option(help="series these files belong to")] = None,
           workers: Annotated[int | None, typer.Option(help="parallel workers")] = None) -> None:
    """Store every file of SOURCE as evidence. Re-running an interrupted ingest resumes it."""
    from tessera.pipeline.ingest import ingest as run_ingest

    ctx = _context()
    if workers:
        ctx.settings = _with_workers(ctx.settings, workers)
    summary = run_ingest(ctx, source, agency, case, series, progress=_progress())
    verb = "resumed" if summary.resumed else "ran"
    out.print(f"job {summary.job_id} {verb}: {file_count(summary.files)} processed"
              f" ({summary.already_done:,} already done before), {summary.new_media:,} new media, "
              f"{summary.known_media:,} already known, {len(summary.errors):,} errors "
              f"in {summary.seconds:.1f}s")
    for path, code, message in summary.errors[:50]:
        err.print(f"  [yellow]{code}[/] {path}: {message}")
    if len(summary.errors) > 50:
        err.print(f"  … {len(summary.errors) - 50} more: `tessera jobs show {summary.job_id}`")


def _with_workers(settings: Settings, workers: int) -> Settings:
    from dataclasses import replace

    return replace(settings, workers=max(1, workers))


@command(app)
def deconflict(
    source: Annotated[Path, typer.Argument(help="file, folder or zip archive of the seizure")],
    agency: Annotated[str, typer.Option(help="requesting agency code")],
    report: Annotated[Path | None, typer.Option(help="write the HTML report here")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="write JSON here")] = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="write CSV here")] = None,
    do_ingest: Annotated[bool, typer.Option("--ingest", help="also store the seizure")] = False,
    case: Annotated[str | None, typer.Option(help="case reference (with --ingest)")] = None,
    series: Annotated[str | None, typer.Option(help="series (with --ingest)")] = None,
    thumbnails: Annotated[bool, typer.Option(
        help="embed blurred greyscale previews in the HTML report (off by default: a report "
             "meant to travel holds no pictures)")] = False,
    workers: Annotated[int | None, typer.Option(help="parallel workers")] = None,
    outputs: Annotated[list[str] | None, typer.Option(
        "--out", help="FORMAT=PATH: write the report in any registered format "
                      "(json, csv, html, …); repeatable")] = None,
) -> None:
    """Tell what of SOURCE is already known: exact, near-duplicate, new or unreadable."""
    from tessera.pipeline.deconflict import IngestRequest
    from tessera.pipeline.deconflict import deconflict as run
    from tessera.reports.renderers import renderer

    if (case or series) and not do_ingest:
        raise TesseraError("--case and --series only apply with --ingest")
    wanted = [("html", report), ("json", json_path), ("csv", csv_path)]
    for spec in outputs or []:
        fmt, sep, where = spec.partition("=")
        if not sep or not where:
            raise TesseraError(f"--out takes FORMAT=PATH, got {spec!r}")
        wanted.append((fmt.strip(), Path(where)))
    chosen = [(renderer(fmt), path) for fmt, path in wanted if path is not None]
    ctx = _context()
    if workers:
        ctx.settings = _with_workers(ctx.settings, workers)
    request = IngestRequest(case, series) if do_ingest else None
    result = run(ctx, source, agency, thumbnails=thumbnails and bool(chosen),
                 ingest=request, progress=_progress())
    for line in result.lines:
        out.print(line)
    for chosen_format, path in chosen:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(chosen_format.render(result))
        out.print(f"{chosen_format.name.upper()} report: {path}")


@command(app)
def verify() -> None:
    """Re-check every stored original against its SHA-256; exit 5 if any fails."""
    from tessera.pipeline.verify import verify_evidence

    report = verify_evidence(_context(), progress=_progress())
    for media_id, sha256, problem in report.problems:
        err.print(f"[bold red]FAILED[/] media {media_id} {sha256}: {problem}")
    out.print(f"{report.checked:,} files checked, {len(report.problems):,} failed")
    if not report.ok:
        raise typer.Exit(5)


@command(app, "hash")
def hash_files(files: Annotated[list[Path], typer.Argument(help="files to hash")]) -> None:
    """Print each file's signals as JSON lines: digests, and every value each signal type
    found, under the media settings in force (TESSERA_FACES, TESSERA_VIDEO_FPS, …). A value
    placed in time or in the picture (video frames, faces) is a list entry with its place."""
    from tessera.media.sources import iter_items
    from tessera.pipeline.analyze import AnalyzeOptions, analyze_item

    settings = Settings.from_env()
    options = AnalyzeOptions(settings.limits, media=settings.media)
    failed = False
    for path in files:
        for item in iter_items(path, settings.limits):
            r = analyze_item(item, options, None)
            d = r.digests
            record: dict[str, Any] = {"path": r.path, "md5": d.md5 if d else None,
                                      "sha1": d.sha1 if d else None,
                                      "sha256": d.sha256 if d else None,
                                      "size": d.size if d else None}
            if r.info:
                record.update(mime=r.info.mime, kind=r.info.kind.value, width=r.info.width,
                              height=r.info.height)
                for sig in r.info.signals:
                    key = sig.type if sig.region == "full" else f"{sig.type}_{sig.region}"
                    if sig.start is not None or sig.detail:  # placed: one entry per value
                        entry: dict[str, Any] = {"quality": sig.quality, "value": sig.hex}
                        if sig.start is not None:
                            entry.update(frame=sig.frame, start=sig.start, span=sig.span)
                        if sig.detail:
                            entry["detail"] = dict(sig.detail)
                        record.setdefault(key, []).append(entry)
                        continue
                    if key in record:  # a second value of a one-value type: keep both
                        key = f"{key}_{sum(k.startswith(key) for k in record) // 2 + 1}"
                    record[key] = sig.hex
                    record[f"{key}_quality"] = sig.quality
            if r.warnings:
                record["warnings"] = r.warnings
            if not r.ok:
                failed = True
                record["error_code"], record["error"] = r.error_code, r.error
            sys.stdout.write(json.dumps(record) + "\n")
    if failed:
        raise typer.Exit(1)


# --- series and media -----------------------------------------------------------------------


@command(series_app, "list")
def series_list() -> None:
    """List series with owner, status and size."""
    from tessera.store import repos

    ctx = _context()
    table = Table("series", "owner", "country", "victim", "offender", "media")
    with ctx.db.session() as s:
        for series, n in repos.list_series(s):
            table.add_row(series.name, series.owner.code, series.owner.country,
                          series.victim_status, series.offender_status, f"{n:,}")
    out.print(table)


@command(series_app, "show")
def series_show(name: str, limit: Annotated[int, typer.Option(help="media to list")] = 50,
                agency: Annotated[str | None, typer.Option(
                    help="owning agency, where several have a series of that name")] = None,
                ) -> None:
    """Show one series and its media."""
    from tessera.store import repos

    ctx = _context()
    with ctx.db.session() as s:
        series = repos.get_series(s, name, repos.get_agency(s, agency) if agency else None)
        owner = series.owner
        out.print(f"[bold]{series.name}[/]  owner {owner.code} ({owner.name}, {owner.country})"
                  + (f", contact {owner.contact}" if owner.contact else ""))
        out.print(f"victim: {series.victim_status}   offender: {series.offender_status}")
        table = Table("media", "sha256", "kind", "size", "dimensions", "first seen")
        media = repos.series_media(s, series.id, limit)
        for m in media:
            dims = f"{m.width}x{m.height}" if m.width else ""
            table.add_row(str(m.id), m.sha256[:16] + "…", m.kind, f"{m.size:,}", dims,
                          m.first_seen.strftime("%Y-%m-%d %H:%M"))
        out.print(table)


@command(series_app, "set-status")
def series_set_status(
    name: str,
    victim: Annotated[str | None, typer.Option(help="unidentified|identified|safeguarded")] = None,
    offender: Annotated[str | None, typer.Option(help="unknown|identified|arrested")] = None,
    agency: Annotated[str | None, typer.Option(
        help="owning agency, where several have a series of that name")] = None,
) -> None:
    """Record the identification status of a series' victim and/or offender."""
    from tessera.entities.series import set_status

    result = set_status(_context(), name, victim, offender, agency)
    out.print(f"{result['series']}: victim {result['victim']}, offender {result['offender']}")


@command(media_app, "show")
def media_show(media_id: int) -> None:
    """Show one media file: hashes, signals, metadata, submissions and series."""
    from tessera.store import audit, repos

    ctx = _context()
    with ctx.db.session() as s:
        m = repos.get_media(s, media_id)
        series = repos.series_for_media(s, [m.id])[m.id]
        record = {
            "id": m.id, "sha256": m.sha256, "sha1": m.sha1, "md5": m.md5, "kind": m.kind,
            "mime": m.mime, "size": m.size, "width": m.width, "height": m.height,
            "first_seen": m.first_seen.isoformat(), "metadata": m.meta,
            "signals": [{"type": x.type, "version": x.version, "region": x.region,
                         "value": x.value.hex(), "quality": x.quality, "start": x.t_start,
                         "span": x.t_span} for x in m.signals],
            "keyframes": [d.t_start for d in repos.derivatives_of(s, m.id, "keyframe")],
            "transcript": [{"start": t.t_start, "end": t.t_end, "text": t.text,
                            "language": t.language} for t in repos.transcript_of(s, m.id)],
            "series": [{"name": x.name, "owner": x.owner.code,
                        "victim_status": x.victim_status} for x in series],
            "submissions": [{"agency": sub.agency.code,
                             "case": sub.case.reference if sub.case else None,
                             "series": sub.series.name if sub.series else None,
                             "path": sub.original_path,
                             "at": sub.submitted_at.isoformat()} for sub in m.submissions],
        }
        audit.append(s, ctx.actor, "media.view", f"media:{m.id}")
    out.print_json(json.dumps(record))


@command(search_app, "text")
def search_text(text: Annotated[str, typer.Argument(help="words that must all be said")],
                limit: int = typer.Option(50, min=1, max=1000),
                as_json: bool = typer.Option(False, "--json", help="JSON lines")) -> None:
    """Find recorded speech: every transcript segment that contains all the words."""
    from tessera.core.timecode import timecode
    from tessera.store import audit, repos

    ctx = _context()
    with ctx.db.session() as s:
        found = repos.search_transcripts(s, text, limit)
        series = repos.series_for_media(s, [x.media_id for x in found])
        owners = repos.media_owners(s, [x.media_id for x in found])
        audit.append(s, ctx.actor, "search.text", None, details={"text": text,
                                                                 "results": len(found)})
        rows: list[dict[str, Any]] = [
            {"media_id": x.media_id, "start": x.t_start, "end": x.t_end, "text": x.text,
             "language": x.language, "engine": x.engine,
             "series": [z.name for z in series.get(x.media_id, [])],
             "agencies": sorted({a.code for a in owners.get(x.media_id, [])})}
            for x in found]
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps(row) + "\n")
        return
    if not rows:
        out.print("no speech found with all of those words")
        return
    table = Table("media", "time", "said", "language", "series", "agencies")
    for row in rows:
        table.add_row(str(row["media_id"]),
                      f"{timecode(row['start'])}-{timecode(row['end'])}", row["text"],
                      row["language"] or "", ", ".join(row["series"]),
                      ", ".join(row["agencies"]))
    out.print(table)


# --- jobs, index, audit ---------------------------------------------------------------------


@command(jobs_app, "list")
def jobs_list() -> None:
    """Recent ingest jobs."""
    from tessera.store import repos

    ctx = _context()
    table = Table("job", "state", "agency", "source", "done", "errors", "started")
    with ctx.db.session() as s:
        for job in repos.list_jobs(s):
            counts = repos.job_counts(s, job.id)
            table.add_row(str(job.id), job.state, job.agency.code, job.source,
                          f"{counts.get('done', 0):,}", f"{counts.get('error', 0):,}",
                          job.created_at.strftime("%Y-%m-%d %H:%M"))
    out.print(table)


@command(jobs_app, "show")
def jobs_show(job_id: int) -> None:
    """Per-file errors of one job."""
    from tessera.store import repos

    ctx = _context()
    with ctx.db.session() as s:
        counts = repos.job_counts(s, job_id)
        out.print(f"job {job_id}: {counts.get('done', 0):,} done, {counts.get('error', 0):,} "
                  "errors")
        for item in repos.job_errors(s, job_id):
            out.print(f"  {item.error_code}  {item.path}: {item.error}")


@command(index_app, "rebuild")
def index_rebuild() -> None:
    """Rebuild every index (PDQ, faces) from the database."""
    ctx = _context()
    for index in ctx.indexes():
        index.rebuild()
        out.print(f"{index.space} index rebuilt: {len(index.index):,} entries")


@command(index_app, "status")
def index_status() -> None:
    """How much each index holds (catching up with the database first)."""
    ctx = _context()
    for index in ctx.indexes():
        out.print(f"{index.space} index: {len(index.index):,} entries, up to signal "
                  f"{index.max_id}" + (" (rebuilt now)" if index.rebuilt else ""))


@command(audit_app, "verify")
def audit_verify(
    checkpoints: Annotated[Path | None, typer.Option(
        help="an exported checkpoint file (tessera audit export) to verify against, "
             "instead of the data folder's own")] = None,
) -> None:
    """Check the audit chain and its signed checkpoints; exit 5 if events were edited,
    removed, truncated or the chain recomputed."""
    from tessera.store import audit

    ctx = _context()
    key, path = audit.read_export(checkpoints) if checkpoints else (None, None)
    with ctx.db.session() as s:
        report = audit.verify(s, path, key)
    for problem in report.problems:
        err.print(f"[bold red]{problem}[/]")
    last = report.last_checkpoint
    out.print(f"{report.events:,} audit events, {report.checkpoints:,} checkpoints"
              + (f" (last: event {last.event} at {last.at})" if last else "")
              + f", chain {'intact' if report.ok else 'BROKEN'}")
    if not report.ok:
        raise typer.Exit(5)


@command(audit_app, "checkpoint")
def audit_checkpoint() -> None:
    """Sign the current head of the chain now (every commit also writes one)."""
    from tessera.store import audit

    ctx = _context()
    with ctx.db.session() as s:
        line = audit.write_checkpoint(s)
    out.print(f"checkpoint: event {line['event']}, head {line['head']}" if line
              else "no audit events yet")


@command(audit_app, "export")
def audit_export(
    output: Annotated[Path, typer.Option(help="file to write: public key + checkpoints")],
) -> None:
    """Export the signed checkpoints for another party, who verifies with
    `tessera audit verify --checkpoints FILE`."""
    from tessera.store import audit

    ctx = _context()
    assert ctx.db.audit is not None
    with ctx.db.session() as s:
        audit.write_checkpoint(s)
        audit.append(s, ctx.actor, "audit.export.checkpoints", str(output))
    output.write_text("".join(audit.export_checkpoints(ctx.db.audit)))
    out.print(f"checkpoints and public key written to {output}")


@command(audit_app, "list")
def audit_list(limit: Annotated[int, typer.Option(help="newest N events")] = 50) -> None:
    """The newest audit events."""
    from sqlalchemy import select

    from tessera.store.tables import AuditEvent

    ctx = _context()
    table = Table("id", "at", "actor", "agency", "action", "object", "outcome")
    with ctx.db.session() as s:
        for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)):
            table.add_row(str(e.id), e.at.strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.agency or "",
                          e.action, e.object or "", e.outcome)
    out.print(table)


# --- the service ------------------------------------------------------------------------------


@command(app)
def serve(host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="TCP port")] = 8000) -> None:
    """Run the web service (REST API under /api, OpenAPI at /api/docs, web UI at /)."""
    import uvicorn

    from tessera.server import create_app

    settings = Settings.from_env()
    app_ = create_app(settings)
    out.print(f"Tessera on http://{host}:{port}  (data: {settings.home})")
    proxies = settings.service.trusted_proxies  # only they may say who the client is
    uvicorn.run(app_, host=host, port=port, log_level="info", proxy_headers=bool(proxies),
                forwarded_allow_ips=proxies or None, server_header=False)


@command(user_app, "add")
def user_add(username: str,
             agency: Annotated[str, typer.Option(help="agency code")],
             role: Annotated[str, typer.Option(
                 help="admin | agency-admin | investigator | viewer")] = "investigator",
             require_totp: Annotated[bool, typer.Option(help="ask for a TOTP code")] = False,
             ) -> None:
    """Add a user with a generated password (printed once)."""
    import secrets

    from tessera.access import identity
    from tessera.access.policy import Role
    from tessera.store import audit, repos

    try:
        wanted = Role(role)
    except ValueError:
        raise TesseraError(f"--role must be one of {', '.join(r.value for r in Role)}") from None
    password = secrets.token_urlsafe(15)
    ctx = _context()
    with ctx.db.session() as s:
        identity.create_user(s, username, password, repos.get_agency(s, agency), wanted,
                             totp_required=require_totp)
        audit.append(s, ctx.actor, "user.create", f"user:{username}", agency=agency,
                     details={"role": wanted.value, "totp_required": require_totp})
    out.print(f"added {wanted.value} {username} of {agency}; password: {password}")


@command(user_app, "list")
def user_list() -> None:
    """Users, their agency, role and state."""
    from sqlalchemy import select

    from tessera.service.accounts import user_row
    from tessera.store.tables import User

    ctx = _context()
    table = Table("user", "agency", "role", "second factor", "state")
    with ctx.db.session() as s:
        for u in s.scalars(select(User).order_by(User.username)):
            row = user_row(u)
            table.add_row(u.username, row["agency"], u.role,
                          "enrolled" if row["totp_enrolled"] else
                          ("required" if u.totp_required else "optional"),
                          "disabled" if u.disabled else
                          f"active ({u.failed_logins} failed logins)" if u.failed_logins
                          else "active")
    out.print(table)


def _user(s: Any, username: str) -> Any:
    from sqlalchemy import select

    from tessera.store.tables import User

    user = s.scalar(select(User).where(User.username == username))
    if user is None:
        raise TesseraError(f"no user {username!r}")
    return user


@command(user_app, "unlock")
def user_unlock(username: str) -> None:
    """Clear the count of failed logins (the service's back-off is per client address and
    ends by itself within 15 minutes)."""
    from tessera.access import identity
    from tessera.store import audit

    ctx = _context()
    with ctx.db.session() as s:
        identity.unlock(_user(s, username))
        audit.append(s, ctx.actor, "user.edit", f"user:{username}", details={"unlocked": True})
    out.print(f"{username} unlocked")


@command(user_app, "reset-totp")
def user_reset_totp(username: str) -> None:
    """Forget a user's second factor and recovery codes: they enrol again at next login.
    Every session and token of the user is revoked."""
    from tessera.access import identity
    from tessera.store import audit

    ctx = _context()
    with ctx.db.session() as s:
        user = _user(s, username)
        identity.reset_second_factor(s, user)
        revoked = identity.revoke_credentials(s, user)
        audit.append(s, ctx.actor, "user.edit", f"user:{username}",
                     details={"totp": "reset: enrols again at next login", "revoked": revoked})
    out.print(f"{username}: second factor reset; {revoked} sessions and tokens revoked")


@command(user_app, "password")
def user_password(username: str) -> None:
    """Give a user a new random password (printed once); every session and token of the
    user is revoked."""
    import secrets as _secrets

    from tessera.access import identity
    from tessera.store import audit

    ctx = _context()
    password = _secrets.token_urlsafe(15)
    with ctx.db.session() as s:
        user = _user(s, username)
        user.password_hash = identity.hash_password(password)
        revoked = identity.revoke_credentials(s, user)
        audit.append(s, ctx.actor, "user.edit", f"user:{username}",
                     details={"password": "reset", "revoked": revoked})
    out.print(f"{username}: new password {password}  ({revoked} sessions and tokens revoked)")


@command(app)
def demo(output: Annotated[Path, typer.Option(help="where the demo writes")] = Path(
        "demo-output")) -> None:
    """Generate benign sample media, ingest known series, de-conflict a synthetic seizure."""
    from tessera.demo import run_demo

    run_demo(output, out)


from tessera.cli_faces import faces_app, person_app  # noqa: E402  (uses command, out)

app.add_typer(faces_app, name="faces")
app.add_typer(person_app, name="person")


def main() -> None:
    os.umask(0o077)  # everything Tessera writes (database, keys, reports) is private to its user
    app()


if __name__ == "__main__":
    main()
