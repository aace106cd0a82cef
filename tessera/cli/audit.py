"""``tessera audit``: verify, checkpoint, export and browse the tamper-evident trail."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tessera.cli.common import app, command, err, open_context, operator, out
from tessera.service import accounts

audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@command(audit_app, "verify")
def audit_verify(
    checkpoints: Annotated[Path | None, typer.Option(
        help="an exported checkpoint file (tessera audit export) to verify against, "
             "instead of the data folder's own")] = None,
) -> None:
    """Check the audit chain and its signed checkpoints; exit 5 if events were edited,
    removed, truncated or the chain recomputed."""
    from tessera.store import audit

    ctx = open_context()
    key, path = audit.read_export(checkpoints) if checkpoints else (None, None)
    with ctx.db.session() as s:
        report = audit.verify(s, path, key)
    for problem in report.problems:
        err.print(f"[bold red]{problem}[/]")
    last = report.last_checkpoint
    out.print(f"{report.events:,} audit events, {report.checkpoints:,} checkpoints"
              + (f" (last: event {last.event} at {last.at})" if last else "")
              + f", chain {'intact' if report.ok else 'BROKEN'}")
    if not report.ok:
        raise typer.Exit(5)


@command(audit_app, "checkpoint")
def audit_checkpoint() -> None:
    """Sign the current head of the chain now (every commit also writes one)."""
    from tessera.store import audit

    ctx = open_context()
    with ctx.db.session() as s:
        line = audit.write_checkpoint(s)
    out.print(f"checkpoint: event {line['event']}, head {line['head']}" if line
              else "no audit events yet")


@command(audit_app, "export")
def audit_export(
    output: Annotated[Path, typer.Option(help="file to write: public key + checkpoints")],
) -> None:
    """Export the signed checkpoints for another party, who verifies with
    `tessera audit verify --checkpoints FILE`."""
    from tessera.store import audit

    ctx = open_context()
    assert ctx.db.audit is not None
    with ctx.db.session() as s:
        audit.write_checkpoint(s)
        audit.append(s, ctx.actor, "audit.export.checkpoints", str(output))
    output.write_text("".join(audit.export_checkpoints(ctx.db.audit)))
    out.print(f"checkpoints and public key written to {output}")


@command(audit_app, "list")
def audit_list(limit: Annotated[int, typer.Option(help="newest N events")] = 50) -> None:
    """The newest audit events (the browsing itself is audited, as on the audit page)."""
    ctx = open_context()
    table = Table("id", "at", "actor", "agency", "action", "object", "outcome")
    with ctx.db.session() as s:
        rows = accounts.browse_audit(s, operator(ctx), limit=limit)
    for e in rows:
        table.add_row(str(e["id"]), e["at"][:19].replace("T", " "), e["actor"],
                      e["agency"] or "", e["action"], e["object"] or "", e["outcome"])
    out.print(table)
