"""``tessera link``: what a series connects to and why; suggestions confirmed or rejected;
links asserted; the neighbourhood of a series and the path between two.

A series is named as ``NAME`` or, where several agencies have one of that name, ``CODE/NAME``.
Decisions are the local operator's, made for ``--agency`` (whose partners are then told).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from tessera.cli.common import app, command, open_context, operator, out, series_ref

link_app = typer.Typer(help="Connections between series: suggested, confirmed, rejected.",
                       no_args_is_help=True)
app.add_typer(link_app, name="link")

Agency = Annotated[str | None, typer.Option(help="the agency the operator acts for")]
Note = Annotated[str | None, typer.Option(help="why: kept with the link")]


def _table(rows: list[dict]) -> Table:
    table = Table("link", "state", "connects", "to", "because", "score", "source")
    for r in rows:
        fact = r["evidence"][0]["fact"] if r["evidence"] else (r["note"] or "")
        more = f" (+{len(r['evidence']) - 1})" if len(r["evidence"]) > 1 else ""
        table.add_row(str(r["id"]), r["state"], f"{r['a']['words']} ({r['a']['agency']})",
                      f"{r['b']['words']} ({r['b']['agency']})", f"{r['words']}: {fact}{more}",
                      f"{r['score']:.2f}" if r["score"] is not None else "", r["source"])
    return table


@command(link_app, "list")
def link_list(series: str,
              state: Annotated[str | None, typer.Option(
                  help="suggested|confirmed|rejected (default: all)")] = None,
              as_json: bool = typer.Option(False, "--json", help="JSON")) -> None:
    """What a series connects to, and why."""
    from tessera.service import links

    ctx = open_context()
    series_id = series_ref(ctx, series)
    with ctx.db.session() as s:
        rows = links.links_of(s, operator(ctx), ("series", series_id),
                              **({"states": (state,)} if state else {}))
    if as_json:
        out.print_json(json.dumps(rows))
    elif rows:
        out.print(_table(rows))
    else:
        out.print("no links")


@command(link_app, "suggest")
def link_suggest(series: Annotated[str | None, typer.Argument(
        help="one series (default: every series)")] = None) -> None:
    """Look for connections again: every registered suggester over the series' media."""
    from tessera.service import links, views

    ctx = open_context()
    p = operator(ctx)
    if series is not None:
        ids = [series_ref(ctx, series)]
    else:
        with ctx.db.session() as s:
            ids = [x["id"] for x in views.list_series(s, p)]
    created = updated = 0
    for series_id in ids:
        found = links.suggest_for_series(ctx, p, series_id)
        created, updated = created + found.created, updated + found.updated
    out.print(f"{len(ids)} series searched: {created} new suggestions, {updated} updated")


def _decide(link_id: int, state: str, note: str | None, agency: str | None) -> None:
    from tessera.service import links

    ctx = open_context()
    with ctx.db.session() as s:
        row = links.decide_link(s, operator(ctx, agency), link_id, state, note)
    out.print(_table([row]))


@command(link_app, "confirm")
def link_confirm(link_id: int, note: Note = None, agency: Agency = None) -> None:
    """Confirm a suggested link (the other side's owner is told)."""
    _decide(link_id, "confirmed", note, agency)


@command(link_app, "reject")
def link_reject(link_id: int, note: Note = None, agency: Agency = None) -> None:
    """Reject a link: it stays rejected, however often the suggesters find it again."""
    _decide(link_id, "rejected", note, agency)


@command(link_app, "add")
def link_add(a: str, b: str,
             kind: Annotated[str, typer.Option(help="same-victim, same-offender, same-place, "
                                                    "same-device, same-series, related …")],
             note: Note = None, agency: Agency = None) -> None:
    """Assert that two series are connected (confirmed at once, with you as its source)."""
    from tessera.service import links

    ctx = open_context()
    left, right = series_ref(ctx, a), series_ref(ctx, b)
    with ctx.db.session() as s:
        row = links.assert_link(s, operator(ctx, agency), ("series", left), ("series", right),
                                kind, note)
    out.print(_table([row]))


@command(link_app, "graph")
def link_graph(series: str, depth: Annotated[int, typer.Option(min=1, max=6)] = 2,
               confirmed: bool = typer.Option(False, "--confirmed",
                                              help="confirmed links only"),
               whole: bool = typer.Option(False, "--all", help="everything joined to it by "
                                                             "confirmed links, however far"),
               as_json: bool = typer.Option(False, "--json", help="JSON")) -> None:
    """Every series within ``depth`` links, and the links among them."""
    from tessera.service import links

    ctx = open_context()
    start = series_ref(ctx, series)
    with ctx.db.session() as s:
        found = links.connected(s, operator(ctx), ("series", start)) if whole else \
            links.graph(s, operator(ctx), ("series", start), depth,
                        include_suggested=not confirmed)
    if as_json:
        out.print_json(json.dumps(found))
        return
    words = {n["key"]: f"{n['words']} ({n['agency']})" for n in found["nodes"]}
    for n in found["nodes"]:
        out.print(f"{'  ' * n['depth']}{words[n['key']]}")
    for e in found["edges"]:
        out.print(f"  {words[e['a']]} — {e['words']} [{e['state']}] — {words[e['b']]}")


@command(link_app, "path")
def link_path(a: str, b: str) -> None:
    """The fewest confirmed links from one series to another."""
    from tessera.service import links

    ctx = open_context()
    left, right = series_ref(ctx, a), series_ref(ctx, b)
    with ctx.db.session() as s:
        rows = links.path(s, operator(ctx), ("series", left), ("series", right))
    out.print(_table(rows) if rows else "not connected by confirmed links")
