"""Accounts and credentials: argon2id passwords, TOTP second factor, lock-out, sessions and API
tokens. Secrets handed to clients are random 256-bit tokens; only their SHA-256 is stored."""

from __future__ import annotations

import binascii
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.access.policy import Principal, Role
from tessera.core.errors import Conflict, NotFound, TesseraError
from tessera.store.tables import Agency, ApiToken, User, WebSession

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD = 12

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


class AuthError(TesseraError):
    """Login failed; the message never says whether the user exists. Shown as 401."""

    exit_code = 7


def now() -> datetime:
    return datetime.now(UTC)


def aware(t: datetime | None) -> datetime | None:
    return t if t is None or t.tzinfo else t.replace(tzinfo=UTC)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def principal_of(user: User) -> Principal:
    return Principal(user.id, user.username, user.agency_id, user.agency.code, Role(user.role))


# --- passwords and users -------------------------------------------------------------------


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise TesseraError(f"passwords need at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def create_user(s: Session, username: str, password: str, agency: Agency, role: Role, *,
                display_name: str | None = None, totp_required: bool = False) -> User:
    if s.scalar(select(User).where(User.username == username)):
        raise Conflict(f"user {username!r} already exists")
    user = User(username=username, display_name=display_name or username, agency_id=agency.id,
                role=Role(role).value, password_hash=hash_password(password),
                totp_required=totp_required)
    s.add(user)
    s.flush()
    return user


def get_user(s: Session, user_id: int) -> User:
    user = s.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


# --- TOTP: secrets sealed with the instance key, so a database dump does not yield them ------


def seal(key: bytes, plaintext: bytes) -> bytes:
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, b"tessera-totp")


def unseal(key: bytes, sealed: bytes) -> bytes:
    return AESGCM(key).decrypt(sealed[:12], sealed[12:], b"tessera-totp")


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="Tessera")


def check_totp(secret: str, code: str) -> bool:
    try:
        return pyotp.TOTP(secret).verify(code.strip().replace(" ", ""), valid_window=1)
    except (ValueError, binascii.Error):  # not base32: a client's mistake, not a match
        return False


# --- login ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    user: User
    needs_totp: bool  # has a secret: asks for a code
    must_enrol: bool  # an admin requires TOTP but the user has none yet


def check_password(s: Session, username: str, password: str) -> LoginOutcome:
    """Verify a password, counting failures; raises ``AuthError`` (also when locked out)."""
    user = s.scalar(select(User).where(User.username == username))
    if user is None:
        _hasher.hash(password or "x")  # same cost as a real check: no user enumeration by time
        raise AuthError("wrong user name or password")
    if is_locked(user):
        raise AuthError("account locked after repeated failed logins; try again later "
                        "or ask an administrator")
    if user.disabled:
        raise AuthError("wrong user name or password")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        record_failure(user)
        raise AuthError("wrong user name or password") from None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins, user.locked_until = 0, None
    return LoginOutcome(user, user.totp_secret is not None,
                        user.totp_required and user.totp_secret is None)


def check_second_factor(key: bytes, user: User, code: str) -> None:
    """A TOTP code for a user who has a secret; wrong codes count towards the lock-out."""
    if user.totp_secret is None:
        raise AuthError("no second factor enrolled")
    if not check_totp(unseal(key, user.totp_secret).decode(), code):
        record_failure(user)
        raise AuthError("wrong code")


def record_failure(user: User) -> None:
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.locked_until, user.failed_logins = now() + LOCKOUT, 0


def is_locked(user: User) -> bool:
    locked = aware(user.locked_until)
    return locked is not None and locked > now()


def unlock(user: User) -> None:
    user.failed_logins, user.locked_until = 0, None


# --- sessions and tokens -------------------------------------------------------------------


def create_session(s: Session, user: User, mfa_passed: bool) -> tuple[str, WebSession]:
    token = secrets.token_urlsafe(32)
    row = WebSession(token_hash=token_digest(token), user_id=user.id,
                     csrf_token=secrets.token_urlsafe(32), mfa_passed=mfa_passed,
                     expires_at=now() + SESSION_LIFETIME)
    s.add(row)
    s.flush()
    return token, row


def resolve_session(s: Session, token: str) -> WebSession | None:
    row = s.scalar(select(WebSession).where(WebSession.token_hash == token_digest(token)))
    if row is None or (aware(row.expires_at) or now()) <= now():
        return None
    if row.user.disabled:
        return None
    return row


def end_session(s: Session, token: str) -> None:
    row = s.scalar(select(WebSession).where(WebSession.token_hash == token_digest(token)))
    if row is not None:
        s.delete(row)


def create_token(s: Session, user: User, name: str) -> tuple[str, ApiToken]:
    token = "tsr_" + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=token_digest(token))
    s.add(row)
    s.flush()
    return token, row


def resolve_token(s: Session, token: str) -> User | None:
    row = s.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is None or row.revoked_at is not None or row.user.disabled:
        return None
    last = aware(row.last_used_at)
    if last is None or now() - last > timedelta(minutes=1):  # not a write on every request
        row.last_used_at = now()
    return row.user
