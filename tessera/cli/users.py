"""``tessera user``: accounts of the web service, managed by the local operator through the
same use cases (and the same audit trail) as the users page."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

import typer
from rich.table import Table

from tessera.cli.common import app, command, open_context, operator, out
from tessera.service import accounts

user_app = typer.Typer(help="Accounts of the web service.", no_args_is_help=True)
app.add_typer(user_app, name="user")


def _new_password() -> str:
    return secrets.token_urlsafe(15)


@command(user_app, "add")
def user_add(username: str,
             agency: Annotated[str, typer.Option(help="agency code")],
             role: Annotated[str, typer.Option(
                 help="admin | agency-admin | investigator | viewer")] = "investigator",
             require_totp: Annotated[bool, typer.Option(help="ask for a TOTP code")] = False,
             ) -> None:
    """Add a user with a generated password (printed once)."""
    password = _new_password()
    ctx = open_context()
    with ctx.db.session() as s:
        user = accounts.create_user(s, operator(ctx), username, password, agency, role,
                                    totp_required=require_totp)
        granted = user.role
    out.print(f"added {granted} {username} of {agency}; password: {password}")


@command(user_app, "list")
def user_list() -> None:
    """Users, their agency, role and state."""
    ctx = open_context()
    table = Table("user", "agency", "role", "second factor", "state")
    with ctx.db.session() as s:
        rows = [accounts.user_row(u) for u in accounts.list_users(s, operator(ctx))]
    for row in rows:
        table.add_row(row["username"], row["agency"], row["role"],
                      "enrolled" if row["totp_enrolled"] else
                      ("required" if row["totp_required"] else "optional"),
                      "disabled" if row["disabled"] else
                      f"active ({row['failed_logins']} failed logins)" if row["failed_logins"]
                      else "active")
    out.print(table)


def _edit(username: str, **change: Any) -> dict[str, Any]:
    ctx = open_context()
    p = operator(ctx)
    with ctx.db.session() as s:
        return accounts.edit_user(s, p, accounts.find_user(s, p, username), **change)


@command(user_app, "unlock")
def user_unlock(username: str) -> None:
    """Clear the count of failed logins (the service's back-off is per client address and
    ends by itself within 15 minutes)."""
    _edit(username, unlock=True)
    out.print(f"{username} unlocked")


@command(user_app, "reset-totp")
def user_reset_totp(username: str) -> None:
    """Forget a user's second factor and recovery codes: they enrol again at next login.
    Every session and token of the user is revoked."""
    revoked = _edit(username, reset_totp=True)["revoked"]
    out.print(f"{username}: second factor reset; {revoked} sessions and tokens revoked")


@command(user_app, "password")
def user_password(username: str) -> None:
    """Give a user a new random password (printed once); every session and token of the
    user is revoked."""
    password = _new_password()
    revoked = _edit(username, password=password)["revoked"]
    out.print(f"{username}: new password {password}  ({revoked} sessions and tokens revoked)")
