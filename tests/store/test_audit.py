"""The audit trail against the attacks that were run on it: edits, deletions, truncation of the
newest events, deleting every event, and recomputing the chain after removing events."""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tessera.context import Context
from tessera.store import audit
from tessera.store.bootstrap import upgrade_home
from tessera.store.tables import AuditEvent


def _events(ctx: Context, n: int, action: str = "media.view") -> None:
    with ctx.db.session() as s:
        for i in range(n):
            audit.append(s, "alice", action, f"media:{i}", agency="AU")


def _verify(ctx: Context, **kw: object) -> audit.ChainReport:
    with ctx.db.session() as s:
        return audit.verify(s, **kw)  # type: ignore[arg-type]


def test_chain_detects_edit_and_deletion(ctx: Context) -> None:
    _events(ctx, 5)
    assert _verify(ctx).ok
    with ctx.db.session() as s:
        s.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE object = 'media:2'"))
    report = _verify(ctx)
    assert not report.ok and any("edited" in p for p in report.problems)
    with ctx.db.session() as s:
        s.execute(text("UPDATE audit_event SET actor = 'alice' WHERE object = 'media:2'"))
    assert _verify(ctx).ok
    with ctx.db.session() as s:
        s.execute(text("DELETE FROM audit_event WHERE object = 'media:3'"))
    report = _verify(ctx)
    assert not report.ok and any("deleted" in p for p in report.problems)


def test_every_commit_leaves_a_signed_checkpoint(ctx: Context) -> None:
    _events(ctx, 3)
    report = _verify(ctx)
    assert report.ok and report.last_checkpoint is not None
    assert report.last_checkpoint.event == report.head and report.last_checkpoint.signed


def test_truncating_the_newest_events_is_detected(ctx: Context) -> None:
    for _ in range(60):
        _events(ctx, 1)
    with ctx.db.session() as s:
        newest = s.scalars(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(50)).all()
        s.execute(AuditEvent.__table__.delete().where(AuditEvent.id.in_(newest)))
    report = _verify(ctx)
    assert not report.ok and any("is gone" in p for p in report.problems)


def test_deleting_every_event_is_detected(ctx: Context) -> None:
    _events(ctx, 10)
    with ctx.db.session() as s:
        s.execute(text("DELETE FROM audit_event"))
    report = _verify(ctx)
    assert report.events == 0 and not report.ok
    assert any("is gone" in p for p in report.problems)


def _recompute(ctx: Context, digest) -> None:  # type: ignore[no-untyped-def]
    """What the attacker's script did: drop events, then re-link and re-hash the rest."""
    with ctx.db.session() as s:
        s.execute(text("DELETE FROM audit_event WHERE action = 'media.reveal'"))
        prev = audit.GENESIS
        for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id)):
            at = e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC)
            e.prev_hash = prev
            e.hash = digest(prev, at, e.actor, e.agency, e.action, e.object, e.outcome,
                            e.details)
            prev = e.hash


def test_recomputing_with_plain_sha256_is_detected(ctx: Context) -> None:
    _events(ctx, 5)
    _events(ctx, 7, "media.reveal")
    _events(ctx, 3)
    _recompute(ctx, audit.legacy_digest)
    report = _verify(ctx)
    assert not report.ok and any("recomputed" in p for p in report.problems)


def test_recomputing_with_a_stolen_mac_key_is_caught_by_the_checkpoints(ctx: Context) -> None:
    _events(ctx, 5)
    _events(ctx, 7, "media.reveal")
    _events(ctx, 3)
    assert ctx.db.audit is not None
    _recompute(ctx, ctx.db.audit.digest)
    report = _verify(ctx)
    assert not report.ok and any("rewritten" in p for p in report.problems)


def test_an_exported_copy_still_detects_when_local_checkpoints_are_wiped(
        ctx: Context, tmp_path: Path) -> None:
    _events(ctx, 20)
    keys = ctx.db.audit
    assert keys is not None
    exported = tmp_path / "export.jsonl"
    exported.write_text("".join(audit.export_checkpoints(keys)))
    assert _verify(ctx, checkpoints=exported,
                   public_key=audit.read_export(exported)[0]).ok
    with ctx.db.session() as s:  # truncate, and remove the local evidence of it
        newest = s.scalars(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(5)).all()
        s.execute(AuditEvent.__table__.delete().where(AuditEvent.id.in_(newest)))
    keys.checkpoints.write_text("")
    key, path = audit.read_export(exported)
    report = _verify(ctx, checkpoints=path, public_key=key)
    assert not report.ok and any("is gone" in p for p in report.problems)


