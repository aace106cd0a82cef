"""Append-only audit trail, chained by SHA-256 so that any edit or deletion is detectable."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tessera.store.tables import AuditEvent

GENESIS = "0" * 64


def _digest(prev: str, at: datetime, actor: str, agency: str | None, action: str,
            obj: str | None, outcome: str, details: dict[str, Any]) -> str:
    payload = json.dumps([prev, at.astimezone(UTC).isoformat(timespec="microseconds"), actor,
                          agency, action, obj, outcome, details], sort_keys=True,
                         separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def append(s: Session, actor: str, action: str, obj: str | None = None, *,
           agency: str | None = None, outcome: str = "ok",
           details: dict[str, Any] | None = None) -> AuditEvent:
    if s.bind is not None and s.bind.dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(7355608)"))  # one writer of the chain
    last = s.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    prev = last.hash if last else GENESIS
    at = datetime.now(UTC)
    details = json.loads(json.dumps(details or {}, default=str))
    event = AuditEvent(at=at, actor=actor, agency=agency, action=action, object=obj,
                       outcome=outcome, details=details, prev_hash=prev,
                       hash=_digest(prev, at, actor, agency, action, obj, outcome, details))
    s.add(event)
    s.flush()
    return event


@dataclass(frozen=True, slots=True)
class ChainReport:
    events: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(s: Session) -> ChainReport:
    problems: list[str] = []
    prev = GENESIS
    count = 0
    previous_id = 0
    for event in s.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000):
        count += 1
        if event.prev_hash != prev:
            problems.append(f"event {event.id}: chain broken after event {previous_id} "
                            "(an entry was deleted or reordered)")
        at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
        expected = _digest(event.prev_hash, at, event.actor, event.agency, event.action,
                           event.object, event.outcome, event.details)
        if expected != event.hash:
            problems.append(f"event {event.id}: content does not match its hash (edited)")
        prev, previous_id = event.hash, event.id
    return ChainReport(count, problems)
