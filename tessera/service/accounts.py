"""Agencies, users and the audit trail as administrators manage them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tessera.access import identity
from tessera.access.policy import (
    Action,
    Forbidden,
    Principal,
    Role,
    Target,
    can,
    parse_sharing,
    require,
)
from tessera.context import Context
from tessera.core.errors import NotFound, TesseraError
from tessera.reports.renderers.csv_renderer import spreadsheet_safe
from tessera.store import audit, repos

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tessera.store.tables import Agency, AuditEvent, User


def agency_row(a: Agency) -> dict[str, Any]:
    return {"id": a.id, "code": a.code, "name": a.name, "country": a.country,
            "contact": a.contact, "default_sharing": a.default_sharing,
            "grading_votes": a.grading_votes, "partner_consent": a.partner_consent}


def create_agency(s: Session, p: Principal, code: str, name: str, country: str,
                  contact: str | None, default_sharing: str = "hash-only") -> Agency:
    require(p, Action.MANAGE_AGENCIES)
    if len(country) != 2 or not country.isalpha():
        raise TesseraError("country must be a two-letter ISO code")
    agency = repos.add_agency(s, code, name, country, contact)
    agency.default_sharing = parse_sharing(default_sharing)
    audit.append(s, p.actor, "agency.create", f"agency:{code}", agency=p.agency_code,
                 details=agency_row(agency))
    return agency


MAX_GRADING_VOTES = 3  # a rule of more agreeing graders than a unit has stalls its queue


def update_agency(s: Session, p: Principal, agency_id: int, *, contact: str | None = None,
                  default_sharing: str | None = None, name: str | None = None,
                  grading_votes: int | None = None,
                  partner_consent: bool | None = None) -> Agency:
    """``grading_votes``: how many investigators must agree before a file counts as graded;
    ``partner_consent``: the agency's abuse-material hashes may go into partner exports."""
    agency = repos.agency_by_id(s, agency_id)
    require(p, Action.MANAGE_AGENCY, Target(agency.id))
    if grading_votes is not None and not 1 <= grading_votes <= MAX_GRADING_VOTES:
        raise TesseraError(f"grading votes must be 1 to {MAX_GRADING_VOTES}")
    before = agency_row(agency)
    if grading_votes is not None:
        agency.grading_votes = grading_votes
    if partner_consent is not None:
        agency.partner_consent = partner_consent
    if contact is not None:
        agency.contact = contact
    if name:
        agency.name = name
    if default_sharing:
        agency.default_sharing = parse_sharing(default_sharing)
    audit.append(s, p.actor, "agency.edit", f"agency:{agency.code}", agency=p.agency_code,
                 details={"before": before, "after": agency_row(agency)})
    return agency


def agency_status(ctx: Context, p: Principal) -> dict[str, Any]:
    """Counts for the caller's own agency and how much the indexes hold."""
    with ctx.db.session() as s:
        counts = repos.agency_counts(s, p.agency_id)
    return {"agency": p.agency_code, **counts,
            "index_signals": sum(len(x.index) for x in ctx.indexes())}


def user_row(u: User) -> dict[str, Any]:
    return {"id": u.id, "username": u.username, "display_name": u.display_name,
            "agency": u.agency.code, "role": u.role, "totp_required": u.totp_required,
            "totp_enrolled": u.totp_secret is not None, "disabled": u.disabled,
            "failed_logins": u.failed_logins}


def may_edit(p: Principal, u: User) -> dict[str, bool]:
    """What ``p`` may do to ``u`` (the users page offers only that)."""
    target = Target(u.agency_id, role=Role(u.role))
    return {"manage": can(p, Action.MANAGE_USER, target),
            "password": can(p, Action.SET_PASSWORD, target)}


def list_users(s: Session, p: Principal) -> list[User]:
    if p.role is not Role.ADMIN:
        require(p, Action.MANAGE_USERS, Target(p.agency_id))
        return identity.users(s, p.agency_id)
    return identity.users(s)


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise TesseraError(f"role must be one of {', '.join(r.value for r in Role)}") from None


def _check_role_grant(p: Principal, agency_id: int, role: Role) -> None:
    if not can(p, Action.MANAGE_USER, Target(agency_id, role=role)):
        raise Forbidden(f"{p.role.value} of {p.agency_code} may not grant the role "
                        f"{role.value}")


def create_user(s: Session, p: Principal, username: str, password: str, agency_code: str,
                role: str, display_name: str | None = None, totp_required: bool = False) -> User:
    agency = repos.get_agency(s, agency_code)
    require(p, Action.MANAGE_USERS, Target(agency.id))
    wanted = _role(role)
    _check_role_grant(p, agency.id, wanted)
    user = identity.create_user(s, username, password, agency, wanted,
                                display_name=display_name, totp_required=totp_required)
    audit.append(s, p.actor, "user.create", f"user:{username}", agency=p.agency_code,
                 details={"agency": agency_code, "role": wanted.value,
                          "totp_required": totp_required})
    return user


def update_user(s: Session, p: Principal, user_id: int, **changes: Any) -> User:
    """``edit_user`` on the user with this id."""
    user = identity.get_user(s, user_id)
    edit_user(s, p, user, **changes)
    return user


