"""``tessera clue``: what was noticed in a media (a region of the picture, a stretch of time),
noted, listed and linked to the place it leads to. The operator acts for ``--agency``."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from tessera.cli.common import app, command, open_context, operator, out

clue_app = typer.Typer(help="Clues noticed in media: objects, logos, text, sounds.",
                       no_args_is_help=True)
app.add_typer(clue_app, name="clue")

Agency = Annotated[str, typer.Option(help="the agency the operator acts for")]


def _region(value: str | None) -> tuple[float, float, float, float] | None:
    if not value:
        return None
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 4:
        raise typer.BadParameter("x,y,width,height as fractions of the picture, "
                                 "e.g. 0.1,0.2,0.3,0.2")
    try:
        x, y, w, h = (float(p) for p in parts)
    except ValueError:
        raise typer.BadParameter("four numbers, e.g. 0.1,0.2,0.3,0.2") from None
    return x, y, w, h


@command(clue_app, "add")
def clue_add(media_id: int, agency: Agency,
             kind: Annotated[str, typer.Option(help="object | logo | text | sound | other")],
             note: Annotated[str, typer.Option(help="what was seen or heard")],
             region: Annotated[str | None, typer.Option(
                 help="x,y,width,height as fractions of the picture")] = None,
             start: Annotated[float | None, typer.Option(help="from (seconds)")] = None,
             end: Annotated[float | None, typer.Option(help="to (seconds)")] = None,
             sharing: Annotated[str | None, typer.Option(
                 help="hash-only | metadata | full (default: the agency's)")] = None) -> None:
    """Note a clue in a media."""
    from tessera.service import clues

    ctx = open_context()
    with ctx.db.session() as s:
        row = clues.add_clue(s, operator(ctx, agency), media_id, kind, note,
                             region=_region(region), start_s=start, end_s=end, sharing=sharing)
    out.print(f"clue {row['id']}: {row['words']}")


@command(clue_app, "list")
def clue_list(media_id: int, as_json: bool = typer.Option(False, "--json", help="JSON")) -> None:
    """The clues noted in a media."""
    from tessera.service import clues

    ctx = open_context()
    with ctx.db.session() as s:
        rows = clues.clues_of_media(s, operator(ctx), media_id)
    if as_json:
        out.print_json(json.dumps(rows))
        return
    table = Table("clue", "kind", "note", "where", "owner")
    for r in rows:
        where = ", ".join(filter(None, [
            "region " + ",".join(f"{v:.2f}" for v in r["region"]) if r["region"] else "",
            f"{r['start_s']}-{r['end_s']} s" if r["start_s"] is not None else ""]))
        table.add_row(str(r["id"]), r["kind"], r["note"], where or "whole file", r["owner"])
    out.print(table if rows else "no clues")


@command(clue_app, "link")
def clue_link(clue_id: int, place: int, agency: Agency,
              note: Annotated[str | None, typer.Option(help="why")] = None) -> None:
    """Record that a clue leads to a place (by the place's id: `tessera place list`)."""
    from tessera.service import links

    ctx = open_context()
    with ctx.db.session() as s:
        row = links.assert_link(s, operator(ctx, agency), ("clue", clue_id), ("place", place),
                                "related", note)
    out.print(f"link {row['id']}: {row['a']['words']} — {row['words']} — {row['b']['words']}")
