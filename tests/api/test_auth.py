"""Logins by cookie (with CSRF) and by token; TOTP enrolment and use; lock-out; rate limits;
secure headers and JSON errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pyotp
from fastapi.testclient import TestClient

from tests.api.conftest import PASSWORD, World


def _new_user(world: World, name: str, **extra: object) -> int:
    r = world.client.post("/api/users", headers=world.as_("root"), json={
        "username": name, "password": PASSWORD, "agency": "NL", "role": "investigator",
        **extra})
    assert r.status_code == 201, r.text
    return r.json()["id"]


@contextmanager
def _session(world: World) -> Iterator[TestClient]:
    """A client with its own cookie jar on the running app (not entered: no second start)."""
    yield TestClient(world.app)


def test_cookie_session_needs_csrf_for_changes(world: World) -> None:
    _new_user(world, "cookie.user")
    with _session(world) as c:
        login = c.post("/api/auth/login", json={"username": "cookie.user", "password": PASSWORD})
        assert login.status_code == 200
        cookie = login.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        csrf = login.json()["csrf_token"]
        assert c.get("/api/auth/me").json()["username"] == "cookie.user"
        assert c.post("/api/auth/tokens", json={"name": "x"}).status_code == 403
        made = c.post("/api/auth/tokens", json={"name": "ci"}, headers={"x-csrf-token": csrf})
        assert made.status_code == 201
        token = made.json()["token"]
        assert c.post("/api/auth/logout", headers={"x-csrf-token": csrf}).status_code == 200
        assert c.get("/api/auth/me").status_code == 401
    with _session(world) as machine:  # the token works without cookie or CSRF, until revoked
        bearer = {"authorization": f"Bearer {token}"}
        assert machine.get("/api/series", headers=bearer).status_code == 200
        tid = machine.get("/api/auth/tokens", headers=bearer).json()[0]["id"]
        assert machine.delete(f"/api/auth/tokens/{tid}", headers=bearer).status_code == 200
        assert machine.get("/api/series", headers=bearer).status_code == 401


def test_lockout_after_repeated_failures_and_admin_unlock(world: World) -> None:
    uid = _new_user(world, "unlucky")
    with _session(world) as c:
        for _ in range(5):
            r = c.post("/api/auth/login", json={"username": "unlucky", "password": "wrong" * 3})
            assert r.status_code == 401
        r = c.post("/api/auth/login", json={"username": "unlucky", "password": PASSWORD})
        assert r.status_code == 401 and "locked" in r.json()["error"]["message"]
    assert world.client.patch(f"/api/users/{uid}", headers=world.as_("root"),
                              json={"unlock": True}).status_code == 200
    with _session(world) as c:
        assert c.post("/api/auth/login",
                      json={"username": "unlucky", "password": PASSWORD}).status_code == 200
    denied = world.client.get("/api/audit", headers=world.as_("root"),
                              params={"actor": "user:unlucky", "outcome": "denied"}).json()
    assert len(denied) == 6


def test_login_rate_limit(world: World) -> None:
    with _session(world) as c:
        codes = [c.post("/api/auth/login", json={"username": "nobody", "password": "x"})
                 .status_code for _ in range(12)]
    assert codes[:10] == [401] * 10 and codes[-1] == 429


def test_totp_required_by_admin_enrol_then_use(world: World) -> None:
    uid = _new_user(world, "careful")
    world.client.patch(f"/api/users/{uid}", headers=world.as_("root"),
                       json={"totp_required": True})
    with _session(world) as c:
        first = c.post("/api/auth/login", json={"username": "careful", "password": PASSWORD})
        assert first.json()["enrol_required"]
        assert c.get("/api/series").status_code == 401  # not before the second factor
        csrf = first.json()["csrf_token"]
        secret = c.get("/api/auth/totp/new").json()["secret"]
        bad = c.post("/api/auth/totp/enrol", headers={"x-csrf-token": csrf},
                     json={"secret": secret, "code": "000000"})
        assert bad.status_code == 401
        ok = c.post("/api/auth/totp/enrol", headers={"x-csrf-token": csrf},
                    json={"secret": secret, "code": pyotp.TOTP(secret).now()})
        assert ok.status_code == 200 and c.get("/api/series").status_code == 200
    with _session(world) as c:
        second = c.post("/api/auth/login", json={"username": "careful", "password": PASSWORD})
        assert second.json()["mfa_required"] and c.get("/api/series").status_code == 401
        csrf = second.json()["csrf_token"]
        assert c.post("/api/auth/totp", headers={"x-csrf-token": csrf},
                      json={"code": "123456" if pyotp.TOTP(secret).now() != "123456"
                            else "654321"}).status_code == 401
        assert c.post("/api/auth/totp", headers={"x-csrf-token": csrf},
                      json={"code": pyotp.TOTP(secret).now()}).status_code == 200
        assert c.get("/api/series").status_code == 200
    with _session(world) as c:  # or the code with the password, in one call
        r = c.post("/api/auth/login", json={"username": "careful", "password": PASSWORD,
                                            "totp": pyotp.TOTP(secret).now()})
        assert not r.json()["mfa_required"] and c.get("/api/series").status_code == 200


def test_secure_headers_and_json_errors(world: World) -> None:
    c = world.client
    for path in ("/login", "/api/series", "/api/nothing-here"):
        r = c.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-frame-options"] == "DENY"
    assert c.get("/api/series").json()["error"]["code"] == "not_authenticated"
    big = c.post("/api/auth/login", content=b"x" * (2 * 1024 * 1024),
                 headers={"content-type": "application/json"})
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
    bad = c.post("/api/auth/login", json={"username": ""})
    assert bad.status_code == 422 and "Traceback" not in bad.text
    page = c.get("/series", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"
