"""``tessera import``, ``export``, ``grade`` and ``categories``: what the lab's other tools
give Tessera and get back, and an investigator's category of each file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tessera.cli.common import app, command, err, open_context, operator, out

import_app = typer.Typer(help="Read hash sets other tools export.", no_args_is_help=True)
app.add_typer(import_app, name="import")
export_app = typer.Typer(help="Write hash sets for other tools and partners.",
                         no_args_is_help=True)
app.add_typer(export_app, name="export")
categories_app = typer.Typer(help="Category schemes and their mappings.", no_args_is_help=True)
app.add_typer(categories_app, name="categories")

Agency = Annotated[str, typer.Option(help="the agency the act is for (its code)")]


def _summary(summary: dict[str, object]) -> None:
    out.print(f"{summary['records']:,} records: {summary['media_new']:,} new hash-only media, "
              f"{summary['media_known']:,} already known, {summary['duplicates']:,} duplicate "
              f"entries merged ({summary['conflicts']:,} with conflicting categories), "
              f"{summary['categorised']:,} categorised")
    for name, count in dict(summary["series"]).items():  # type: ignore[call-overload]
        out.print(f"  series {name!r}: {count:,} media")
    for code, count in dict(summary["unknown_categories"]).items():  # type: ignore[call-overload]
        err.print(f"  [yellow]unknown category {code!r}[/] in {count:,} records: left "
                  f"uncategorised (add the dialect's scheme: `tessera categories add`)")


@command(import_app, "vics")
def import_vics(path: Annotated[Path, typer.Argument(help="a VICS JSON file (1.1-1.3, 2.0)")],
                agency: Agency,
                series: Annotated[str | None, typer.Option(
                    help="put every media in this series (default: the records' Series)")] = None,
                dialect: Annotated[str | None, typer.Option(
                    help="category dialect: default|us|uk|custom (default: the envelope's)")]
                = None,
                encoding: Annotated[str | None, typer.Option(
                    help="the file's text encoding when it is not UTF-8/UTF-16")] = None) -> None:
    """Import a VICS case or hash set as hash-only media, with categories and series."""
    from tessera.service import hashsets

    ctx = open_context()
    summary = hashsets.import_vics(ctx, operator(ctx, agency), path, series=series,
                                   dialect=dialect, encoding=encoding)
    ctx.save_indexes()
    _summary(summary.to_dict())


@command(import_app, "hashes")
def import_hashes(path: Annotated[Path, typer.Argument(help="CSV/TXT hash list")],
                  agency: Agency,
                  format: Annotated[str, typer.Option(
                      "--format", help="csv (MD5/SHA-1/SHA-256/PDQ columns) | icse | pdq")]
                  = "csv",
                  series: Annotated[str | None, typer.Option(help="series for every entry")]
                  = None) -> None:
    """Import a hash list as hash-only media that de-confliction matches."""
    from tessera.service import hashsets

    ctx = open_context()
    summary = hashsets.import_hashes(ctx, operator(ctx, agency), path, format, series=series)
    _summary(summary.to_dict())


@command(export_app, "vics")
def export_vics(series: Annotated[str, typer.Option(help="the series to export")],
                output: Annotated[Path, typer.Option(help="the JSON file to write")],
                agency: Agency,
                version: Annotated[str, typer.Option(help="1.1|1.2|1.3|2.0")] = "2.0",
                dialect: Annotated[str, typer.Option(help="default|us|uk|custom")] = "default",
                ) -> None:
    """Export one of the agency's series as a VICS case."""
    from tessera.service import hashsets

    ctx = open_context()
    count = hashsets.export_vics(ctx, operator(ctx, agency), series, output, version=version,
                                 dialect=dialect)
    out.print(f"{count:,} media written to {output}")


@command(export_app, "hashes")
def export_hashes(output: Annotated[Path, typer.Option(help="the CSV file to write")],
                  agency: Agency,
                  category: Annotated[list[str] | None, typer.Option(
                      help="category codes (default: those marked as abuse material)")] = None,
                  scheme: Annotated[str, typer.Option(help="category scheme")] = "vics",
                  sign: Annotated[bool, typer.Option(help="write OUTPUT.sig (Ed25519)")] = True,
                  ) -> None:
    """A hash list (MD5, SHA-1, SHA-256, PDQ; never pixels) for partners, signed."""
    from tessera.service import hashsets

    ctx = open_context()
    result = hashsets.export_hashes(ctx, operator(ctx, agency), output, codes=category or None,
                                    scheme=scheme, sign=sign)
    out.print(f"{result['media']:,} media written to {output}"
              + (f", signed in {result['signature']}" if result["signature"] else ""))


