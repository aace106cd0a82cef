"""Logins by cookie (with CSRF) and by token; TOTP enrolment, use, recovery codes and reset;
back-off and rate limits; credential changes revoking sessions; secure headers and JSON errors.

Each attack that once worked is replayed here. Every test logs in from its own client address,
so one test's failures do not throttle another's."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pyotp
from fastapi.testclient import TestClient

from tessera.access import identity
from tessera.server import create_app
from tests.api.conftest import PASSWORD, World

_addresses = itertools.count(1)


def _new_user(world: World, name: str, **extra: object) -> int:
    r = world.client.post("/api/users", headers=world.as_("root"), json={
        "username": name, "password": PASSWORD, "agency": "NL", "role": "investigator",
        **extra})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _client(world: World, address: str | None = None) -> TestClient:
    """A client with its own cookie jar and address on the running app (not entered)."""
    return TestClient(world.app, client=(address or f"192.0.2.{next(_addresses)}", 50000))


def _login(c: TestClient, name: str, password: str = PASSWORD, **extra: object):  # type: ignore[no-untyped-def]
    return c.post("/api/auth/login", json={"username": name, "password": password, **extra})


def _other(code: str) -> str:
    return "123456" if code != "123456" else "654321"


def _enrolled(world: World, name: str) -> tuple[str, list[str]]:
    """A user who has enrolled TOTP (required by an admin): their secret and recovery codes."""
    uid = _new_user(world, name)
    world.client.patch(f"/api/users/{uid}", headers=world.as_("root"),
                       json={"totp_required": True})
    c = _client(world)
    csrf = _login(c, name).json()["csrf_token"]
    secret = c.get("/api/auth/totp/new").json()["secret"]
    r = c.post("/api/auth/totp/enrol", headers={"x-csrf-token": csrf},
               json={"secret": secret, "code": pyotp.TOTP(secret).now()})
    assert r.status_code == 200, r.text
    return secret, r.json()["recovery_codes"]


def test_cookie_session_needs_csrf_for_changes(world: World) -> None:
    _new_user(world, "cookie.user")
    c = _client(world)
    login = _login(c, "cookie.user")
    assert login.status_code == 200
    cookie = login.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    csrf = login.json()["csrf_token"]
    assert c.get("/api/auth/me").json()["username"] == "cookie.user"
    assert c.post("/api/auth/tokens", json={"name": "x"}).status_code == 403
    made = c.post("/api/auth/tokens", json={"name": "ci"}, headers={"x-csrf-token": csrf})
    assert made.status_code == 201
    token = made.json()["token"]
    assert c.post("/api/auth/logout", headers={"x-csrf-token": csrf}).status_code == 200
    assert c.get("/api/auth/me").status_code == 401
    machine = _client(world)  # the token works without cookie or CSRF, until revoked
    bearer = {"authorization": f"Bearer {token}"}
    assert machine.get("/api/series", headers=bearer).status_code == 200
    tid = machine.get("/api/auth/tokens", headers=bearer).json()[0]["id"]
    assert machine.delete(f"/api/auth/tokens/{tid}", headers=bearer).status_code == 200
    assert machine.get("/api/series", headers=bearer).status_code == 401


# --- login: one answer for every failure, back-off that strangers cannot turn on the admin -----


def test_unknown_disabled_and_wrong_answer_alike_after_the_same_work(world: World,
                                                                     monkeypatch) -> None:  # type: ignore[no-untyped-def]
    uid = _new_user(world, "samey")
    _new_user(world, "gone.user")
    gone = world.client.get("/api/users", headers=world.as_("root")).json()
    gone_id = next(u["id"] for u in gone if u["username"] == "gone.user")
    world.client.patch(f"/api/users/{gone_id}", headers=world.as_("root"),
                       json={"disabled": True})
    verifications: list[str] = []
    real = identity._verifies
    monkeypatch.setattr(identity, "_verifies",
                        lambda h, p: verifications.append(p) or real(h, p))
    answers = []
    for name, password in (("nobody.at.all", "whatever123"), ("samey", "wrong password"),
                           ("gone.user", PASSWORD)):
        verifications.clear()
        r = _login(_client(world), name, password)
        answers.append((r.status_code, r.json()["error"]["message"]))
        assert len(verifications) == 1, name  # one argon2 verification on every path
    assert len(set(answers)) == 1 and answers[0][0] == 401
    assert uid


def test_backoff_per_address_never_locks_the_user_out_elsewhere(world: World) -> None:
    uid = _new_user(world, "unlucky")
    stranger = _client(world)
    for _ in range(5):
        assert _login(stranger, "unlucky", "wrong" * 3).status_code == 401
    blocked = _login(stranger, "unlucky")  # even the right password waits now
    assert blocked.status_code == 429 and "wait" in blocked.json()["error"]["message"]
    nobody = _client(world)  # the same answer for a name that does not exist
    for _ in range(5):
        _login(nobody, "no.such.user", "wrong" * 3)
    assert _login(nobody, "no.such.user", "wrong" * 3).status_code == 429
    assert _login(_client(world), "unlucky").status_code == 200  # the user, from elsewhere
    world.client.patch(f"/api/users/{uid}", headers=world.as_("root"), json={"unlock": True})
    assert _login(stranger, "unlucky").status_code == 200  # an admin's unlock ends the wait
    denied = world.client.get("/api/audit", headers=world.as_("root"),
                              params={"actor": "user:unlucky", "outcome": "denied"}).json()
    assert len(denied) == 5  # attempts refused by the back-off never reach the password


def test_one_address_trying_many_names_is_rate_limited(world: World) -> None:
    c = _client(world)
    codes = [_login(c, f"guess{i}", "password guess").status_code for i in range(40)]
    limit = world.settings.service.login_attempts_per_minute
    assert codes[:limit] == [401] * limit and set(codes[limit:]) == {429}
    assert _login(_client(world), "guess1", "password guess").status_code == 401


# --- the second factor -------------------------------------------------------------------------


def test_totp_required_by_admin_enrol_then_use(world: World) -> None:
    uid = _new_user(world, "careful")
    world.client.patch(f"/api/users/{uid}", headers=world.as_("root"),
                       json={"totp_required": True})
    c = _client(world)
    first = _login(c, "careful")
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
    codes = ok.json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert c.get("/api/auth/me").json()["recovery_codes_left"] == 10
    c = _client(world)
    second = _login(c, "careful")
    assert second.json()["mfa_required"] and c.get("/api/series").status_code == 401
    csrf = second.json()["csrf_token"]
    assert c.post("/api/auth/totp", headers={"x-csrf-token": csrf},
                  json={"code": _other(pyotp.TOTP(secret).now())}).status_code == 401
    assert c.post("/api/auth/totp", headers={"x-csrf-token": csrf},
                  json={"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert c.get("/api/series").status_code == 200
    c = _client(world)  # or the code with the password, in one call
    r = _login(c, "careful", totp=pyotp.TOTP(secret).now())
    assert not r.json()["mfa_required"] and c.get("/api/series").status_code == 200


def test_password_alone_cannot_replace_the_second_factor(world: World) -> None:
    """The attack: password only, then choose a new TOTP secret and be fully logged in."""
    real_secret, _ = _enrolled(world, "target.of.bypass")
    c = _client(world)
    pending = _login(c, "target.of.bypass")
    assert pending.json()["mfa_required"]
    csrf = pending.json()["csrf_token"]
    assert c.get("/api/auth/totp/new").status_code == 403
    mine = pyotp.random_base32()
    r = c.post("/api/auth/totp/enrol", headers={"x-csrf-token": csrf},
               json={"secret": mine, "code": pyotp.TOTP(mine).now()})
    assert r.status_code == 403
    assert c.get("/api/series").status_code == 401
    page = c.get("/login/enrol", headers={"accept": "text/html"})
    assert page.status_code == 403 and mine not in page.text
    form = c.post("/login/enrol", headers={"accept": "text/html"},
                  data={"csrf": csrf, "secret": mine, "code": pyotp.TOTP(mine).now()})
    assert form.status_code == 403
    assert c.get("/api/series").status_code == 401
    # the real factor still works, the attacker's does not
    assert _login(_client(world), "target.of.bypass",
                  totp=pyotp.TOTP(mine).now()).status_code == 401
    assert not _login(_client(world), "target.of.bypass",
                      totp=pyotp.TOTP(real_secret).now()).json()["mfa_required"]


def test_replacing_the_factor_needs_a_full_login_and_a_current_code(world: World) -> None:
    secret, _ = _enrolled(world, "replacer")
    other = _client(world)
    _login(other, "replacer", totp=pyotp.TOTP(secret).now())
    assert other.get("/api/series").status_code == 200
    c = _client(world)
    csrf = _login(c, "replacer", totp=pyotp.TOTP(secret).now()).json()["csrf_token"]
    new = c.get("/api/auth/totp/new").json()["secret"]
    body = {"secret": new, "code": pyotp.TOTP(new).now()}
    assert c.post("/api/auth/totp/enrol", headers={"x-csrf-token": csrf},
                  json=body).status_code == 401
    assert c.post("/api/auth/totp/enrol", headers={"x-csrf-token": csrf},
                  json={**body, "current_code": _other(pyotp.TOTP(secret).now())}
                  ).status_code == 401
    r = c.post("/api/auth/totp/enrol", headers={"x-csrf-token": csrf},
               json={**body, "current_code": pyotp.TOTP(secret).now()})
    assert r.status_code == 200
    assert c.get("/api/series").status_code == 200  # this session goes on
    assert other.get("/api/series").status_code == 401  # every other one ended


def test_recovery_codes_log_in_once_and_are_stored_hashed(world: World) -> None:
    secret, codes = _enrolled(world, "lost.phone")
    c = _client(world)
    csrf = _login(c, "lost.phone").json()["csrf_token"]
    assert c.post("/api/auth/totp", headers={"x-csrf-token": csrf},
                  json={"code": codes[0].lower()}).status_code == 200
    assert c.get("/api/series").status_code == 200
    assert c.get("/api/auth/me").json()["recovery_codes_left"] == 9
    again = _client(world)
    csrf = _login(again, "lost.phone").json()["csrf_token"]
    assert again.post("/api/auth/totp", headers={"x-csrf-token": csrf},
                      json={"code": codes[0]}).status_code == 401  # spent
    assert not _login(_client(world), "lost.phone", totp=codes[1]).json()["mfa_required"]
    csrf = _login(c, "lost.phone", totp=pyotp.TOTP(secret).now()).json()["csrf_token"]
    fresh = c.post("/api/auth/recovery-codes", headers={"x-csrf-token": csrf},
                   json={"code": pyotp.TOTP(secret).now()})
    assert fresh.status_code == 200 and set(fresh.json()["recovery_codes"]).isdisjoint(codes)
    assert _login(_client(world), "lost.phone", totp=codes[2]).status_code == 401
    from sqlalchemy import select

    from tessera.context import Context
    from tessera.store.tables import RecoveryCode

    ctx = Context.open(world.settings)
    try:
        with ctx.db.session() as s:
            stored = s.scalars(select(RecoveryCode.code_hash)).all()
        assert not any(code.replace("-", "") in h for h in stored for code in codes)
        assert all(len(h) == 64 for h in stored)
    finally:
        ctx.close()


def test_admin_reset_forces_reenrolment_and_revokes_everything(world: World) -> None:
    secret, _ = _enrolled(world, "reset.me")
    c = _client(world)
    csrf = _login(c, "reset.me", totp=pyotp.TOTP(secret).now()).json()["csrf_token"]
    token = c.post("/api/auth/tokens", json={"name": "t"},
                   headers={"x-csrf-token": csrf}).json()["token"]
    uid = c.get("/api/auth/me").json()["id"]
    r = world.client.patch(f"/api/users/{uid}", headers=world.as_("root"),
                           json={"reset_totp": True})
    assert r.status_code == 200 and not r.json()["totp_enrolled"] and r.json()["totp_required"]
    assert c.get("/api/series").status_code == 401
    assert c.get("/api/series", headers={"authorization": f"Bearer {token}"}).status_code == 401
    again = _login(_client(world), "reset.me", totp=pyotp.TOTP(secret).now())
    assert again.json()["enrol_required"]


# --- credential changes end what was issued before ---------------------------------------------


def _token_and_session(world: World, name: str) -> tuple[TestClient, dict[str, str]]:
    c = _client(world)
    csrf = _login(c, name).json()["csrf_token"]
    token = c.post("/api/auth/tokens", json={"name": "t"},
                   headers={"x-csrf-token": csrf}).json()["token"]
    return c, {"authorization": f"Bearer {token}"}


def test_password_reset_and_disabling_revoke_sessions_and_tokens(world: World) -> None:
    uid = _new_user(world, "revoked.user")
    c, bearer = _token_and_session(world, "revoked.user")
    r = world.client.patch(f"/api/users/{uid}", headers=world.as_("root"),
                           json={"password": "a brand new password"})
    assert r.status_code == 200
    assert c.get("/api/series").status_code == 401
    assert c.get("/api/series", headers=bearer).status_code == 401
    c = _client(world)
    csrf = _login(c, "revoked.user", "a brand new password").json()["csrf_token"]
    token = c.post("/api/auth/tokens", json={"name": "t"},
                   headers={"x-csrf-token": csrf}).json()["token"]
    bearer = {"authorization": f"Bearer {token}"}
    for disabled in (True, False):  # disabling, then enabling again, revives nothing
        world.client.patch(f"/api/users/{uid}", headers=world.as_("root"),
                           json={"disabled": disabled})
    assert c.get("/api/series").status_code == 401
    assert c.get("/api/series", headers=bearer).status_code == 401


def test_changing_ones_own_password_needs_the_current_one(world: World) -> None:
    _new_user(world, "self.service")
    other, bearer = _token_and_session(world, "self.service")
    c = _client(world)
    csrf = _login(c, "self.service").json()["csrf_token"]
    wrong = c.post("/api/auth/password", headers={"x-csrf-token": csrf},
                   json={"current_password": "not my password", "new_password": "x" * 14})
    assert wrong.status_code == 401
    r = c.post("/api/auth/password", headers={"x-csrf-token": csrf},
               json={"current_password": PASSWORD, "new_password": "my new long password"})
    assert r.status_code == 200 and r.json()["revoked"] == 2
    assert c.get("/api/series").status_code == 200
    assert other.get("/api/series").status_code == 401
    assert other.get("/api/series", headers=bearer).status_code == 401
    assert _login(_client(world), "self.service", "my new long password").status_code == 200


# --- headers ------------------------------------------------------------------------------------


def test_secure_headers_and_json_errors(world: World) -> None:
    c = world.client
    for path in ("/login", "/api/series", "/api/nothing-here"):
        r = c.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in r.headers  # plain HTTP: no HSTS
    assert c.get("/api/series").json()["error"]["code"] == "not_authenticated"
    big = c.post("/api/auth/login", content=b"x" * (2 * 1024 * 1024),
                 headers={"content-type": "application/json"})
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
    bad = c.post("/api/auth/login", json={"username": ""})
    assert bad.status_code == 422 and "Traceback" not in bad.text
    page = c.get("/series", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"


def test_secure_cookies_come_with_hsts(world: World) -> None:
    _new_user(world, "behind.tls")
    settings = replace(world.settings,
                       service=replace(world.settings.service, cookie_secure=True))
    c = TestClient(create_app(settings, run_tasks=False), base_url="https://testserver",
                   client=("192.0.2.250", 1))
    r = _login(c, "behind.tls")
    assert "secure" in r.headers["set-cookie"].lower()
    assert r.headers["strict-transport-security"].startswith("max-age=")


def test_every_page_form_refuses_a_forged_post(world: World) -> None:
    """Every form of the UI that changes something refuses a logged-in browser's request
    without the session's CSRF token (another site's page posting on the user's behalf) and
    changes nothing: walked over every POST route of the pages, so a new form is covered."""
    import re

    from fastapi.routing import APIRoute

    from tessera.web.pages import router

    client = TestClient(world.app, base_url="http://testserver")
    assert _login(client, "au.admin").status_code == 200
    posts = sorted(r.path for r in router.routes
                   if isinstance(r, APIRoute) and "POST" in r.methods)
    assert len(posts) > 30  # the walk found the forms
    last = client.get("/api/audit", params={"limit": 1}).json()[0]["id"]
    for path in posts:
        if path in ("/login", "/login/totp", "/login/enrol"):  # no session yet to forge
            continue
        r = client.post(re.sub(r"\{[^}]+\}", "1", path), follow_redirects=False,
                        data={"text": "forged", "state": "confirmed", "decision": "grant",
                              "sharing": "full", "label": "forged", "level": "full",
                              "series": "1", "other": "1", "kind": "related", "owner": "AU"})
        assert r.status_code in (401, 403), (path, r.status_code, r.text[:200])
    since = [e["action"] for e in client.get("/api/audit", params={"limit": 1000}).json()
             if e["id"] > last]
    assert set(since) <= {"audit.browse"}, since  # nothing was done
