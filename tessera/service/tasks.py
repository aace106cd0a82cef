"""Background de-confliction jobs for the service: queued in the database, run one at a time by
a worker thread, followed through their progress and cancellable.

A task's uploaded files wait in a private staging folder until the task ends, sealed with the
evidence key (never in the clear on disk; analysis decrypts them as it reads). On start-up the
runner re-queues tasks that a stopped server left queued or running; storing resumes through
the ingest ledger, so no finished work is lost or doubled.
"""

from __future__ import annotations

import base64
import logging
import shutil
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tessera.access.identity import principal_of
from tessera.access.policy import Action, Principal, Target, require
from tessera.context import Context
from tessera.core.errors import NotFound, TesseraError
from tessera.core.paths import raw_b64, restore, shown
from tessera.core.types import Digests, FileResult, MediaInfo, MediaKind
from tessera.matching.hits import Hit
from tessera.pipeline.deconflict import IngestRequest, Matched, match_source, store_results
from tessera.pipeline.ingest import key_of
from tessera.reports.build import build_report
from tessera.reports.model import Report
from tessera.service import categories, links, notifications
from tessera.store import audit, repos
from tessera.store.repos import tasks as task_repo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tessera.store.tables import Task

log = logging.getLogger(__name__)
ACTIVE = ("queued", "running")


class Cancelled(Exception):
    """Raised inside a running task when its cancellation was asked for."""


class Interrupted(Exception):
    """Raised inside a running task when the server stops: the task runs again on next start."""


class TaskProgress:
    """Writes a task's progress to its row (at most once a second) and stops it on request."""

    def __init__(self, ctx: Context, task_id: int, cancel: threading.Event,
                 halt: threading.Event) -> None:
        self.ctx, self.task_id, self.cancel, self.halt = ctx, task_id, cancel, halt
        self.done, self.last = 0, 0.0

    def start(self, total: int | None, description: str) -> None:
        """A new stage: ``done`` of ``total`` count its files from 0."""
        self.done, self.last = 0, 0.0
        with self.ctx.db.session() as s:
            task = task_repo.get(s, self.task_id)
            assert task is not None
            task.total, task.done = total, 0
            task.stage, task.stage_started_at = description, datetime.now(UTC)

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.halt.is_set():
            raise Interrupted
        if time.monotonic() - self.last < 1.0 and not self.cancel.is_set():
            return
        self.last = time.monotonic()
        with self.ctx.db.session() as s:
            task = task_repo.get(s, self.task_id)
            assert task is not None
            task.done = self.done
            if task.cancel_requested:
                self.cancel.set()
        if self.cancel.is_set():
            raise Cancelled

    def stop(self) -> None:
        with self.ctx.db.session() as s:
            task = task_repo.get(s, self.task_id)
            assert task is not None
            task.done = self.done


# --- what a task keeps: per-file outcome and hits, no thumbnails, no other agency's details --


def _relative(path: str, staging: str) -> str:
    prefix = staging.rstrip("/") + "/"
    return path[len(prefix):] if path.startswith(prefix) else path


def encode_result(matched: Matched, staging: str) -> list[dict[str, Any]]:
    rows = []
    for r, hits in zip(matched.results, matched.near, strict=True):
        d = r.digests
        path = _relative(r.path, staging)
        rows.append({
            "path": shown(path), "path_raw": raw_b64(path), "error_code": r.error_code,
            "error": r.error and shown(r.error), "warnings": [shown(w) for w in r.warnings],
            "digests": [d.md5, d.sha1, d.sha256, d.size] if d else None,
            "mime": r.info.mime if r.info else None, "kind": r.info.kind.value if r.info else None,
            "exact": matched.exact.get(d.sha256) if d else None,
            "hits": [h.to_row() for h in hits],
        })
    return rows


def decode_result(rows: list[dict[str, Any]]) -> Matched:
    out = Matched()
    for row in rows:
        d = Digests(*row["digests"]) if row["digests"] else None
        info = MediaInfo(d.sha256, d.md5, d.sha1, d.size, row["mime"], MediaKind(row["kind"])) \
            if d and row["kind"] else None
        original = base64.b64decode(row["path_raw"]) if row.get("path_raw") else None
        out.results.append(FileResult(restore(row["path"], original), info=info, digests=d,
                                      error_code=row["error_code"], error=row["error"],
                                      warnings=row["warnings"]))
        if d and row["exact"] is not None:
            out.exact[d.sha256] = row["exact"]
        out.near.append([Hit.from_row(h) for h in row["hits"]])
    return out


# --- creating, following, cancelling --------------------------------------------------------


def staging_root(ctx: Context) -> Path:
    root = ctx.settings.home / "staging"
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


