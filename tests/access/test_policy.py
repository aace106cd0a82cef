"""The policy function as a table: every action x role x own/other agency x visibility."""

from __future__ import annotations

import itertools

import pytest

from tessera.access import identity
from tessera.access.policy import (
    Action,
    Principal,
    Role,
    Target,
    Visibility,
    can,
    clue_visibility,
    holding_visibility,
    link_target,
    media_visibility,
    person_visibility,
    request_target,
    series_visibility,
)
from tessera.context import Context
from tessera.store import repos

OWN, OTHER = 1, 2


def who(role: Role) -> Principal:
    return Principal(7, "u", OWN, "AU", role)


def expected(action: Action, role: Role, own: bool, vis: Visibility) -> bool:
    at_least_inv = role in (Role.INVESTIGATOR, Role.AGENCY_ADMIN, Role.ADMIN)
    if action is Action.UPLOAD:
        return at_least_inv
    if action in (Action.SEARCH, Action.VIEW_STATS):
        return True
    if action is Action.READ_NOTIFICATIONS:
        return own
    if action is Action.VIEW_JOB:
        return own
    if action is Action.CANCEL_JOB:
        return own and at_least_inv
    if action in (Action.VIEW_SERIES, Action.VIEW_MEDIA, Action.VIEW_PERSON, Action.VIEW_LINK,
                  Action.VIEW_PLACE, Action.VIEW_CLUE):
        return vis >= Visibility.METADATA
    if action is Action.VIEW_PIXELS:
        return vis is Visibility.FULL
    if action is Action.CATEGORISE:
        return vis is Visibility.FULL and at_least_inv
    if action is Action.REQUEST_ACCESS:  # someone else's series one knows of, short of full
        return not own and Visibility.NONE < vis < Visibility.FULL and at_least_inv
    if action in (Action.ANNOTATE, Action.DISCUSS):
        return vis >= Visibility.METADATA and at_least_inv
    if action is Action.EXPORT_HASHES:
        return own and role in (Role.AGENCY_ADMIN, Role.ADMIN)
    if action in (Action.EDIT_SERIES, Action.EDIT_PERSON, Action.EDIT_PLACE, Action.EDIT_CLUE,
                  Action.LINK):
        return own and at_least_inv
    if action in (Action.SHARE_SERIES, Action.SHARE_PERSON, Action.SHARE_PLACE):
        return own and role in (Role.AGENCY_ADMIN, Role.ADMIN)
    if action is Action.MANAGE_AGENCIES:
        return role is Role.ADMIN
    if action in (Action.MANAGE_AGENCY, Action.MANAGE_USERS, Action.VIEW_AUDIT):
        return role is Role.ADMIN or (own and role is Role.AGENCY_ADMIN)
    if action is Action.MANAGE_USER:  # a user with no role given: nobody
        return False
    if action is Action.SET_PASSWORD:
        return role is Role.ADMIN
    raise AssertionError(f"no expectation for {action}")


RANKS = [Role.VIEWER, Role.INVESTIGATOR, Role.AGENCY_ADMIN, Role.ADMIN]


@pytest.mark.parametrize("actor", list(Role))
@pytest.mark.parametrize("subject", list(Role))
def test_managing_a_user_never_reaches_above_ones_own_role(actor: Role, subject: Role) -> None:
    for own in (True, False):
        allowed = can(who(actor), Action.MANAGE_USER,
                      Target(OWN if own else OTHER, role=subject))
        expected_ok = RANKS.index(subject) <= RANKS.index(actor) and (
            actor is Role.ADMIN or (own and actor is Role.AGENCY_ADMIN))
        assert allowed == expected_ok, (actor, subject, own)


@pytest.mark.parametrize("action", list(Action))
def test_policy_table(action: Action) -> None:
    for role, own, vis in itertools.product(Role, (True, False), Visibility):
        target = Target(OWN if own else OTHER, vis)
        assert can(who(role), action, target) == expected(action, role, own, vis), \
            (action, role, own, vis)


def test_visibility_follows_the_owners_choice() -> None:
    p = who(Role.VIEWER)
    assert series_visibility(p, OWN, "hash-only") is Visibility.FULL
    assert series_visibility(p, OTHER, "hash-only") is Visibility.HASH_ONLY
    assert series_visibility(p, OTHER, "metadata") is Visibility.METADATA
    assert series_visibility(p, OTHER, "full") is Visibility.FULL
    assert media_visibility(p, [OTHER], []) is Visibility.HASH_ONLY
    assert media_visibility(p, [OTHER, OWN], []) is Visibility.FULL
    assert media_visibility(p, [OTHER], [(OTHER, "hash-only"), (3, "metadata")]) \
        is Visibility.METADATA
    assert media_visibility(p, [], []) is Visibility.NONE
    assert person_visibility(p, OWN, "hash-only") is Visibility.FULL
    assert person_visibility(p, OTHER, "hash-only") is Visibility.HASH_ONLY
    assert person_visibility(p, OTHER, "metadata") is Visibility.METADATA


