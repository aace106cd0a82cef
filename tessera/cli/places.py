"""``tessera place``: the places an agency has worked out, listed, added, corrected, shared and
linked to the series made there. The local operator acts for ``--agency``, audited as such."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from tessera.cli.common import app, command, open_context, operator, out, series_ref
from tessera.context import Context

place_app = typer.Typer(help="Places: country, region, a point ± radius, clues.",
                        no_args_is_help=True)
app.add_typer(place_app, name="place")

Agency = Annotated[str, typer.Option(help="the agency the operator acts for")]
Country = Annotated[str | None, typer.Option(help="ISO code (AU, DEU) or name")]
Region = Annotated[str | None, typer.Option()]
Lat = Annotated[float | None, typer.Option(min=-90, max=90)]
Lon = Annotated[float | None, typer.Option(min=-180, max=180)]
Radius = Annotated[float | None, typer.Option("--radius", min=0, help="how sure, in metres")]
Clues = Annotated[str | None, typer.Option(help="what led there")]


def _table(rows: list[dict[str, Any]]) -> Table:
    table = Table("place", "name", "country", "region", "point", "owner", "clues")
    for r in rows:
        point = f"{r['lat']:.5f}, {r['lon']:.5f}" if r["lat"] is not None else ""
        if point and r["radius_m"] is not None:
            point += f" ± {r['radius_m']:,.0f} m"
        table.add_row(str(r["id"]), r["label"], r["country_name"] or "", r["region"] or "",
                      point, r["owner"], r["clues"] or "")
    return table


def _place_id(ctx: Context, ref: str, agency: str | None) -> int:
    """A place by id, or by name within ``--agency``."""
    from tessera.core.errors import NotFound
    from tessera.store import repos
    from tessera.store.repos import places as place_repo

    if ref.isdigit():
        return int(ref)
    with ctx.db.session() as s:
        owner = repos.get_agency(s, agency) if agency else None
        found = [x for x in place_repo.list_places(s)
                 if x.label == ref and (owner is None or x.owner_agency_id == owner.id)]
        if len(found) != 1:
            raise NotFound(f"no single place named {ref!r}" + (" (give --agency)" if found
                                                               else ""))
        return found[0].id


def _look_around(ctx: Context, agency: str, place_id: int) -> None:
    from tessera.service import links

    found = links.suggest_for_place(ctx, operator(ctx, agency), place_id)
    if found is not None and found.created:
        out.print(f"{found.created} series suggested as made at this place "
                  f"(`tessera link list SERIES`)")


@command(place_app, "list")
def place_list(as_json: bool = typer.Option(False, "--json", help="JSON")) -> None:
    """Every place, with its point and clues."""
    from tessera.service import places

    ctx = open_context()
    with ctx.db.session() as s:
        rows = places.list_places(s, operator(ctx))
    if as_json:
        out.print_json(json.dumps(rows))
    else:
        out.print(_table(rows) if rows else "no places")


@command(place_app, "add")
def place_add(label: str, agency: Agency, country: Country = None, region: Region = None,
              lat: Lat = None, lon: Lon = None, radius: Radius = None, clues: Clues = None,
              sharing: Annotated[str | None, typer.Option(
                  help="hash-only | metadata | full (default: the agency's)")] = None) -> None:
    """Add a place the agency has worked out."""
    from tessera.service import places

    ctx = open_context()
    with ctx.db.session() as s:
        row = places.create_place(s, operator(ctx, agency), label, sharing=sharing,
                                  country=country, region=region, lat=lat, lon=lon,
                                  radius_m=radius, clues=clues)
    out.print(_table([row]))
    _look_around(ctx, agency, row["id"])


@command(place_app, "edit")
def place_edit(place: str, agency: Agency, label: Annotated[str | None, typer.Option()] = None,
               country: Country = None, region: Region = None, lat: Lat = None,
               lon: Lon = None, radius: Radius = None, clues: Clues = None) -> None:
    """Correct a place: the options given replace what it says."""
    from tessera.service import places

    ctx = open_context()
    given = {k: v for k, v in {"label": label, "country": country, "region": region,
                               "lat": lat, "lon": lon, "radius_m": radius,
                               "clues": clues}.items() if v is not None}
    place_id = _place_id(ctx, place, agency)
    with ctx.db.session() as s:
        row = places.edit_place(s, operator(ctx, agency), place_id, **given)
    out.print(_table([row]))
    _look_around(ctx, agency, place_id)


@command(place_app, "link")
def place_link(place: str, series: str, agency: Agency,
               note: Annotated[str | None, typer.Option(help="why")] = None) -> None:
    """Record that a series was made at this place (a confirmed same-place link)."""
    from tessera.service import links

    ctx = open_context()
    place_id, series_id = _place_id(ctx, place, agency), series_ref(ctx, series)
    with ctx.db.session() as s:
        row = links.assert_link(s, operator(ctx, agency), ("place", place_id),
                                ("series", series_id), "same-place", note)
    out.print(f"link {row['id']}: {row['a']['words']} — {row['words']} — {row['b']['words']}")