def create_task(ctx: Context, p: Principal, staging: Path, files: int, *, case: str | None,
                series: str | None, store: bool) -> int:
    require(p, Action.UPLOAD)
    if store and not (case or series):
        raise TesseraError("storing evidence needs a case reference or a series name")
    with ctx.db.session() as s:
        task = task_repo.add(s, agency_id=p.agency_id, user_id=p.user_id, case_ref=case or None,
                             series_name=series or None, store=store, staging=str(staging),
                             files=files)
        audit.append(s, p.actor, "upload", f"task:{task.id}", agency=p.agency_code,
                     details={"files": files, "case": case, "series": series, "store": store})
        return task.id


def pace(task: Task) -> tuple[float | None, float | None]:
    """Files a second in the current stage, and seconds it still needs (None: not known)."""
    started = task.stage_started_at
    if task.state != "running" or started is None or not task.done:
        return None, None
    started = started if started.tzinfo else started.replace(tzinfo=UTC)
    elapsed = max((datetime.now(UTC) - started).total_seconds(), 1e-3)
    rate = task.done / elapsed
    left = (task.total - task.done) / rate if task.total is not None else None
    return round(rate, 2), round(max(left, 0.0), 1) if left is not None else None


def task_row(task: Task) -> dict[str, Any]:
    """A job as the API and the pages show it."""
    rate, eta = pace(task)
    return {"id": task.id, "state": task.state, "files": task.files, "total": task.total,
            "done": task.done, "stage": task.stage, "rate": rate, "eta_seconds": eta,
            "case": task.case_ref, "series": task.series_name,
            "store": task.store, "counts": task.counts or {}, "error": task.error,
            "ingest_job": task.ingest_job_id,
            "cancel_requested": task.cancel_requested,
            "created_at": task.created_at.isoformat(),
            "finished_at": task.finished_at.isoformat() if task.finished_at else None}


def _load(s: Session, p: Principal, task_id: int) -> Task:
    task = task_repo.get(s, task_id)
    if task is None:
        raise NotFound(f"no job {task_id}")
    require(p, Action.VIEW_JOB, Target(task.agency_id), hide=True)
    return task


def get_task(ctx: Context, p: Principal, task_id: int) -> Task:
    with ctx.db.session() as s:
        task = _load(s, p, task_id)
        s.expunge(task)
        return task


def list_tasks(ctx: Context, p: Principal, limit: int = 50) -> list[Task]:
    with ctx.db.session() as s:
        rows = task_repo.of_agency(s, p.agency_id, limit)
        for row in rows:
            s.expunge(row)
        return list(rows)


def cancel_task(ctx: Context, p: Principal, task_id: int) -> None:
    with ctx.db.session() as s:
        task = _load(s, p, task_id)
        require(p, Action.CANCEL_JOB, Target(task.agency_id))
        if task.state in ACTIVE:
            task.cancel_requested = True
            if task.state == "queued":
                task.state, task.finished_at = "cancelled", datetime.now(UTC)
        audit.append(s, p.actor, "job.cancel", f"task:{task_id}", agency=p.agency_code)


def task_report(ctx: Context, p: Principal, task_id: int) -> Report:
    """The report as ``p`` may see it now (sharing changes since the run apply)."""
    task = get_task(ctx, p, task_id)
    if task.result is None:
        raise NotFound(f"job {task_id} has no report yet (state {task.state})")
    matched = decode_result(task.result)
    source = f"upload (job {task.id}" + (f", case {task.case_ref}" if task.case_ref else "") + ")"
    report = build_report(ctx.db, p.agency_code, source, ctx.thresholds(),
                          matched.results, matched.exact, matched.near, viewer=p)
    finished = task.finished_at or task.created_at  # the run's time, however often it is read
    finished = finished if finished.tzinfo else finished.replace(tzinfo=UTC)
    report = replace(report, generated_at=finished.isoformat(timespec="seconds"))
    with ctx.db.session() as s:
        audit.append_read(s, p.actor, "report.view", f"task:{task_id}", agency=p.agency_code)
    return report


# --- running ---------------------------------------------------------------------------------


