"""Log in (password, then TOTP when enrolled or required), log out, API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from tessera.access import identity
from tessera.access.policy import Principal
from tessera.api.deps import (
    SESSION_COOKIE,
    Caller,
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
    totp: str | None = Field(default=None, max_length=12)


class CodeIn(BaseModel):
    code: str = Field(min_length=6, max_length=12)


class EnrolIn(BaseModel):
    secret: str = Field(min_length=16, max_length=64, pattern=r"^[A-Za-z2-7=]+$")
    code: str = Field(min_length=6, max_length=12)


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


def login(svc: Services, request: Request, username: str, password: str,
          totp: str | None = None) -> LoginResult:
    """Check the password (and a TOTP code when given); every attempt is audited."""
    svc.limiter.check(f"login:{client_ip(request)}:{username}",
                      svc.ctx.settings.service.login_attempts_per_minute)
    failure: identity.AuthError | None = None
    result: LoginResult | None = None
    with svc.ctx.db.session() as s:
        try:
            outcome = identity.check_password(s, username, password)
            user = outcome.user
            passed = not outcome.needs_totp and not outcome.must_enrol
            if outcome.needs_totp and totp:
                identity.check_second_factor(svc.key, user, totp)
                passed = True
            token, row = identity.create_session(s, user, mfa_passed=passed)
            result = LoginResult(token, row.csrf_token, outcome.needs_totp and not passed,
                                 outcome.must_enrol)
            audit.append(s, f"user:{username}", "login", f"user:{username}",
                         agency=user.agency.code, outcome="ok" if passed else "password-ok",
                         details={"ip": client_ip(request)})
        except identity.AuthError as exc:
            failure = exc
            audit.append(s, f"user:{username}", "login", f"user:{username}", outcome="denied",
                         details={"ip": client_ip(request), "reason": str(exc)})
    if failure is not None:
        raise failure
    assert result is not None
    return result


def second_factor(svc: Services, request: Request, caller: Caller, code: str) -> None:
    svc.limiter.check(f"totp:{caller.principal.user_id}",
                      svc.ctx.settings.service.login_attempts_per_minute)
    failure = None
    with svc.ctx.db.session() as s:
        user = identity.get_user(s, caller.principal.user_id)
        row = _session_row(s, request)
        try:
            identity.check_second_factor(svc.key, user, code)
            row.mfa_passed = True
            audit.append(s, caller.principal.actor, "login.totp", f"user:{user.username}",
                         agency=user.agency.code)
        except identity.AuthError as exc:
            failure = exc
            audit.append(s, caller.principal.actor, "login.totp", f"user:{user.username}",
                         agency=user.agency.code, outcome="denied")
    if failure:
        raise failure


def enrol(svc: Services, request: Request, caller: Caller, secret: str, code: str) -> None:
    if not identity.check_totp(secret, code):
        raise identity.AuthError("the code does not match the secret; check the device's clock")
    with svc.ctx.db.session() as s:
        user = identity.get_user(s, caller.principal.user_id)
        user.totp_secret = identity.seal(svc.key, secret.encode())
        _session_row(s, request).mfa_passed = True
        audit.append(s, caller.principal.actor, "totp.enrol", f"user:{user.username}",
                     agency=user.agency.code)


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
def api_totp_new(caller: Annotated[Caller, Depends(pending_caller)]) -> dict[str, str]:
    """A fresh secret to enrol; it is stored only once a code from it is confirmed."""
    secret = identity.new_totp_secret()
    return {"secret": secret, "uri": identity.totp_uri(secret, caller.principal.username)}


@router.post("/auth/totp/enrol")
def api_totp_enrol(body: EnrolIn, request: Request, svc: Svc,
                   caller: Annotated[Caller, Depends(pending_caller)]) -> dict[str, bool]:
    enrol(svc, request, caller, body.secret, body.code)
    return {"ok": True}


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
                "totp_enrolled": user.totp_secret is not None}


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
