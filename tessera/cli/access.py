"""``tessera access``: ask an owner for more of a series, answer what one's agency was asked,
withdraw a grant. The local operator acts for ``--agency``, audited as such."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from tessera.cli.common import app, command, open_context, operator, out, series_ref

access_app = typer.Typer(help="Access requests between agencies, and the grants answering them.",
                         no_args_is_help=True)
app.add_typer(access_app, name="access")

Agency = Annotated[str, typer.Option(help="the agency the operator acts for")]
Note = Annotated[str | None, typer.Option(help="a note to the asking agency")]


def _table(rows: list[dict]) -> Table:
    table = Table("request", "state", "series", "owner", "asked by", "access", "why", "answer")
    for r in rows:
        table.add_row(str(r["id"]), r["state"], r["series"] or f"held by {r['owner']}",
                      r["owner"], f"{r['agency']} ({r['requested_by']})", r["level"],
                      r["reason"] or "", " ".join(filter(None, (r["decided_by"], r["note"]))))
    return table


@command(access_app, "request")
def access_request(series: str, agency: Agency,
                   level: Annotated[str, typer.Option(help="metadata | full")] = "full",
                   reason: Annotated[str | None, typer.Option(help="why")] = None) -> None:
    """Ask a series' owner for metadata or full access for ``--agency``."""
    from tessera.service import access

    ctx = open_context()
    series_id = series_ref(ctx, series)
    with ctx.db.session() as s:
        row = access.request_access(s, operator(ctx, agency), series_id, level, reason)
    out.print(_table([row]))


@command(access_app, "list")
def access_list(agency: Agency,
                as_json: bool = typer.Option(False, "--json", help="JSON")) -> None:
    """What ``--agency`` was asked for its series, and what it asked others."""
    from tessera.service import access

    ctx = open_context()
    with ctx.db.session() as s:
        both = access.requests_of(s, operator(ctx, agency))
    if as_json:
        out.print_json(json.dumps(both))
        return
    for side, rows in both.items():
        out.print(f"{side}: {len(rows)}")
        if rows:
            out.print(_table(rows))


def _answer(request_id: int, grant: bool, note: str | None, agency: str) -> None:
    from tessera.service import access

    ctx = open_context()
    with ctx.db.session() as s:
        row = access.decide_request(s, operator(ctx, agency), request_id, grant, note)
    out.print(_table([row]))


@command(access_app, "grant")
def access_grant(request_id: int, agency: Agency, note: Note = None) -> None:
    """Grant a request to the series' owner ``--agency``: for the asking agency alone."""
    _answer(request_id, True, note, agency)


@command(access_app, "refuse")
def access_refuse(request_id: int, agency: Agency, note: Note = None) -> None:
    """Refuse a request (the asking agency is told, with the note)."""
    _answer(request_id, False, note, agency)


@command(access_app, "withdraw")
def access_withdraw(series: str, to: Annotated[str, typer.Argument(
        help="the agency whose grant ends")], agency: Agency) -> None:
    """Take back a grant: that agency sees the series at its sharing level again."""
    from tessera.service import access

    ctx = open_context()
    series_id = series_ref(ctx, series)
    with ctx.db.session() as s:
        access.withdraw_grant(s, operator(ctx, agency), series_id, to)
    out.print(f"{to} no longer holds a grant on {series}")
