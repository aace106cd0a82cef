"""Append-only audit trail that cannot be cut or rewritten undetected.

Each event's hash is an HMAC-SHA256 over its content and the previous hash, keyed with a secret
that lives in the data folder's ``keys/`` (never in the database): someone who can write the
database but not read that key cannot recompute the chain after removing events. The chain is
also anchored outside the database: after every commit that appended events, a checkpoint
(newest event id + its hash, Ed25519-signed) is appended to ``audit/checkpoints.jsonl`` beside
the evidence store. Removing the newest events, or every event, leaves checkpoints that name
events which are no longer there; recomputing the chain changes the heads the checkpoints
signed. Checkpoints are exported (``tessera audit export``) so another party can verify too.

Reads (a series page, a search, a revealed picture) are recorded by group commit: a session
that read notes its event, and once it has committed, one writer thread appends the events of
every session then waiting in a single transaction. The chain has one writer at a time, so
appending inside each read's own transaction queued concurrent readers one by one behind it;
the caller still gets its answer only after its event is committed, so no read goes unrecorded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import queue
import secrets
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import event as sa_event
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from tessera.core.errors import ConfigError
from tessera.core.paths import printable
from tessera.store.keyfiles import read_secret, write_secret
from tessera.store.tables import AuditEvent

GENESIS = "0" * 64
KEY_BYTES = 32
_PENDING = "audit_head"  # Session.info: the newest event this transaction appended
_READS = "audit_reads"  # Session.info: read events to append by group commit after commit
_READ_LOG = "audit_read_log"  # Session.info: the factory's group writer


def public_key_text(key: Ed25519PublicKey) -> str:
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def load_public_key(value: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(value.strip()))
    except ValueError:
        raise ConfigError("not an Ed25519 public key (base64 of 32 bytes)") from None


@dataclass(frozen=True)
class AuditKeys:
    """The chain's MAC key, the checkpoint signing key and where checkpoints are written."""

    mac_key: bytes
    signing_key: Ed25519PrivateKey
    checkpoints: Path

    @staticmethod
    def paths(home: Path) -> tuple[Path, Path, Path]:
        return (home / "keys" / "audit-mac.key", home / "keys" / "audit-signing.key",
                home / "audit" / "checkpoints.jsonl")

    @classmethod
    def create(cls, home: Path) -> bool:
        """New keys where there are none; ``True`` if the MAC key was created now."""
        mac, signing, checkpoints = cls.paths(home)
        created = write_secret(mac, secrets.token_bytes(KEY_BYTES))
        write_secret(signing, Ed25519PrivateKey.generate().private_bytes_raw())
        checkpoints.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(checkpoints.parent, 0o700)
        return created

    @classmethod
    def load(cls, home: Path) -> AuditKeys:
        mac, signing, checkpoints = cls.paths(home)
        missing = "run `tessera db upgrade` (or `tessera init`)"
        return cls(read_secret(mac, KEY_BYTES, "audit MAC key", missing),
                   Ed25519PrivateKey.from_private_bytes(
                       read_secret(signing, KEY_BYTES, "audit signing key", missing)),
                   checkpoints)

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.signing_key.public_key()

    def digest(self, prev: str, at: datetime, actor: str, agency: str | None, action: str,
               obj: str | None, outcome: str, details: dict[str, Any]) -> str:
        return hmac.new(self.mac_key, _payload(prev, at, actor, agency, action, obj, outcome,
                                               details), hashlib.sha256).hexdigest()

    def checkpoint(self, event_id: int, head: str) -> dict[str, Any]:
        """Sign and append one checkpoint (a single O_APPEND write: lines never interleave)."""
        body = {"event": event_id, "head": head,
                "at": datetime.now(UTC).isoformat(timespec="microseconds")}
        line = dict(body, sig=base64.b64encode(self.signing_key.sign(_canonical(body))).decode())
        fd = os.open(self.checkpoints, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, (json.dumps(line, separators=(",", ":")) + "\n").encode())
        finally:
            os.close(fd)
        return line


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def _payload(prev: str, at: datetime, actor: str, agency: str | None, action: str,
             obj: str | None, outcome: str, details: dict[str, Any]) -> bytes:
    return json.dumps([prev, at.astimezone(UTC).isoformat(timespec="microseconds"), actor,
                       agency, action, obj, outcome, details], sort_keys=True,
                      separators=(",", ":"), default=str).encode()


