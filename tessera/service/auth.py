"""Log in (password, then TOTP when enrolled or required), log out, second factor, own
password and API tokens: each use case once, for the API and the web pages alike.

A use case takes the caller as the adapter resolved it (``Caller``) and the client's address;
cookies, forms and status codes stay in the adapters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tessera.access import identity
from tessera.access.policy import Forbidden, Principal
from tessera.core.errors import NotFound
from tessera.service.runtime import Services
from tessera.store import audit


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking and how: an API token, or a browser session (its token and CSRF)."""

    principal: Principal
    csrf: str | None  # set for cookie sessions
    via: str  # "session" | "token"
    complete: bool = True  # False: a session that has passed the password only
    session_token: str | None = None  # the cookie a session came with


@dataclass
class LoginResult:
    token: str
    csrf: str
    mfa_required: bool
    enrol_required: bool


def _guarded(svc: Services, ip: str, name: str) -> None:
    """Refuse an address that is backing off for this name, or that failed too often in the
    last minute whatever the names."""
    svc.throttle.check(ip, name)
    svc.limiter.check(f"login-failures:{ip}", svc.ctx.settings.service.login_attempts_per_minute,
                      record=False)


def _failed(svc: Services, ip: str, name: str) -> None:
    svc.throttle.failed(ip, name)
    svc.limiter.record(f"login-failures:{ip}")


def login(svc: Services, ip: str, username: str, password: str,
          totp: str | None = None) -> LoginResult:
    """Check the password (and a TOTP or recovery code when given); every attempt is
    audited, and every failure answers alike."""
    _guarded(svc, ip, username)
    failure: identity.AuthError | None = None
    result: LoginResult | None = None
    with svc.ctx.db.session() as s:
        try:
            outcome = identity.check_password(s, username, password)
            user = outcome.user
            passed = not outcome.needs_totp and not outcome.must_enrol
            if outcome.needs_totp and totp:
                identity.check_second_factor(s, svc.key, user, totp)
                passed = True
            token, row = identity.create_session(s, user, mfa_passed=passed)
            result = LoginResult(token, row.csrf_token, outcome.needs_totp and not passed,
                                 outcome.must_enrol)
            audit.append(s, f"user:{username}", "login", f"user:{username}",
                         agency=user.agency.code, outcome="ok" if passed else "password-ok",
                         details={"ip": ip})
        except identity.AuthError as exc:
            failure = exc
            audit.append(s, f"user:{username}", "login", f"user:{username}", outcome="denied",
                         details={"ip": ip, "reason": str(exc)})
    if failure is not None:
        _failed(svc, ip, username)
        raise failure
    svc.throttle.succeeded(ip, username)
    assert result is not None
    return result


def second_factor(svc: Services, ip: str, caller: Caller, code: str) -> None:
    """The code after the password: TOTP, or a recovery code (spent by its use)."""
    _guarded(svc, ip, caller.principal.username)
    svc.limiter.check(f"totp:{caller.principal.user_id}",
                      svc.ctx.settings.service.login_attempts_per_minute)
    failure = None
    with svc.ctx.db.session() as s:
        user = identity.get_user(s, caller.principal.user_id)
        row = identity.require_session(s, caller.session_token)
        try:
            used = identity.check_second_factor(s, svc.key, user, code)
            row.mfa_passed = True
            audit.append(s, caller.principal.actor, "login.totp", f"user:{user.username}",
                         agency=user.agency.code, details={"with": used, "ip": ip})
        except identity.AuthError as exc:
            failure = exc
            audit.append(s, caller.principal.actor, "login.totp", f"user:{user.username}",
                         agency=user.agency.code, outcome="denied", details={"ip": ip})
    if failure:
        _failed(svc, ip, caller.principal.username)
        raise failure
    svc.throttle.succeeded(ip, caller.principal.username)


def may_enrol(svc: Services, caller: Caller) -> None:
    """A new secret is for a user without one, or for a fully logged-in user replacing theirs:
    a session that has passed only the password never gets to choose a second factor."""
    with svc.ctx.db.session() as s:
        user = identity.get_user(s, caller.principal.user_id)
        if user.totp_secret is not None and not caller.complete:
            raise Forbidden("a second factor is enrolled: log in with it (or a recovery code) "
                            "first; an administrator can reset it")


def new_secret(svc: Services, caller: Caller) -> dict[str, str]:
    """A fresh secret to enrol; it is stored only once a code from it is confirmed."""
    may_enrol(svc, caller)
    secret = identity.new_totp_secret()
    return {"secret": secret, "uri": identity.totp_uri(secret, caller.principal.username)}


