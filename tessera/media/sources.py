"""Turn what an investigator points at (a file, a folder, a zip) into a stream of items.

Zip archives are read in place: nothing is extracted to disk, member names are only labels, so a
``../`` in a name can never write anywhere. Every problem becomes an item carrying its error, so
the batch goes on and the report lists it.
"""

from __future__ import annotations

import io
import os
import posixpath
import stat
import zipfile
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from tessera.config import Limits
from tessera.core.errors import IntegrityError, MediaError
from tessera.core.sealed import open_sealed
from tessera.media.sniff import sniff

ARCHIVE_SEPARATOR = "!/"


@dataclass(frozen=True, slots=True)
class Item:
    """One file to analyse. ``members`` is the chain of positions in (nested) zip archives'
    central directories: positions, not names, because a zip may hold one name twice."""

    path: str  # what the report shows: the original path, with ``!/`` into archives
    disk_path: str
    members: tuple[int, ...] = ()
    size: int = 0
    error: MediaError | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    sealed: bool = False  # the file on disk is encrypted (an upload waiting in staging)


def _safe_member_name(name: str) -> tuple[str, list[str]]:
    """A display name that cannot climb out of its archive, plus warnings when we changed it."""
    cleaned = posixpath.normpath(name.replace("\\", "/")).lstrip("/")
    parts = [p for p in cleaned.split("/") if p not in ("", ".", "..")]
    safe = "/".join(parts) or "unnamed"
    warns = [] if safe == name else [f"unsafe_path: archive member name {name!r} shown as {safe!r}"]
    return safe, warns


class _OwningZip(zipfile.ZipFile):
    """A zip over a file object that it closes with itself (a sealed upload's reader)."""

    def __init__(self, fh: BinaryIO) -> None:
        self._owned = fh
        try:
            super().__init__(fh)
        except BaseException:
            fh.close()
            raise

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._owned.close()


def _open_zip(path: str, secret: bytes | None) -> zipfile.ZipFile:
    return zipfile.ZipFile(path) if secret is None else _OwningZip(_open_file(path, secret))


class _ZipCache:
    """Per-process cache of open archives, so a worker does not re-read a central directory
    for every member of a big zip."""

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._open: OrderedDict[tuple[str, tuple[int, ...]], zipfile.ZipFile] = OrderedDict()

    def get(self, disk_path: str, chain: tuple[int, ...], limits: Limits,
            secret: bytes | None = None) -> zipfile.ZipFile:
        key = (disk_path, chain)
        if key in self._open:
            self._open.move_to_end(key)
            return self._open[key]
        if chain:
            parent = self.get(disk_path, chain[:-1], limits, secret)
            data = _read_member(parent, chain[-1], limits.max_image_bytes, limits)
            archive = zipfile.ZipFile(io.BytesIO(data))
        else:
            archive = _open_zip(disk_path, secret)
        self._open[key] = archive
        while len(self._open) > self._size:
            _, old = self._open.popitem(last=False)
            old.close()
        return archive


_ZIPS = _ZipCache()


def _check_member(info: zipfile.ZipInfo, limits: Limits) -> None:
    if stat.S_ISLNK(info.external_attr >> 16):  # its bytes are a path, not the file
        raise MediaError("symlink", "archive member is a symbolic link; links are not followed")
    if info.flag_bits & 0x1:
        raise MediaError("encrypted", "archive member is encrypted")
    if info.file_size > limits.max_file_bytes:
        raise MediaError("too_large", f"archive member declares {info.file_size} bytes, over the "
                                      f"limit of {limits.max_file_bytes}")
    if info.file_size > 1024**2 and info.file_size > limits.max_archive_ratio * max(
            info.compress_size, 1):
        raise MediaError("decompression_bomb",
                         f"archive member expands {info.file_size // max(info.compress_size, 1)}x")


def _member(archive: zipfile.ZipFile, ref: int) -> zipfile.ZipInfo:
    try:
        return archive.infolist()[ref]
    except IndexError:
        raise MediaError("corrupt_archive", f"archive has no member #{ref}") from None


def _read_member(archive: zipfile.ZipFile, ref: int, cap: int, limits: Limits) -> bytes:
    info = _member(archive, ref)
    _check_member(info, limits)
    try:
        with archive.open(info) as fh:
            data = fh.read(min(cap, limits.max_file_bytes) + 1)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise MediaError("corrupt_archive", f"cannot read archive member: {exc}") from None
    if len(data) > min(cap, limits.max_file_bytes):
        raise MediaError("decompression_bomb", "archive member is larger than it declares")
    return data


def _open_file(path: str | Path, secret: bytes | None) -> BinaryIO:
    """A file's bytes: as they are, or decrypted on the fly when ``secret`` says it is sealed
    (never written out in the clear)."""
    try:
        return open_sealed(path, secret) if secret is not None else open(path, "rb")
    except IntegrityError as exc:
        raise MediaError("tampered", f"staged upload fails authentication: {exc}") from None
    except OSError as exc:
        raise MediaError("unreadable", f"cannot open file: {exc.strerror or exc}") from None


