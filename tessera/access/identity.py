"""Accounts and credentials: argon2id passwords, TOTP second factor with recovery codes,
sessions and API tokens. Secrets handed to clients are random tokens; only their SHA-256 is
stored. Any change of a credential revokes every session and token issued before it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tessera.access.policy import Principal, Role
from tessera.core.errors import Conflict, NotFound, TesseraError
from tessera.store.repos import accounts as account_repo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tessera.store.tables import Agency, ApiToken, User, WebSession

SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD = 12
RECOVERY_CODES = 10
WRONG = "wrong user name or password"  # the one answer to every failed password login

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(24))  # verified for unknown users: same cost


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
    if account_repo.user_named(s, username) is not None:
        raise Conflict(f"user {username!r} already exists")
    return account_repo.add_user(s, username=username, display_name=display_name or username,
                                 agency_id=agency.id, role=Role(role).value,
                                 password_hash=hash_password(password),
                                 totp_required=totp_required)


def users(s: Session, agency_id: int | None = None) -> list[User]:
    """Every user (of one agency), by name."""
    return account_repo.users(s, agency_id)


def user_named(s: Session, username: str) -> User | None:
    return account_repo.user_named(s, username)


def get_user(s: Session, user_id: int) -> User:
    user = account_repo.user(s, user_id)
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


def _verifies(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password(s: Session, username: str, password: str) -> LoginOutcome:
    """Verify a password. Unknown, disabled and wrong answer alike, after the same work (one
    argon2 verification), so neither the message nor the time tells whether a user exists.
    Failures are counted on the user for administrators; slowing guessers down is the
    login throttle's job (per client address, so strangers cannot lock a user out)."""
    user = account_repo.user_named(s, username)
    ok = _verifies(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not ok or user.disabled:
        if user is not None and not ok:
            user.failed_logins += 1
        raise AuthError(WRONG)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    return LoginOutcome(user, user.totp_secret is not None,
                        user.totp_required and user.totp_secret is None)


def check_second_factor(s: Session, key: bytes, user: User, code: str) -> str:
    """A TOTP code, or one of the user's unused recovery codes (spent by this use); returns
    which of the two it was."""
    if user.totp_secret is None:
        raise AuthError("no second factor enrolled")
    if check_totp(unseal(key, user.totp_secret).decode(), code):
        return "totp"
    if use_recovery_code(s, user, code):
        return "recovery-code"
    user.failed_logins += 1
    raise AuthError("wrong code")


def unlock(user: User) -> None:
    user.failed_logins, user.locked_until = 0, None


def check_current_password(user: User, password: str) -> None:
    if not _verifies(user.password_hash, password):
        raise AuthError("the current password is wrong")


# --- recovery codes: shown once, kept as SHA-256 (each carries 80 random bits) --------------


def _normal(code: str) -> str:
    return code.strip().replace("-", "").replace(" ", "").upper()


def new_recovery_codes(s: Session, user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones and return them (the only time they
    are ever seen)."""
    codes, digests = [], []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(10)).decode()  # 16 characters, 80 bits
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
        digests.append(token_digest(_normal(raw)))
    account_repo.replace_recovery_codes(s, user.id, digests)
    return codes


def use_recovery_code(s: Session, user: User, code: str) -> bool:
    if len(_normal(code)) != 16:
        return False
    row = account_repo.unused_recovery_code(s, user.id, token_digest(_normal(code)))
    if row is None:
        return False
    row.used_at = now()
    return True


def recovery_codes_left(s: Session, user: User) -> int:
    return account_repo.unused_recovery_codes(s, user.id)


def reset_second_factor(s: Session, user: User) -> None:
    """Forget the secret and the recovery codes; the next login must enrol again."""
    user.totp_secret = None
    user.totp_required = True
    account_repo.drop_recovery_codes(s, user.id)


def revoke_credentials(s: Session, user: User, *, keep_session: str | None = None) -> int:
    """End every session and revoke every API token of ``user`` (all but the session whose
    token is ``keep_session``): after a credential change nothing issued before still works,
    and re-enabling a user revives nothing. Returns how many were ended."""
    ended = account_repo.end_sessions(
        s, user.id, keep_digest=token_digest(keep_session) if keep_session else None)
    for token in account_repo.live_tokens(s, user.id):
        token.revoked_at = now()
        ended += 1
    return ended


# --- sessions and tokens -------------------------------------------------------------------


def create_session(s: Session, user: User, mfa_passed: bool) -> tuple[str, WebSession]:
    token = secrets.token_urlsafe(32)
    row = account_repo.add_session(s, token_hash=token_digest(token), user_id=user.id,
                                   csrf_token=secrets.token_urlsafe(32), mfa_passed=mfa_passed,
                                   expires_at=now() + SESSION_LIFETIME)
    return token, row


def resolve_session(s: Session, token: str) -> WebSession | None:
    row = account_repo.session_by_digest(s, token_digest(token))
    if row is None or (aware(row.expires_at) or now()) <= now():
        return None
    if row.user.disabled:
        return None
    return row


def require_session(s: Session, token: str | None) -> WebSession:
    """The live session of ``token``; an expired or ended one is a login failure."""
    row = resolve_session(s, token or "")
    if row is None:
        raise AuthError("session expired; log in again")
    return row


def tokens_of(s: Session, user_id: int) -> list[ApiToken]:
    return account_repo.tokens_of(s, user_id)


def own_token(s: Session, user_id: int, token_id: int) -> ApiToken | None:
    """A token of this user's (another user's token is as good as none)."""
    row = account_repo.token(s, token_id)
    return row if row is not None and row.user_id == user_id else None


def end_session(s: Session, token: str) -> None:
    row = account_repo.session_by_digest(s, token_digest(token))
    if row is not None:
        account_repo.end_session(s, row)


def create_token(s: Session, user: User, name: str) -> tuple[str, ApiToken]:
    token = "tsr_" + secrets.token_urlsafe(32)
    row = account_repo.add_token(s, user_id=user.id, name=name, token_hash=token_digest(token))
    return token, row


def resolve_token(s: Session, token: str) -> User | None:
    row = account_repo.token_by_digest(s, token_digest(token))
    if row is None or row.revoked_at is not None or row.user.disabled:
        return None
    last = aware(row.last_used_at)
    if last is None or now() - last > timedelta(minutes=1):  # not a write on every request
        row.last_used_at = now()
    return row.user
