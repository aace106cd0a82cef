"""The source contract: a container format (zip, tar; later forensic images) that Tessera
opens in place, without extracting anything, and walks as entries.

A ``Source`` recognises its format from a file's first bytes and turns a readable, seekable
stream into a ``Container``; the walker (``walk.py``) applies every limit (member count, size,
expansion ratio, nesting depth), name cleaning and link refusal to any container alike, so a
new format is one module with a ``Source`` subclass and its registration.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import BinaryIO, ClassVar

from tessera.core.errors import MediaError
from tessera.core.registry import Registry

ARCHIVE_SEPARATOR = "!/"


@dataclass(frozen=True, slots=True)
class Item:
    """One file to analyse. ``members`` is the chain of entry positions in (nested)
    containers: positions, not names, because an archive may hold one name twice."""

    path: str  # what the report shows: the original path, with ``!/`` into archives
    disk_path: str
    members: tuple[int, ...] = ()
    size: int = 0
    error: MediaError | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    sealed: bool = False  # the file on disk is encrypted (an upload waiting in staging)


@dataclass(frozen=True, slots=True)
class Entry:
    """What a container says of one of its entries, before anything is read."""

    ref: int  # position in the container, stable between openings
    name: str  # as stored: a label, never a path we write to
    size: int  # declared size once unpacked
    packed_size: int | None = None  # compressed size, where the format compresses per entry
    is_dir: bool = False
    is_link: bool = False  # symbolic or hard link: its bytes would be a path, not the file
    is_special: bool = False  # device, pipe, …: nothing to analyse
    encrypted: bool = False


class Container(ABC):
    """An opened archive; closing it closes the stream it was opened over."""

    read_errors: ClassVar[tuple[type[BaseException], ...]] = (OSError, EOFError)

    def read(self, ref: int, at_most: int) -> bytes:
        """Up to ``at_most`` bytes of an entry, any failure of the format as a MediaError."""
        try:
            with self.open(ref) as fh:
                return fh.read(at_most)
        except MediaError:
            raise
        except self.read_errors as exc:
            raise MediaError("corrupt_archive", f"cannot read archive member: {exc}") from None

    @abstractmethod
    def entries(self) -> list[Entry]:
        """Every entry, folders included, in stored order: ``entries()[k].ref == k``."""

    @abstractmethod
    def open(self, ref: int) -> BinaryIO:
        """A stream over one entry's unpacked bytes (read in place)."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Container:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Source(ABC):
    name: ClassVar[str]

    @abstractmethod
    def claims(self, head: bytes) -> bool:
        """Whether a file starting with ``head`` (``HEADER_BYTES`` of it) is this format."""

    @abstractmethod
    def open(self, fh: BinaryIO) -> Container:
        """The container over ``fh`` (seekable; owned by the container from now on). Raises
        ``MediaError("corrupt_archive", …)`` when the bytes are not a readable container."""


SOURCES: Registry[Source] = Registry("source")


def source_for(head: bytes) -> Source | None:
    """The registered source that opens a file starting with ``head``, if any."""
    for _, source in SOURCES:
        if source.claims(head):
            return source
    return None


def entry_of(container: Container, ref: int) -> Entry:
    entries = container.entries()
    if not 0 <= ref < len(entries):
        raise MediaError("corrupt_archive", f"archive has no member #{ref}")
    return entries[ref]
