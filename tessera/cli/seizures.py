"""``tessera ingest``, ``deconflict``, ``verify`` and ``hash``: what is done to seized media."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from tessera.cli.common import app, command, err, open_context, operator, out, progress
from tessera.config import Settings
from tessera.context import Context
from tessera.core.errors import TesseraError
from tessera.core.words import file_count

Cluster = Annotated[str | None, typer.Option(
    help="analyse on a dask.distributed cluster (its scheduler, e.g. tcp://host:8786) whose "
         "workers see SOURCE at the same path")]


@command(app)
def ingest(source: Annotated[Path, typer.Argument(help="file, folder or zip archive")],
           agency: Annotated[str, typer.Option(help="submitting agency code")],
           case: Annotated[str | None, typer.Option(help="case reference")] = None,
           series: Annotated[str | None, typer.Option(help="series these files belong to")] = None,
           workers: Annotated[int | None, typer.Option(help="parallel workers")] = None,
           cluster: Cluster = None) -> None:
    """Store every file of SOURCE as evidence. Re-running an interrupted ingest resumes it."""
    from tessera.service import seizures

    ctx = open_context()
    _set_runner(ctx, workers, cluster)
    summary = seizures.ingest(ctx, operator(ctx, agency), source, case, series, progress())
    verb = "resumed" if summary.resumed else "ran"
    out.print(f"job {summary.job_id} {verb}: {file_count(summary.files)} processed"
              f" ({summary.already_done:,} already done before), {summary.new_media:,} new media, "
              f"{summary.known_media:,} already known, {len(summary.errors):,} errors "
              f"in {summary.seconds:.1f}s")
    for path, code, message in summary.errors[:50]:
        err.print(f"  [yellow]{code}[/] {path}: {message}")
    if len(summary.errors) > 50:
        err.print(f"  … {len(summary.errors) - 50} more: `tessera jobs show {summary.job_id}`")


def _set_runner(ctx: Context, workers: int | None, cluster: str | None) -> None:
    """Where analysis runs: local workers (``--workers``), or a Dask cluster."""
    from dataclasses import replace

    if workers:
        ctx.settings = replace(ctx.settings, workers=max(1, workers))
    if cluster:
        from tessera.core.dask_runner import DaskRunner

        ctx.use_runner(DaskRunner(cluster))


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
    cluster: Cluster = None,
    outputs: Annotated[list[str] | None, typer.Option(
        "--out", help="FORMAT=PATH: write the report in any registered format "
                      "(json, csv, html, …); repeatable")] = None,
) -> None:
    """Tell what of SOURCE is already known: exact, near-duplicate, new or unreadable."""
    from tessera.pipeline.deconflict import IngestRequest
    from tessera.reports.renderers import renderer
    from tessera.service import seizures

    if (case or series) and not do_ingest:
        raise TesseraError("--case and --series only apply with --ingest")
    wanted = [("html", report), ("json", json_path), ("csv", csv_path)]
    for spec in outputs or []:
        fmt, sep, where = spec.partition("=")
        if not sep or not where:
            raise TesseraError(f"--out takes FORMAT=PATH, got {spec!r}")
        wanted.append((fmt.strip(), Path(where)))
    chosen = [(renderer(fmt), path) for fmt, path in wanted if path is not None]
    ctx = open_context()
    _set_runner(ctx, workers, cluster)
    request = IngestRequest(case, series) if do_ingest else None
    result = seizures.deconflict(ctx, operator(ctx, agency), source,
                                 thumbnails=thumbnails and bool(chosen), keep=request,
                                 progress=progress())
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

    report = verify_evidence(open_context(), progress=progress())
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