def legacy_digest(prev: str, at: datetime, actor: str, agency: str | None, action: str,
                  obj: str | None, outcome: str, details: dict[str, Any]) -> str:
    """The unkeyed SHA-256 chain of Tessera before 0.2; read only to re-key old trails."""
    return hashlib.sha256(_payload(prev, at, actor, agency, action, obj, outcome,
                                   details)).hexdigest()


def bind(factory: sessionmaker[Session], keys: AuditKeys) -> None:
    """Give a session factory the audit keys and checkpoint every commit that appended."""
    factory.configure(info={"audit_keys": keys})

    @sa_event.listens_for(factory, "after_commit")
    def _checkpoint(session: Session) -> None:
        head = session.info.pop(_PENDING, None)
        if head is not None:
            keys.checkpoint(*head)

    @sa_event.listens_for(factory, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop(_PENDING, None)
        session.info.pop(_READS, None)  # what failed was not read


def keys_of(s: Session) -> AuditKeys:
    keys = s.info.get("audit_keys")
    if keys is None:
        raise ConfigError("the audit trail's keys are not loaded for this database session")
    return keys


def append(s: Session, actor: str, action: str, obj: str | None = None, *,
           agency: str | None = None, outcome: str = "ok",
           details: dict[str, Any] | None = None) -> AuditEvent:
    keys = keys_of(s)
    if s.bind is not None and s.bind.dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(7355608)"))  # one writer of the chain
    last = s.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    prev = last.hash if last else GENESIS
    at = datetime.now(UTC)
    details = printable(json.loads(json.dumps(details or {}, default=str)))
    obj = printable(obj)
    agency = agency or None  # the local operator belongs to no agency
    event = AuditEvent(at=at, actor=actor, agency=agency, action=action, object=obj,
                       outcome=outcome, details=details, prev_hash=prev,
                       hash=keys.digest(prev, at, actor, agency, action, obj, outcome, details))
    s.add(event)
    s.flush()
    s.info[_PENDING] = (event.id, event.hash)
    return event


def append_read(s: Session, actor: str, action: str, obj: str | None = None, *,
                agency: str | None = None, outcome: str = "ok",
                details: dict[str, Any] | None = None) -> None:
    """Record a read: appended by group commit once ``s`` has committed (its
    ``Database.session`` waits for that), or at once where no group writer is bound."""
    event: dict[str, Any] = {"actor": actor, "action": action, "obj": obj, "agency": agency,
                             "outcome": outcome, "details": details}
    if _READ_LOG not in s.info:
        append(s, **event)
        return
    s.info.setdefault(_READS, []).append(event)


def defer_reads(s: Session, log: ReadLog) -> None:
    """Let ``s`` note its reads for ``log``; whoever opened it hands them on (``take_reads``)
    after its commit, so only the opener of the session may call this."""
    s.info[_READ_LOG] = log


def take_reads(s: Session) -> list[dict[str, Any]]:
    """The read events ``s`` noted and has not handed on (emptied)."""
    return s.info.pop(_READS, None) or []


class ReadLog:
    """The group writer: one thread, one transaction for the reads of every waiting session."""

    def __init__(self, factory: sessionmaker[Session], max_batch: int = 1000) -> None:
        self._factory, self._max_batch = factory, max_batch
        self._queue: queue.SimpleQueue[tuple[list[dict[str, Any]], Future[None]] | None] = \
            queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def write(self, reads: list[dict[str, Any]], timeout: float = 120) -> None:
        """Append ``reads`` and return once they are committed; raise if they could not be."""
        done: Future[None] = Future()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="audit-reads",
                                                daemon=True)
                self._thread.start()
            self._queue.put((reads, done))
        done.result(timeout)

    def close(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is not None:
                self._queue.put(None)
        if thread is not None:
            thread.join(30)

    def _run(self) -> None:
        while (first := self._queue.get()) is not None:
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)  # close after this batch
                    break
                batch.append(more)
            try:
                with self._factory() as s:
                    for reads, _ in batch:
                        for event in reads:
                            append(s, **event)
                    s.commit()
            except BaseException as exc:  # every waiting session hears of it
                for _, done in batch:
                    done.set_exception(exc)
            else:
                for _, done in batch:
                    done.set_result(None)


