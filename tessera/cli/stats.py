"""``tessera stats``: identifications, de-confliction and spared triage, per agency or country."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from tessera.cli.common import app, command, open_context, operator, out


def _day(value: str | None) -> datetime | None:
    return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC) if value else None


@command(app)
def stats(since: Annotated[str | None, typer.Option(help="from this day (YYYY-MM-DD)")] = None,
          until: Annotated[str | None, typer.Option(help="before this day (YYYY-MM-DD)")] = None,
          by: Annotated[str, typer.Option(help="agency or country")] = "agency",
          csv: Annotated[bool, typer.Option("--csv", help="CSV on stdout")] = False) -> None:
    """Victims identified and safeguarded, offenders identified, arrested and convicted, files
    de-conflicted and files spared from triage, as ICSE publishes them."""
    from tessera.service import stats as service

    ctx = open_context()
    try:
        start, end = _day(since), _day(until)
    except ValueError:
        raise typer.BadParameter("days are YYYY-MM-DD") from None
    with ctx.db.session() as s:
        table = service.statistics(s, operator(ctx), since=start, until=end, by=by)
    if csv:
        typer.echo(service.as_csv(table), nl=False)
        return
    shown = Table(by, *(c.replace("_", " ") for c in service.COLUMNS))
    for row in [*table["rows"], {by: "total", **table["total"]}]:
        shown.add_row(str(row[by]), *(f"{row[c]:,}" for c in service.COLUMNS))
    out.print(shown)
