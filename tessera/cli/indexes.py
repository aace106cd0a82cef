"""``tessera index``: the similarity indexes."""

from __future__ import annotations

import typer

from tessera.cli.common import app, command, open_context, out

index_app = typer.Typer(help="Similarity indexes.", no_args_is_help=True)
app.add_typer(index_app, name="index")


@command(index_app, "rebuild")
def index_rebuild() -> None:
    """Rebuild every index (PDQ, faces) from the database."""
    ctx = open_context()
    for index in ctx.indexes():
        index.rebuild()
        out.print(f"{index.space} index rebuilt: {len(index.index):,} entries")


@command(index_app, "status")
def index_status() -> None:
    """How much each index holds (catching up with the database first)."""
    ctx = open_context()
    for index in ctx.indexes():
        out.print(f"{index.space} index: {len(index.index):,} entries, up to signal "
                  f"{index.max_id}" + (" (rebuilt now)" if index.rebuilt else ""))
