"""Queries of the account aggregate: users, their recovery codes, sessions and API tokens.

Only digests of secrets ever reach these functions; hashing, TOTP and the rules of who may
log in live in ``access.identity``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session

from tessera.store.rows import added
from tessera.store.tables import ApiToken, RecoveryCode, User, WebSession

# --- users ----------------------------------------------------------------------------------


def add_user(s: Session, **fields: Any) -> User:
    return added(s, User(**fields))


def user(s: Session, user_id: int) -> User | None:
    return s.get(User, user_id)


def user_named(s: Session, username: str) -> User | None:
    return s.scalar(select(User).where(User.username == username))


def users(s: Session, agency_id: int | None = None) -> list[User]:
    """Every user (of one agency), by name."""
    q = select(User).order_by(User.username)
    if agency_id is not None:
        q = q.where(User.agency_id == agency_id)
    return list(s.scalars(q))


# --- recovery codes -------------------------------------------------------------------------


def replace_recovery_codes(s: Session, user_id: int, digests: list[str]) -> None:
    drop_recovery_codes(s, user_id)
    s.add_all(RecoveryCode(user_id=user_id, code_hash=d) for d in digests)
    s.flush()


def drop_recovery_codes(s: Session, user_id: int) -> None:
    s.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))


def unused_recovery_code(s: Session, user_id: int, digest: str) -> RecoveryCode | None:
    return s.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user_id, RecoveryCode.code_hash == digest,
        RecoveryCode.used_at.is_(None)))


def unused_recovery_codes(s: Session, user_id: int) -> int:
    return s.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))) or 0


# --- sessions -------------------------------------------------------------------------------


def add_session(s: Session, **fields: Any) -> WebSession:
    return added(s, WebSession(**fields))


def session_by_digest(s: Session, digest: str) -> WebSession | None:
    return s.scalar(select(WebSession).where(WebSession.token_hash == digest))


def end_session(s: Session, row: WebSession) -> None:
    s.delete(row)


def end_sessions(s: Session, user_id: int, *, keep_digest: str | None = None) -> int:
    """End every session of the user (but the one of ``keep_digest``); returns how many."""
    q = delete(WebSession).where(WebSession.user_id == user_id)
    if keep_digest:
        q = q.where(WebSession.token_hash != keep_digest)
    return cast("CursorResult[Any]", s.execute(q)).rowcount or 0


# --- API tokens -----------------------------------------------------------------------------


def add_token(s: Session, **fields: Any) -> ApiToken:
    return added(s, ApiToken(**fields))


def token(s: Session, token_id: int) -> ApiToken | None:
    return s.get(ApiToken, token_id)


def token_by_digest(s: Session, digest: str) -> ApiToken | None:
    return s.scalar(select(ApiToken).where(ApiToken.token_hash == digest))


def tokens_of(s: Session, user_id: int) -> list[ApiToken]:
    return list(s.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                          .order_by(ApiToken.id)))


def live_tokens(s: Session, user_id: int) -> Iterator[ApiToken]:
    """The user's tokens not yet revoked."""
    yield from s.scalars(select(ApiToken).where(ApiToken.user_id == user_id,
                                                ApiToken.revoked_at.is_(None)))
