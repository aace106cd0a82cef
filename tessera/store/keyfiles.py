"""Secret key files in the data folder's ``keys/``: created 0600 once (never overwritten),
refused when others could read them or when they are not the size a key must be."""

from __future__ import annotations

import os
from pathlib import Path

from tessera.core.errors import ConfigError


def write_secret(path: Path, data: bytes) -> bool:
    """Create the key file; ``False`` if one exists already."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return True


def read_secret(path: Path, size: int, what: str, missing: str) -> bytes:
    """The key's bytes; ``missing`` says what to run when there is none."""
    if not path.exists():
        raise ConfigError(f"no {what} at {path}: {missing}")
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise ConfigError(f"{what} {path} is readable by others (mode {mode:o}); chmod 600 it")
    data = path.read_bytes()
    if len(data) != size:
        raise ConfigError(f"{what} {path} is not a {size}-byte key")
    return data