def events(s: Session, scope: str | None = None, *, actor: str | None = None,
           action: str | None = None, agency: str | None = None, outcome: str | None = None,
           since: datetime | None = None, until: datetime | None = None,
           before_id: int | None = None, newest_first: bool = False,
           limit: int | None = None) -> list[AuditEvent]:
    """Events of the trail, filtered; ``scope``: one agency's events only (what an agency
    admin may read); ``action`` matches as a prefix (``user.`` is every user event)."""
    q = select(AuditEvent)
    if scope is not None:
        q = q.where(AuditEvent.agency == scope)
    if actor:
        q = q.where(AuditEvent.actor == actor)
    if action:
        q = q.where(AuditEvent.action.startswith(action))
    if agency:
        q = q.where(AuditEvent.agency == agency)
    if outcome:
        q = q.where(AuditEvent.outcome == outcome)
    if since:
        q = q.where(AuditEvent.at >= since)
    if until:
        q = q.where(AuditEvent.at <= until)
    if before_id:
        q = q.where(AuditEvent.id < before_id)
    q = q.order_by(AuditEvent.id.desc() if newest_first else AuditEvent.id)
    return list(s.scalars(q.limit(limit) if limit else q))


# --- checkpoints ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checkpoint:
    event: int
    head: str
    at: str
    signed: bool  # the signature verified with the key it was checked against


def read_checkpoints(path: Path, key: Ed25519PublicKey) -> tuple[list[Checkpoint], list[str]]:
    """Every checkpoint line, with problems for lines that are not signed checkpoints."""
    if not path.exists():
        return [], []
    found: list[Checkpoint] = []
    problems: list[str] = []
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if isinstance(row, dict) and set(row) == {"public_key"}:
                continue  # an export's header
            body: dict[str, Any] = {"event": int(row["event"]), "head": str(row["head"]),
                                    "at": str(row["at"])}
            signature = base64.b64decode(row["sig"])
        except (ValueError, KeyError, TypeError):
            problems.append(f"checkpoint line {number} is not a checkpoint")
            continue
        try:
            key.verify(signature, _canonical(body))
            signed = True
        except InvalidSignature:
            signed = False
            problems.append(f"checkpoint line {number} (event {body['event']}): signature "
                            "does not verify (forged or signed with another key)")
        found.append(Checkpoint(body["event"], body["head"], body["at"], signed))
    return found, problems


def last_checkpoint(keys: AuditKeys) -> Checkpoint | None:
    found, _ = read_checkpoints(keys.checkpoints, keys.public_key)
    signed = [c for c in found if c.signed]
    return max(signed, key=lambda c: c.event) if signed else None


def write_checkpoint(s: Session) -> dict[str, Any] | None:
    """Checkpoint the current head now (``tessera audit checkpoint``); None if no events."""
    last = s.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    return keys_of(s).checkpoint(last.id, last.hash) if last else None


