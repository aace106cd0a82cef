"""Seized media, from the command line: ingest as evidence, or de-conflict (and optionally
keep). The same pipeline runs the service's uploads (``service.tasks``); here the principal's
agency is the submitting one and the policy is asked first."""

from __future__ import annotations

from pathlib import Path

from tessera.access.policy import Action, Principal, require
from tessera.context import Context
from tessera.pipeline.deconflict import IngestRequest, Matched
from tessera.pipeline.deconflict import deconflict as run_deconflict
from tessera.pipeline.ingest import IngestSummary
from tessera.pipeline.ingest import ingest as run_ingest
from tessera.pipeline.progress import Progress
from tessera.reports.model import Report
from tessera.service import categories, links
from tessera.store import repos


def ingest(ctx: Context, p: Principal, source: Path, case: str | None, series: str | None,
           progress: Progress | None = None) -> IngestSummary:
    """Store every file of ``source`` for ``p``'s agency (resuming an interrupted run)."""
    require(p, Action.UPLOAD)
    summary = run_ingest(ctx, source, p.agency_code, case, series, progress=progress)
    if series:
        with ctx.db.session() as s:
            agency_id = repos.get_agency(s, p.agency_code).id
        links.suggest_for_job(ctx, summary.job_id, agency_id, actor=p.actor)
    return summary


def deconflict(ctx: Context, p: Principal, source: Path, *, thumbnails: bool = False,
               keep: IngestRequest | None = None,
               progress: Progress | None = None) -> Report:
    """What of ``source`` is already known, for ``p``'s agency; with ``keep``, also stored."""
    require(p, Action.UPLOAD)

    def stored(matched: Matched, summary: IngestSummary) -> None:
        with ctx.db.session() as s:
            categories.precategorise_matched(s, p, matched)
            agency_id = repos.get_agency(s, p.agency_code).id
        links.suggest_for_job(ctx, summary.job_id, agency_id, actor=p.actor, matched=matched)

    return run_deconflict(ctx, source, p.agency_code, thumbnails=thumbnails, ingest=keep,
                          progress=progress, on_stored=stored)
