"""Typed request dependencies: the services, and who is asking.

A request is authenticated by an API token (``Authorization: Bearer tsr_…``, for machine clients)
or by the session cookie of the web UI. Cookie-authenticated requests that change anything must
carry the session's CSRF token (``X-CSRF-Token`` header or ``csrf`` form field); token clients
need none, since a browser never attaches a bearer token on its own.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Form, Path, Request, Response

from tessera.access import identity
from tessera.access.policy import Forbidden, Principal
from tessera.service.auth import Caller
from tessera.service.runtime import Services

SESSION_COOKIE = "tessera_session"
MAX_ID = 2**53  # ids beyond this are no row of ours, and overflow SQLite's integer
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class NotAuthenticated(identity.AuthError):
    """No valid session or token; 401 for the API, a redirect to the login page for the UI."""


def services(request: Request) -> Services:
    return request.app.state.services


def _resolve(request: Request, svc: Services, *, allow_pending_mfa: bool = False) -> Caller:
    auth = request.headers.get("authorization", "")
    with svc.ctx.db.session() as s:
        if auth.lower().startswith("bearer "):
            user = identity.resolve_token(s, auth[7:].strip())
            if user is None:
                raise NotAuthenticated("invalid or revoked API token")
            return Caller(identity.principal_of(user), None, "token")
        cookie = request.cookies.get(SESSION_COOKIE)
        row = identity.resolve_session(s, cookie) if cookie else None
        if row is None:
            raise NotAuthenticated("log in first")
        if not row.mfa_passed and not allow_pending_mfa:
            raise NotAuthenticated("second factor required")
        caller = Caller(identity.principal_of(row.user), row.csrf_token, "session",
                        row.mfa_passed, cookie)
    if request.method not in SAFE_METHODS:
        check_csrf(caller, request.headers.get("x-csrf-token")
                   or getattr(request.state, "form_csrf", None))
    return caller


def check_csrf(caller: Caller, sent: str | None) -> None:
    if not sent or not caller.csrf or not secrets.compare_digest(sent, caller.csrf):
        raise Forbidden("missing or wrong CSRF token")


def caller(request: Request, svc: Annotated[Services, Depends(services)]) -> Caller:
    return _resolve(request, svc)


def pending_caller(request: Request, svc: Annotated[Services, Depends(services)]) -> Caller:
    """A session that has passed the password but not yet the second factor."""
    return _resolve(request, svc, allow_pending_mfa=True)


def pending_form_caller(request: Request, svc: Annotated[Services, Depends(services)],
                        csrf: Annotated[str, Form()] = "") -> Caller:
    """The second-factor forms of a session that has passed the password only."""
    request.state.form_csrf = csrf
    return _resolve(request, svc, allow_pending_mfa=True)


def form_caller(request: Request, svc: Annotated[Services, Depends(services)],
                csrf: Annotated[str, Form()] = "") -> Caller:
    """For the UI's plain HTML forms, which carry the CSRF token as a field."""
    request.state.form_csrf = csrf
    return _resolve(request, svc)


def principal(c: Annotated[Caller, Depends(caller)]) -> Principal:
    return c.principal


Svc = Annotated[Services, Depends(services)]
Who = Annotated[Principal, Depends(principal)]
FullCaller = Annotated[Caller, Depends(caller)]
FormWho = Annotated[Caller, Depends(form_caller)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def set_session_cookie(svc: Services, response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", path="/",
                        secure=svc.ctx.settings.service.cookie_secure,
                        max_age=int(identity.SESSION_LIFETIME.total_seconds()))