def open_item(item: Item, limits: Limits, secret: bytes | None = None) -> BinaryIO:
    """A readable stream over the item's bytes (a file, or a zip member read in place);
    ``secret`` is the key a sealed item was staged with."""
    if item.error:
        raise item.error
    if item.sealed and secret is None:
        raise MediaError("unreadable", "a sealed upload cannot be read without its key")
    secret = secret if item.sealed else None
    if not item.members:
        return _open_file(item.disk_path, secret)
    try:
        archive = _ZIPS.get(item.disk_path, item.members[:-1], limits, secret)
        info = _member(archive, item.members[-1])
        _check_member(info, limits)
        return archive.open(info)  # type: ignore[return-value]
    except MediaError:
        raise
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError) as exc:
        raise MediaError("corrupt_archive", f"cannot read archive member: {exc}") from None


def _walk_zip(archive: zipfile.ZipFile, disk_path: str, chain: tuple[int, ...], shown: str,
              limits: Limits, depth: int) -> Iterator[Item]:
    infos = archive.infolist()
    if len(infos) > limits.max_archive_members:
        yield Item(shown, disk_path, chain, error=MediaError(
            "too_many_members", f"archive holds {len(infos)} members, over the limit of "
                                f"{limits.max_archive_members}; none were read"))
        return
    seen: dict[str, int] = {}
    for position, info in enumerate(infos):
        if info.is_dir():
            continue
        safe, warns = _safe_member_name(info.filename)
        label = f"{shown}{ARCHIVE_SEPARATOR}{safe}"
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:  # the same name twice: both are evidence, keep them apart
            warns.append(f"duplicate_name: archive holds {safe!r} more than once")
            label = f"{label} [copy {seen[label]}]"
        members = (*chain, position)
        try:
            _check_member(info, limits)
            with archive.open(info) as fh:
                head = fh.read(8)
        except MediaError as exc:
            yield Item(label, disk_path, members, info.file_size, exc, tuple(warns))
            continue
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
            yield Item(label, disk_path, members, info.file_size,
                       MediaError("corrupt_archive", f"cannot read archive member: {exc}"),
                       tuple(warns))
            continue
        found = sniff(head)
        if found is not None and found.is_archive:
            yield from _walk_nested(archive, disk_path, members, label, limits, depth + 1)
        else:
            yield Item(label, disk_path, members, info.file_size, None, tuple(warns))


def _walk_nested(parent: zipfile.ZipFile, disk_path: str, members: tuple[int, ...], label: str,
                 limits: Limits, depth: int) -> Iterator[Item]:
    if depth > limits.max_archive_depth:
        yield Item(label, disk_path, members, error=MediaError(
            "archive_too_deep", f"archives nested deeper than {limits.max_archive_depth}"))
        return
    try:
        data = _read_member(parent, members[-1], limits.max_image_bytes, limits)
        inner = zipfile.ZipFile(io.BytesIO(data))
    except MediaError as exc:
        yield Item(label, disk_path, members, error=exc)
        return
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        yield Item(label, disk_path, members, error=MediaError("corrupt_archive", str(exc)))
        return
    with inner:
        yield from _walk_zip(inner, disk_path, members, label, limits, depth)


def _walk_file(path: Path, limits: Limits, secret: bytes | None) -> Iterator[Item]:
    shown, sealed = str(path), secret is not None
    try:
        with _open_file(path, secret) as fh:
            head = fh.read(8)
            size = fh.seek(0, io.SEEK_END)
    except MediaError as exc:
        yield Item(shown, shown, error=exc, sealed=sealed)
        return
    found = sniff(head)
    if found is None or not found.is_archive:
        yield Item(shown, shown, size=size, sealed=sealed)
        return
    try:
        archive = _open_zip(str(path), secret)
    except (zipfile.BadZipFile, OSError, MediaError) as exc:
        yield Item(shown, shown, size=size, sealed=sealed,
                   error=MediaError("corrupt_archive", f"cannot open zip archive: {exc}"))
        return
    with archive:
        for item in _walk_zip(archive, shown, (), shown, limits, 1):
            yield replace(item, sealed=sealed)


def iter_items(root: Path, limits: Limits, secret: bytes | None = None) -> Iterator[Item]:
    """Every file under ``root`` in a stable (sorted) order; archives expanded in place.
    With ``secret``, every file under ``root`` is sealed with that key (staged uploads).

    Symbolic links are not followed, so a link cannot pull files from outside the seizure.
    """
    root = Path(root)
    if root.is_symlink() or not root.exists():
        yield Item(str(root), str(root), error=MediaError("not_found", "no such file or folder"))
        return
    if root.is_file():
        yield from _walk_file(root, limits, secret)
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in dirnames:  # os.walk does not descend into them: say so, do not skip
            folder = Path(dirpath) / name
            if folder.is_symlink():
                yield Item(str(folder), str(folder), error=MediaError(
                    "symlink", "a symbolic link to a folder is not followed"))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_symlink():
                yield Item(str(path), str(path),
                           error=MediaError("symlink", "symbolic links are not followed"))
                continue
            yield from _walk_file(path, limits, secret)