def test_a_forged_checkpoint_is_reported(ctx: Context) -> None:
    _events(ctx, 2)
    keys = ctx.db.audit
    assert keys is not None
    with keys.checkpoints.open("a") as fh:
        fh.write(json.dumps({"event": 1, "head": "0" * 64, "at": "2026-01-01", "sig": "AAAA"})
                 + "\n")
    report = _verify(ctx)
    assert not report.ok and any("signature" in p for p in report.problems)


def test_a_trail_from_before_the_keyed_chain_is_rekeyed_once(ctx: Context) -> None:
    _events(ctx, 4)
    home = ctx.settings.home
    mac, signing, checkpoints = audit.AuditKeys.paths(home)
    with ctx.db.session() as s:  # rewrite as the old version wrote it
        prev = audit.GENESIS
        for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id)):
            at = e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC)
            e.prev_hash, e.hash = prev, audit.legacy_digest(
                prev, at, e.actor, e.agency, e.action, e.object, e.outcome, e.details)
            prev = e.hash
    for path in (mac, signing, checkpoints):
        path.unlink()
    assert upgrade_home(ctx.settings, "test")["audit_rekeyed"] == 5  # 4 + init
    fresh = Context.open(ctx.settings)
    try:
        with fresh.db.session() as s:
            report = audit.verify(s)
            assert report.ok, report.problems
            assert s.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())
                            .limit(1)) == "audit.rekey"
    finally:
        fresh.close()
    assert upgrade_home(ctx.settings, "test")["audit_rekeyed"] == 0


def test_keys_are_private_files(ctx: Context) -> None:
    for path in audit.AuditKeys.paths(ctx.settings.home)[:2]:
        assert path.stat().st_mode & 0o777 == 0o600
        assert hashlib.sha256(path.read_bytes()).hexdigest() not in str(_verify(ctx))


# --- reads by group commit ------------------------------------------------------------------


def _actions(ctx: Context) -> list[str]:
    with ctx.db.session() as s:
        return [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_a_read_is_committed_before_its_session_block_is_left(ctx: Context) -> None:
    before = len(_actions(ctx))
    with ctx.db.session() as s:
        audit.append_read(s, "alice", "series.view", "series:1", agency="AU")
        assert len(_actions(ctx)) == before  # not yet: it waits for this session's commit
    assert _actions(ctx)[before:] == ["series.view"]
    assert _verify(ctx).ok


def test_a_read_whose_session_failed_is_not_recorded(ctx: Context) -> None:
    before = len(_actions(ctx))
    try:
        with ctx.db.session() as s:
            audit.append_read(s, "alice", "series.view", "series:1", agency="AU")
            raise RuntimeError("the page failed after the access check")
    except RuntimeError:
        pass
    with ctx.db.session():
        pass  # a later session hands on nothing left over from the failed one
    assert len(_actions(ctx)) == before


def test_concurrent_readers_all_land_in_one_valid_chain(ctx: Context) -> None:
    before = len(_actions(ctx))

    def reader(k: int) -> None:
        for i in range(15):
            with ctx.db.session() as s:
                audit.append_read(s, f"user{k}", "media.view", f"media:{i}", agency="AU")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(reader, range(8)))
    assert len(_actions(ctx)) == before + 8 * 15
    report = _verify(ctx)
    assert report.ok, report.problems


def test_a_session_opened_without_the_database_wrapper_appends_at_once(ctx: Context) -> None:
    before = len(_actions(ctx))
    with ctx.db._sessions() as s:
        audit.append_read(s, "alice", "series.view", "series:2", agency="AU")
        s.commit()
    assert _actions(ctx)[before:] == ["series.view"]


def test_a_read_that_cannot_be_recorded_fails_its_caller(
        ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    real = audit.append

    def refuse(s, actor, action, *a, **kw):  # type: ignore[no-untyped-def]
        if action == "broken.view":
            raise RuntimeError("disk full")
        return real(s, actor, action, *a, **kw)

    monkeypatch.setattr(audit, "append", refuse)
    with pytest.raises(RuntimeError, match="disk full"), ctx.db.session() as s:
        audit.append_read(s, "alice", "broken.view", "series:3", agency="AU")
    monkeypatch.setattr(audit, "append", real)
    with ctx.db.session() as s:  # the writer lives on
        audit.append_read(s, "alice", "series.view", "series:3", agency="AU")
    assert _actions(ctx)[-1] == "series.view"
