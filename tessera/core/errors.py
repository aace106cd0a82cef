"""One exception family, so the CLI (and later the API) translate errors in one place.

A ``TesseraError`` is something a user can act on: it is shown without a traceback.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class TesseraError(Exception):
    """An error a user can act on; ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class ConfigError(TesseraError):
    exit_code = 2


class NotFound(TesseraError):
    exit_code = 3


class Conflict(TesseraError):
    exit_code = 4


class MediaError(TesseraError):
    """A single file cannot be read; recorded per file, never aborts a batch."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __reduce__(self) -> tuple[type[MediaError], tuple[str, str]]:
        return (type(self), (self.code, self.message))  # survives pickling to a worker


class IntegrityError(TesseraError):
    """Stored evidence no longer matches its recorded hash, or was tampered with."""

    exit_code = 5