@command(export_app, "public-key")
def export_public_key() -> None:
    """The public key partners verify exports with (give it to them out of band)."""
    from tessera.store.signing import load_key, public_key_text

    ctx = open_context()
    out.print(public_key_text(load_key(ctx.settings.home).public_key()))


@command(export_app, "verify")
def export_verify(path: Path,
                  public_key: Annotated[str | None, typer.Option(
                      help="the sender's public key (base64), as they gave it to you")] = None,
                  ) -> None:
    """Check a signed export: unaltered, and (with --public-key) from that sender."""
    from tessera.store.signing import verify_file

    result = verify_file(path, path.with_name(path.name + ".sig"), public_key)
    out.print(f"{path.name}: signature valid, signed {result['signed_at']}"
              + ("" if result["origin_checked"] else
                 " (integrity only: give --public-key to check who signed it)"))


@command(app)
def grade(job: Annotated[int, typer.Option(help="the ingest job whose files to grade")],
          agency: Agency,
          media: Annotated[int | None, typer.Option(help="grade this media …")] = None,
          category: Annotated[str | None, typer.Option(help="… as this category code")] = None,
          as_json: Annotated[bool, typer.Option("--json", help="the queue as JSON")] = False,
          ) -> None:
    """The grading queue of a job: progress, and each file's category; with --media and
    --category, record one decision; without them, grade the files one by one at the prompt
    (open each in the web UI to look at it)."""
    from tessera.service import categories

    ctx = open_context()
    p = operator(ctx, agency)
    with ctx.db.session() as s:
        if media is not None and category is not None:
            found = categories.resolve(s, categories.DEFAULT_SCHEME, category)
            result = categories.grade(s, p, media, found.id)
            out.print(f"media {media}: {result['state']}")
            return
        q = categories.queue(s, p, job)
    if as_json:
        out.print_json(json.dumps(q))
        return
    pr = q["progress"]
    out.print(f"job {job}: {pr['graded']:,} graded, {pr['pre_categorised']:,} pre-categorised, "
              f"{pr['disputed']:,} disputed, {pr['todo'] + pr['waiting']:,} to do "
              f"(of {pr['total']:,})")
    keys = {c["key"] or c["code"]: c for c in q["categories"]}
    legend = "  ".join(f"{k}={c['label']}" for k, c in keys.items())
    for media_id in q["next"]:
        answer = typer.prompt(f"media {media_id} [{legend}  s=skip  q=quit]", default="s")
        if answer == "q":
            break
        if answer in keys:
            with ctx.db.session() as s:
                result = categories.grade(s, p, media_id, keys[answer]["id"])
            out.print(f"  {result['state']}")


@command(categories_app, "list")
def categories_list() -> None:
    """Every scheme and its categories."""
    from tessera.service import categories

    ctx = open_context()
    with ctx.db.session() as s:
        rows = categories.scheme_rows(s)
    for scheme in rows:
        table = Table("code", "label", "abuse", "key", title=f"{scheme['name']}: "
                                                           f"{scheme['label']}")
        for c in scheme["categories"]:
            table.add_row(c["code"], c["label"], "yes" if c["abuse"] else "", c["key"] or "")
        out.print(table)


@command(categories_app, "add")
def categories_add(spec: Annotated[Path, typer.Argument(help=(
        'JSON: {"name", "label", "categories": [{"code", "label", "abuse", "key"}], '
        '"maps_to": {"vics": {"A": "1"}}}'))]) -> None:
    """Add or update a category scheme (e.g. vics-uk for the UK dialect) and its mapping."""
    from tessera.service import categories

    ctx = open_context()
    with ctx.db.session() as s:
        scheme = categories.add_scheme(s, operator(ctx), spec)
        out.print(f"scheme {scheme.name}: {len(scheme.categories)} categories")
