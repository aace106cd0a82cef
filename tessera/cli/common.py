"""What every command module shares: the root command, the consoles, error handling and the
context a command opens."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console

from tessera.access.policy import Principal
from tessera.cli.progress import RichProgress
from tessera.config import Settings
from tessera.context import Context
from tessera.core.errors import TesseraError
from tessera.store import repos

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(help="Tessera: de-conflict seized media against a shared database.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
out = Console(soft_wrap=True)
err = Console(stderr=True)


def command(group: typer.Typer, name: str | None = None, **kw: Any) -> Callable[[F], F]:
    """Register a command whose user-facing errors print one line, not a traceback."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except TesseraError as exc:
                err.print(f"[bold red]error:[/] {exc}")
                raise typer.Exit(exc.exit_code) from None

        group.command(name, **kw)(wrapper)
        return fn

    return decorate


def open_context() -> Context:
    return Context.open(Settings.from_env())


def progress() -> RichProgress:
    return RichProgress(err)


def operator(ctx: Context, agency: str | None = None) -> Principal:
    """The principal the CLI acts as: the local operator, audited under ``ctx.actor``, for
    ``agency`` (a code) where the act belongs to one."""
    if agency is None:
        return Principal.local_operator(ctx.actor)
    with ctx.db.session() as s:
        row = repos.get_agency(s, agency)
        return Principal.local_operator(ctx.actor, row.id, row.code)


def series_ref(ctx: Context, ref: str) -> int:
    """A series named ``NAME`` or, where several agencies have one of that name, ``CODE/NAME``."""
    from tessera.core.errors import NotFound
    from tessera.service import views

    p = operator(ctx)
    with ctx.db.session() as s:
        try:
            return views.series_named(s, p, ref).id
        except NotFound:
            code, _, name = ref.partition("/")
            if not name:
                raise
            return views.series_named(s, p, name, code).id
