"""``tessera series``, ``media``, ``search`` and ``jobs``: what the database holds."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from tessera.cli.common import app, command, open_context, operator, out
from tessera.core.errors import TesseraError

series_app = typer.Typer(help="Series and their identification status.", no_args_is_help=True)
app.add_typer(series_app, name="series")
media_app = typer.Typer(help="Stored media.", no_args_is_help=True)
app.add_typer(media_app, name="media")
device_app = typer.Typer(help="Cameras and phones known by their serial number.",
                         no_args_is_help=True)
app.add_typer(device_app, name="device")
search_app = typer.Typer(help="Search what the database knows.", no_args_is_help=True)
app.add_typer(search_app, name="search")
jobs_app = typer.Typer(help="Ingest jobs and their per-file outcome.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")


@command(series_app, "list")
def series_list() -> None:
    """List series with owner, status and size."""
    from tessera.service import views

    ctx = open_context()
    table = Table("series", "owner", "country", "victim", "offender", "media")
    with ctx.db.session() as s:
        rows = views.list_series(s, operator(ctx))
    for x in rows:
        table.add_row(x["name"], x["owner"], x["country"], x["victim_status"],
                      x["offender_status"], f"{x['media_count'] or 0:,}")
    out.print(table)


@command(series_app, "show")
def series_show(name: str, limit: Annotated[int, typer.Option(help="media to list")] = 50,
                agency: Annotated[str | None, typer.Option(
                    help="owning agency, where several have a series of that name")] = None,
                ) -> None:
    """Show one series and its media."""
    from tessera.service import views

    ctx = open_context()
    p = operator(ctx)
    with ctx.db.session() as s:
        x = views.series_detail(s, p, views.series_named(s, p, name, agency).id, limit=limit)
    out.print(f"[bold]{x['name']}[/]  owner {x['owner']} ({x['owner_name']}, {x['country']})"
              + (f", contact {x['contact']}" if x["contact"] else ""))
    out.print(f"victim: {x['victim_status']}   offender: {x['offender_status']}")
    for c in x["history"]:  # the identification, step by step
        out.print(f"  {c['at'][:16]}  {c['subject']} {c['before']} → {c['after']}  "
                  f"by {c['by']} ({c['agency']})" + (f": {c['note']}" if c["note"] else ""))
    table = Table("media", "sha256", "kind", "size", "dimensions")
    for m in x["media"]:
        dims = f"{m['width']}x{m['height']}" if m["width"] else ""
        digest = m["sha256"][:16] + "…" if m["sha256"] else \
            f"hash only, md5 {(m['md5'] or '-')[:12]}…"
        table.add_row(str(m["id"]), digest, m["kind"], f"{m['size']:,}", dims)
    out.print(table)


@command(series_app, "set-status")
def series_set_status(
    name: str,
    victim: Annotated[str | None, typer.Option(
        help="unidentified|in-progress|identified|safeguarded")] = None,
    offender: Annotated[str | None, typer.Option(
        help="unknown|identified|arrested|convicted")] = None,
    agency: Annotated[str | None, typer.Option(
        help="owning agency, where several have a series of that name")] = None,
    note: Annotated[str | None, typer.Option(help="why: kept in the series' history")] = None,
) -> None:
    """Record the identification status of a series' victim and/or offender."""
    from tessera.service import views

    if victim is None and offender is None:
        raise TesseraError("give --victim and/or --offender")
    ctx = open_context()
    p = operator(ctx)
    with ctx.db.session() as s:
        x = views.edit_series(s, p, views.series_named(s, p, name, agency).id, victim=victim,
                              offender=offender, note=note)
        shown = f"{x.name}: victim {x.victim_status}, offender {x.offender_status}"
    out.print(shown)


@command(media_app, "show")
def media_show(media_id: int) -> None:
    """Show one media file as the API does: hashes, signals, metadata, transcript,
    submissions, series and similar media."""
    from tessera.service import views

    ctx = open_context()
    with ctx.db.session() as s:
        record = views.media_detail(ctx, s, operator(ctx), media_id)
    out.print_json(json.dumps(record))


@command(search_app, "text")
def search_text(text: Annotated[str, typer.Argument(help="words that must all be said")],
                limit: int = typer.Option(50, min=1, max=1000),
                as_json: bool = typer.Option(False, "--json", help="JSON lines")) -> None:
    """Find recorded speech: every transcript segment that contains all the words."""
    from tessera.core.timecode import timecode
    from tessera.service import views

    ctx = open_context()
    with ctx.db.session() as s:
        rows = views.search_speech(s, operator(ctx), text, limit)
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


@command(jobs_app, "list")
def jobs_list() -> None:
    """Recent ingest jobs."""
    from tessera.store import repos

    ctx = open_context()
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

    ctx = open_context()
    with ctx.db.session() as s:
        counts = repos.job_counts(s, job_id)
        out.print(f"job {job_id}: {counts.get('done', 0):,} done, {counts.get('error', 0):,} "
                  "errors")
        for item in repos.job_errors(s, job_id):
            out.print(f"  {item.error_code}  {item.path}: {item.error}")


@command(device_app, "show")
def device_show(device_id: Annotated[int | None, typer.Argument()] = None,
                serial: Annotated[str | None, typer.Option(
                    help="the serial number in the files' EXIF")] = None) -> None:
    """A camera by its id or serial number: the series it shot."""
    from tessera.core.errors import TesseraError
    from tessera.service import devices
    from tessera.store.repos import facts

    ctx = open_context()
    with ctx.db.session() as s:
        if device_id is None:
            found = facts.devices_by_serial(s, serial or "")
            if len(found) != 1:
                raise TesseraError(f"{len(found)} devices have serial {serial!r}")
            device_id = found[0].id
        row = devices.device_detail(s, operator(ctx), device_id)
    out.print(f"[bold]{row['make']} {row['model']}[/]  serial {row['serial']}, "
              f"{row['files']} file(s) readable")
    for x in row["series"]:
        count = f": {x['files']} file(s)" if x["files"] is not None else ""
        out.print(f"  {x['words']} ({x['agency']}){count}")