def test_the_local_operator_may_do_everything_and_no_login_becomes_one(
        sqlite_ctx: Context) -> None:
    """The CLI acts as the operator of the data folder; a web login never does, whatever the
    role of its account."""
    op = Principal.local_operator("cli:alice")
    targets = [Target(), Target(OTHER, Visibility.NONE, Role.ADMIN)]
    assert all(can(op, action, t) for action in Action for t in targets)
    assert op.actor == "cli:alice"
    assert series_visibility(op, OTHER, "hash-only") is Visibility.FULL
    assert media_visibility(op, [OTHER], [(OTHER, "hash-only")]) is Visibility.FULL
    assert holding_visibility(op, OTHER, []) is Visibility.FULL
    with sqlite_ctx.db.session() as s:
        agency = repos.add_agency(s, "ZZ", "Z unit", "ZZ", None)
        for role in Role:
            user = identity.create_user(s, f"u-{role.value}", "a long password 1", agency, role)
            assert not identity.principal_of(user).operator


def test_a_link_is_as_visible_as_its_more_visible_side_and_either_owner_decides() -> None:
    de = Principal(2, "de.inv", 2, "DE", Role.INVESTIGATOR)
    nl = Principal(3, "nl.inv", 3, "NL", Role.INVESTIGATOR)
    au_hidden, de_own = (1, Visibility.HASH_ONLY), (2, Visibility.FULL)
    target = link_target(de, [au_hidden, de_own])
    assert target == Target(2, Visibility.FULL)
    assert can(de, Action.VIEW_LINK, target) and can(de, Action.LINK, target)
    both_hidden = link_target(nl, [au_hidden, (2, Visibility.HASH_ONLY)])
    assert not can(nl, Action.VIEW_LINK, both_hidden)  # two "held by" ends say too much
    readable = link_target(nl, [au_hidden, (2, Visibility.METADATA)])
    assert can(nl, Action.VIEW_LINK, readable) and not can(nl, Action.LINK, readable)


def test_a_grant_widens_one_agencys_view_only() -> None:
    nl, de = Principal(3, "nl.inv", 3, "NL", Role.INVESTIGATOR), who(Role.VIEWER)
    granted = {3: "full"}
    assert series_visibility(nl, OTHER, "hash-only", granted) is Visibility.FULL
    assert series_visibility(de, OTHER, "hash-only", granted) is Visibility.HASH_ONLY
    assert series_visibility(nl, OTHER, "full", {3: "metadata"}) is Visibility.FULL  # no less
    assert media_visibility(nl, [], [(OTHER, "hash-only", granted)]) is Visibility.FULL
    assert media_visibility(de, [], [(OTHER, "hash-only", granted)]) is Visibility.HASH_ONLY
    assert holding_visibility(nl, OTHER, [(OTHER, "hash-only", {3: "metadata"})]) \
        is Visibility.METADATA


def test_an_agency_may_ask_only_about_a_series_it_knows_of() -> None:
    nl = Principal(3, "nl.inv", 3, "NL", Role.INVESTIGATOR)
    unknown = request_target(nl, OTHER, Visibility.HASH_ONLY, matched=False)
    assert not can(nl, Action.REQUEST_ACCESS, unknown)
    assert can(nl, Action.REQUEST_ACCESS, request_target(nl, OTHER, Visibility.HASH_ONLY, True))
    assert can(nl, Action.REQUEST_ACCESS, request_target(nl, OTHER, Visibility.METADATA, False))
    assert not can(nl, Action.REQUEST_ACCESS, request_target(nl, OTHER, Visibility.FULL, True))


def test_a_clue_is_never_shared_further_than_its_media() -> None:
    nl = Principal(3, "nl.inv", 3, "NL", Role.INVESTIGATOR)
    assert clue_visibility(nl, OTHER, "full", Visibility.HASH_ONLY) is Visibility.HASH_ONLY
    assert clue_visibility(nl, OTHER, "hash-only", Visibility.FULL) is Visibility.HASH_ONLY
    assert clue_visibility(nl, OTHER, "metadata", Visibility.FULL) is Visibility.METADATA
    assert clue_visibility(nl, 3, "hash-only", Visibility.NONE) is Visibility.FULL  # its own
