"""Log in (password, then TOTP when enrolled or required), log out, API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from tessera.access import identity
from tessera.access.policy import Forbidden, Principal
from tessera.api.deps import (
    SESSION_COOKIE,
    Caller,
    FullCaller,
    RowId,
    Services,
    Svc,
    Who,
    pending_caller,
)
from tessera.core.errors import NotFound
from tessera.store import audit
from tessera.store.tables import ApiToken, WebSession

router = APIRouter(tags=["auth"])


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=1000)
    totp: str | None = Field(default=None, max_length=24)


class CodeIn(BaseModel):
    code: str = Field(min_length=6, max_length=24, description="TOTP code or a recovery code")


class EnrolIn(BaseModel):
    secret: str = Field(min_length=16, max_length=64, pattern=r"^[A-Za-z2-7=]+$")
    code: str = Field(min_length=6, max_length=12)
    current_code: str | None = Field(default=None, max_length=24, description=(
        "a code of the second factor already enrolled: needed to replace it"))


class PasswordIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=12, max_length=1000)


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


@dataclass
class LoginResult:
    token: str
    csrf: str
    mfa_required: bool
    enrol_required: bool


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _guarded(svc: Services, request: Request, name: str) -> str:
    """Refuse an address that is backing off for this name, or that failed too often in the
    last minute whatever the names; returns the address."""
    ip = client_ip(request)
    svc.throttle.check(ip, name)
    svc.limiter.check(f"login-failures:{ip}", svc.ctx.settings.service.login_attempts_per_minute,
                      record=False)
    return ip


def _failed(svc: Services, ip: str, name: str) -> None:
    svc.throttle.failed(ip, name)
    svc.limiter.record(f"login-failures:{ip}")


def login(svc: Services, request: Request, username: str, password: str,
          totp: str | None = None) -> LoginResult:
    """Check the password (and a TOTP or recovery code when given); every attempt is
    audited, and every failure answers alike."""
    ip = _guarded(svc, request, username)
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


def second_factor(svc: Services, request: Request, caller: Caller, code: str) -> None:
    """The code after the password: TOTP, or a recovery code (spent by its use)."""
    ip = _guarded(svc, request, caller.principal.username)
    svc.limiter.check(f"totp:{caller.principal.user_id}",
                      svc.ctx.settings.service.login_attempts_per_minute)
    failure = None
    with svc.ctx.db.session() as s:
        user = identity.get_user(s, caller.principal.user_id)
        row = _session_row(s, request)
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


def enrol(svc: Services, request: Request, caller: Caller, secret: str, code: str,
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
            cookie = request.cookies.get(SESSION_COOKIE) if caller.via == "session" else None
            if cookie:
                _session_row(s, request).mfa_passed = True
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


def change_password(svc: Services, request: Request, caller: Caller, current: str,
                    new: str) -> int:
    """One's own password, given the current one; every other session and every token end."""
    ip = _guarded(svc, request, caller.principal.username)
    failure = None
    with svc.ctx.db.session() as s:
        user = identity.get_user(s, caller.principal.user_id)
        try:
            identity.check_current_password(user, current)
            user.password_hash = identity.hash_password(new)
            cookie = request.cookies.get(SESSION_COOKIE) if caller.via == "session" else None
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


def logout(svc: Services, request: Request, p: Principal) -> None:
    with svc.ctx.db.session() as s:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            identity.end_session(s, token)
        audit.append(s, p.actor, "logout", f"user:{p.username}", agency=p.agency_code)


def _session_row(s: Any, request: Request) -> WebSession:
    row = identity.resolve_session(s, request.cookies.get(SESSION_COOKIE, ""))
    if row is None:
        raise identity.AuthError("session expired; log in again")
    return row


def set_session_cookie(svc: Services, response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", path="/",
                        secure=svc.ctx.settings.service.cookie_secure,
                        max_age=int(identity.SESSION_LIFETIME.total_seconds()))


# --- routes -------------------------------------------------------------------------------------


