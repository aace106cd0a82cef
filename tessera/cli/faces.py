"""``tessera faces …`` and ``tessera person …``: search by face, review clusters, link faces to
the victims and offenders an agency tracks. The CLI is the local operator: it sees everything,
and everything it changes is audited under the operator's name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tessera.cli.common import app, command, open_context, operator, out
from tessera.core.timecode import timecode
from tessera.service import faces

faces_app = typer.Typer(help="Faces: search, clusters, review.", no_args_is_help=True)
person_app = typer.Typer(help="Victims and offenders, and the faces linked to them.",
                         no_args_is_help=True)
app.add_typer(faces_app, name="faces")
app.add_typer(person_app, name="person")

AGENCY = typer.Option(..., "--agency", help="the agency that owns the person / the review")


def _where(start: float | None) -> str:
    return f" at {timecode(start)}" if start is not None else ""


@command(faces_app, "search")
def faces_search(image: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
                 face: Annotated[int | None, typer.Option(
                     "--face", min=1, help="search only this face (numbered as listed)")] = None,
                 as_json: bool = typer.Option(False, "--json")) -> None:
    """Every known face like the faces in IMAGE (or a video), best first, with its media,
    series, person and owning agency."""
    ctx = open_context()
    found = faces.search(ctx, operator(ctx), image, str(image), face)
    if as_json:
        out.print_json(json.dumps(found.to_dict()))
        return
    if not found.faces:
        out.print(f"no face found in {image}")
        return
    for f in found.faces:
        gate = "" if f.matchable else " (quality too low to match)"
        out.print(f"[bold]face {f.number}[/] box "
                  f"{f.box} quality {f.quality}{_where(f.start)}{gate}")
        if not f.matches:
            out.print(f"  no known face scores {found.min_score:.2f} or more")
        for m in f.matches:
            where = (f"face {m.face} in media {m.media_id}" if m.media_id is not None
                     else "a face in material held by " + ", ".join(
                         sorted({r.agency for r in m.series} or set(m.submitted_by))))
            series = ", ".join(f"{r.name} ({r.agency})" for r in m.series if r.name)
            persons = "; ".join(p.words() for p in m.persons)
            when = _where(m.match_times[0] if m.match_times else None)
            out.print(f"  {m.score:.3f}  {where}{when}"
                      + (f"  series: {series}" if series else "")
                      + (f"  owner: {', '.join(m.submitted_by)}" if m.submitted_by else "")
                      + (f"  → {persons}" if persons else ""))


@command(faces_app, "list")
def faces_list(media_id: int) -> None:
    """The faces found in one stored media, with the persons they are linked to."""
    ctx = open_context()
    table = Table("face", "box", "quality", "time", "persons")
    with ctx.db.session() as s:
        rows = faces.faces_of_media(s, operator(ctx), media_id)
    for r in rows:
        table.add_row(str(r["face"]), str(r["box"]), str(r["quality"]),
                      timecode(r["start"]) if r["start"] is not None else "",
                      ", ".join(f"{x['label']} ({x['state']})" for x in r["persons"]))
    out.print(table)


@command(faces_app, "cluster")
def faces_cluster(agency: str = AGENCY,
                  job: Annotated[int | None, typer.Option(help="only this ingest job")] = None,
                  ) -> None:
    """Group the faces AGENCY may see into candidate persons (a proposal for review)."""
    ctx = open_context()
    summary = faces.run_clusters(ctx, operator(ctx, agency), job)
    out.print(f"run {summary['run']}: {summary['faces']:,} faces in {summary['clusters']:,} "
              f"clusters ({summary['multi']:,} with two faces or more); "
              f"{summary['suggestions']:,} faces suggested for known persons")


@command(faces_app, "clusters")
def faces_clusters(agency: str = AGENCY,
                   run: Annotated[int | None, typer.Option(help="default: the newest")] = None,
                   min_size: int = typer.Option(2, min=1),
                   as_json: bool = typer.Option(False, "--json")) -> None:
    """The clusters of a run, largest first."""
    ctx = open_context()
    with ctx.db.session() as s:
        found = faces.clusters(s, operator(ctx, agency), run, min_size)
    if as_json:
        out.print_json(json.dumps(found))
        return
    table = Table("cluster", "faces", "person", "face ids (media)")
    for c in found["clusters"]:
        person = c["person"]
        table.add_row(str(c["cluster"]), str(c["size"]),
                      f"{person['label']} ({person['role']})" if person else "",
                      " ".join(f"{f['face']}({f['media_id']})" for f in c["faces"][:12])
                      + (" …" if c["size"] > 12 else ""))
    out.print(f"run {found['run']}")
    out.print(table)


def _review(agency: str, run: int | None, action: str, **args: Any) -> int:
    """One review decision on a run of AGENCY (the newest without ``run``); the cluster."""
    ctx = open_context()
    return int(faces.review(ctx, operator(ctx, agency), run, action, **args)["cluster"])


@command(faces_app, "merge")
def faces_merge(keep: int, other: int, agency: str = AGENCY,
                run: Annotated[int | None, typer.Option()] = None) -> None:
    """Clusters KEEP and OTHER are the same person (kept in every later run)."""
    _review(agency, run, "merge", keep=keep, other=other)
    out.print(f"cluster {other} merged into {keep}")


@command(faces_app, "split")
def faces_split(cluster: int, faces_: Annotated[list[int], typer.Argument(
                    metavar="FACES", help="face ids that are someone else")],
                agency: str = AGENCY,
                run: Annotated[int | None, typer.Option()] = None) -> None:
    """These faces of CLUSTER are a different person from the rest (kept in later runs)."""
    number = _review(agency, run, "split", cluster=cluster, faces=faces_)
    out.print(f"{len(faces_)} face(s) split off into cluster {number}")


@command(faces_app, "not-this-person")
def faces_not_this(cluster: int, face: int, agency: str = AGENCY,
                   run: Annotated[int | None, typer.Option()] = None) -> None:
    """FACE does not belong in CLUSTER: it leaves and is never grouped with it again."""
    number = _review(agency, run, "remove", cluster=cluster, face=face)
    out.print(f"face {face} moved to cluster {number}")


@command(faces_app, "link")
def faces_link(cluster: int, person: int, agency: str = AGENCY,
               run: Annotated[int | None, typer.Option()] = None) -> None:
    """Confirm every face of CLUSTER for PERSON (by id), then refresh suggestions."""
    _review(agency, run, "link", cluster=cluster, person=person)
    out.print(f"cluster {cluster} confirmed as person {person}")


# --- persons ---------------------------------------------------------------------------------


@command(person_app, "add")
def person_add(label: str, agency: str = AGENCY,
               role: str = typer.Option(..., help="victim | offender"),
               status: Annotated[str | None, typer.Option(
                   help="victim: unidentified|identified|safeguarded; "
                        "offender: unknown|identified|arrested")] = None,
               sharing: Annotated[str | None, typer.Option(
                   help="hash-only | metadata | full (default: the agency's)")] = None,
               description: Annotated[str | None, typer.Option()] = None) -> None:
    """Track a victim or offender."""
    ctx = open_context()
    with ctx.db.session() as s:
        person = faces.create_person(s, operator(ctx, agency), role=role, label=label,
                                     status=status, sharing=sharing, description=description)
        out.print(f"person {person.id}: {person.role} {person.label!r} of {agency} "
                  f"({person.status}, shared {person.sharing})")


@command(person_app, "list")
def person_list() -> None:
    """Every person, with counts of confirmed and suggested faces."""
    ctx = open_context()
    p = operator(ctx)
    table = Table("id", "role", "label", "status", "owner", "sharing", "confirmed", "suggested")
    with ctx.db.session() as s:
        rows = [faces.person_detail(s, p, x["id"]) for x in faces.list_persons(s, p)]
    for row in rows:
        states = [f["state"] for f in row["faces"]]
        table.add_row(str(row["id"]), row["role"], row["label"], row["status"], row["owner"],
                      row["sharing"], str(states.count("confirmed")),
                      str(states.count("suggested")))
    out.print(table)


@command(person_app, "show")
def person_show(person: int, as_json: bool = typer.Option(False, "--json")) -> None:
    """A person and their faces (confirmed, suggested with score, rejected)."""
    ctx = open_context()
    with ctx.db.session() as s:
        row = faces.person_detail(s, operator(ctx), person)
    if as_json:
        out.print_json(json.dumps(row))
        return
    out.print(f"{row['role']} {row['label']!r} ({row['owner']}, {row['status']}, shared "
              f"{row['sharing']})")
    for f in row["faces"]:
        score = f" score {f['score']:.3f}" if f["score"] is not None else ""
        out.print(f"  {f['state']:<9} face {f['face']} in media {f['media_id']}"
                  f"{_where(f['start'])}{score}")


@command(person_app, "status")
def person_status(person: int, status: str) -> None:
    """Set a person's identification status."""
    ctx = open_context()
    with ctx.db.session() as s:
        p = faces.edit_person(s, operator(ctx), person, status=status)
        out.print(f"{p.label}: {p.status}")


@command(person_app, "link")
def person_link(person: int, faces_: Annotated[list[int], typer.Argument(
                    metavar="FACES", help="face ids")],
                reject: bool = typer.Option(False, "--reject", help="not this person")) -> None:
    """Confirm faces as PERSON (or reject them: "not this person"), then refresh suggestions."""
    ctx = open_context()
    p = operator(ctx)
    done = faces.link_faces(ctx, p, person, faces_, "rejected" if reject else "confirmed")
    with ctx.db.session() as s:
        label = faces.person_detail(s, p, person)["label"]
    out.print(f"{done['linked']} face(s) {done['state']} for {label}; "
              f"{done['suggested']} face(s) suggested")