def enrol(svc: Services, caller: Caller, secret: str, code: str,
          current_code: str | None = None) -> list[str]:
    """Store a confirmed secret and return fresh recovery codes (shown once). Replacing an
    enrolled secret needs a complete login and a current code of the old one, and revokes
    every other session and token."""
    may_enrol(svc, caller)
    if not identity.check_totp(secret, code):
        raise identity.AuthError("the code does not match the secret; check the device's clock")
    failure = None
    with svc.ctx.db.session() as s:
        user = identity.get_user(s, caller.principal.user_id)
        replacing = user.totp_secret is not None
        if replacing:
            try:
                identity.check_second_factor(s, svc.key, user, current_code or "")
            except identity.AuthError:
                failure = identity.AuthError("replacing the second factor needs a current "
                                             "code of the one enrolled now")
                audit.append(s, caller.principal.actor, "totp.enrol", f"user:{user.username}",
                             agency=user.agency.code, outcome="denied")
        if failure is None:
            user.totp_secret = identity.seal(svc.key, secret.encode())
            codes = identity.new_recovery_codes(s, user)
            cookie = caller.session_token if caller.via == "session" else None
            if cookie:
                identity.require_session(s, caller.session_token).mfa_passed = True
            revoked = identity.revoke_credentials(s, user, keep_session=cookie) \
                if replacing else 0
            audit.append(s, caller.principal.actor, "totp.enrol", f"user:{user.username}",
                         agency=user.agency.code,
                         details={"replaced": replacing, "revoked": revoked})
    if failure is not None:
        raise failure
    return codes


def new_recovery_codes(svc: Services, caller: Caller, code: str) -> list[str]:
    """Fresh recovery codes (the old ones stop working), for a user who proves the factor."""
    failure = None
    with svc.ctx.db.session() as s:
        user = identity.get_user(s, caller.principal.user_id)
        try:
            identity.check_second_factor(s, svc.key, user, code)
            codes = identity.new_recovery_codes(s, user)
            audit.append(s, caller.principal.actor, "totp.recovery-codes",
                         f"user:{user.username}", agency=user.agency.code)
        except identity.AuthError as exc:
            failure = exc
    if failure is not None:
        raise failure
    return codes


def change_password(svc: Services, ip: str, caller: Caller, current: str, new: str) -> int:
    """One's own password, given the current one; every other session and every token end."""
    _guarded(svc, ip, caller.principal.username)
    failure = None
    with svc.ctx.db.session() as s:
        user = identity.get_user(s, caller.principal.user_id)
        try:
            identity.check_current_password(user, current)
            user.password_hash = identity.hash_password(new)
            cookie = caller.session_token if caller.via == "session" else None
            revoked = identity.revoke_credentials(s, user, keep_session=cookie)
            audit.append(s, caller.principal.actor, "password.change", f"user:{user.username}",
                         agency=user.agency.code, details={"revoked": revoked})
        except identity.AuthError as exc:
            failure = exc
            audit.append(s, caller.principal.actor, "password.change", f"user:{user.username}",
                         agency=user.agency.code, outcome="denied", details={"ip": ip})
    if failure is not None:
        _failed(svc, ip, caller.principal.username)
        raise failure
    return revoked


def logout(svc: Services, p: Principal, session_token: str | None) -> None:
    with svc.ctx.db.session() as s:
        if session_token:
            identity.end_session(s, session_token)
        audit.append(s, p.actor, "logout", f"user:{p.username}", agency=p.agency_code)


def me(svc: Services, p: Principal) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        user = identity.get_user(s, p.user_id)
        return {"id": user.id, "username": user.username, "display_name": user.display_name,
                "agency": p.agency_code, "role": p.role.value,
                "totp_enrolled": user.totp_secret is not None,
                "recovery_codes_left": identity.recovery_codes_left(s, user)}


def list_tokens(svc: Services, p: Principal) -> list[dict[str, Any]]:
    """One's own API tokens (never their values: only hashes are kept)."""
    with svc.ctx.db.session() as s:
        return [{"id": t.id, "name": t.name, "created_at": t.created_at.isoformat(),
                 "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                 "revoked": t.revoked_at is not None}
                for t in identity.tokens_of(s, p.user_id)]


def create_token(svc: Services, p: Principal, name: str) -> dict[str, Any]:
    """The token is shown once; only its hash is kept."""
    with svc.ctx.db.session() as s:
        token, row = identity.create_token(s, identity.get_user(s, p.user_id), name)
        audit.append(s, p.actor, "token.create", f"token:{row.id}", agency=p.agency_code,
                     details={"name": name})
        return {"id": row.id, "name": row.name, "token": token}


def revoke_token(svc: Services, p: Principal, token_id: int) -> None:
    with svc.ctx.db.session() as s:
        row = identity.own_token(s, p.user_id, token_id)
        if row is None:
            raise NotFound(f"no token {token_id}")
        row.revoked_at = row.revoked_at or datetime.now(UTC)
        audit.append(s, p.actor, "token.revoke", f"token:{token_id}", agency=p.agency_code)