@router.post("/auth/login")
def api_login(body: LoginIn, request: Request, response: Response, svc: Svc) -> dict[str, Any]:
    """Start a browser-style session (cookie). Machine clients use API tokens instead."""
    result = login(svc, request, body.username, body.password, body.totp)
    set_session_cookie(svc, response, result.token)
    return {"csrf_token": result.csrf, "mfa_required": result.mfa_required,
            "enrol_required": result.enrol_required}


@router.post("/auth/totp")
def api_totp(body: CodeIn, request: Request, svc: Svc,
             caller: Annotated[Caller, Depends(pending_caller)]) -> dict[str, bool]:
    second_factor(svc, request, caller, body.code)
    return {"ok": True}


@router.get("/auth/totp/new")
def api_totp_new(svc: Svc, caller: Annotated[Caller, Depends(pending_caller)]
                 ) -> dict[str, str]:
    """A fresh secret to enrol; it is stored only once a code from it is confirmed."""
    may_enrol(svc, caller)
    secret = identity.new_totp_secret()
    return {"secret": secret, "uri": identity.totp_uri(secret, caller.principal.username)}


@router.post("/auth/totp/enrol")
def api_totp_enrol(body: EnrolIn, request: Request, svc: Svc,
                   caller: Annotated[Caller, Depends(pending_caller)]) -> dict[str, Any]:
    """Enrol (or, logged in fully and with a current code, replace) the second factor. The
    answer holds the recovery codes: they are shown this once."""
    codes = enrol(svc, request, caller, body.secret, body.code, body.current_code)
    return {"ok": True, "recovery_codes": codes}


@router.post("/auth/recovery-codes")
def api_recovery_codes(body: CodeIn, svc: Svc,
                       caller: FullCaller) -> dict[str, Any]:
    """Replace the recovery codes, given a current TOTP (or recovery) code."""
    return {"recovery_codes": new_recovery_codes(svc, caller, body.code)}


@router.post("/auth/password")
def api_password(body: PasswordIn, request: Request, svc: Svc,
                 caller: FullCaller) -> dict[str, Any]:
    """Change one's own password; every other session and every API token is revoked."""
    return {"ok": True, "revoked": change_password(svc, request, caller, body.current_password,
                                                   body.new_password)}


@router.post("/auth/logout")
def api_logout(request: Request, response: Response, svc: Svc, p: Who) -> dict[str, bool]:
    logout(svc, request, p)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"ok": True}


@router.get("/auth/me")
def me(svc: Svc, p: Who) -> dict[str, Any]:
    with svc.ctx.db.session() as s:
        user = identity.get_user(s, p.user_id)
        return {"id": user.id, "username": user.username, "display_name": user.display_name,
                "agency": p.agency_code, "role": p.role.value,
                "totp_enrolled": user.totp_secret is not None,
                "recovery_codes_left": identity.recovery_codes_left(s, user)}


@router.get("/auth/tokens")
def list_tokens(svc: Svc, p: Who) -> list[dict[str, Any]]:
    with svc.ctx.db.session() as s:
        rows = s.scalars(select(ApiToken).where(ApiToken.user_id == p.user_id)
                         .order_by(ApiToken.id)).all()
        return [{"id": t.id, "name": t.name, "created_at": t.created_at.isoformat(),
                 "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                 "revoked": t.revoked_at is not None} for t in rows]


@router.post("/auth/tokens", status_code=201)
def create_token(body: TokenIn, svc: Svc, p: Who) -> dict[str, Any]:
    """The token is shown once; only its hash is kept."""
    with svc.ctx.db.session() as s:
        token, row = identity.create_token(s, identity.get_user(s, p.user_id), body.name)
        audit.append(s, p.actor, "token.create", f"token:{row.id}", agency=p.agency_code,
                     details={"name": body.name})
        return {"id": row.id, "name": row.name, "token": token}


@router.delete("/auth/tokens/{token_id}")
def revoke_token(token_id: RowId, svc: Svc, p: Who) -> dict[str, bool]:
    with svc.ctx.db.session() as s:
        row = s.get(ApiToken, token_id)
        if row is None or row.user_id != p.user_id:  # one's own tokens only
            raise NotFound(f"no token {token_id}")
        row.revoked_at = row.revoked_at or datetime.now(UTC)
        audit.append(s, p.actor, "token.revoke", f"token:{token_id}", agency=p.agency_code)
    return {"ok": True}
