"""Zip archives, read in place through the central directory (Python's ``zipfile``)."""

from __future__ import annotations

import stat
import zipfile
from typing import BinaryIO, ClassVar

from tessera.core.errors import MediaError
from tessera.media.sources.base import SOURCES, Container, Entry, Source

_READ_ERRORS = (zipfile.BadZipFile, OSError, EOFError, KeyError, RuntimeError,
                NotImplementedError)


class ZipContainer(Container):
    read_errors = _READ_ERRORS

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        try:
            self._zip = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            fh.close()
            raise MediaError("corrupt_archive", f"cannot open zip archive: {exc}") from None
        self._entries: list[Entry] | None = None

    def entries(self) -> list[Entry]:
        if self._entries is None:
            self._entries = [Entry(k, info.filename, info.file_size, info.compress_size,
                                   info.is_dir(), stat.S_ISLNK(info.external_attr >> 16),
                                   False, bool(info.flag_bits & 0x1))
                             for k, info in enumerate(self._zip.infolist())]
        return self._entries

    def open(self, ref: int) -> BinaryIO:
        try:
            return self._zip.open(self._zip.infolist()[ref])  # type: ignore[return-value]
        except _READ_ERRORS as exc:
            raise MediaError("corrupt_archive", f"cannot read archive member: {exc}") from None

    def close(self) -> None:
        try:
            self._zip.close()
        finally:
            self._fh.close()


class ZipSource(Source):
    name: ClassVar[str] = "zip"

    def claims(self, head: bytes) -> bool:
        return head.startswith((b"PK\x03\x04", b"PK\x05\x06"))  # a member, or empty

    def open(self, fh: BinaryIO) -> Container:
        return ZipContainer(fh)


SOURCES.register(ZipSource.name, ZipSource())