def run_task(ctx: Context, task_id: int, cancel: threading.Event,
             halt: threading.Event | None = None) -> None:
    with ctx.db.session() as s:
        task = task_repo.get(s, task_id)
        if task is None or task.state not in ACTIVE:
            return
        task.state = "running"
        staging, store = Path(task.staging), task.store
        agency_code, user = task.agency.code, task.user.username
        agency_id = task.agency_id
        request = IngestRequest(task.case_ref, task.series_name)
    actx = replace(ctx, actor=f"user:{user}")
    ctx.refresh_indexes()
    try:
        matched = match_source(actx, staging, thumbnails=False, store_blobs=store,
                               progress=TaskProgress(actx, task_id, cancel,
                                                     halt or threading.Event()), sealed=True)
        for r in matched.results:  # the seized path inside the upload, not the server's
            r.path = _relative(r.path, str(staging))
        with ctx.db.session() as s:  # what an interrupted earlier run stored is its own
            matched = matched.without(repos.media_only_from_source(
                s, key_of(staging), matched.media_ids()))
        counts = build_report(ctx.db, agency_code, str(staging), ctx.thresholds(),
                              matched.results, matched.exact, matched.near).counts
        with ctx.db.session() as s:
            task = task_repo.get(s, task_id)
            assert task is not None
            if task.result is None:  # a run after a restart tells nobody twice
                task.result, task.counts = encode_result(matched, str(staging)), counts
                audit.append(s, actx.actor, "deconflict", f"task:{task_id}",
                             agency=agency_code, details=counts)
                notifications.notify_owners(s, task, matched)
        if store:
            stored = store_results(actx, staging, agency_code, request, matched.results,
                                   TaskProgress(actx, task_id, cancel, halt or threading.Event()))
            with ctx.db.session() as s:
                task = task_repo.get(s, task_id)
                assert task is not None
                task.ingest_job_id = stored.job_id
                categories.precategorise_matched(s, principal_of(task.user), matched)
            links.suggest_for_job(actx, stored.job_id, agency_id, actor=actx.actor,
                                  matched=matched)
        _finish(ctx, task_id, "done")
    except Cancelled:
        _finish(ctx, task_id, "cancelled")
    except Interrupted:
        log.info("job %s interrupted by shutdown; it runs again on the next start", task_id)
    except Exception as exc:  # a task must never take the runner down; the log keeps the trace
        log.exception("job %s failed", task_id)
        _finish(ctx, task_id, "failed", str(exc) if isinstance(exc, TesseraError)
                else "internal error; see the server log")


def _finish(ctx: Context, task_id: int, state: str, error: str | None = None) -> None:
    with ctx.db.session() as s:
        task = task_repo.get(s, task_id)
        assert task is not None
        task.state, task.error, task.finished_at = state, error, datetime.now(UTC)
        staging = Path(task.staging)
        audit.append(s, f"user:{task.user.username}", f"job.{state}", f"task:{task_id}",
                     agency=task.agency.code, outcome="ok" if state == "done" else state,
                     details={"error": error} if error else {})
    shutil.rmtree(staging, ignore_errors=True)


LEFTOVER_AGE_S = 600  # younger files may belong to another process writing right now


def clean_leftovers(ctx: Context, active: set[str]) -> int:
    """What a killed server leaves: staging folders of no active task, partial evidence files
    and half-written staged uploads. Only what has not changed for ten minutes is removed."""
    cutoff = time.time() - LEFTOVER_AGE_S
    removed = 0
    root = staging_root(ctx)
    for folder in root.iterdir():
        if folder.name in active or not folder.is_dir():
            continue
        if all(p.stat().st_mtime < cutoff for p in [folder, *folder.rglob("*")]):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    partial = [*(ctx.settings.evidence_dir / "tmp").glob("*"),
               *(p for name in active for p in (root / name).rglob(".*.part"))]
    for path in partial:
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


class TaskRunner:
    """One worker thread; the analysis inside a task already uses every core."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.current: tuple[int, threading.Event] | None = None
        self.thread = threading.Thread(target=self._loop, name="tessera-tasks", daemon=True)

    def start(self) -> TaskRunner:
        with self.ctx.db.session() as s:  # a stopped server's unfinished tasks run again
            for task in task_repo.in_states(s, ("running",)):
                task.state = "queued"
            active = {Path(t.staging).parent.name for t in task_repo.in_states(s, ACTIVE)}
        removed = clean_leftovers(self.ctx, active)
        if removed:
            log.info("removed %d leftovers of an earlier run (staging, partial blobs)", removed)
        self.thread.start()
        return self

    def notify(self) -> None:
        self.wake.set()

    def cancel(self, task_id: int) -> None:
        if self.current and self.current[0] == task_id:
            self.current[1].set()

    def stop(self, timeout: float = 30.0) -> None:
        self.stopping.set()  # a running task is interrupted, not cancelled: it runs again
        self.wake.set()
        self.thread.join(timeout)

    def _next(self) -> int | None:
        with self.ctx.db.session() as s:
            return task_repo.next_queued(s)

    def _loop(self) -> None:
        while not self.stopping.is_set():
            task_id = self._next()
            if task_id is None:
                self.wake.wait(2.0)
                self.wake.clear()
                continue
            event = threading.Event()
            self.current = (task_id, event)
            try:
                run_task(self.ctx, task_id, event, self.stopping)
            finally:
                self.current = None
