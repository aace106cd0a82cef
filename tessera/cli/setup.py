"""``tessera init``, ``db``, ``agency`` and ``demo``: setting up a data folder and its agencies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tessera.cli.common import app, command, open_context, operator, out
from tessera.config import Settings
from tessera.context import default_actor

agency_app = typer.Typer(help="Agencies that own series and submit media.", no_args_is_help=True)
app.add_typer(agency_app, name="agency")
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@command(app)
def init() -> None:
    """Create the data folder (TESSERA_HOME), its encryption key and the database schema."""
    from tessera.store.bootstrap import initialise

    result = initialise(Settings.from_env(), default_actor())
    out.print(f"Tessera data folder: {result['home']}")
    out.print(f"Evidence key: {result['key']}"
              + (" (created)" if result["key_created"] else " (kept)"))
    out.print(f"Database: {result['database']}")


@command(db_app, "upgrade")
def db_upgrade() -> None:
    """Apply pending schema migrations."""
    from tessera.store.bootstrap import upgrade_home

    result = upgrade_home(Settings.from_env(), default_actor())
    if result["audit_rekeyed"]:
        out.print(f"audit trail re-keyed: {result['audit_rekeyed']:,} events now chained "
                  "with the audit key")
    out.print("database schema is current")


@command(agency_app, "add")
def agency_add(code: str, name: str,
               country: Annotated[str, typer.Option(help="ISO 3166 alpha-2 code")],
               contact: Annotated[str | None, typer.Option(help="who to call")] = None) -> None:
    """Add an agency (national unit) that can own series and submit media."""
    from tessera.service import accounts

    ctx = open_context()
    with ctx.db.session() as s:
        agency = accounts.create_agency(s, operator(ctx), code, name, country, contact)
        shown = f"added agency {agency.code} ({agency.name}, {agency.country})"
    out.print(shown)


@command(agency_app, "set")
def agency_set(code: str,
               contact: Annotated[str | None, typer.Option(help="who to call")] = None,
               sharing: Annotated[str | None, typer.Option(
                   help="new series shared as hash-only|metadata|full")] = None,
               grading_votes: Annotated[int | None, typer.Option(
                   help="investigators who must agree before a file counts as graded")] = None,
               partner_consent: Annotated[bool | None, typer.Option(
                   "--partner-consent/--no-partner-consent",
                   help="abuse-material hashes may go into signed partner exports")] = None,
               ) -> None:
    """Change an agency's contact, default sharing, grading rule or export consent."""
    from tessera.service import accounts
    from tessera.store import repos

    ctx = open_context()
    with ctx.db.session() as s:
        a = accounts.update_agency(s, operator(ctx), repos.get_agency(s, code).id,
                                   contact=contact, default_sharing=sharing,
                                   grading_votes=grading_votes, partner_consent=partner_consent)
        shown = (f"{a.code}: contact {a.contact or '-'}, new series {a.default_sharing}, graded "
                 f"when {a.grading_votes} agree, partner exports "
                 f"{'allowed' if a.partner_consent else 'not allowed'}")
    out.print(shown)


@command(agency_app, "list")
def agency_list() -> None:
    """List agencies."""
    from tessera.store import repos

    ctx = open_context()
    table = Table("code", "name", "country", "contact", "sharing", "graded when",
                  "partner exports")
    with ctx.db.session() as s:
        for a in repos.list_agencies(s):
            table.add_row(a.code, a.name, a.country, a.contact or "", a.default_sharing,
                          f"{a.grading_votes} agree", "yes" if a.partner_consent else "no")
    out.print(table)


@command(app)
def demo(output: Annotated[Path, typer.Option(help="where the demo writes")] = Path(
        "demo-output")) -> None:
    """Generate benign sample media, ingest known series, de-conflict a synthetic seizure."""
    from tessera.demo import run_demo

    run_demo(output, out)
