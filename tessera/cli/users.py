"""``tessera user``: accounts of the web service."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from tessera.cli.common import app, command, open_context, out
from tessera.core.errors import TesseraError

user_app = typer.Typer(help="Accounts of the web service.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@command(user_app, "add")
def user_add(username: str,
             agency: Annotated[str, typer.Option(help="agency code")],
             role: Annotated[str, typer.Option(
                 help="admin | agency-admin | investigator | viewer")] = "investigator",
             require_totp: Annotated[bool, typer.Option(help="ask for a TOTP code")] = False,
             ) -> None:
    """Add a user with a generated password (printed once)."""
    import secrets

    from tessera.access import identity
    from tessera.access.policy import Role
    from tessera.store import audit, repos

    try:
        wanted = Role(role)
    except ValueError:
        raise TesseraError(f"--role must be one of {', '.join(r.value for r in Role)}") from None
    password = secrets.token_urlsafe(15)
    ctx = open_context()
    with ctx.db.session() as s:
        identity.create_user(s, username, password, repos.get_agency(s, agency), wanted,
                             totp_required=require_totp)
        audit.append(s, ctx.actor, "user.create", f"user:{username}", agency=agency,
                     details={"role": wanted.value, "totp_required": require_totp})
    out.print(f"added {wanted.value} {username} of {agency}; password: {password}")


@command(user_app, "list")
def user_list() -> None:
    """Users, their agency, role and state."""
    from sqlalchemy import select

    from tessera.service.accounts import user_row
    from tessera.store.tables import User

    ctx = open_context()
    table = Table("user", "agency", "role", "second factor", "state")
    with ctx.db.session() as s:
        for u in s.scalars(select(User).order_by(User.username)):
            row = user_row(u)
            table.add_row(u.username, row["agency"], u.role,
                          "enrolled" if row["totp_enrolled"] else
                          ("required" if u.totp_required else "optional"),
                          "disabled" if u.disabled else
                          f"active ({u.failed_logins} failed logins)" if u.failed_logins
                          else "active")
    out.print(table)


def _user(s: Any, username: str) -> Any:
    from sqlalchemy import select

    from tessera.store.tables import User

    user = s.scalar(select(User).where(User.username == username))
    if user is None:
        raise TesseraError(f"no user {username!r}")
    return user


@command(user_app, "unlock")
def user_unlock(username: str) -> None:
    """Clear the count of failed logins (the service's back-off is per client address and
    ends by itself within 15 minutes)."""
    from tessera.access import identity
    from tessera.store import audit

    ctx = open_context()
    with ctx.db.session() as s:
        identity.unlock(_user(s, username))
        audit.append(s, ctx.actor, "user.edit", f"user:{username}", details={"unlocked": True})
    out.print(f"{username} unlocked")


@command(user_app, "reset-totp")
def user_reset_totp(username: str) -> None:
    """Forget a user's second factor and recovery codes: they enrol again at next login.
    Every session and token of the user is revoked."""
    from tessera.access import identity
    from tessera.store import audit

    ctx = open_context()
    with ctx.db.session() as s:
        user = _user(s, username)
        identity.reset_second_factor(s, user)
        revoked = identity.revoke_credentials(s, user)
        audit.append(s, ctx.actor, "user.edit", f"user:{username}",
                     details={"totp": "reset: enrols again at next login", "revoked": revoked})
    out.print(f"{username}: second factor reset; {revoked} sessions and tokens revoked")


@command(user_app, "password")
def user_password(username: str) -> None:
    """Give a user a new random password (printed once); every session and token of the
    user is revoked."""
    import secrets as _secrets

    from tessera.access import identity
    from tessera.store import audit

    ctx = open_context()
    password = _secrets.token_urlsafe(15)
    with ctx.db.session() as s:
        user = _user(s, username)
        user.password_hash = identity.hash_password(password)
        revoked = identity.revoke_credentials(s, user)
        audit.append(s, ctx.actor, "user.edit", f"user:{username}",
                     details={"password": "reset", "revoked": revoked})
    out.print(f"{username}: new password {password}  ({revoked} sessions and tokens revoked)")