def find_user(s: Session, p: Principal, username: str) -> User:
    """A user by name, for one who may manage that user's agency (others learn nothing)."""
    user = identity.user_named(s, username)
    if user is None or not can(p, Action.MANAGE_USERS, Target(user.agency_id)):
        raise NotFound(f"no user {username!r}")
    return user


def edit_user(s: Session, p: Principal, user: User, *, role: str | None = None,
              totp_required: bool | None = None, disabled: bool | None = None,
              unlock: bool = False, password: str | None = None,
              reset_totp: bool = False) -> dict[str, Any]:
    """What an administrator changes on another account; returns what changed. Nobody acts
    on a user with more rights than their own, nobody grants more than they have, only the
    instance admin sets someone else's password (users change their own with the current
    one), and every credential change (password, second factor, disabling) revokes the
    user's sessions and tokens."""
    require(p, Action.MANAGE_USERS, Target(user.agency_id), hide=True)
    require(p, Action.MANAGE_USER, Target(user.agency_id, role=Role(user.role)))
    if password:
        require(p, Action.SET_PASSWORD, Target(user.agency_id, role=Role(user.role)))
    changes: dict[str, Any] = {}
    if role:
        wanted = _role(role)
        _check_role_grant(p, user.agency_id, wanted)
        changes["role"], user.role = wanted.value, wanted.value
    if totp_required is not None:
        changes["totp_required"] = user.totp_required = totp_required
    if disabled is not None:
        changes["disabled"] = user.disabled = disabled
    if unlock:
        identity.unlock(user)
        changes["unlocked"] = True
    if password:
        user.password_hash = identity.hash_password(password)
        changes["password"] = "reset"
    if reset_totp:
        identity.reset_second_factor(s, user)
        changes["totp"] = "reset: enrols again at next login"
    if password or reset_totp or disabled:
        changes["revoked"] = identity.revoke_credentials(s, user)
    audit.append(s, p.actor, "user.edit", f"user:{user.username}", agency=p.agency_code,
                 details=changes)
    return changes


# --- the audit trail --------------------------------------------------------------------------


def _audit_scope(p: Principal) -> str | None:
    """The agency whose trail ``p`` may read (None: the whole instance's, for an admin)."""
    if p.role is not Role.ADMIN:  # an agency admin sees their agency's trail only
        require(p, Action.VIEW_AUDIT, Target(p.agency_id))
        return p.agency_code
    require(p, Action.VIEW_AUDIT)
    return None


def last_checkpoint(s: Session, p: Principal) -> dict[str, Any] | None:
    """The newest signed checkpoint and the key it verifies with: what an operator compares
    with the copy exported to another party."""
    if p.role is not Role.ADMIN:
        require(p, Action.VIEW_AUDIT, Target(p.agency_id))
    keys = audit.keys_of(s)
    c = audit.last_checkpoint(keys)
    return {"event": c.event, "head": c.head, "at": c.at,
            "public_key": audit.public_key_text(keys.public_key)} if c else None


def verify_audit(s: Session, p: Principal) -> dict[str, Any]:
    """Walk the whole chain against its checkpoints; only an instance admin may."""
    require(p, Action.VIEW_AUDIT)  # without a target: the whole instance, admins only
    report = audit.verify(s)
    audit.append(s, p.actor, "audit.verify", None, agency=p.agency_code,
                 details={"events": report.events, "ok": report.ok})
    last = report.last_checkpoint
    return {"events": report.events, "ok": report.ok, "problems": report.problems[:100],
            "checkpoints": report.checkpoints,
            "last_checkpoint": {"event": last.event, "at": last.at, "head": last.head}
            if last else None}


def event_row(e: AuditEvent) -> dict[str, Any]:
    return {"id": e.id, "at": e.at.isoformat(), "actor": e.actor, "agency": e.agency,
            "action": e.action, "object": e.object, "outcome": e.outcome, "details": e.details,
            "hash": e.hash}


def browse_audit(s: Session, p: Principal, *, limit: int = 100, before_id: int | None = None,
                 **filters: Any) -> list[dict[str, Any]]:
    rows = [event_row(e) for e in audit.events(s, _audit_scope(p), before_id=before_id,
                                               newest_first=True, limit=limit, **filters)]
    audit.append_read(s, p.actor, "audit.browse", None, agency=p.agency_code,
                      details={k: v for k, v in filters.items() if v})
    return rows


def export_audit(s: Session, p: Principal, fmt: str, **filters: Any) -> Iterator[str]:
    """CSV or JSON lines, oldest first, with each event's chain hash for later verification."""
    if fmt not in ("csv", "jsonl"):
        raise TesseraError("export format must be csv or jsonl")
    rows = [event_row(e) for e in audit.events(s, _audit_scope(p), **filters)]
    audit.append(s, p.actor, "audit.export", None, agency=p.agency_code,
                 details={"format": fmt, "events": len(rows),
                          **{k: str(v) for k, v in filters.items() if v}})
    if fmt == "jsonl":
        return iter([json.dumps(r, default=str) + "\n" for r in rows])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "at", "actor", "agency", "action", "object", "outcome", "details",
                     "hash"])
    for r in rows:
        writer.writerow([r["id"], r["at"], r["actor"], r["agency"], r["action"],
                         spreadsheet_safe(r["object"] or ""), r["outcome"],
                         spreadsheet_safe(json.dumps(r["details"])), r["hash"]])
    return iter([out.getvalue()])

