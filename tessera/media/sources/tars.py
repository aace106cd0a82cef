"""Tar archives (POSIX ustar, GNU and pax), read in place with Python's ``tarfile``.

Only uncompressed tars are opened: a compressed tar is one stream with no per-member size to
check an expansion against, so it is reported as a file of unsupported type rather than
inflated blindly. Links and device entries are reported, never followed.
"""

from __future__ import annotations

import tarfile
from typing import BinaryIO, ClassVar

from tessera.core.errors import MediaError
from tessera.media.sources.base import SOURCES, Container, Entry, Source


class TarContainer(Container):
    read_errors = (tarfile.TarError, OSError, EOFError)

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        try:
            self._tar = tarfile.TarFile(fileobj=fh, mode="r")  # uncompressed only
            self._members = self._tar.getmembers()  # one pass over the headers
        except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
            fh.close()
            raise MediaError("corrupt_archive", f"cannot open tar archive: {exc}") from None
        self._entries = [Entry(k, m.name, max(m.size, 0), None, m.isdir(),
                               m.issym() or m.islnk(),
                               not (m.isfile() or m.isdir() or m.issym() or m.islnk()))
                         for k, m in enumerate(self._members)]

    def entries(self) -> list[Entry]:
        return self._entries

    def open(self, ref: int) -> BinaryIO:
        try:
            found = self._tar.extractfile(self._members[ref])
        except (tarfile.TarError, OSError, IndexError) as exc:
            raise MediaError("corrupt_archive", f"cannot read archive member: {exc}") from None
        if found is None:
            raise MediaError("special_file", "archive entry is not a regular file")
        return found  # type: ignore[return-value]

    def close(self) -> None:
        try:
            self._tar.close()
        finally:
            self._fh.close()


class TarSource(Source):
    name: ClassVar[str] = "tar"

    def claims(self, head: bytes) -> bool:
        return head[257:262] == b"ustar"  # POSIX, GNU and pax headers

    def open(self, fh: BinaryIO) -> Container:
        return TarContainer(fh)


SOURCES.register(TarSource.name, TarSource())
