"""Log in (password, then TOTP when enrolled or required), log out, API tokens: the HTTP
face of ``service.auth``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from tessera.api.schemas import (
    EnrolledOut,
    LoginOut,
    MeOut,
    NewTokenOut,
    Ok,
    PasswordChangedOut,
    RecoveryCodesOut,
    SecretOut,
    TokenOut,
)
from tessera.http.deps import (
    SESSION_COOKIE,
    Caller,
    FullCaller,
    RowId,
    Svc,
    Who,
    client_ip,
    pending_caller,
    set_session_cookie,
)
from tessera.service import auth

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


@router.post("/auth/login", response_model=LoginOut)
def api_login(body: LoginIn, request: Request, response: Response, svc: Svc) -> dict[str, Any]:
    """Start a browser-style session (cookie). Machine clients use API tokens instead."""
    result = auth.login(svc, client_ip(request), body.username, body.password, body.totp)
    set_session_cookie(svc, response, result.token)
    return {"csrf_token": result.csrf, "mfa_required": result.mfa_required,
            "enrol_required": result.enrol_required}


@router.post("/auth/totp", response_model=Ok)
def api_totp(body: CodeIn, request: Request, svc: Svc,
             caller: Annotated[Caller, Depends(pending_caller)]) -> dict[str, bool]:
    auth.second_factor(svc, client_ip(request), caller, body.code)
    return {"ok": True}


@router.get("/auth/totp/new", response_model=SecretOut)
def api_totp_new(svc: Svc, caller: Annotated[Caller, Depends(pending_caller)]
                 ) -> dict[str, str]:
    """A fresh secret to enrol; it is stored only once a code from it is confirmed."""
    return auth.new_secret(svc, caller)


@router.post("/auth/totp/enrol", response_model=EnrolledOut)
def api_totp_enrol(body: EnrolIn, svc: Svc,
                   caller: Annotated[Caller, Depends(pending_caller)]) -> dict[str, Any]:
    """Enrol (or, logged in fully and with a current code, replace) the second factor. The
    answer holds the recovery codes: they are shown this once."""
    codes = auth.enrol(svc, caller, body.secret, body.code, body.current_code)
    return {"ok": True, "recovery_codes": codes}


@router.post("/auth/recovery-codes", response_model=RecoveryCodesOut)
def api_recovery_codes(body: CodeIn, svc: Svc,
                       caller: FullCaller) -> dict[str, Any]:
    """Replace the recovery codes, given a current TOTP (or recovery) code."""
    return {"recovery_codes": auth.new_recovery_codes(svc, caller, body.code)}


@router.post("/auth/password", response_model=PasswordChangedOut)
def api_password(body: PasswordIn, request: Request, svc: Svc,
                 caller: FullCaller) -> dict[str, Any]:
    """Change one's own password; every other session and every API token is revoked."""
    revoked = auth.change_password(svc, client_ip(request), caller, body.current_password,
                                   body.new_password)
    return {"ok": True, "revoked": revoked}


@router.post("/auth/logout", response_model=Ok)
def api_logout(request: Request, response: Response, svc: Svc, p: Who) -> dict[str, bool]:
    auth.logout(svc, p, request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"ok": True}


@router.get("/auth/me", response_model=MeOut)
def me(svc: Svc, p: Who) -> dict[str, Any]:
    return auth.me(svc, p)


@router.get("/auth/tokens", response_model=list[TokenOut])
def list_tokens(svc: Svc, p: Who) -> list[dict[str, Any]]:
    return auth.list_tokens(svc, p)


@router.post("/auth/tokens", status_code=201, response_model=NewTokenOut)
def create_token(body: TokenIn, svc: Svc, p: Who) -> dict[str, Any]:
    """The token is shown once; only its hash is kept."""
    return auth.create_token(svc, p, body.name)


@router.delete("/auth/tokens/{token_id}", response_model=Ok)
def revoke_token(token_id: RowId, svc: Svc, p: Who) -> dict[str, bool]:
    auth.revoke_token(svc, p, token_id)
    return {"ok": True}
