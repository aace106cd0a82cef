"""The ``tessera`` command: one module per command group; each command parses, calls one
use case, renders."""

from __future__ import annotations

import os

from tessera.cli import (
    access,
    audit,
    catalogue,
    clues,
    faces,
    indexes,
    links,
    places,
    seizures,
    serve,
    setup,
    stats,
    triage,
    users,
)
from tessera.cli.common import app

__all__ = ["app", "main"]
_GROUPS = (access, audit, catalogue, clues, faces, indexes, links, places, seizures, serve, setup,
           stats, triage, users)  # registered


def main() -> None:
    os.umask(0o077)  # everything Tessera writes (database, keys, reports) is private to its user
    app()