# --- verification ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChainReport:
    events: int
    problems: list[str]
    checkpoints: int = 0
    last_checkpoint: Checkpoint | None = None
    head: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Walk:
    count: int = 0
    head_id: int | None = None
    heads: dict[int, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _walk(s: Session, keys: AuditKeys, wanted: set[int]) -> _Walk:
    w = _Walk()
    prev, previous_id = GENESIS, 0
    for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000):
        w.count += 1
        if e.prev_hash != prev:
            w.problems.append(f"event {e.id}: chain broken after event {previous_id} "
                              "(an entry was deleted or reordered)")
        at = e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC)
        expected = keys.digest(e.prev_hash, at, e.actor, e.agency, e.action, e.object,
                               e.outcome, e.details)
        if not hmac.compare_digest(expected, e.hash):
            w.problems.append(f"event {e.id}: content does not match its hash (edited, or the "
                              "chain was recomputed without the audit key)")
        if e.id in wanted:
            w.heads[e.id] = e.hash
        prev, previous_id, w.head_id = e.hash, e.id, e.id
    return w


def verify(s: Session, checkpoints: Path | None = None,
           public_key: Ed25519PublicKey | None = None) -> ChainReport:
    """Walk the chain and hold it against the checkpoints (by default the data folder's own;
    pass an exported copy and the public key it was exported with to verify independently)."""
    keys = keys_of(s)
    path = checkpoints or keys.checkpoints
    found, problems = read_checkpoints(path, public_key or keys.public_key)
    if checkpoints is None and not path.exists():
        problems.append(f"the checkpoint file {path} is missing")
    signed = [c for c in found if c.signed]
    walk = _walk(s, keys, {c.event for c in signed})
    problems.extend(walk.problems)
    for c in signed:
        head = walk.heads.get(c.event)
        if head is None:
            problems.append(f"checkpoint of {c.at} names event {c.event}, which is gone "
                            "(events were deleted)")
        elif not hmac.compare_digest(head, c.head):
            problems.append(f"event {c.event} does not have the hash its checkpoint of {c.at} "
                            "signed (the chain was rewritten)")
    newest = max(signed, key=lambda c: c.event) if signed else None
    if newest is None and walk.count:  # every commit that appends writes one
        problems.append(f"no signed checkpoint for a trail of {walk.count} events (the "
                        "checkpoints were removed or replaced)")
    return ChainReport(walk.count, problems, len(found), newest, walk.head_id)


def export_checkpoints(keys: AuditKeys) -> Iterator[str]:
    """The public key, then every checkpoint line: what another party keeps to verify with."""
    yield json.dumps({"public_key": public_key_text(keys.public_key)}) + "\n"
    if keys.checkpoints.exists():
        yield from keys.checkpoints.read_text().splitlines(keepends=True)


def read_export(path: Path) -> tuple[Ed25519PublicKey, Path]:
    """An export's public key; the export itself serves as the checkpoint file."""
    first = path.read_text().splitlines()[:1]
    try:
        return load_public_key(json.loads(first[0])["public_key"]), path
    except (IndexError, ValueError, KeyError, TypeError):
        raise ConfigError(f"{path} is not an audit checkpoint export") from None


# --- re-keying a trail written before the keyed chain ---------------------------------------


def rekey_legacy(s: Session) -> int:
    """Re-chain a trail written with the unkeyed SHA-256 chain under the MAC key, once, after
    checking that the old chain is intact (a broken one is refused, never laundered)."""
    keys = keys_of(s)
    events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    prev = GENESIS
    for e in events:
        at = e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC)
        if e.prev_hash != prev or legacy_digest(e.prev_hash, at, e.actor, e.agency, e.action,
                                                e.object, e.outcome, e.details) != e.hash:
            raise ConfigError(f"the existing audit trail is broken at event {e.id}; it is "
                              "kept as it is and not re-keyed")
        prev = e.hash
    prev = GENESIS
    for e in events:
        at = e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC)
        e.prev_hash = prev
        e.hash = keys.digest(prev, at, e.actor, e.agency, e.action, e.object, e.outcome,
                             e.details)
        prev = e.hash
    s.flush()
    return len(events)
