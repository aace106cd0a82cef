"""Every user-management action x every pair of roles: nobody acts on a user with more rights
than their own, only the instance admin sets another user's password. The attack that worked
(an agency-admin taking over an instance admin of its agency) is replayed first."""

from __future__ import annotations

import itertools

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import PASSWORD, World

_names = itertools.count(1)
ROLES = ["admin", "agency-admin", "investigator", "viewer"]
ACTIONS = {
    "password": {"password": "a password set by someone else"},
    "disable": {"disabled": True},
    "enable": {"disabled": False},
    "unlock": {"unlock": True},
    "require_totp": {"totp_required": True},
    "reset_totp": {"reset_totp": True},
    "same_role": None,  # the target's own role, set again
}
ACTORS = ["root", "au.admin", "au.inv", "au.viewer", "nl.admin", "nl.inv"]


def _target(world: World, role: str) -> int:
    r = world.client.post("/api/users", headers=world.as_("root"), json={
        "username": f"target{next(_names)}", "password": PASSWORD, "agency": "AU",
        "role": role})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def expected(actor: str, target_role: str, action: str) -> int:
    if actor == "root":
        return 200
    if actor != "au.admin":  # not an administrator of the target's agency: not even listed
        return 404
    if target_role == "admin" or action == "password":
        return 403
    return 200


def test_an_agency_admin_cannot_take_over_an_instance_admin(world: World) -> None:
    uid = _target(world, "admin")
    name = next(u["username"] for u in world.client.get(
        "/api/users", headers=world.as_("root")).json() if u["id"] == uid)
    for body in ({"password": "taken over by au.admin"}, {"disabled": True},
                 {"reset_totp": True}, {"totp_required": False}, {"role": "viewer"}):
        r = world.client.patch(f"/api/users/{uid}", headers=world.as_("au.admin"), json=body)
        assert r.status_code == 403, body
    c = TestClient(world.app, client=("198.51.100.7", 1))
    assert c.post("/api/auth/login",
                  json={"username": name, "password": PASSWORD}).status_code == 200
    after = next(u for u in world.client.get("/api/users", headers=world.as_("root")).json()
                 if u["id"] == uid)
    assert after["role"] == "admin" and not after["disabled"]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("target_role", ROLES)
def test_every_action_by_every_role_on_every_role(world: World, actor: str,
                                                  target_role: str) -> None:
    uid = _target(world, target_role)
    for action, body in ACTIONS.items():
        r = world.client.patch(f"/api/users/{uid}", headers=world.as_(actor),
                               json=body if body is not None else {"role": target_role})
        assert r.status_code == expected(actor, target_role, action), (actor, target_role,
                                                                       action, r.text[:200])


@pytest.mark.parametrize("actor", ["au.admin", "root"])
def test_nobody_grants_more_than_they_have(world: World, actor: str) -> None:
    uid = _target(world, "viewer")
    for role in ROLES:
        r = world.client.patch(f"/api/users/{uid}", headers=world.as_(actor),
                               json={"role": role})
        allowed = actor == "root" or role != "admin"
        assert r.status_code == (200 if allowed else 403), (actor, role)
        if allowed:
            world.client.patch(f"/api/users/{uid}", headers=world.as_("root"),
                               json={"role": "viewer"})
    new = {"username": f"made{next(_names)}", "password": PASSWORD, "agency": "AU",
           "role": "admin"}
    assert world.client.post("/api/users", headers=world.as_(actor),
                             json=new).status_code == (201 if actor == "root" else 403)
